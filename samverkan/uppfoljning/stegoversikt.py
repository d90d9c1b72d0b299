"""Stegförflyttning for the whole team: every open ärende by reference code with its
starting step, the step at the previous and at the latest measurement (up to a meeting's
day, when one is named), sysselsättningsgrad and time in insats, and the team's totals —
how many moved up, stood still or moved down since the previous measurement.

What the user may read in detail carries the figures, each such read audited against
its ärende; the team's other open ärenden appear by reference code only and are not in
the totals (their consent does not cover the user's party). Five statements whatever
the team's size: ärenden, detail ids, measurements, open insatser, and the audit rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import NotFound
from samverkan.forbund.models import Team
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten.models import Mote
from samverkan.uppfoljning.models import Steg, Stegmatning
from workflows import arende as wf

UPP, STILLA, NED = "upp", "stilla", "ned"

# Column key → how a row sorts by it (rows without the figure last, by reference code).
SORTERINGAR = {
    "referens": "Referens",
    "start": "Startsteg",
    "forra": "Föregående",
    "senaste": "Senaste",
    "forandring": "Förändring",
    "syss": "Sysselsättningsgrad",
    "tid": "Tid i insats",
}


@dataclass
class Matpunkt:
    datum: dt.date
    nummer: int
    namn: str
    sysselsattningsgrad: int
    startsteg: bool = False  # recorded at samplanering as the starting step


@dataclass
class Rad:
    arende_id: int
    referens: str
    status: str
    detaljer: bool
    start: Matpunkt | None = None
    forra: Matpunkt | None = None
    senaste: Matpunkt | None = None
    dagar_i_insats: int | None = None

    @property
    def forandring(self) -> int | None:
        if self.forra is None or self.senaste is None:
            return None
        return self.senaste.nummer - self.forra.nummer

    @property
    def riktning(self) -> str | None:
        d = self.forandring
        return None if d is None else UPP if d > 0 else NED if d < 0 else STILLA


@dataclass
class Oversikt:
    team: Team
    mote: Mote | None
    dag: dt.date
    rader: list[Rad]
    sortera: str
    fallande: bool
    summor: dict[str, int] = field(default_factory=dict)


def _nyckel(namn: str):
    def varde(r: Rad):
        return {
            "referens": None,
            "start": r.start and r.start.nummer,
            "forra": r.forra and r.forra.nummer,
            "senaste": r.senaste and r.senaste.nummer,
            "forandring": r.forandring,
            "syss": r.senaste and r.senaste.sysselsattningsgrad,
            "tid": r.dagar_i_insats,
        }[namn]
    return varde


def sortera(rader: list[Rad], namn: str, fallande: bool) -> list[Rad]:
    """Rows with the figure first (in the asked order), then those without, each group
    by reference code; reference-only rows always last."""
    rader = sorted(rader, key=lambda r: r.referens)
    if namn == "referens":
        rader.sort(key=lambda r: r.referens, reverse=fallande)
        return sorted(rader, key=lambda r: not r.detaljer)
    varde = _nyckel(namn)
    med = sorted((r for r in rader if varde(r) is not None), key=varde, reverse=fallande)
    utan = [r for r in rader if varde(r) is None]
    return sorted(med + utan, key=lambda r: not r.detaljer)


def oversikt(user: User, team_id: int, *, mote_id: int | None = None, sortera_pa: str = "referens",
             fallande: bool = False) -> Oversikt:
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    mote = None
    if mote_id is not None:
        mote = db.session.get(Mote, mote_id)
        if mote is None or mote.team_id != team.id:
            raise NotFound("Mötet finns inte.")
    dag = clock.local(mote.starttid).date() if mote else clock.today()
    if sortera_pa not in SORTERINGAR:
        sortera_pa = "referens"

    oppna = (Arende.team_id == team.id, Arende.status.in_(wf.OPEN))
    arenden = db.session.execute(
        select(Arende.id, Arende.referens, Arende.status).where(policy.visible_arenden_clause(user), *oppna)
    ).all()
    detalj_ids = set(db.session.scalars(
        select(Arende.id).where(policy.detail_arenden_clause(user), *oppna)))
    rader = {a.id: Rad(a.id, a.referens, a.status, a.id in detalj_ids) for a in arenden}

    matningar: dict[int, list[Matpunkt]] = defaultdict(list)
    if detalj_ids:
        for m in db.session.execute(
            select(Stegmatning.arende_id, Stegmatning.datum, Steg.nummer, Steg.namn,
                   Stegmatning.sysselsattningsgrad, Stegmatning.startsteg)
            .join(Steg, Steg.id == Stegmatning.steg_id)
            .where(Stegmatning.arende_id.in_(detalj_ids), Stegmatning.datum <= dag)
            .order_by(Stegmatning.arende_id, Stegmatning.datum, Stegmatning.id)
        ):
            matningar[m.arende_id].append(Matpunkt(m.datum, m.nummer, m.namn, m.sysselsattningsgrad,
                                                   m.startsteg))
        for arende_id, startad in db.session.execute(
            select(Insats.arende_id, Insats.startad)
            .where(Insats.arende_id.in_(detalj_ids), Insats.status == InsatsStatus.AKTIV,
                   Insats.startad.is_not(None), Insats.startad <= dag)
        ):
            # Parallel insatser: the time since the first of them started.
            dagar = (dag - startad).days
            rad = rader[arende_id]
            rad.dagar_i_insats = max(rad.dagar_i_insats or 0, dagar)

    for arende_id, punkter in matningar.items():
        rad = rader[arende_id]
        # The starting step recorded at samplanering; an ärende planned before it was
        # recorded starts from its first measurement.
        rad.start = next((p for p in punkter if p.startsteg), punkter[0])
        rad.senaste = punkter[-1]
        rad.forra = punkter[-2] if len(punkter) > 1 else None

    audit.record_many("stegforflyttning.visa", "arende", sorted(detalj_ids), user_id=user.id,
                      falt=["stegmatning", "insats"])

    synliga = [r for r in rader.values() if r.detaljer]
    summor = {k: sum(1 for r in synliga if r.riktning == k) for k in (UPP, STILLA, NED)}
    summor["utan_jamforelse"] = sum(1 for r in synliga if r.riktning is None)
    summor["endast_referens"] = len(rader) - len(synliga)
    return Oversikt(team, mote, dag, sortera(list(rader.values()), sortera_pa, fallande),
                    sortera_pa, fallande, summor)
