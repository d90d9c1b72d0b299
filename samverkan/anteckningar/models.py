"""Anteckning: one note on an ärende, or an addendum to an earlier note."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.auth.models import User
from samverkan.core.db import UTCDateTime, db, utcnow


class Anteckning(db.Model):
    """The author may correct the text within a short window (``rattad`` records when);
    after that only an addendum (``tillagg_till_id``) can be written. Nothing is deleted."""

    __tablename__ = "anteckning"

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    forfattare_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    text: Mapped[str] = mapped_column(Text)  # sanitised HTML
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    rattad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    tillagg_till_id: Mapped[int | None] = mapped_column(ForeignKey("anteckning.id"))

    forfattare: Mapped[User] = relationship()
