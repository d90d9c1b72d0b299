"""Overlamning: the handover at avslut (next step: who, how, when). Efterkontroll: the
check some months after avslut, put in the projektledare's inbox by the scheduler, and
the outcome they record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import UTCDateTime, db, utcnow
from samverkan.forbund.models import Part


class Overlamning(db.Model):
    """Written by the flow with the avslut, whatever the entrance. ``vem`` and ``hur`` are
    free text and may name a person: read with the ärende's details only, audited, never
    in mails, logs or the protokoll, blanked by gallring."""

    __tablename__ = "overlamning"
    __table_args__ = (UniqueConstraint("arende_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"))  # the receiving party, if one of ours
    vem: Mapped[str] = mapped_column(String(200))  # who takes over (a unit, a role, an aktör)
    hur: Mapped[str] = mapped_column(String(500))  # how: a meeting, a referral, a call …
    nar: Mapped[dt.date] = mapped_column(Date)
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    registrerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    part: Mapped[Part | None] = relationship()


class Efterkontroll(db.Model):
    """One per avslutat ärende (not after withdrawn consent). Planned at avslut with the
    förbund's number of months; ``i_inkorg`` is set by the scheduler when it is due;
    ``utfall`` (``arenden.kodlistor.EFTERKONTROLL_UTFALL``) by the projektledare."""

    __tablename__ = "efterkontroll"
    __table_args__ = (UniqueConstraint("arende_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    forfaller: Mapped[dt.date] = mapped_column(Date, index=True)
    i_inkorg: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    utfall: Mapped[str | None] = mapped_column(String(40))
    kontrollerad_den: Mapped[dt.date | None] = mapped_column(Date)
    registrerad_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    arende: Mapped[Arende] = relationship()  # noqa: F821  (arenden.models)
