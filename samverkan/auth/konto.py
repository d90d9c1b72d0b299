"""One's own account: one-time links (invitation, forgotten password), changing the
password, and ending an account (deactivation).

A one-time link carries a random secret; only its SHA-256 is stored (``Engangslank``). It
works once, until ``giltig_till``; a newer link of the same purpose, a password change and
a deactivation end it. The mail goes through the outbox (``Utskick``, written in the same
transaction, delivered by the scheduler after commit) and holds nothing personal: no
name, only the förbund's name and the link.

Functions change, flush and audit; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select, update

from samverkan.auth import services
from samverkan.auth.models import ApiToken, Engangslank, LankSyfte, User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Forbund
from samverkan.kallelser import brev
from samverkan.kallelser.models import Utskick, UtskickTyp

log = logging.getLogger(__name__)

GILTIGHET = {LankSyfte.INBJUDAN: dt.timedelta(days=7), LankSyfte.ATERSTALLNING: dt.timedelta(hours=2)}
ATERSTALLNING_SPARR = dt.timedelta(minutes=5)
OGILTIG_LANK = ("Länken fungerar inte längre: den har gått ut eller redan använts. "
                "Be förbundets administratör om en ny inbjudan, eller begär en ny länk under "
                "Glömt lösenordet.")
FEL_LOSENORD = "Det nuvarande lösenordet stämmer inte."


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lankadress(secret: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/konto/valj-losenord/{secret}"


def _avsluta_lankar(user: User, syfte: LankSyfte | None = None) -> None:
    villkor = [Engangslank.user_id == user.id, Engangslank.anvand.is_(None)]
    if syfte is not None:
        villkor.append(Engangslank.syfte == syfte)
    db.session.execute(update(Engangslank).where(*villkor).values(anvand=clock.now())
                       .execution_options(synchronize_session=False))


def skicka_lank(user: User, syfte: LankSyfte, *, av_id: int | None) -> Utskick:
    """A new one-time link for ``user`` and its mail in the outbox; earlier unused links of
    the same purpose stop working."""
    _avsluta_lankar(user, syfte)
    secret = secrets.token_urlsafe(32)
    nu = clock.now()
    lank = Engangslank(user_id=user.id, syfte=syfte, token_hash=_digest(secret), skapad=nu,
                       giltig_till=nu + GILTIGHET[syfte])
    db.session.add(lank)
    db.session.flush()
    forbund = db.session.get(Forbund, user.forbund_id)
    giltig = clock.local(lank.giltig_till).strftime("%Y-%m-%d %H:%M")
    if syfte == LankSyfte.INBJUDAN:
        amne = "Inbjudan till Samverkan"
        inledning = (f"Du har bjudits in till Samverkan, ärendehanteringen för {forbund.namn}. "
                     "Välj ditt lösenord via länken nedan.")
    else:
        amne = "Nytt lösenord till Samverkan"
        inledning = ("Någon har begärt ett nytt lösenord för ditt konto i Samverkan. "
                     "Välj ett nytt lösenord via länken nedan.")
    text = (f"{inledning}\n\n{lankadress(secret)}\n\n"
            f"Länken gäller till {giltig} och kan användas en gång.\n\n"
            "Om du inte väntade dig det här meddelandet kan du bortse från det.")

    utskick = brev.koa(user, UtskickTyp(syfte.value), version=f"lank-{lank.id}", amne=amne, text=text)
    db.session.flush()
    audit.record(f"engangslank.{syfte.value}", "anvandare", user.id, user_id=av_id)
    return utskick


def begar_aterstallning(epost: str) -> None:
    """Forgotten password: a link to an active account with that address. The caller says
    the same whatever the address, so the page does not tell who has an account."""
    epost = (epost or "").strip().lower()
    user = db.session.execute(select(User).where(User.epost == epost)).scalar_one_or_none()
    if user is None or not user.aktiv:
        log.info("password reset asked for an unknown or inactive account")
        return
    # One mail per account and few minutes, however often the form is sent: the page
    # cannot be used to flood someone's inbox.
    senaste = db.session.execute(
        select(Engangslank.skapad).where(Engangslank.user_id == user.id,
                                         Engangslank.syfte == LankSyfte.ATERSTALLNING)
        .order_by(Engangslank.id.desc()).limit(1)
    ).scalar()
    if senaste is not None and senaste > clock.now() - ATERSTALLNING_SPARR:
        log.info("password reset asked again within the pause")
        return
    skicka_lank(user, LankSyfte.ATERSTALLNING, av_id=None)


def giltig_lank(secret: str) -> Engangslank:
    lank = db.session.execute(
        select(Engangslank).where(Engangslank.token_hash == _digest(secret or ""))
    ).scalar_one_or_none()
    if (lank is None or lank.anvand is not None or lank.giltig_till <= clock.now()
            or not lank.user.aktiv):
        raise DomainError("ogiltig_lank", OGILTIG_LANK, status=410)
    return lank


def anvand_lank(secret: str, losenord: str, upprepat: str) -> User:
    """Set the password through a one-time link; the link (and every other open link of
    the user) is then used up, and every session of the user ends."""
    lank = giltig_lank(secret)
    _kontrollera_nytt(losenord, upprepat)
    user = lank.user
    services.set_password(user, losenord)
    lank.anvand = clock.now()
    _avsluta_lankar(user)
    audit.record(f"losenord.{lank.syfte.value}", "anvandare", user.id, user_id=user.id)
    return user


def _kontrollera_nytt(losenord: str, upprepat: str) -> None:
    if len(losenord or "") < services.MIN_PASSWORD_LENGTH:
        raise DomainError("svagt_losenord", f"Lösenordet måste ha minst {services.MIN_PASSWORD_LENGTH} tecken.",
                          field="losenord")
    if losenord != upprepat:
        raise DomainError("olika_losenord", "Lösenorden är inte likadana. Skriv samma lösenord två gånger.",
                          field="upprepa")


def byt_losenord(user: User, nuvarande: str, losenord: str, upprepat: str) -> None:
    """Change one's own password: the current one first. Every session of the user ends
    (the caller logs this one in again with the new session version)."""
    try:
        ok = bool(user.losenord_hash) and services._hasher.verify(user.losenord_hash, nuvarande or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise DomainError("fel_losenord", FEL_LOSENORD, field="nuvarande")
    _kontrollera_nytt(losenord, upprepat)
    services.set_password(user, losenord)
    _avsluta_lankar(user, LankSyfte.ATERSTALLNING)
    audit.record("losenord.byt", "anvandare", user.id, user_id=user.id)


def avaktivera(user: User, *, av_id: int) -> None:
    """The account ends at once: no login, every session and API token and open link
    ended. The row stays, so history and the audit log keep the name."""
    user.aktiv = False
    services.end_sessions(user)
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.aterkallad.is_(None))
                       .values(aterkallad=clock.now()).execution_options(synchronize_session=False))
    _avsluta_lankar(user)
    audit.record("anvandare.avaktivera", "anvandare", user.id, user_id=av_id, falt=["aktiv"])
