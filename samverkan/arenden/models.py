"""Arende (one case) and ArendeHandelse (its history, one row per transition)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from samverkan.auth.models import User
from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from samverkan.deltagare.models import Deltagare, Kon, Samtycke
from samverkan.forbund.models import Part, Team
from workflows import arende as wf

_STATES_SQL = ", ".join(f"'{s}'" for s in wf.STATES)


class Arende(db.Model):
    __tablename__ = "arende"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATES_SQL})", name="status"),
        UniqueConstraint("referens"),
        # The list's order (arenden.services._listans_satser), read backwards and stopped
        # at the page's last row, instead of every visible ärende joined and sorted.
        Index("ix_arende_lista", "forbund_id", "skapad", "id"),
        # A team's ärenden in a few statuses: the agenda builder's queue (moten.dagordning).
        Index("ix_arende_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    deltagare_id: Mapped[int] = mapped_column(ForeignKey("deltagare.id"), index=True)
    # Used everywhere outside the case page, never the person's name or number.
    referens: Mapped[str] = mapped_column(String(32))
    aktualiserande_part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    handlaggare_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    fragestallning: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    # What the ärende's handläggare entered about the person: kön, and the födelseår that
    # goes with an anonymous code. The ärende shows these, never what other ärenden stored
    # on the shared person, whom the handläggare may not read (issue 15). None on ärenden
    # from before: the person's own values are shown.
    uppgiven_kon: Mapped[Kon | None] = mapped_column(enum_type(Kon))
    uppgivet_fodelsear: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=wf.INITIAL, index=True)
    # Optimistic locking: SQLAlchemy adds "AND version = :old" to every UPDATE.
    version: Mapped[int] = mapped_column(default=1)

    forsorjning_start: Mapped[str | None] = mapped_column(String(40))
    sysselsattning_start: Mapped[str | None] = mapped_column(String(40))
    utbildningsniva: Mapped[str | None] = mapped_column(String(40))
    tid_i_offentligt_stod: Mapped[str | None] = mapped_column(String(40))
    forsorjning_slut: Mapped[str | None] = mapped_column(String(40))
    sysselsattning_slut: Mapped[str | None] = mapped_column(String(40))
    avslutsorsak: Mapped[str | None] = mapped_column(String(40))

    aktualiserad_den: Mapped[dt.date | None] = mapped_column(Date)
    forsta_samplanering: Mapped[dt.date | None] = mapped_column(Date)
    avslutad_den: Mapped[dt.date | None] = mapped_column(Date)
    # When the team wants to follow up next (set at samplanering and uppföljning);
    # the projektledare's inbox lists ärenden in insats whose date has come.
    nasta_uppfoljning: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # Indexed: the case page asks "was this ärende återaktualiserat?" (foregaende = this id).
    foregaende_arende_id: Mapped[int | None] = mapped_column(ForeignKey("arende.id"), index=True)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set when gallring anonymised the ärende (samverkan.gallring).
    gallrad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship()
    deltagare: Mapped[Deltagare] = relationship()
    aktualiserande_part: Mapped[Part] = relationship()
    handlaggare: Mapped[User] = relationship()
    samtycken: Mapped[list[Samtycke]] = relationship(order_by=Samtycke.id)
    handelser: Mapped[list[ArendeHandelse]] = relationship(
        back_populates="arende", order_by="ArendeHandelse.id"
    )

    # Whether the case page's lists that are often empty hold anything: asked by EXISTS in
    # the page's own load of the ärende (``services.SIDANS_SATS``), so the page skips
    # the statements of the empty ones (≈100 µs each, issue 19). None when the ärende was
    # loaded otherwise: then each list is read.
    har_anteckningar: Mapped[bool | None] = query_expression()
    har_narvaro: Mapped[bool | None] = query_expression()
    har_mal: Mapped[bool | None] = query_expression()
    har_senare: Mapped[bool | None] = query_expression()  # återaktualiserat as a later ärende

    @property
    def samtycke(self) -> Samtycke | None:
        """The current consent: the latest registered."""
        return self.samtycken[-1] if self.samtycken else None

    @property
    def status_label(self) -> str:
        return wf.STATE_LABELS[self.status]

    @property
    def deltagaruppgifter(self) -> Deltagaruppgifter:
        """The person as this ärende shows them: the number or code, and kön and födelseår
        as entered on the ärende (a number's födelseår is the number's own)."""
        d = self.deltagare
        fodelsear = d.fodelsear if d.personnummer or self.uppgivet_fodelsear is None else self.uppgivet_fodelsear
        return Deltagaruppgifter(id=d.id, personnummer=d.personnummer, anonym_kod=d.anonym_kod,
                                 samordningsnummer=d.samordningsnummer, kon=self.uppgiven_kon or d.kon,
                                 fodelsear=fodelsear)


@dataclass(frozen=True)
class Deltagaruppgifter:
    """What one ärende says about its person (case page, draft form, API)."""

    id: int
    personnummer: str | None
    anonym_kod: str | None
    samordningsnummer: bool
    kon: Kon
    fodelsear: int


class ArendeHandelse(db.Model):
    """One transition. Written in the same transaction as the state change."""

    __tablename__ = "arende_handelse"

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(40))
    fran_status: Mapped[str] = mapped_column(String(20))
    till_status: Mapped[str] = mapped_column(String(20))
    aktor_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    # The day it happened (may be back-dated), and when it was recorded (UTC).
    galler_datum: Mapped[dt.date] = mapped_column(Date)
    registrerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kommentar: Mapped[str] = mapped_column(Text, default="")
    ar_korrigering: Mapped[bool] = mapped_column(default=False)

    arende: Mapped[Arende] = relationship(back_populates="handelser")
    aktor: Mapped[User] = relationship()

    @property
    def trigger_label(self) -> str:
        return wf.TRIGGER_LABELS.get(self.trigger, self.trigger)


class Referensserie(db.Model):
    """The last number handed out per förbund and year, for codes like EXB-2026-014."""

    __tablename__ = "referensserie"

    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), primary_key=True)
    ar: Mapped[int] = mapped_column(primary_key=True)
    senaste: Mapped[int] = mapped_column(default=0)


class Forberedelse(db.Model):
    """A party's mark that it has prepared an ärende for a meeting (the checklist)."""

    __tablename__ = "forberedelse"
    __table_args__ = (UniqueConstraint("arende_id", "mote_id", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    mote_id: Mapped[int | None] = mapped_column(ForeignKey("mote.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    markerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    markerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    part: Mapped[Part] = relationship()
    markerad_av: Mapped[User] = relationship()
