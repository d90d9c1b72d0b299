"""Förbund, Part, Team, and who holds which role where."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samverkan.core.db import db, enum_type


class PartTyp(enum.Enum):
    ARBETSFORMEDLINGEN = "arbetsformedlingen"
    FORSAKRINGSKASSAN = "forsakringskassan"
    KOMMUN = "kommun"
    REGION = "region"

    @property
    def label(self) -> str:
        return PART_TYP_LABELS[self]


PART_TYP_LABELS = {
    PartTyp.ARBETSFORMEDLINGEN: "Arbetsförmedlingen",
    PartTyp.FORSAKRINGSKASSAN: "Försäkringskassan",
    PartTyp.KOMMUN: "Kommun",
    PartTyp.REGION: "Region",
}


class TeamTyp(enum.Enum):
    TRISAM = "trisam"
    SAMVERKANSCIRKEL = "samverkanscirkel"
    ANNAN = "annan"

    @property
    def label(self) -> str:
        return TEAM_TYP_LABELS[self]


TEAM_TYP_LABELS = {
    TeamTyp.TRISAM: "Trisam",
    TeamTyp.SAMVERKANSCIRKEL: "Samverkanscirkel",
    TeamTyp.ANNAN: "Annat team",
}


class TeamRoll(enum.Enum):
    PROJEKTLEDARE = "projektledare"
    LEDAMOT = "ledamot"
    ERSATTARE = "ersattare"
    SAMCOACH = "samcoach"


class ForbundRoll(enum.Enum):
    ADMIN = "admin"
    STYRGRUPP = "styrgrupp"


class Forbund(db.Model):
    __tablename__ = "forbund"

    id: Mapped[int] = mapped_column(primary_key=True)
    namn: Mapped[str] = mapped_column(String(200), unique=True)
    # Prefix of every ärende reference code, e.g. "EXB" in EXB-2026-014.
    kod: Mapped[str] = mapped_column(String(8), unique=True)
    # Months after closing before an ärende is anonymised (samverkan.gallring); None
    # means no gallring until the förbund has decided its period.
    gallringsfrist_manader: Mapped[int | None] = mapped_column(default=None)
    # Months after avslut before the projektledare checks how it went (samverkan.efterkontroll).
    efterkontroll_manader: Mapped[int] = mapped_column(default=6, server_default="6")

    parter: Mapped[list[Part]] = relationship(back_populates="forbund", order_by="Part.namn")
    teams: Mapped[list[Team]] = relationship(back_populates="forbund", order_by="Team.namn")


class Part(db.Model):
    """One organisation unit of one of the four kinds, e.g. 'Exempelby kommun, AME'."""

    __tablename__ = "part"
    __table_args__ = (UniqueConstraint("forbund_id", "namn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    typ: Mapped[PartTyp] = mapped_column(enum_type(PartTyp))
    namn: Mapped[str] = mapped_column(String(200))
    # Short name for tables and attendance lists, e.g. "AF" or "IFO".
    kortnamn: Mapped[str] = mapped_column(String(40), default="", server_default="")

    forbund: Mapped[Forbund] = relationship(back_populates="parter")


# Which of the förbund's parties sit in a team: any subset, chosen by the admin. The
# consent a team's agenda needs covers exactly these (``arenden.flow.team_part_ids``).
team_part = Table(
    "team_part",
    db.metadata,
    Column("team_id", ForeignKey("team.id"), primary_key=True),
    Column("part_id", ForeignKey("part.id"), primary_key=True, index=True),
)


class TeamPartHistorik(db.Model):
    """When a party sat in a team: ``team_part`` holds the parties of today, this table the
    dates, so that a report asks who sat in the team on a meeting's date ("alla parter
    närvarande") and a party that leaves or joins does not rewrite history.

    ``fran`` is the first day (None: since the team began), ``till`` the first day it no
    longer sat (None: it still does). A ``team_part`` row without an open period here (a
    team built before the dates were kept, or directly in code) counts as sitting since
    the team began (``forbund.services.team_parter_pa``)."""

    __tablename__ = "team_part_historik"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    fran: Mapped[dt.date | None]
    till: Mapped[dt.date | None]


class Team(db.Model):
    """A Trisam team / Samverkanscirkel with its meeting defaults."""

    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("forbund_id", "namn"),
        CheckConstraint("motesveckodag BETWEEN 0 AND 6", name="veckodag"),
        CheckConstraint("agendakapacitet > 0", name="kapacitet"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    namn: Mapped[str] = mapped_column(String(200))
    typ: Mapped[TeamTyp] = mapped_column(enum_type(TeamTyp), default=TeamTyp.TRISAM,
                                         server_default=TeamTyp.TRISAM.value)
    # Defaults for generated meetings (0 = Monday, as in Python).
    motesveckodag: Mapped[int] = mapped_column(default=1)
    motestid: Mapped[dt.time] = mapped_column(default=dt.time(13, 0))
    motesplats: Mapped[str] = mapped_column(String(300), default="")
    agendakapacitet: Mapped[int] = mapped_column(default=6)
    # Which occurrence of the weekday in the month (1–4; -1 = the last), and months
    # without meetings (comma-separated month numbers, e.g. "7" for July).
    motesordning: Mapped[int] = mapped_column(default=2, server_default="2")
    uppehall_manader: Mapped[str] = mapped_column(String(40), default="7", server_default="7")
    motesplats_video: Mapped[str] = mapped_column(String(500), default="", server_default="")
    moteslangd_minuter: Mapped[int] = mapped_column(default=120, server_default="120")
    # Months whose generated meeting is a planning meeting (no ärenden), e.g. "1,8".
    planeringsmanader: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Minutes per ärende on the agenda; None = the meeting's length shared by the capacity.
    minuter_per_arende: Mapped[int | None] = mapped_column(default=None)
    # Kallelse rule: N = N days before the meeting at 09:00; None = the Friday 09:00 of
    # the week before (the seed's "at the latest" rule). A team set up by the admin or the
    # CLI gets 7 days unless it chooses the Friday (forbund.services.TeamRegler); None
    # stays the column's value when nothing is said, so existing teams keep their rule.
    kallelse_dagar_fore: Mapped[int | None] = mapped_column(default=None)
    # The agenda deadline, days before the kallelse; the handläggare reminder, days
    # before that deadline.
    anmalan_dagar_fore_kallelse: Mapped[int] = mapped_column(default=2, server_default="2")
    paminnelse_dagar_fore_anmalan: Mapped[int] = mapped_column(default=2, server_default="2")
    # Consent rule: False = the aktualiserande party and at least one other of the team's
    # parties; True = every party of the team (shown on the aktualisering form).
    samtycke_alla_parter: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Parallel ärenden for one person in the team: refused unless the team allows them.
    parallella_arenden: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Days an offered insats place may wait for the projektledare before a reminder goes out
    # (samverkan.insatser.jobs).
    erbjudande_paminnelse_dagar: Mapped[int] = mapped_column(default=7, server_default="7")

    forbund: Mapped[Forbund] = relationship(back_populates="teams")
    parter: Mapped[list[Part]] = relationship(secondary=team_part, order_by="Part.namn")
    medlemskap: Mapped[list[Medlemskap]] = relationship(
        back_populates="team", foreign_keys="Medlemskap.team_id"
    )


class Medlemskap(db.Model):
    """A user's role in a team. An ersättare names the ledamot they stand in for."""

    __tablename__ = "medlemskap"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "roll"),
        CheckConstraint("kapacitet IS NULL OR kapacitet >= 0", name="kapacitet"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    roll: Mapped[TeamRoll] = mapped_column(enum_type(TeamRoll))
    ersatter_id: Mapped[int | None] = mapped_column(ForeignKey("medlemskap.id"))
    # Samcoach only: how many ongoing ärenden before new ones queue (Ragunda: 10).
    kapacitet: Mapped[int | None] = mapped_column(default=None)

    team: Mapped[Team] = relationship(back_populates="medlemskap", foreign_keys=[team_id])
    user: Mapped[User] = relationship(back_populates="medlemskap")  # noqa: F821
    ersatter: Mapped[Medlemskap | None] = relationship(remote_side=[id])


class ForbundsRollTilldelning(db.Model):
    """Förbund-level roles: admin (users, parties, teams) and styrgrupp (statistics)."""

    __tablename__ = "forbundsroll"
    __table_args__ = (UniqueConstraint("forbund_id", "user_id", "roll"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forbund_id: Mapped[int] = mapped_column(ForeignKey("forbund.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("anvandare.id"), index=True)
    roll: Mapped[ForbundRoll] = mapped_column(enum_type(ForbundRoll))

    user: Mapped[User] = relationship(back_populates="forbundsroller")  # noqa: F821
