"""What the projektledare's start page shows, read through the services that own it:
the next meeting of each team they lead (``samverkan.moten``), the first rows of the
inbox (``samverkan.arenden``), the offered insats places waiting for confirmation, with
their age (``samverkan.insatser``), and the checks after avslut that are due
(``samverkan.efterkontroll``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from samverkan.arenden import services as arende_services
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.efterkontroll import services as efterkontroll_services
from samverkan.insatser import koer
from samverkan.moten import teamkalender
from samverkan.moten.models import MotesTyp

INKORG_RADER = 5


@dataclass
class TeamOversikt:
    team: object
    nasta: teamkalender.MotesRad | None  # the next meeting not cancelled, from today on

    @property
    def slut(self) -> dt.datetime | None:
        return self.nasta.mote.starttid + dt.timedelta(minutes=self.nasta.mote.langd_minuter) if self.nasta else None


@dataclass
class Oversikt:
    teams: list[TeamOversikt]
    inkorg: arende_services.Inkorg
    efterkontroller: list  # efterkontroll_services.Rad: checks due, by reference code
    erbjudanden: list  # Insats offered a place, oldest offer first


def projektledare(user: User) -> Oversikt:
    """Refuses (403) someone who leads no team, as the inbox does."""
    inkorg = arende_services.inkorg(user, sida=1, per_sida=INKORG_RADER)
    teams = []
    for team in inkorg.teams:
        rader = teamkalender.list_moten(user, team.id, fran=clock.today())
        nasta = next((r for r in rader if r.mote.installt is None and r.mote.typ != MotesTyp.PLANERING), None)
        teams.append(TeamOversikt(team=team, nasta=nasta))
    return Oversikt(teams=teams, inkorg=inkorg, efterkontroller=efterkontroll_services.inkorg(user),
                    erbjudanden=koer.erbjudanden([t.id for t in inkorg.teams]))
