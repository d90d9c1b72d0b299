"""Steg (one rung of a förbund's ladder) and Stegmatning (one follow-up's measurement)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, utcnow

# The default ladder, from no activity to egenförsörjning; a förbund may change it.
STANDARDSTEGE = [
    (1, "Ingen aktivitet", "Har ingen planerad aktivitet eller kontakt med parterna."),
    (2, "Motivation och kartläggning", "Deltar i samtal och kartläggning av behov och mål."),
    (3, "Social aktivitet", "Deltar regelbundet i en aktivitet utanför hemmet."),
    (4, "Arbetsförberedande insats", "Arbetsträning, praktik eller annan förberedande insats."),
    (5, "Arbete eller studier med stöd", "Arbetar eller studerar med stöd eller subvention."),
    (6, "Egenförsörjning", "Försörjer sig genom arbete eller studier utan stöd."),
]


class Steg(db.Model):
    __tablename__ = "steg"
    __table_args__ = (UniqueConstraint("forbund_id", "nummer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    nummer: Mapped[int] = mapped_column()  # 1 = lowest
    namn: Mapped[str] = mapped_column(String(100))
    beskrivning: Mapped[str] = mapped_column(Text, default="")


class Stegmatning(db.Model):
    """Where the person stood at one uppföljning (stegförflyttning is the change)."""

    __tablename__ = "stegmatning"
    __table_args__ = (
        CheckConstraint("sysselsattningsgrad BETWEEN 0 AND 100", name="sysselsattningsgrad"),
        CheckConstraint("ors IS NULL OR ors BETWEEN 0 AND 40", name="ors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    punkt_id: Mapped[int | None] = mapped_column(ForeignKey("dagordningspunkt.id"))
    datum: Mapped[dt.date] = mapped_column(Date)
    steg_id: Mapped[int] = mapped_column(ForeignKey("steg.id"))
    sysselsattningsgrad: Mapped[int] = mapped_column()  # percent of full time
    ors: Mapped[int | None] = mapped_column()  # Outcome Rating Scale, 0–40
    # The starting step, recorded at samplanering: stegförflyttning is measured from it.
    startsteg: Mapped[bool] = mapped_column(default=False, server_default=false())
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    registrerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    steg: Mapped[Steg] = relationship()
    registrerad_av: Mapped[User] = relationship()  # noqa: F821
