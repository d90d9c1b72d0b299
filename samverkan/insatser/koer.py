"""What the team sees of its places and queues, and what the projektledare sets.

- ``platslage``: per insats type of the förbund, the team's places (or no limit), the
  insatser holding one and the queue in order with its waiting time, by reference code;
  the team's samcoach queue is on its own page (``services.samcoachlage``).
- ``arendets_insatser``: one ärende's insatser, open and ended, with their waiting times.
- ``erbjudanden``: offered places waiting for the projektledare's confirmation, with
  their age in days (the overview shows them; the reminder job reads the same).
- ``spara_platser``: the team's places per type and the days before a reminder.

Each list is read in a fixed number of queries, whatever the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.errors import Valideringsfel
from samverkan.forbund.models import Team
from samverkan.insatser import platser
from samverkan.insatser.models import Insats, InsatsForm, Insatsplatser, InsatsStatus, Insatstyp
from samverkan.insatser.services import Koplats, insatstyper, oppna_i_teamet

# The most places of one type a team may set (a bound for typing errors, not a policy).
MAX_PLATSER = 1000
MAX_PAMINNELSE_DAGAR = 365


@dataclass
class Typlage:
    """One insats type in one team: its places (None: no limit), who holds one, the queue."""

    insatstyp: Insatstyp
    antal: int | None
    insatser: list[Insats] = field(default_factory=list)  # aktiv and erbjuden
    ko: list[Koplats] = field(default_factory=list)

    @property
    def lediga(self) -> int | None:
        return None if self.antal is None else max(0, self.antal - len(self.insatser))


@dataclass
class Platslage:
    team: Team
    typer: list[Typlage]
    ar_projektledare: bool
    far_andra: bool  # may set the places (the projektledare, or the förbund's admin)


def _platser_per_typ(team_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(Insatsplatser.insatstyp_id, Insatsplatser.antal).where(Insatsplatser.team_id == team_id)).all())


def platslage(user: User, team_id: int) -> Platslage:
    """Places and queue per insats type, by reference code: for the team's members."""
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    antal = _platser_per_typ(team.id)
    typer = {t.id: Typlage(t, antal.get(t.id)) for t in insatstyper(team.forbund_id)}
    for insats in oppna_i_teamet(team.id, InsatsForm.INSATS):
        lage = typer.get(insats.insatstyp_id)
        if lage is None:
            continue  # a type since taken off the förbund's list: ends as it is
        if insats.status == InsatsStatus.KO:
            lage.ko.append(Koplats(len(lage.ko) + 1, insats))
        else:
            lage.insatser.append(insats)
    ar_projektledare = policy.is_projektledare(user, team.id)
    return Platslage(team=team, typer=list(typer.values()), ar_projektledare=ar_projektledare,
                     far_andra=ar_projektledare)


def platsinstallningar(user: User, team_id: int) -> Platslage:
    """The team's places per type, without the ärenden: for the förbund's admin only."""
    team = policy.require_admin_over(user, db.session.get(Team, team_id), "Teamet finns inte.")
    antal = _platser_per_typ(team.id)
    return Platslage(team=team, typer=[Typlage(t, antal.get(t.id)) for t in insatstyper(team.forbund_id)],
                     ar_projektledare=False, far_andra=True)


def arendets_insatser(user: User, arende_id: int) -> tuple[Arende, list[Insats]]:
    """The ärende's insatser, open first, then by start: for those who read its details."""
    arende = policy.require(user, db.session.get(Arende, arende_id), policy.Atkomst.DETALJER)
    insatser = db.session.execute(
        select(Insats).where(Insats.arende_id == arende.id)
        .options(joinedload(Insats.insatstyp), joinedload(Insats.samcoach))
        .order_by(Insats.status == InsatsStatus.AVSLUTAD, Insats.beslutad, Insats.id)
    ).scalars().all()
    audit.record("arende.visa", "arende", arende.id, user_id=user.id, falt=["insatser"])
    return arende, list(insatser)


def erbjudanden(team_ids: list[int]) -> list[Insats]:
    """Offered places in the teams waiting for confirmation, oldest offer first."""
    if not team_ids:
        return []
    return list(db.session.execute(
        select(Insats).where(Insats.team_id.in_(team_ids), Insats.status == InsatsStatus.ERBJUDEN)
        .options(joinedload(Insats.arende).joinedload(Arende.team), joinedload(Insats.insatstyp),
                 joinedload(Insats.samcoach))
        .order_by(Insats.erbjuden, Insats.id)
    ).scalars().all())


def spara_platser(user: User, team_id: int, antal_per_typ: dict[int, int | None],
                  paminnelse_dagar: int | None = None) -> Team:
    """Set the team's places of the types named (None: no limit, the row goes) and, if
    given, the days an offer waits before its reminder. Fewer places than are taken end
    no insats: new ones queue until enough have ended. More places offer the new ones to
    the queue at once. All or nothing: a bad value refuses the whole."""
    team = policy.require_insatsplatser(user, db.session.get(Team, team_id))
    giltiga = {t.id for t in insatstyper(team.forbund_id)}
    fel: dict[str, str] = {}
    for typ_id, antal in antal_per_typ.items():
        if typ_id not in giltiga:
            fel.setdefault("insatstyp_id", "Välj insatser från förbundets lista.")
        elif antal is not None and not 0 <= antal <= MAX_PLATSER:
            fel[f"antal_{typ_id}"] = f"Ange ett antal platser mellan 0 och {MAX_PLATSER}, eller lämna tomt för obegränsat."
    if paminnelse_dagar is not None and not 1 <= paminnelse_dagar <= MAX_PAMINNELSE_DAGAR:
        fel["paminnelse_dagar"] = f"Ange antal dagar mellan 1 och {MAX_PAMINNELSE_DAGAR}."
    if fel:
        raise Valideringsfel(fel)
    rader = {r.insatstyp_id: r for r in db.session.execute(
        select(Insatsplatser).where(Insatsplatser.team_id == team.id).with_for_update()).scalars()}
    okade = []
    for typ_id, antal in antal_per_typ.items():
        rad = rader.get(typ_id)
        if antal is None:
            if rad is not None:
                db.session.delete(rad)
                okade.append(typ_id)  # no limit now: every queued one may start
            continue
        if rad is None:
            db.session.add(Insatsplatser(team_id=team.id, insatstyp_id=typ_id, antal=antal))
            continue  # a limit where there was none frees nothing
        if antal > rad.antal:
            okade.append(typ_id)
        rad.antal = antal
    if paminnelse_dagar is not None:
        team.erbjudande_paminnelse_dagar = paminnelse_dagar
    db.session.flush()
    audit.record("insatsplatser.spara", "team", team.id, user_id=user.id,
                 falt=["insatsplatser", "erbjudande_paminnelse_dagar"])
    for typ_id in okade:
        platser.Typplatser(team.id, typ_id).erbjud_nasta(user)
    return team
