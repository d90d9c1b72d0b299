"""Deltagare (the individual) and Samtycke (their consent for one ärende)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from samverkan.core import krypto
from samverkan.core.db import UTCDateTime, db, enum_type, utcnow
from samverkan.core.krypto import Krypterad
from samverkan.forbund.models import Part

# The associated data of the ciphertext: a value copied to another column does not decrypt.
PERSONNUMMER_SYFTE = "deltagare.personnummer"


class Kon(enum.Enum):
    KVINNA = "kvinna"
    MAN = "man"
    # One seed reports a participant who could not be registered as man or woman.
    ANNAT = "annat"


KON_LABELS = {Kon.KVINNA: "Kvinna", Kon.MAN: "Man", Kon.ANNAT: "Annat / vill ej uppge"}


class SamtyckeSatt(enum.Enum):
    UNDERSKRIVET = "underskrivet"
    GENOM_OMBUD = "genom_ombud"


SAMTYCKE_SATT_LABELS = {
    SamtyckeSatt.UNDERSKRIVET: "Undertecknad blankett",
    SamtyckeSatt.GENOM_OMBUD: "Genom ombud / ställföreträdare",
}


class Deltagare(db.Model):
    """One person, once per förbund. No name and no diagnosis are stored at all.

    Either a personnummer/samordningsnummer (normalised to 12 digits) or an anonymous
    code, for people without registration consent or with skyddad identitet.

    The personnummer is stored encrypted (``core.krypto``); ``personnummer_sok`` is its
    keyed hash, set whenever the number is, and the only way to find a person by number
    (``Deltagare.med_personnummer``).
    """

    __tablename__ = "deltagare"
    __table_args__ = (
        UniqueConstraint("forbund_id", "personnummer_sok"),
        CheckConstraint("(personnummer IS NULL) = (personnummer_sok IS NULL)", name="personnummer_sok"),
        UniqueConstraint("forbund_id", "anonym_kod"),
        CheckConstraint(
            "(personnummer IS NULL) <> (anonym_kod IS NULL)", name="identitet"
        ),
        CheckConstraint("fodelsear BETWEEN 1850 AND 2200", name="fodelsear"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    personnummer: Mapped[str | None] = mapped_column(Krypterad(PERSONNUMMER_SYFTE, 120))
    personnummer_sok: Mapped[str | None] = mapped_column(String(64))
    samordningsnummer: Mapped[bool] = mapped_column(default=False)
    anonym_kod: Mapped[str | None] = mapped_column(String(40))
    kon: Mapped[Kon] = mapped_column(enum_type(Kon))
    fodelsear: Mapped[int]
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("personnummer")
    def _satt_sokhash(self, key, value: str | None) -> str | None:
        self.personnummer_sok = None if value is None else krypto.sokhash(value)
        return value

    @classmethod
    def med_personnummer(cls, nummer: str):
        """The WHERE clause for one normalised 12-digit number (through its keyed hash)."""
        return cls.personnummer_sok == krypto.sokhash(nummer)


samtycke_part = Table(
    "samtycke_part",
    db.metadata,
    Column("samtycke_id", ForeignKey("samtycke.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("part.id"), primary_key=True),
)


class Samtycke(db.Model):
    """Written consent: which parties may share information and discuss the case."""

    __tablename__ = "samtycke"
    __table_args__ = (CheckConstraint("giltigt_till >= givet_den", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arende_id: Mapped[int] = mapped_column(ForeignKey("arende.id"), index=True)
    givet_den: Mapped[dt.date] = mapped_column(Date)
    giltigt_till: Mapped[dt.date] = mapped_column(Date)
    satt: Mapped[SamtyckeSatt] = mapped_column(enum_type(SamtyckeSatt))
    dokumentreferens: Mapped[str] = mapped_column(String(200), default="")
    aterkallat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skapad: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who registered it (a renewal on an open ärende names its handläggare), and when the
    # reminder before its expiry went out (once per consent: the job picks the unsent).
    registrerad_av_id: Mapped[int | None] = mapped_column(ForeignKey("anvandare.id"))
    paminnelse_skickad: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    parter: Mapped[list[Part]] = relationship(secondary=samtycke_part, order_by=Part.id)

    def galler(self, datum: dt.date) -> bool:
        return self.aterkallat is None and self.givet_den <= datum <= self.giltigt_till

    def tacker(self, part_ids: set[int]) -> bool:
        return part_ids <= {p.id for p in self.parter}
