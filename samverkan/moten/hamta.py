"""Looking up a team, a meeting, its agenda items and an ärende for one of them, for a
user: a meeting the user may not see is not found (404), one they may see but not change
is refused (403). Every other meeting module starts here.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.deltagare.models import Samtycke, samtycke_part
from samverkan.forbund.models import Part, Team
from samverkan.moten.models import Dagordningspunkt, Mote


def _team(user: User, team_id: int, *, andra: bool = False) -> Team:
    team = db.session.get(Team, team_id)
    return policy.require_projektledare(user, team) if andra else policy.require_team_medlem(user, team)


def _mote(user: User, mote_id: int, *, andra: bool = False, las: bool = False) -> Mote:
    """The meeting if the user may see it (404 otherwise) or, with ``andra``, change it
    (403 for other members). ``las`` takes the row lock and reads it afresh."""
    if las:
        # populate_existing: counters bumped after the lock must start from the locked row.
        mote = db.session.execute(
            select(Mote).where(Mote.id == mote_id).options(joinedload(Mote.team))
            .with_for_update(of=Mote).execution_options(populate_existing=True)
        ).scalar_one_or_none()
    else:
        # ``get``: the access rule has loaded it (with its team) for this request already.
        mote = db.session.get(Mote, mote_id, options=_MED_TEAM)
    if mote is None:
        raise NotFound("Mötet finns inte.")
    try:
        _team(user, mote.team_id, andra=andra)
    except NotFound:
        raise NotFound("Mötet finns inte.") from None
    return mote


# Built once: every meeting page asks for its meeting (issue 19).
_MED_TEAM = (joinedload(Mote.team),)


def get_team(user: User, team_id: int, *, andra: bool = False) -> Team:
    return _team(user, team_id, andra=andra)


def _punkter(mote: Mote) -> list[Dagordningspunkt]:
    """All items of a meeting with what lists show (ärende, its party, consent)."""
    return db.session.execute(_PUNKTER, {"mote_id": mote.id}).unique().scalars().all()


# Built once with the meeting as a bind parameter: the agenda builder and meeting mode
# read it on every request (issue 19). The consents (a few per ärende) and their parties
# are joined in a chain, as the case page's (``arenden.services.SIDANS_SATS``, which says
# why not joinedload or selectinload).
_PUNKTER = (
    select(Dagordningspunkt)
    .where(Dagordningspunkt.mote_id == bindparam("mote_id"))
    .join(Dagordningspunkt.arende)
    .outerjoin(Arende.samtycken)
    .outerjoin(samtycke_part, samtycke_part.c.samtycke_id == Samtycke.id)
    .outerjoin(Part, Part.id == samtycke_part.c.part_id)
    .options(
        contains_eager(Dagordningspunkt.arende).options(
            joinedload(Arende.aktualiserande_part),
            contains_eager(Arende.samtycken).contains_eager(Samtycke.parter),
        ),
    )
    .order_by(Dagordningspunkt.ordning, Dagordningspunkt.id, Samtycke.id, Part.id)
)


def get_mote(user: User, mote_id: int) -> Mote:
    return _mote(user, mote_id)


def mote_med_punkter(user: User, mote_id: int) -> tuple[Mote, list[Dagordningspunkt]]:
    """A meeting with its items (booked and asked for), by reference code: for members."""
    mote = _mote(user, mote_id)
    return mote, _punkter(mote)


def _arende_for(user: User, mote: Mote, arende_id: int) -> Arende:
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.REFERENS)
    if arende.team_id != mote.team_id:
        raise DomainError("annat_team", "Ärendet hör till ett annat team än mötet.", field="arende_id")
    return arende


def _punkt(mote: Mote, punkt_id: int, punkter: list[Dagordningspunkt]) -> Dagordningspunkt:
    punkt = next((p for p in punkter if p.id == punkt_id), None)
    if punkt is None:
        raise NotFound("Punkten finns inte på mötets dagordning.")
    return punkt
