"""Passwords, login with throttling, sessions and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from samverkan.auth import throttle
from samverkan.auth.models import ApiToken, Inloggningsforsok, User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("ingen-sadan-anvandare")

MIN_PASSWORD_LENGTH = 12
THROTTLED = "För många misslyckade inloggningar. Vänta en stund och försök igen."
BAD_LOGIN = "Fel e-postadress eller lösenord."


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("svagt_losenord",
                          f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.", field="losenord")
    user.losenord_hash = _hasher.hash(password)
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
    try:
        _hasher.verify(user.losenord_hash if user and user.losenord_hash else _DUMMY_HASH, password)
        ok = user is not None and user.aktiv
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        db.session.add(Inloggningsforsok(epost=epost, ip=ip))
        log.info("failed login")  # no address in the log: it is personal data
        if user is not None and user.aktiv and throttle.precis_vid_gransen(raknare):
            throttle.varna_agaren(user)
        raise DomainError("fel_inloggning", BAD_LOGIN, status=401)
    if _hasher.check_needs_rehash(user.losenord_hash):
        user.losenord_hash = _hasher.hash(password)
    if user.totp_aktiv:
        return user
    # Only this address's failures: an attacker's elsewhere keep the account's limit for
    # unknown devices until the window passes (the owner's known device passes it).
    db.session.execute(delete(Inloggningsforsok).where(Inloggningsforsok.epost == epost,
                                                       Inloggningsforsok.ip == ip))
    audit.record("inloggning", "anvandare", user.id, user_id=user.id)
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version (see User.get_id)."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.aktiv or user.sessionsversion != version:
        return None
    return user


# --- API tokens -------------------------------------------------------------------
TOKEN_PREFIX = "sv_"  # noqa: S105  # nosec B105  # a public prefix, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, namn: str) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    namn = (namn or "").strip()
    if not namn or len(namn) > 100:
        raise DomainError("ogiltigt_namn", "Ge token ett namn (högst 100 tecken).", field="namn")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, namn=namn, prefix=secret[:10], token_hash=_digest(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("token.skapa", "api_token", token.id, user_id=user.id)
    return token, secret


def user_for_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret))
    ).scalar_one_or_none()
    if token is None or token.aterkallad is not None or not token.user.aktiv:
        return None
    token.senast_anvand = clock.now()
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
