"""Two-factor login (TOTP, RFC 6238): who must use it, enrolment, the code step of the
login, one-time recovery codes, and the förbund admin's reset when a phone is lost.

Codes are checked against ``clock.now()``, never ``time.time()``, so tests can pin the
instant. A code is accepted once: the accepted time step is stored and the same or an
earlier step is refused. The store is a conditional UPDATE, so two workers handed the
same code at the same moment cannot both accept it. Wrong codes count in the same
database-backed throttle as wrong passwords (``Inloggningsforsok``).

Like every service, these functions change, flush and audit; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets

import pyotp
from flask import current_app
from pyotp.utils import strings_equal
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from samverkan.auth import policy
from samverkan.auth import services as auth_services
from samverkan.auth.models import Aterstallningskod, Inloggningsforsok, User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound

log = logging.getLogger(__name__)

ISSUER = "Samverkan"
ANTAL_ATERSTALLNINGSKODER = 10
# How long a login that passed the password may wait for its code.
VANTETID = dt.timedelta(minutes=5)
# Accept the step before and after the current one: phone clocks drift by some seconds.
FONSTER = 1
# Recovery codes: 12 characters from 31 unambiguous symbols (no 0/o, 1/l/i), about 59
# bits, so a plain SHA-256 is enough to store them (nothing to brute-force offline).
_ALFABET = "abcdefghjkmnpqrstuvwxyz23456789"
_KODLANGD = 12
_SEXSIFFRIG = re.compile(r"^\d{6}$")

FEL_KOD = "Koden stämmer inte. Kontrollera koden i appen och försök igen."
AVBRUTEN = "Inloggningen avbröts eller tog för lång tid. Logga in igen."


def kravs(user: User) -> bool:
    """Whether ``user`` must log in with a second factor (setting ``TVAFAKTOR_KRAVS``).

    Who must is the policy's decision (``policy.kraver_tvafaktor``).
    """
    if not current_app.config.get("TVAFAKTOR_KRAVS", True):
        return False
    return policy.kraver_tvafaktor(user)


def begransad(user: User) -> bool:
    """Logged in with the password only, while a second factor is required but not set up:
    the session may reach the enrolment page and logout, nothing else."""
    return not user.totp_aktiv and kravs(user)


# --- enrolment ----------------------------------------------------------------------
def start_enrolment(user: User) -> str:
    """The secret to show on the enrolment page: made once, kept until confirmed, so
    reloading the page does not invalidate a QR code the user already scanned."""
    if user.totp_aktiv:
        raise DomainError("redan_aktiv", "Tvåfaktorsinloggning är redan aktiverad.")
    if not user.totp_hemlighet:
        user.totp_hemlighet = pyotp.random_base32()
        db.session.flush()
    return user.totp_hemlighet


def provisioning_uri(user: User) -> str:
    """The otpauth:// address authenticator apps read (the QR code carries the same)."""
    return pyotp.TOTP(user.totp_hemlighet).provisioning_uri(name=user.epost, issuer_name=ISSUER)


def confirm_enrolment(user: User, kod: str) -> list[str]:
    """Turn two-factor login on with a first valid code; returns the recovery codes,
    which exist only in this answer (only their hashes are stored).

    Every other session of the user ends: it was opened with the password alone. The
    caller logs the current session in again (it has just shown a code).
    """
    if user.totp_aktiv:
        raise DomainError("redan_aktiv", "Tvåfaktorsinloggning är redan aktiverad.")
    if not user.totp_hemlighet:
        raise DomainError("hemlighet_saknas", "Ladda om sidan och börja om.", field="kod")
    if not _accept_totp(user, _normalise(kod)):
        raise DomainError("fel_kod", FEL_KOD, field="kod")
    user.totp_aktiv = True
    koder = _new_recovery_codes(user)
    auth_services.end_sessions(user)
    audit.record("tvafaktor.aktivera", "anvandare", user.id, user_id=user.id,
                 falt=["totp", "aterstallningskoder"])
    return koder


def new_recovery_codes(user: User, kod: str, ip: str) -> list[str]:
    """Replace the recovery codes (all used, or printed and lost), confirmed with a code."""
    if not user.totp_aktiv:
        raise DomainError("inte_aktiv", "Tvåfaktorsinloggning är inte aktiverad.")
    _check_code_or_count(user, kod, ip, recovery=False)
    koder = _new_recovery_codes(user)
    audit.record("tvafaktor.nya_koder", "anvandare", user.id, user_id=user.id,
                 falt=["aterstallningskoder"])
    return koder


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count(Aterstallningskod.id))
        .where(Aterstallningskod.user_id == user.id, Aterstallningskod.anvand.is_(None))
    )


# --- the login's second step ----------------------------------------------------------
def verify_login(user_id: int, sessionsversion: int, kod: str, ip: str) -> User:
    """The second step of a login that passed the password. Returns the user or raises.

    A wrong code is recorded for the throttle (the caller commits even on refusal). The
    session version carried from the password step ties the two steps together: a
    logout or password change in between ends the half-made login too.
    """
    user = db.session.get(User, user_id)
    if user is None or not user.aktiv or not user.totp_aktiv or user.sessionsversion != sessionsversion:
        raise DomainError("inloggning_avbruten", AVBRUTEN, status=401)
    metod = _check_code_or_count(user, kod, ip, recovery=True)
    # Only now is the login complete: the password step left failed attempts in place so
    # that re-entering the password does not reset the count of wrong codes.
    db.session.execute(delete(Inloggningsforsok).where(Inloggningsforsok.epost == user.epost,
                                                       Inloggningsforsok.ip == ip))
    if metod == "aterstallningskod":
        audit.record("tvafaktor.aterstallningskod", "anvandare", user.id, user_id=user.id)
    audit.record("inloggning", "anvandare", user.id, user_id=user.id, falt=[metod])
    return user


def _check_code_or_count(user: User, kod: str, ip: str, *, recovery: bool) -> str:
    if auth_services._throttled(user.epost, ip):
        raise DomainError("for_manga_forsok", auth_services.THROTTLED, status=429)
    kod = _normalise(kod)
    if _accept_totp(user, kod):
        return "totp"
    if recovery and _use_recovery_code(user, kod):
        return "aterstallningskod"
    db.session.add(Inloggningsforsok(epost=user.epost, ip=ip))
    log.info("wrong second-factor code")  # no address: it is personal data
    raise DomainError("fel_kod", FEL_KOD, field="kod", status=401)


# --- the admin's reset ----------------------------------------------------------------
def reset(admin: User, target: User) -> None:
    """Turn a user's two-factor login off (lost phone). Only the förbund admin, only for
    someone else: an admin who lost their own phone asks another admin, so no one can
    lower their own protection. The user's sessions end; at the next login they enrol
    again (if it is required, the restricted state sees to it)."""
    policy.require_admin(admin)
    if target.forbund_id != admin.forbund_id:
        raise NotFound("Användaren finns inte.")
    if target.id == admin.id:
        raise DomainError("egen_tvafaktor", "Du kan inte återställa din egen tvåfaktorsinloggning. "
                          "Be en annan administratör i förbundet.")
    target.totp_hemlighet = None
    target.totp_aktiv = False
    target.totp_senaste_steg = None
    db.session.execute(delete(Aterstallningskod).where(Aterstallningskod.user_id == target.id))
    auth_services.end_sessions(target)
    db.session.flush()
    audit.record("tvafaktor.aterstall", "anvandare", target.id, user_id=admin.id,
                 falt=["totp", "aterstallningskoder"])


# --- internals ------------------------------------------------------------------------
def _normalise(kod: str | None) -> str:
    # People type codes with spaces or hyphens, as the page shows them.
    return re.sub(r"[\s-]", "", kod or "").lower()


def _digest(kod: str) -> str:
    return hashlib.sha256(kod.encode()).hexdigest()


def _accept_totp(user: User, kod: str) -> bool:
    """True once per time step: the matching step must be later than the last accepted."""
    if not user.totp_hemlighet or not _SEXSIFFRIG.match(kod):
        return False
    totp = pyotp.TOTP(user.totp_hemlighet)
    now = clock.now()
    steg = None
    for offset in range(-FONSTER, FONSTER + 1):
        # Compare with every step in the window (constant work whichever matches).
        if strings_equal(kod, totp.at(now, counter_offset=offset)) and steg is None:
            steg = totp.timecode(now) + offset
    if steg is None:
        return False
    # Atomic against a parallel request with the same code: only one UPDATE matches.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id,
               or_(User.totp_senaste_steg.is_(None), User.totp_senaste_steg < steg))
        .values(totp_senaste_steg=steg)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_senaste_steg", steg)
    return True


def _use_recovery_code(user: User, kod: str) -> bool:
    if len(kod) != _KODLANGD:
        return False
    result = db.session.execute(
        update(Aterstallningskod)
        .where(Aterstallningskod.user_id == user.id,
               Aterstallningskod.kod_hash == _digest(kod),
               Aterstallningskod.anvand.is_(None))
        .values(anvand=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(Aterstallningskod).where(Aterstallningskod.user_id == user.id))
    koder = ["".join(secrets.choice(_ALFABET) for _ in range(_KODLANGD))
             for _ in range(ANTAL_ATERSTALLNINGSKODER)]
    db.session.add_all(Aterstallningskod(user_id=user.id, kod_hash=_digest(k)) for k in koder)
    db.session.flush()
    # Shown in groups of four, as people copy them onto paper.
    return ["-".join(k[i:i + 4] for i in range(0, _KODLANGD, 4)) for k in koder]
