"""Handlingsplan actions past their due date, per owning party.

Meeting mode (recording the samplanering) writes the actions; this module lists the
overdue ones; ticking one off is ``samplanering.handlingsplan.markera_klar``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.forbund.models import Part
from samverkan.samplanering.handlingsplan import markera_klar  # noqa: F401  (where the API looks for it)
from samverkan.samplanering.models import Atgard
from workflows import arende as wf


@dataclass
class ForsenadRad:
    atgard: Atgard
    referens: str
    arende_id: int
    kan_markera: bool

    @property
    def forsenad(self) -> bool:
        return self.atgard.klar_senast < clock.today()


def _synliga(user: User):
    """Overdue actions the user is responsible for seeing: every action of the teams
    they lead, and their own party's actions in ärenden whose details they may read."""
    pl_teams = policy.ledda_team_ids(user)
    egna = and_(Atgard.part_id == user.part_id, policy.detail_arenden_clause(user)) \
        if user.part_id is not None else False
    return or_(and_(Arende.forbund_id == user.forbund_id, Arende.team_id.in_(pl_teams)), egna)


# The furthest ahead the list looks (``inom``): the Monday digest links to a week.
INOM_MAX = 31


def forsenade(user: User, *, inom: int = 0) -> dict[Part, list[ForsenadRad]]:
    """Actions past their due date and not done, per owning party; with ``inom`` also
    those due within that many days (the Monday digest's link); two queries."""
    rows = db.session.execute(
        select(Atgard)
        .join(Arende, Arende.id == Atgard.arende_id)
        .join(Part, Part.id == Atgard.part_id)
        .where(_synliga(user), Atgard.klar_den.is_(None),
               Atgard.klar_senast < clock.today() + dt.timedelta(days=max(0, min(inom, INOM_MAX))),
               Arende.status.not_in([*wf.STANGDA, wf.ATERKALLAD]))
        .options(contains_eager(Atgard.part))
        .add_columns(Arende.referens, Arende.team_id)
        .order_by(Part.namn, Atgard.klar_senast, Atgard.id)
    ).all()
    per_part: dict[Part, list[ForsenadRad]] = {}
    for atgard, referens, team_id in rows:
        kan = policy.may_markera_forsenad(user, atgard.part_id, team_id)
        per_part.setdefault(atgard.part, []).append(
            ForsenadRad(atgard=atgard, referens=referens, arende_id=atgard.arende_id, kan_markera=kan))
    # The look, and one row per ärende the list showed, in that ärende's trail: one INSERT.
    audit.record("atgard.lista_forsenade", "atgard", None, user_id=user.id)
    audit.record_many("atgard.lista_forsenade", "arende", [atgard.arende_id for atgard, _, _ in rows],
                      user_id=user.id, falt=["atgard"])
    return per_part
