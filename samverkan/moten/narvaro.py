"""Attendance at a meeting: one row per party of the team (närvarande, per telefon,
genom ersättare, frånvarande), recorded by the projektledare in meeting mode.

Changes and flushes and audits; the caller commits once. Open from the meeting day;
locked after justering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from samverkan.arenden.flow import team_part_ids
from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.forbund.models import Medlemskap, Part, TeamRoll
from samverkan.moten import hamta, tider
from samverkan.moten.models import Mote, Narvaro, NarvaroStatus
from samverkan.protokoll.las import kontrollera_ej_justerat


@dataclass
class PartsNarvaro:
    part: Part
    narvaro: Narvaro | None
    personer: list[User] = field(default_factory=list)  # the party's ledamöter and ersättare


def _personer_per_part(team_id: int) -> dict[int, list[User]]:
    rows = db.session.execute(
        select(User).join(Medlemskap, Medlemskap.user_id == User.id)
        .where(Medlemskap.team_id == team_id, Medlemskap.roll.in_([TeamRoll.LEDAMOT, TeamRoll.ERSATTARE]))
        .distinct().order_by(User.namn, User.id)
    ).scalars().all()
    per: dict[int, list[User]] = {}
    for u in rows:
        if u.part_id is not None:
            per.setdefault(u.part_id, []).append(u)
    return per


def narvaro_for(mote: Mote) -> list[PartsNarvaro]:
    """Each party of the team with its recorded attendance (if any), by party name."""
    part_ids = team_part_ids(mote.team_id)
    parter = db.session.execute(select(Part).where(Part.id.in_(part_ids or [0])).order_by(Part.typ, Part.namn)).scalars().all()
    rader = {n.part_id: n for n in db.session.execute(select(Narvaro).where(Narvaro.mote_id == mote.id)).scalars()}
    personer = _personer_per_part(mote.team_id)
    return [PartsNarvaro(p, rader.get(p.id), personer.get(p.id, [])) for p in parter]


def registrera(user: User, mote_id: int, rader: dict[int, tuple[str | None, int | None]]) -> list[Narvaro]:
    """Record attendance: ``rader`` maps each party id to (status, person id or None).
    Every party of the team must be given; all or nothing."""
    kontrollera_ej_justerat(mote_id)
    mote = hamta._mote(user, mote_id, andra=True, las=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.")
    tider.kontrollera_moteslage_oppet(mote)
    parter = narvaro_for(mote)
    fel: dict[str, str] = {}
    okanda = set(rader) - {p.part.id for p in parter}
    if okanda:
        raise DomainError("okand_part", "Närvaro kan bara registreras för teamets parter.", field="part_id")
    valda: list[tuple[PartsNarvaro, NarvaroStatus, int | None]] = []
    for p in parter:
        status_varde, person_id = rader.get(p.part.id, (None, None))
        try:
            status = NarvaroStatus(status_varde)
        except ValueError:
            fel[f"narvaro-{p.part.id}"] = f"Välj närvaro för {p.part.namn}."
            continue
        if person_id is not None and person_id not in {u.id for u in p.personer}:
            fel[f"person-{p.part.id}"] = f"Välj en ledamot eller ersättare från {p.part.namn}."
            continue
        if status == NarvaroStatus.FRANVARANDE:
            person_id = None
        valda.append((p, status, person_id))
    if fel:
        raise Valideringsfel(fel)
    resultat = []
    for p, status, person_id in valda:
        rad = p.narvaro or Narvaro(mote_id=mote.id, part_id=p.part.id, registrerad_av_id=user.id, status=status)
        if p.narvaro is None:
            db.session.add(rad)
        rad.status, rad.person_id, rad.registrerad_av_id = status, person_id, user.id
        resultat.append(rad)
    db.session.flush()
    audit.record("mote.narvaro", "mote", mote.id, user_id=user.id, falt=["narvaro"])
    return resultat
