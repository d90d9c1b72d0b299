"""Mote (one meeting of a team) and Dagordningspunkt (one ärende on its agenda)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from samverkan.forbund.models import Team


class MotesTyp(enum.Enum):
    ARENDEDRAGNING = "arendedragning"
    PLANERING = "planering"  # a planning meeting without cases


class Mote(db.Model):
    __tablename__ = "mote"

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

    team: Mapped[Team] = relationship()
    punkter: Mapped[list[Dagordningspunkt]] = relationship(
        back_populates="mote", order_by="Dagordningspunkt.ordning"
    )


class Dagordningspunkt(db.Model):
    """An ärende on a meeting's agenda, new or for uppföljning."""

    __tablename__ = "dagordningspunkt"
    __table_args__ = (UniqueConstraint("mote_id", "arende_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mote_id: Mapped[int] = mapped_column(ForeignKey("mote.id"), index=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    ordning: Mapped[int] = mapped_column(default=0)
    uppfoljning: Mapped[bool] = mapped_column(default=False)
    # What happened at the meeting: samplanerad, foljd_upp, bordlagd (not reached); None before.
    utfall: Mapped[str | None] = mapped_column(String(20))

    mote: Mapped[Mote] = relationship(back_populates="punkter")
    arende: Mapped[Arende] = relationship()  # noqa: F821
