"""Passwords, login with throttling, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from samverkan.auth import throttle
from samverkan.auth.models import ApiToken, Inloggningsforsok, TokenOmfang, User
from samverkan.core import anrop, audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import ForbundsRollTilldelning, Medlemskap

log = logging.getLogger(__name__)
# argon2id with argon2-cffi's production parameters (RFC 9106's low-memory profile: 64 MiB,
# 3 passes; ~0.5 s a hash on two busy cores), the only ones outside test configuration.
_hasher = PasswordHasher()
# Test configuration (TESTING, or LOSENORD_TESTHASH=True as in the browser tests' live
# server): the same algorithm with the cheapest parameters, so the suite's hundreds of form
# logins do not each cost half a second. tests/auth/test_losenord.py checks both.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Verified against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASHES: dict[int, str] = {}


def _hasher_for_app() -> PasswordHasher:
    test = current_app.config.get("LOSENORD_TESTHASH", current_app.testing)
    return _test_hasher if test else _hasher


def _dummy_hash(hasher: PasswordHasher) -> str:
    if id(hasher) not in _DUMMY_HASHES:
        _DUMMY_HASHES[id(hasher)] = hasher.hash("ingen-sadan-anvandare")
    return _DUMMY_HASHES[id(hasher)]


def hash_password(password: str) -> str:
    """The password's argon2 hash with the parameters of this app's configuration."""
    return _hasher_for_app().hash(password)

MIN_PASSWORD_LENGTH = 12
THROTTLED = "För många misslyckade inloggningar. Vänta en stund och försök igen."
BAD_LOGIN = "Fel e-postadress eller lösenord."


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("svagt_losenord",
                          f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.", field="losenord")
    user.losenord_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every existing session cookie of this user stops working."""
    # A user not yet flushed has no column default applied yet.
    user.sessionsversion = (user.sessionsversion or 0) + 1


def _throttled(epost: str, ip: str) -> bool:
    """Whether a login try for ``epost`` from ``ip`` is refused now (see auth/throttle.py:
    slow-down per pair, per-account and per-address limits a known device passes)."""
    return throttle.sparrad(epost, ip)


def authenticate(epost: str, password: str, ip: str) -> User:
    """Check the password: return the user or raise DomainError. Failures are recorded
    (caller commits).

    For a user with two-factor login the login is not complete yet: the caller asks for
    the code (``tvafaktor.verify_login``), which audits the login and clears the failed
    attempts only then, so a known password cannot reset the count of wrong codes.
    """
    epost = (epost or "").strip().lower()
    raknare = throttle.raknare(epost, ip)
    if throttle.sparrad(epost, ip, raknare):
        raise DomainError("for_manga_forsok", THROTTLED, status=429)
    user = db.session.execute(select(User).where(User.epost == epost)).scalar_one_or_none()
    hasher = _hasher_for_app()
    try:
        hasher.verify(user.losenord_hash if user and user.losenord_hash else _dummy_hash(hasher), password)
        ok = user is not None and user.aktiv
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        db.session.add(Inloggningsforsok(epost=epost, ip=ip))
        log.info("failed login")  # no address in the log: it is personal data
        if user is not None and user.aktiv and throttle.precis_vid_gransen(raknare):
            throttle.varna_agaren(user)
        raise DomainError("fel_inloggning", BAD_LOGIN, status=401)
    if hasher.check_needs_rehash(user.losenord_hash):
        user.losenord_hash = hasher.hash(password)
    if user.totp_aktiv:
        return user
    # Only this address's failures: an attacker's elsewhere keep the account's limit for
    # unknown devices until the window passes (the owner's known device passes it).
    db.session.execute(delete(Inloggningsforsok).where(Inloggningsforsok.epost == epost,
                                                       Inloggningsforsok.ip == ip))
    audit.record("inloggning", "anvandare", user.id, user_id=user.id)
    return user


# The user with what every request asks of them (access rules, the navigation): team
# memberships and förbund roles, joined into the user's own statement. A user holds a few
# of each, so the join's rows stay few; separate loads would cost a statement apiece on
# every request (issue 19).
MED_ROLLER = (joinedload(User.medlemskap), joinedload(User.forbundsroller))
# Every logged-in request runs it: built once, so its cache key is computed once too
# (SQLAlchemy memoises it on the statement) instead of a new select() per request.
_SESSIONSANVANDARE = select(User).where(User.id == bindparam("user_id")).options(*MED_ROLLER)
# What a request never reads of its user: the secrets and the settings pages' columns. The
# session user's rows leave them out (nor are the password hash and the decrypted TOTP
# secret in memory on every request); the page that reads one loads them, one statement.
_SALLAN = frozenset({"losenord_hash", "totp_hemlighet", "totp_senaste_steg", "skapad", "besked_beslut",
                     "besked_vecka", "besked_uppdrag", "besked_protokoll"})


@functools.cache
def _sessionsrader() -> tuple:
    """The session user's statement as rows of columns, and the entities' column keys:
    (statement, [(manager, keys, first index)] for User, Medlemskap, ForbundsRollTilldelning,
    the indexes of ``aktiv`` and ``sessionsversion``).
    Built at first use, when every mapper is configured."""
    delar, kolumner = [], []
    for modell, utom in ((User, _SALLAN), (Medlemskap, ()), (ForbundsRollTilldelning, ())):
        mapper = sa_inspect(modell)
        # The primary key first: a row's entity is known by it (None: no such row joined).
        attr = sorted((a for a in mapper.column_attrs if a.key not in utom), key=lambda a: not a.columns[0].primary_key)
        delar.append((mapper.class_manager, tuple(a.key for a in attr), len(kolumner)))
        kolumner += [a.columns[0] for a in attr]
    anvandare, medlemskap, roller = User.__table__, Medlemskap.__table__, ForbundsRollTilldelning.__table__
    sats = (select(*kolumner).select_from(anvandare)
            .outerjoin(medlemskap, medlemskap.c.user_id == anvandare.c.id)
            .outerjoin(roller, roller.c.user_id == anvandare.c.id)
            .where(anvandare.c.id == bindparam("user_id")))
    nycklar = delar[0][1]
    return sats, delar, (nycklar.index("aktiv"), nycklar.index("sessionsversion"))


def _bestandig(manager, nycklar: tuple, varden) -> object:
    """An entity from a row's columns, as a query would have loaded it (the columns not
    given are expired: loaded, one statement, by the code that reads one)."""
    objekt = manager.new_instance()
    objekt.__dict__.update(zip(nycklar, varden, strict=True))
    make_transient_to_detached(objekt)
    return objekt


def _ladda_sessionsanvandare(session, user_id: int, version: int) -> User | None:
    """The user with memberships and roles from one statement of plain rows, made into the
    session's entities without the ORM's loading (its cost per statement and per row was
    the largest part of an empty page's CPU: ≈0.4 ms of 1.2, issue 19). Only on a session
    that holds nothing yet, as every request's own does."""
    sats, ((um, uk, _), (mm, mk, mi), (fm, fk, fi)), (aktiv, sessionsversion) = _sessionsrader()
    rader = session.connection().execute(sats, {"user_id": user_id}).all()
    if not rader:
        return None
    forsta = rader[0]
    if not forsta[aktiv] or forsta[sessionsversion] != version:
        return None
    user = _bestandig(um, uk, forsta[:mi])
    medlemskap: dict[int, Medlemskap] = {}
    roller: dict[int, ForbundsRollTilldelning] = {}
    for rad in rader:
        if rad[mi] is not None and rad[mi] not in medlemskap:
            medlemskap[rad[mi]] = _bestandig(mm, mk, rad[mi:fi])
        if rad[fi] is not None and rad[fi] not in roller:
            roller[rad[fi]] = _bestandig(fm, fk, rad[fi:])
    set_committed_value(user, "medlemskap", list(medlemskap.values()))
    set_committed_value(user, "forbundsroller", list(roller.values()))
    session.add(user)  # persistent and unchanged; the cascade brings its memberships and roles
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version (see User.get_id). Read
    from the database on every request, so a role or membership changed, a user
    deactivated, a logout or a password change elsewhere counts from the next request."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    session = db.session()
    if not session.identity_map and not session.new:
        return _ladda_sessionsanvandare(session, user_id, version)
    # A session that holds rows already (a test's shared one): the query, which finds them.
    user = session.execute(_SESSIONSANVANDARE, {"user_id": user_id}).unique().scalar_one_or_none()
    if user is None or not user.aktiv or user.sessionsversion != version:
        return None
    return user


# --- API tokens -------------------------------------------------------------------
TOKEN_PREFIX = "sv_"  # noqa: S105  # nosec B105  # a public prefix, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


TOKEN_DAGAR = 90  # the default lifetime of a new token
TOKEN_DAGAR_MAX = 365
# The last use is written at most this often, so a busy integration does not take a row
# lock and a write per request (issue 19).
SENAST_ANVAND_INTERVALL = dt.timedelta(minutes=1)


def create_token(user: User, namn: str, *, dagar: int | None = None,
                 omfang: TokenOmfang | str = TokenOmfang.SKRIVA) -> tuple[ApiToken, str]:
    """Create a token valid ``dagar`` days (90 by default, at most 365) that may read, or
    read and write; the secret is returned once and never stored."""
    namn = (namn or "").strip()
    if not namn or len(namn) > 100:
        raise DomainError("ogiltigt_namn", "Ge token ett namn (högst 100 tecken).", field="namn")
    dagar = TOKEN_DAGAR if dagar is None else dagar
    if isinstance(dagar, bool) or not isinstance(dagar, int) or not 1 <= dagar <= TOKEN_DAGAR_MAX:
        raise DomainError("ogiltig_giltighet", f"En token gäller 1–{TOKEN_DAGAR_MAX} dagar.", field="dagar")
    try:
        omfang = TokenOmfang(omfang)
    except ValueError:
        raise DomainError("ogiltigt_omfang", "Välj om token får läsa, eller läsa och skriva.",
                          field="omfang") from None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, namn=namn, prefix=secret[:10], token_hash=_digest(secret), omfang=omfang,
                     giltig_till=clock.now() + dt.timedelta(days=dagar))
    db.session.add(token)
    db.session.flush()
    audit.record("token.skapa", "api_token", token.id, user_id=user.id, falt=["omfang", "giltig_till"])
    return token, secret


def token_for(secret: str) -> ApiToken | None:
    """The token a secret names, whatever its state (the caller says why it is refused)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret))
        .options(joinedload(ApiToken.user).options(*MED_ROLLER))
    ).unique().scalar_one_or_none()


def anvand_token(token: ApiToken, nu: dt.datetime) -> None:
    """Note the token's use, at most once a minute. In a request that only reads, in a
    short write of its own (``anrop.kor_apart``): the read stays deferred on SQLite and
    holds no row lock on PostgreSQL. A writing request writes it in its own transaction."""
    if token.senast_anvand is not None and nu - token.senast_anvand < SENAST_ANVAND_INTERVALL:
        return
    if anrop.laser_nu() and anrop.agd():
        anrop.kor_apart(update(ApiToken).where(ApiToken.id == token.id).values(senast_anvand=nu))
        set_committed_value(token, "senast_anvand", nu)  # as written: nothing left to flush
    else:
        token.senast_anvand = nu


def user_for_token(secret: str) -> User | None:
    """The user of a valid (known, unrevoked, unexpired) token of an active user."""
    token = token_for(secret)
    nu = clock.now()
    if token is None or token.aterkallad is not None or token.utgangen(nu) or not token.user.aktiv:
        return None
    anvand_token(token, nu)
    return token.user


def revoke_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError("hittades_inte", "Token finns inte.", status=404)
    if token.aterkallad is None:
        token.aterkallad = clock.now()
        audit.record("token.aterkalla", "api_token", token.id, user_id=user.id)


def tokens_of(user: User) -> list[ApiToken]:
    return db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).scalars().all()
