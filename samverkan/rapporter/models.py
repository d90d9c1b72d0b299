"""NyckeltalMal (a target per team or for the whole förbund) and FinsamRegistrering
(whether an ärende's start and end data have been entered in Uppföljning Finsam)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samverkan.core.db import UTCDateTime, db, utcnow


class NyckeltalMal(db.Model):
    """The target of one nyckeltal. ``team_id`` None = the förbund's own target (used for
    the whole förbund, and for a team without its own). ``parameter`` is the N of
    "handlingsplan within N months"."""

    __tablename__ = "nyckeltal_mal"
    __table_args__ = (UniqueConstraint("forbund_id", "team_id", "nyckel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    nyckel: Mapped[str] = mapped_column(String(40))
    mal: Mapped[float] = mapped_column(Float)
    parameter: Mapped[int | None] = mapped_column()
    andrad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FinsamRegistrering(db.Model):
    """One ärende's registration in Uppföljning Finsam: the day its start data and its
    end data were entered there (None = not yet)."""

    __tablename__ = "finsam_registrering"
    __table_args__ = (UniqueConstraint("arende_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"))
    start_registrerad: Mapped[dt.date | None] = mapped_column(Date)
    slut_registrerad: Mapped[dt.date | None] = mapped_column(Date)
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TeamBudget(db.Model):
    """What a team costs the förbund in one year (kronor), entered by the förbund's admin:
    the cost per deltagare in the year report rests on it."""

    __tablename__ = "team_budget"
    __table_args__ = (UniqueConstraint("team_id", "ar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    ar: Mapped[int] = mapped_column()
    belopp: Mapped[int] = mapped_column()  # kronor
    andrad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FinsamInsatsRegistrering(db.Model):
    """One insats's in- and out-registration in Uppföljning Finsam (the day each was
    entered there; None = not yet): Finsam follows the participant per insats."""

    __tablename__ = "finsam_insats_registrering"
    __table_args__ = (UniqueConstraint("insats_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id"))
    in_registrerad: Mapped[dt.date | None] = mapped_column(Date)
    ut_registrerad: Mapped[dt.date | None] = mapped_column(Date)
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Aldersindelning(db.Model):
    """The förbund's own age bands for the report, as the admin wrote them ("16-29, 30-44,
    45-65"), besides the fixed bands."""

    __tablename__ = "aldersindelning"
    __table_args__ = (UniqueConstraint("forbund_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"))
    granser: Mapped[str] = mapped_column(String(200))
    andrad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    andrad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class KubMarkeringar(db.Model):
    """The marks the suppression set on one year's kub of a förbund ("<3", "–" or shown,
    cell by cell), and the digest of everything it read (``markeringar``): the same raw
    kub gets them again without the work. Marks only, never a count. ``urval``: which
    tables the kub held (the whole report, or the nyckeltal's)."""

    __tablename__ = "kub_markeringar"
    __table_args__ = (UniqueConstraint("forbund_id", "ar", "urval"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id", ondelete="CASCADE"))
    ar: Mapped[int] = mapped_column()
    urval: Mapped[str] = mapped_column(String(200))
    nyckel: Mapped[str] = mapped_column(String(64))
    markeringar: Mapped[str] = mapped_column(Text)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
