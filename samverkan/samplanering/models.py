"""Atgard: one action in an ärende's handlingsplan, owned by a party, with a due date.
IndividensNarvaro: the individual's own attendance at one agenda item, and who came with
them (by role, never by name). IndividensMal: the individual's goals in their own words
on the plan; never changed, a new row per revision, so the plan keeps its history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint, false
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


# The individual's attendance at an agenda item (the parties' attendance is moten.Narvaro).
INDIVID_NARVARO = {
    "narvarande": "Närvarande",
    "pa_distans": "Deltog på distans",
    "inte_narvarande": "Inte närvarande",
}
MAX_MEDFOLJANDE = 9


class IndividensNarvaro(db.Model):
    """Whether the individual attended the item, and whom they brought (counted by role:
    no names, so nothing here identifies the companions)."""

    __tablename__ = "individ_narvaro"
    __table_args__ = (
        UniqueConstraint("punkt_id"),
        CheckConstraint(f"status IN ({', '.join(repr(k) for k in INDIVID_NARVARO)})", name="status"),
        CheckConstraint(f"narstaende BETWEEN 0 AND {MAX_MEDFOLJANDE}", name="narstaende"),
        CheckConstraint(f"annat_stod BETWEEN 0 AND {MAX_MEDFOLJANDE}", name="annat_stod"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    punkt_id: Mapped[int] = mapped_column(ForeignKey("dagordningspunkt.id"))
    status: Mapped[str] = mapped_column(String(20))
    narstaende: Mapped[int] = mapped_column(default=0, server_default="0")  # närstående who came along
    tolk: Mapped[bool] = mapped_column(default=False, server_default=false())
    annat_stod: Mapped[int] = mapped_column(default=0, server_default="0")  # god man, stödperson …
    registrerad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    registrerad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    punkt: Mapped[Dagordningspunkt] = relationship()  # noqa: F821  (moten.models)

    @property
    def status_text(self) -> str:
        return INDIVID_NARVARO[self.status]

    @property
    def medfoljande_text(self) -> str:
        """Who came along, by role: "närstående (2), tolk" or "ingen"."""
        delar = [*([f"närstående ({self.narstaende})"] if self.narstaende else []),
                 *(["tolk"] if self.tolk else []),
                 *([f"annat stöd ({self.annat_stod})"] if self.annat_stod else [])]
        return ", ".join(delar) or "ingen"


class IndividensMal(db.Model):
    """The individual's goals in their own words ("Vad är viktigt för dig?"), plain text.
    The latest row is the plan's current wording; earlier rows are its history."""

    __tablename__ = "individ_mal"

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    punkt_id: Mapped[int | None] = mapped_column(ForeignKey("dagordningspunkt.id"))  # set at a meeting
    text: Mapped[str] = mapped_column(String(1000))
    skapad_av_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"))
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
