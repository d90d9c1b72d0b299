"""The handlingsplan between meetings: an ärende's actions as they stand (who owns each,
when it is due, whether it is done), read on the case page, in the samcoach's kaseload,
in meeting mode beside a follow-up and in the protokoll; and ticking an action off.

Meeting mode writes the actions (``samplanering.services``); they are never deleted, so
the plan keeps its history: each action names the item it was planned at, and one
ticked off keeps when, by whom and the comment given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import joinedload

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import DomainError, NotFound
from samverkan.forbund.models import Part
from samverkan.samplanering.models import Atgard

KOMMENTAR_MAX = 500
KLAR, FORSENAD, PAGAR = "klar", "forsenad", "pagar"
STATUS_LABELS = {KLAR: "Klar", FORSENAD: "Försenad", PAGAR: "Pågår"}


def status(atgard: Atgard, idag: dt.date) -> str:
    if atgard.klar_den is not None:
        return KLAR
    return FORSENAD if atgard.klar_senast < idag else PAGAR


@dataclass
class PlanRad:
    atgard: Row  # atgard's columns and the party's name (``for_arenden``)
    status: str
    kan_markera: bool

    @property
    def status_text(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Handlingsplan:
    rader: list[PlanRad]  # open first (by due date), then done (latest first)
    nasta_uppfoljning: dt.date | None

    @property
    def oppna(self) -> list[PlanRad]:
        return [r for r in self.rader if r.status != KLAR]


def _ordning(atgard: Atgard):
    # Open actions by due date; done ones after, the latest done first.
    if atgard.klar_den is None:
        return (0, atgard.klar_senast.toordinal(), atgard.id)
    return (1, -atgard.klar_den.toordinal(), -atgard.id)


def atgarder_for(punkt_ids: list[int]) -> dict[int, list[Atgard]]:
    """The actions planned at each agenda item (one query)."""
    per: dict[int, list[Atgard]] = {}
    if punkt_ids:
        for a in db.session.execute(select(Atgard).where(Atgard.punkt_id.in_(punkt_ids))
                                    .options(joinedload(Atgard.part)).order_by(Atgard.id)).scalars():
            per.setdefault(a.punkt_id, []).append(a)
    return per


def for_arenden(arende_ids: Iterable[int]) -> dict[int, list[Row]]:
    """Every action of each ärende, in plan order (one query), as rows of atgard's
    columns and the party's name (``part_namn``): the pages only show them. The caller has
    checked and audited the read of the ärenden's details."""
    per: dict[int, list[Row]] = {}
    ids = sorted(set(arende_ids))
    if ids:
        for a in rader(_ATGARDER, {"arende_ids": ids}):
            per.setdefault(a.arende_id, []).append(a)
    return {k: sorted(v, key=_ordning) for k, v in per.items()}


# Built once, the ärenden bound per call: the case page reads it on every request (issue 19).
_ATGARDER = (select(*Atgard.__table__.c, Part.namn.label("part_namn")).join(Part, Part.id == Atgard.part_id)
             .where(Atgard.arende_id.in_(bindparam("arende_ids", expanding=True))))


def for_arende(user: User, arende: Arende) -> Handlingsplan:
    """The ärende's plan for the case page (details access checked and audited there)."""
    idag = clock.today()
    rader = [PlanRad(a, status(a, idag), policy.may_markera_atgard(user, arende, a.part_id))
             for a in for_arenden([arende.id]).get(arende.id, [])]
    return Handlingsplan(rader, arende.nasta_uppfoljning)


def oppna_for(user: User, arende_ids: list[int]) -> dict[int, list[PlanRad]]:
    """The open actions of ärenden whose details the user reads in a list (the samcoach's
    kaseload), each ärende's read audited; one query and one audit statement."""
    idag = clock.today()
    planer = {arende_id: [PlanRad(a, status(a, idag), False) for a in plan if a.klar_den is None]
              for arende_id, plan in for_arenden(arende_ids).items()}
    audit.record_many("handlingsplan.visa", "arende", sorted(set(arende_ids)), user_id=user.id,
                      falt=["handlingsplan"])
    return planer


def markera_klar(user: User, atgard_id: int | None, *, kommentar: str | None = None,
                 arende_id: int | None = None) -> Atgard:
    """Tick an action off today, at any time before or after its due date, with an
    optional comment: the owning party's members with details access, or the team's
    projektledare; never after consent is withdrawn or the ärende closed.
    ``arende_id``, when the request names one, must be the action's own."""
    atgard = db.session.get(Atgard, atgard_id) if atgard_id else None
    if atgard is None or (arende_id is not None and atgard.arende_id != arende_id):
        raise NotFound("Åtgärden finns inte.")
    arende = db.session.get(Arende, atgard.arende_id)
    try:
        policy.require(user, arende, policy.Atkomst.DETALJER)
    except DomainError:
        raise NotFound("Åtgärden finns inte.") from None
    policy.require_markera_atgard(user, arende, atgard.part_id)
    if atgard.klar_den is not None:
        raise DomainError("redan_klar", "Åtgärden är redan markerad som klar.", status=409)
    kommentar = (kommentar or "").strip()
    if len(kommentar) > KOMMENTAR_MAX:
        raise DomainError("for_lang", f"Kommentaren får vara högst {KOMMENTAR_MAX} tecken.", field="kommentar")
    atgard.klar_den = clock.today()
    atgard.klar_av_id = user.id
    atgard.klar_kommentar = kommentar
    db.session.flush()
    audit.record("atgard.klar", "atgard", atgard.id, user_id=user.id,
                 falt=["klar_den", *(["klar_kommentar"] if kommentar else [])])
    return atgard
