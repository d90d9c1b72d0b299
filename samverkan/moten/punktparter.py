"""Which of the team's parties take part in each agenda item: those the ärende's consent
names; the others' members step out for the item and see its reference code only.
"""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.arenden.models import Arende
from samverkan.core.db import rader
from samverkan.forbund.models import Part
from samverkan.moten.models import Dagordningspunkt, Mote


@dataclass
class PunktParter:
    """The team's parties for one agenda item: those the consent names take part; the
    others' members step out for the item and see its reference code only."""

    med: list[Part]
    utan: list[Part]

    @property
    def med_text(self) -> str:
        return ", ".join(p.namn for p in self.med) or "–"

    @property
    def utan_text(self) -> str:
        return ", ".join(p.namn for p in self.utan)


def parter_for(arende: Arende, parter: list[Part]) -> PunktParter:
    """Split the team's ``parter`` by the ärende's current consent."""
    s = arende.samtycke
    return _dela({p.id for p in s.parter} if s is not None and s.aterkallat is None else set(), parter)


def _dela(named: set[int], parter: list[Part]) -> PunktParter:
    return PunktParter(med=[p for p in parter if p.id in named], utan=[p for p in parter if p.id not in named])


def parter_per_punkt(mote: Mote, punkter: list[Dagordningspunkt]) -> dict[int, PunktParter]:
    """Per item id, who takes part (the items' consents loaded with ``_punkter``)."""
    from samverkan.arenden.flow import team_parter  # arenden.flow imports the meeting models

    parter = team_parter(mote.team_id)
    return {p.id: parter_for(p.arende, parter) for p in punkter}


def parter_per_samtycke(team_id: int, samtyckta: dict[int, set[int]]) -> dict[int, PunktParter]:
    """Per item id, who takes part, given the parties each item's current consent names
    (read with the meeting page's items). The team's parties as rows of id and name, which
    is all the page shows of them."""
    from samverkan.arenden.flow import TEAM_PARTER_RADER  # arenden.flow imports the meeting models

    parter = rader(TEAM_PARTER_RADER, {"team_id": team_id})
    return {punkt_id: _dela(named, parter) for punkt_id, named in samtyckta.items()}

