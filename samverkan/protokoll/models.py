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
    # Set when the protokoll is justerat by all its justerare: then it is locked.
    justerat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The projektledare's justering: who and when (the first step when there are two).
    justerat_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    projektledare_justerat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A second justerare the projektledare names (a ledamot or ersättare of the team),
    # and when they justerade.
    justerare_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    justerare_justerat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Frozen at justering (JSON). Before that, the content the first justering approved:
    # the second must approve the same, or the first is asked again.
    innehall: Mapped[str | None] = mapped_column(Text)

    tillagg: Mapped[list[Protokolltillagg]] = relationship(order_by="Protokolltillagg.id")


class Protokolltillagg(db.Model):
    __tablename__ = "protokolltillagg"

    id: Mapped[int] = mapped_column(primary_key=True)
    protokoll_id: Mapped[int] = mapped_column(ForeignKey("protokoll.id"), index=True)
    text: Mapped[str] = mapped_column(Text)  # plain text; reference codes only
    skapad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
