"""Login throttling that protects the account without handing an attacker a way to lock
its owner out.

Failed attempts (wrong password or wrong second-factor code) are rows in
``inloggningsforsok`` with the e-mail address typed and the client's address, so the
count holds across every web worker. The client's address is ``request.remote_addr``,
which names the client only behind the proxies ``PROXY_ANTAL`` trusts (web.py's
ProxyFix); an ``X-Forwarded-For`` from anyone else is ignored. Within the window
(``LOGIN_THROTTLE_WINDOW``):

- **Slow-down per (account, address) pair.** After ``LOGIN_THROTTLE_PER_PAR`` failures
  from one address against one account, each further try must wait 1 s, 2 s, 4 s …
  (at most ``LOGIN_THROTTLE_MAX_VANTAN``) after the last failure. It applies to everyone,
  and it is short: guessing from one address becomes slow, nobody is locked out.
- **Per-account and per-address limits.** Beyond ``LOGIN_THROTTLE_PER_ACCOUNT`` failures
  against one account (from anywhere), or ``LOGIN_THROTTLE_PER_IP`` from one address
  (against any account), a login from an unknown device is refused. A **known device**
  gets through with the right password: a browser where the account logged in before
  carries a signed cookie saying so (``LOGIN_KAND_ENHET``, 180 days by default). So an
  attacker elsewhere, or a colleague's typos behind the same proxy, cannot lock the owner
  out of their usual browser.
- **Unlock link.** When an account reaches its limit the owner gets a mail through the
  outbox: that there were failed attempts (nothing else: no address, no time) and a
  link, valid for a day, that makes the browser opening it a known device.

The check runs before the password is verified, so a refused try tells nothing about
the password. Like every service, nothing here commits; the caller does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, func, or_, select

from samverkan.auth.models import Inloggningsforsok, User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser import brev
from samverkan.kallelser.models import UtskickTyp

KAND_ENHET_COOKIE = "samverkan_enhet"
# Accounts remembered per browser (a shared computer).
KAND_ENHET_MAX = 5
LAS_UPP_GILTIG = dt.timedelta(days=1)


@dataclass(frozen=True)
class Raknare:
    par: int  # failures from this address against this account
    par_senaste: dt.datetime | None
    konto: int  # failures against this account, from anywhere
    adress: int  # failures from this address, against any account


def raknare(epost: str, ip: str) -> Raknare:
    """The window's counts, in one query."""
    since = clock.now() - current_app.config["LOGIN_THROTTLE_WINDOW"]
    par = and_(Inloggningsforsok.epost == epost, Inloggningsforsok.ip == ip)
    row = db.session.execute(
        select(
            func.count().filter(par),
            func.max(Inloggningsforsok.tid).filter(par),
            func.count().filter(Inloggningsforsok.epost == epost),
            func.count().filter(Inloggningsforsok.ip == ip),
        ).where(Inloggningsforsok.tid >= since,
                or_(Inloggningsforsok.epost == epost, Inloggningsforsok.ip == ip))
    ).one()
    return Raknare(*row)


def vantetid(par: int) -> dt.timedelta:
    """How long after the last failure the pair must wait, after ``par`` failures."""
    cfg = current_app.config
    fria = cfg["LOGIN_THROTTLE_PER_PAR"]
    if par < fria:
        return dt.timedelta(0)
    tak = cfg["LOGIN_THROTTLE_MAX_VANTAN"]
    return min(dt.timedelta(seconds=2 ** min(par - fria, 30)), tak)


def over_gransen(r: Raknare) -> bool:
    cfg = current_app.config
    return r.konto >= cfg["LOGIN_THROTTLE_PER_ACCOUNT"] or r.adress >= cfg["LOGIN_THROTTLE_PER_IP"]


def sparrad(epost: str, ip: str, r: Raknare | None = None) -> bool:
    r = r or raknare(epost, ip)
    if r.par_senaste is not None and clock.now() < r.par_senaste + vantetid(r.par):
        return True
    return over_gransen(r) and not kand_enhet(epost)


def precis_vid_gransen(r: Raknare) -> bool:
    """This failure (not yet counted in ``r``) is the one that reaches the account's limit."""
    return r.konto + 1 == current_app.config["LOGIN_THROTTLE_PER_ACCOUNT"]


# --- known devices ------------------------------------------------------------------------
def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _kanda_ids() -> list[int]:
    if not has_request_context():
        return []
    varde = request.cookies.get(KAND_ENHET_COOKIE)
    if not varde:
        return []
    try:
        ids = _serializer("kand-enhet").loads(
            varde, max_age=int(current_app.config["LOGIN_KAND_ENHET"].total_seconds()))
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def kand_enhet(epost: str) -> bool:
    """Whether this browser carries a valid known-device mark for the account."""
    ids = _kanda_ids()
    if not ids:
        return False
    user_id = db.session.scalar(select(User.id).where(User.epost == epost))
    return user_id is not None and user_id in ids


def markera_kand_enhet(response: Response, user_id: int) -> Response:
    """After a successful login (or the mailed unlock link): this browser is known."""
    ids = [user_id] + [i for i in _kanda_ids() if i != user_id]
    cfg = current_app.config
    response.set_cookie(
        KAND_ENHET_COOKIE, _serializer("kand-enhet").dumps(ids[:KAND_ENHET_MAX]),
        max_age=int(cfg["LOGIN_KAND_ENHET"].total_seconds()), httponly=True,
        secure=cfg["SESSION_COOKIE_SECURE"], samesite="Lax", path="/",
    )
    return response


# --- the owner's mail -----------------------------------------------------------------
def las_upp_token(user: User) -> str:
    return _serializer("las-upp").dumps({"u": user.id})


def las_upp_user(token: str) -> User | None:
    """The account a mailed unlock link names, while it is valid."""
    try:
        data = _serializer("las-upp").loads(token, max_age=int(LAS_UPP_GILTIG.total_seconds()))
    except BadSignature:
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    return user if user is not None and user.aktiv else None


def varna_agaren(user: User) -> None:
    """Tell the owner, through the outbox, that the account saw a burst of failures."""
    nu = clock.now()
    bas = current_app.config["BASE_URL"].rstrip("/")
    text = (
        "Hej!\n\n"
        "Det har gjorts flera misslyckade inloggningsförsök på ditt konto i Samverkan. "
        "Var det du som skrev fel behöver du inte göra något.\n\n"
        "Var det inte du: logga in som vanligt och byt lösenord. Så länge försöken pågår "
        "släpps bara webbläsare in där du har loggat in förut. Behöver du logga in från en "
        "annan webbläsare, öppna länken nedan i den (den gäller ett dygn):\n\n"
        f"{bas}/logga-in/las-upp/{las_upp_token(user)}\n\n"
        "Det här är ett automatiskt meddelande från Samverkan."
    )
    brev.koa(user, UtskickTyp.INLOGGNINGSVARNING, version=nu.strftime("%Y-%m-%dT%H:%M:%S"),
             amne="Misslyckade inloggningsförsök på ditt konto", text=text, nu=nu)
