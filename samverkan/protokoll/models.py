"""Protokoll (one per meeting) and Protokolltillagg (addenda after justering).

At justering the generated content is frozen in ``innehall`` (JSON) so the approved
minutes never change afterwards, whatever happens to the ärenden later.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, utcnow


class Protokoll(db.Model):
    __tablename__ = "protokoll"
    __table_args__ = (UniqueConstraint("mote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mote_id: Mapped[int] = mapped_column(ForeignKey("mote.id"))
    justerat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    justerat_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    innehall: Mapped[str | None] = mapped_column(Text)  # frozen at justering (JSON)

    tillagg: Mapped[list[Protokolltillagg]] = relationship(order_by="Protokolltillagg.id")


class Protokolltillagg(db.Model):
    __tablename__ = "protokolltillagg"

    id: Mapped[int] = mapped_column(primary_key=True)
    protokoll_id: Mapped[int] = mapped_column(ForeignKey("protokoll.id"), index=True)
    text: Mapped[str] = mapped_column(Text)  # plain text; reference codes only
    skapad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
