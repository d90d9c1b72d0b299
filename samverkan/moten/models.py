"""Mote (one meeting of a team) and Dagordningspunkt (one ärende on its agenda)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from samverkan.forbund.models import Team
from workflows import regler as _regler


class MotesTyp(enum.Enum):
    ARENDEDRAGNING = "arendedragning"
    PLANERING = "planering"  # a planning meeting without cases


def _ny_uid() -> str:
    return f"{uuid.uuid4()}@samverkan"


class Mote(db.Model):
    """One meeting. Scheduling state for its kallelse lives here so that the scheduler
    can pick due work by query: ``kallelse_planerad`` is recomputed whenever the meeting
    moves, and the ``skickad_*`` columns record what the last kallelse described, so a
    later change is detected and a supplementary kallelse goes out."""

    __tablename__ = "mote"
    __table_args__ = (UniqueConstraint("uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    # Stored in UTC; shown and reasoned about in Europe/Stockholm.
    starttid: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    langd_minuter: Mapped[int] = mapped_column(default=120)
    plats: Mapped[str] = mapped_column(String(300), default="")
    videolank: Mapped[str] = mapped_column(String(500), default="")
    typ: Mapped[MotesTyp] = mapped_column(enum_type(MotesTyp), default=MotesTyp.ARENDEDRAGNING)
    installt: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Agenda capacity for this meeting; None = the team's default.
    kapacitet: Mapped[int | None] = mapped_column()

    # iCalendar identity: a stable UID, and SEQUENCE bumped on every change of time,
    # place or status, so calendar programs replace the event instead of adding one.
    uid: Mapped[str] = mapped_column(String(100), default=_ny_uid)
    sekvens: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped on every change of the agenda (add, remove, reorder, time slot).
    agendaversion: Mapped[int] = mapped_column(default=0, server_default="0")

    # When handläggare's requests close, when the kallelse is due, when it went out and
    # what it described (sekvens, agendaversion at the time).
    anmalan_stanger: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    kallelse_planerad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    kallelse_skickad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skickad_sekvens: Mapped[int | None] = mapped_column()
    skickad_agendaversion: Mapped[int | None] = mapped_column()
    paminnelse_skickad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    punkter: Mapped[list[Dagordningspunkt]] = relationship(
        back_populates="mote", order_by="Dagordningspunkt.ordning"
    )


class PunktStatus(enum.Enum):
    ANMALD = "anmald"  # a handläggare asked for a place; not yet on the agenda
    BOKAD = "bokad"  # on the agenda (the ärende is pa_agenda)


# Every status change of an agenda item goes through this table (workflows.regler).
punktregler = _regler.DAGORDNINGSPUNKT


class Dagordningspunkt(db.Model):
    """An ärende on a meeting's agenda, new or for uppföljning, or asked for."""

    __tablename__ = "dagordningspunkt"
    __table_args__ = (UniqueConstraint("mote_id", "arende_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mote_id: Mapped[int] = mapped_column(ForeignKey("mote.id"), index=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    ordning: Mapped[int] = mapped_column(default=0)
    uppfoljning: Mapped[bool] = mapped_column(default=False)
    # What happened at the meeting: samplanerad, foljd_upp, bordlagd (not reached); None before.
    utfall: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[PunktStatus] = mapped_column(
        enum_type(PunktStatus), default=PunktStatus.BOKAD, server_default=PunktStatus.BOKAD.value
    )
    anmald_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    # Planned start of this item (local Stockholm time of day), if the agenda has slots.
    tidslucka: Mapped[dt.time | None] = mapped_column()
    langd_minuter: Mapped[int | None] = mapped_column()
    # Whether the individual takes part in the meeting for this item ("individen medverkar").
    individen_medverkar: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The decision recorded in meeting mode (see samverkan.samplanering): samcoach,
    # insats, ordinarie or bordlagd; the insats type; when to follow up; who recorded it.
    beslut: Mapped[str | None] = mapped_column(String(20))
    insatstyp_id: Mapped[int | None] = mapped_column(ForeignKey("insatstyp.id"))
    folj_upp_den: Mapped[dt.date | None] = mapped_column(Date)
    behandlad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    behandlad_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    # Carried over: the item at an earlier meeting that was not reached.
    overford_fran_id: Mapped[int | None] = mapped_column(ForeignKey("dagordningspunkt.id"))

    mote: Mapped[Mote] = relationship(back_populates="punkter")
    arende: Mapped[Arende] = relationship()  # noqa: F821


class NarvaroStatus(enum.Enum):
    NARVARANDE = "narvarande"
    PER_TELEFON = "per_telefon"
    GENOM_ERSATTARE = "genom_ersattare"
    FRANVARANDE = "franvarande"


NARVARO_LABELS = {
    NarvaroStatus.NARVARANDE: "Närvarande",
    NarvaroStatus.PER_TELEFON: "Per telefon",
    NarvaroStatus.GENOM_ERSATTARE: "Genom ersättare",
    NarvaroStatus.FRANVARANDE: "Frånvarande",
}


class Narvaro(db.Model):
    """One party's attendance at one meeting."""

    __tablename__ = "narvaro"
    __table_args__ = (UniqueConstraint("mote_id", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mote_id: Mapped[int] = mapped_column(ForeignKey("mote.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    status: Mapped[NarvaroStatus] = mapped_column(enum_type(NarvaroStatus))
    # Who attended for the party (a ledamot or their ersättare), if recorded.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    registrerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
