"""Users, API tokens and the login-attempt log used for throttling."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from samverkan.core.krypto import Krypterad
from samverkan.forbund.models import ForbundsRollTilldelning, Medlemskap, Part

TOTP_SYFTE = "anvandare.totp_hemlighet"


class User(UserMixin, db.Model):
    __tablename__ = "anvandare"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"), index=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    epost: Mapped[str] = mapped_column(String(254), unique=True)
    namn: Mapped[str] = mapped_column(String(200))
    aktiv: Mapped[bool] = mapped_column(default=True)
    losenord_hash: Mapped[str] = mapped_column(String(255), default="")
    # Bumped at logout and password change; a session cookie carrying an older value
    # is refused, so those actions end every session server-side.
    sessionsversion: Mapped[int] = mapped_column(default=1)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-factor login (TOTP). The secret is set at enrolment and active once confirmed.
    # Stored encrypted (core.krypto): a stolen database or backup gives no second factor.
    totp_hemlighet: Mapped[str | None] = mapped_column(Krypterad(TOTP_SYFTE, 160))
    totp_aktiv: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time step accepted, so a code cannot be replayed.
    totp_senaste_steg: Mapped[int | None] = mapped_column()
    # Which notices by mail the user wants (samverkan.besked): each on unless turned off
    # on the user's own settings page (``/konto/epost``) or through the API.
    besked_beslut: Mapped[bool] = mapped_column(default=True, server_default=true())
    besked_vecka: Mapped[bool] = mapped_column(default=True, server_default=true())
    besked_uppdrag: Mapped[bool] = mapped_column(default=True, server_default=true())
    besked_protokoll: Mapped[bool] = mapped_column(default=True, server_default=true())

    part: Mapped[Part | None] = relationship()
    medlemskap: Mapped[list[Medlemskap]] = relationship(back_populates="user")
    forbundsroller: Mapped[list[ForbundsRollTilldelning]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.aktiv

    def get_id(self) -> str:
        # The session version travels in the id: a bump invalidates old cookies.
        return f"{self.id}:{self.sessionsversion}"


class TokenOmfang(enum.Enum):
    """What a token may do: read (GET, HEAD and the searches sent by POST) or also write."""

    LASA = "lasa"
    SKRIVA = "skriva"


TOKEN_OMFANG_LABELS = {TokenOmfang.LASA: "Läsa", TokenOmfang.SKRIVA: "Läsa och skriva"}


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once.

    It expires at ``giltig_till`` (chosen at creation, 90 days by default) and may only
    read unless its ``omfang`` is ``skriva``. ``senast_anvand`` is written at most once a
    minute, so a busy integration does not write a row per request.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    namn: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    senast_anvand: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    aterkallad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    giltig_till: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    omfang: Mapped[TokenOmfang] = mapped_column(enum_type(TokenOmfang), default=TokenOmfang.SKRIVA)

    def utgangen(self, nu: dt.datetime) -> bool:
        return self.giltig_till <= nu

    @property
    def omfang_text(self) -> str:
        return TOKEN_OMFANG_LABELS[self.omfang]

    user: Mapped[User] = relationship()


class Inloggningsforsok(db.Model):
    """Failed logins, kept in the database so the throttle holds across web workers."""

    __tablename__ = "inloggningsforsok"

    id: Mapped[int] = mapped_column(primary_key=True)
    epost: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    tid: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LankSyfte(enum.Enum):
    INBJUDAN = "inbjudan"  # a new member sets their first password
    ATERSTALLNING = "aterstallning"  # forgotten password


class Engangslank(db.Model):
    """A one-time link to set a password (invitation or reset). Only its SHA-256 is
    stored; the link is used once, before ``giltig_till``, and a newer one of the same
    purpose, a password change or a deactivation ends it."""

    __tablename__ = "engangslank"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    syfte: Mapped[LankSyfte] = mapped_column(enum_type(LankSyfte))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    giltig_till: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    anvand: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Aterstallningskod(db.Model):
    """A one-time recovery code for two-factor login; only its hash is stored."""

    __tablename__ = "aterstallningskod"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    kod_hash: Mapped[str] = mapped_column(String(255))
    anvand: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
