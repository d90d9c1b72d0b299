"""Insatstyp (a förbund's list of insatser), Insats (one assignment to one ärende) and
Insatsplatser (a team's places of one insats type).

A samcoach has a capacity (Medlemskap.kapacitet, default 10); an insats type may have a
number of places in a team (Insatsplatser; no row = no limit, no queue). An assignment
beyond the places is an Insats in status ``ko``; the queue is the team's insatser of the
same kind in that status ordered by when they joined it. When a place frees, the first
in line becomes ``erbjuden`` and the projektledare confirms it (``aktiv``). An ärende may
hold several open insatser at once, one of each kind. Waiting time is
``startad - beslutad``; time in the queue ``erbjuden - i_ko_sedan``.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from workflows import regler as _regler

SAMCOACH_STANDARDKAPACITET = 10

# The default list a new förbund starts with; each förbund may edit its own.
STANDARD_INSATSTYPER = {
    "ips": "SE/IPS-coach",
    "ami": "AMI sysselsättning",
    "arbetstraning": "Arbetsträning",
    "praktik": "Praktik",
    "vardkontakt": "Vårdkontakt",
    "studier": "Studier",
    "lonebidrag": "Subventionerad anställning",
    "rehabilitering": "Arbetslivsinriktad rehabilitering",
}


class InsatsForm(enum.Enum):
    SAMCOACH = "samcoach"
    INSATS = "insats"  # a type from the förbund's list
    ORDINARIE = "ordinarie"  # continued support in the parties' ordinary services


INSATS_FORM_LABELS = {
    InsatsForm.SAMCOACH: "Samcoach",
    InsatsForm.INSATS: "Annan insats",
    InsatsForm.ORDINARIE: "Fortsatt stöd i parternas ordinarie verksamhet",
}


class InsatsStatus(enum.Enum):
    KO = "ko"
    ERBJUDEN = "erbjuden"  # a place freed; waiting for the projektledare to confirm
    AKTIV = "aktiv"
    AVSLUTAD = "avslutad"


# Every status change of an insats goes through this table (workflows.regler).
insatsregler = _regler.INSATS


class Insatstyp(db.Model):
    __tablename__ = "insatstyp"
    __table_args__ = (UniqueConstraint("forbund_id", "kod"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    kod: Mapped[str] = mapped_column(String(40))
    namn: Mapped[str] = mapped_column(String(200))
    ordning: Mapped[int] = mapped_column(default=0)
    aktiv: Mapped[bool] = mapped_column(default=True)


class Insats(db.Model):
    __tablename__ = "insats"
    __table_args__ = (
        CheckConstraint(
            "(form = 'insats') = (insatstyp_id IS NOT NULL)", name="insatstyp_for_insats"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    form: Mapped[InsatsForm] = mapped_column(enum_type(InsatsForm))
    insatstyp_id: Mapped[int | None] = mapped_column(ForeignKey("insatstyp.id"))
    # The samcoach who holds (or is offered) the place; None while queued.
    samcoach_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"), index=True)
    status: Mapped[InsatsStatus] = mapped_column(enum_type(InsatsStatus), index=True)
    # The agenda item where the team decided it, if decided at a meeting.
    punkt_id: Mapped[int | None] = mapped_column(ForeignKey("dagordningspunkt.id"))
    beslutad: Mapped[dt.date] = mapped_column(Date)
    # Queue order: when it joined the queue (UTC); ties broken by id.
    i_ko_sedan: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    erbjuden: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The reminder to the projektledare about this offer went out (one per offer).
    paminnelse_skickad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    startad: Mapped[dt.date | None] = mapped_column(Date)
    avslutad: Mapped[dt.date | None] = mapped_column(Date)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    insatstyp: Mapped[Insatstyp | None] = relationship()
    samcoach: Mapped[User | None] = relationship()  # noqa: F821
    arende: Mapped[Arende] = relationship()  # noqa: F821


class Insatsplatser(db.Model):
    """How many places a team has of one insats type: that many insatser of the type hold a
    place (``aktiv`` or ``erbjuden``) at once; beyond it they wait in the team's queue.
    No row: the type has no limit (and so no queue). The samcoach's places are the
    coach's own capacity (``Medlemskap.kapacitet``), counted across teams."""

    __tablename__ = "insatsplatser"
    __table_args__ = (UniqueConstraint("team_id", "insatstyp_id"),
                      CheckConstraint("antal >= 0", name="antal_ej_negativt"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    insatstyp_id: Mapped[int] = mapped_column(ForeignKey("insatstyp.id"), index=True)
    antal: Mapped[int]

    insatstyp: Mapped[Insatstyp] = relationship()
