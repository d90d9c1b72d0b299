"""Utskick: the outbox. One row per message, recipient and version.

A message is written here in the same transaction as the decision to send it, so a
crash can neither lose it nor send it without the decision. The unique key (meeting,
kind, recipient, version) makes writing it twice impossible; the sender delivers rows by
query after commit, so running it twice, or two senders at once, is harmless.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.auth.models import User
from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from workflows import regler as _regler


class UtskickTyp(enum.Enum):
    KALLELSE = "kallelse"
    TILLAGG = "tillagg"  # supplementary kallelse after a change
    INSTALLNING = "installning"  # cancellation (METHOD:CANCEL)
    PAMINNELSE = "paminnelse"  # reminder to handläggare before the agenda deadline
    # Account mail (no meeting): the one-time link to set a password.
    INBJUDAN = "inbjudan"
    ATERSTALLNING = "aterstallning"
    INLOGGNINGSVARNING = "inloggningsvarning"  # to an account's owner: failed logins (no meeting)
    SAMTYCKE = "samtycke"  # reminder before an ärende's consent expires (no meeting)
    ERBJUDANDE = "erbjudande"  # to the projektledare: an offered insats place still waits (no meeting)
    # Notices (samverkan.besked), each one per person per event; the user may turn each off.
    BESLUT = "beslut"  # to an aktualiserande handläggare: the team's decisions, after justering
    VECKOSAMMANSTALLNING = "veckosammanstallning"  # Monday: actions due soon and overdue (no meeting)
    UPPDRAG = "uppdrag"  # to a samcoach: a new (or offered) assignment (no meeting)
    PROTOKOLL = "protokoll"  # to the team's members: the protokoll is justerat


# The notices without a meeting that the partial unique index covers.
BESKED_UTAN_MOTE = "mote_id IS NULL AND typ IN ('veckosammanstallning', 'uppdrag')"


class UtskickStatus(enum.Enum):
    KOAD = "koad"
    SKICKAR = "skickar"  # claimed by a sender; a stale claim is retried
    SKICKAD = "skickad"
    MISSLYCKAD = "misslyckad"  # gave up after the last retry; the reason is kept


# Every status change of a message goes through this table (workflows.regler).
utskicksregler = _regler.UTSKICK


class Utskick(db.Model):
    __tablename__ = "utskick"
    __table_args__ = (
        UniqueConstraint("mote_id", "typ", "mottagare_id", "version"),
        # The constraint above cannot hold messages without a meeting (NULLs differ): the
        # notices that belong to none are kept to one per person and event by this one.
        Index("uq_utskick_besked", "typ", "mottagare_id", "version", unique=True,
              sqlite_where=text(BESKED_UTAN_MOTE), postgresql_where=text(BESKED_UTAN_MOTE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mote_id: Mapped[int | None] = mapped_column(ForeignKey("mote.id"), index=True)
    typ: Mapped[UtskickTyp] = mapped_column(enum_type(UtskickTyp))
    mottagare_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    epost: Mapped[str] = mapped_column(String(254))
    # Which state of the meeting this message describes (e.g. sekvens.agendaversion).
    version: Mapped[str] = mapped_column(String(40))
    amne: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    # Stable per row, so a recipient's server can recognise a resend after a crash.
    message_id: Mapped[str] = mapped_column(String(200))

    status: Mapped[UtskickStatus] = mapped_column(enum_type(UtskickStatus), default=UtskickStatus.KOAD,
                                                  index=True)
    forsok: Mapped[int] = mapped_column(default=0)
    nasta_forsok: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    senaste_fel: Mapped[str] = mapped_column(String(500), default="")
    hamtad_av: Mapped[str | None] = mapped_column(String(100))  # the sender that claimed it
    hamtad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    skickad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    mottagare: Mapped[User] = relationship()


class SchemalaggareLas(db.Model):
    """The scheduler's lock row where there is no advisory lock (SQLite): who holds it and
    until when (a lease the holder renews; see ``schemalaggare/ledare.py``)."""

    __tablename__ = "schemalaggare_las"

    namn: Mapped[str] = mapped_column(String(40), primary_key=True)
    innehavare: Mapped[str] = mapped_column(String(100))
    giltig_till: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    tagen: Mapped[dt.datetime] = mapped_column(UTCDateTime)
