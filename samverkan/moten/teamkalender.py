"""A team's calendar: its meetings with their agenda counts, coming ones in date order
and past ones newest first and paged, and the teams whose calendars a user may see.
Reads only, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.svenska import svensk_ordning
from samverkan.forbund.models import Team
from samverkan.moten.hamta import _team
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.moten.tider import kapacitet, lokal_starttid

PASSERADE_PER_SIDA = 12


def _borjan_av_idag() -> dt.datetime:
    return lokal_starttid(clock.today(), dt.time(0, 0))


@dataclass
class MotesRad:
    """One meeting in a list, with its agenda counts (read in the same query)."""

    mote: Mote
    antal_punkter: int
    antal_anmalda: int

    @property
    def kapacitet(self) -> int:
        return kapacitet(self.mote)


@dataclass
class Kalender:
    team: Team
    kommande: list[MotesRad]
    passerade: list[MotesRad]
    passerade_sida: int
    passerade_sidor: int
    passerade_totalt: int
    ar_projektledare: bool


def _antal(status: PunktStatus):
    return (
        select(func.count(Dagordningspunkt.id))
        .where(Dagordningspunkt.mote_id == Mote.id, Dagordningspunkt.status == status)
        .correlate(Mote)
        .scalar_subquery()
    )


def _rader(stmt) -> list[MotesRad]:
    rows = db.session.execute(
        stmt.add_columns(_antal(PunktStatus.BOKAD), _antal(PunktStatus.ANMALD))
        .options(joinedload(Mote.team))
    ).all()
    return [MotesRad(mote=m, antal_punkter=b, antal_anmalda=a) for m, b, a in rows]


def kalender(user: User, team_id: int, *, passerade_sida: int = 1,
             per_sida: int = PASSERADE_PER_SIDA) -> Kalender:
    """A team's meetings: from today on in date order, then the past ones newest first,
    paged. Three queries whatever the number of meetings or agenda items."""
    team = _team(user, team_id)
    idag = _borjan_av_idag()
    kommande = _rader(select(Mote).where(Mote.team_id == team.id, Mote.starttid >= idag)
                      .order_by(Mote.starttid, Mote.id))
    passerade_totalt = db.session.execute(
        select(func.count(Mote.id)).where(Mote.team_id == team.id, Mote.starttid < idag)
    ).scalar_one()
    sidor = max(1, -(-passerade_totalt // per_sida))
    passerade_sida = min(max(1, passerade_sida), sidor)
    passerade = _rader(select(Mote).where(Mote.team_id == team.id, Mote.starttid < idag)
                       .order_by(Mote.starttid.desc(), Mote.id.desc())
                       .limit(per_sida).offset((passerade_sida - 1) * per_sida))
    return Kalender(team=team, kommande=kommande, passerade=passerade, passerade_sida=passerade_sida,
                    passerade_sidor=sidor, passerade_totalt=passerade_totalt,
                    ar_projektledare=policy.is_projektledare(user, team.id))


def list_moten(user: User, team_id: int, *, fran: dt.date | None = None) -> list[MotesRad]:
    """All of a team's meetings in date order (from ``fran``, a Stockholm date, if given)."""
    team = _team(user, team_id)
    stmt = select(Mote).where(Mote.team_id == team.id).order_by(Mote.starttid, Mote.id)
    if fran is not None:
        stmt = stmt.where(Mote.starttid >= lokal_starttid(fran, dt.time(0, 0)))
    return _rader(stmt)


def teams_for(user: User) -> list[Team]:
    """The teams whose calendars the user may see (members of them)."""
    return db.session.execute(
        select(Team)
        .where(Team.forbund_id == user.forbund_id,
               Team.id.in_(policy.medlem_team_ids(user)))
        .order_by(svensk_ordning(Team.namn), Team.id)
    ).scalars().all()
