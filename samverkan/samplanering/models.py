"""Atgard: one action in an ärende's handlingsplan, owned by a party, with a due date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, utcnow
from samverkan.forbund.models import Part


class Atgard(db.Model):
    __tablename__ = "atgard"

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    # The agenda item where it was planned, if planned at a meeting.
    punkt_id: Mapped[int | None] = mapped_column(ForeignKey("dagordningspunkt.id"))
    beskrivning: Mapped[str] = mapped_column(String(500))  # plain text
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    ansvarig: Mapped[str] = mapped_column(String(200))  # the responsible person's name
    klar_senast: Mapped[dt.date] = mapped_column(Date, index=True)
    klar_den: Mapped[dt.date | None] = mapped_column(Date)
    # Who ticked it off, and what they said (plain text): the plan's history.
    klar_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    klar_kommentar: Mapped[str] = mapped_column(String(500), default="", server_default="")
    skapad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    part: Mapped[Part] = relationship()
