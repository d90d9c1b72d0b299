"""Ärende operations for the UI, the API and the CLI alike.

Each function checks access through the policy, changes and flushes, and audits; the
caller (view, API handler, command) commits once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from samverkan.arenden import kodlistor
from samverkan.arenden.flow import ArendeFlow
from samverkan.arenden.models import Arende, ArendeHandelse, Referensserie
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.core.html import sanitize_html
from samverkan.deltagare import services as deltagare_services
from samverkan.forbund.models import Forbund, Medlemskap, Team, TeamRoll
from workflows import arende as wf


@dataclass
class Sida:
    """One page of a list."""

    rader: list
    sida: int
    per_sida: int
    totalt: int

    @property
    def sidor(self) -> int:
        return max(1, -(-self.totalt // self.per_sida))


def _next_referens(forbund: Forbund, year: int) -> str:
    serie = db.session.execute(
        select(Referensserie)
        .where(Referensserie.forbund_id == forbund.id, Referensserie.ar == year)
        .with_for_update()
    ).scalar_one_or_none()
    if serie is None:
        serie = Referensserie(forbund_id=forbund.id, ar=year, senaste=0)
        db.session.add(serie)
    serie.senaste += 1
    db.session.flush()
    return f"{forbund.kod}-{year}-{serie.senaste:03d}"


def _check_kod(value: str | None, kodlista: dict, field: str, label: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in kodlista:
        raise DomainError("ogiltigt_val", f"Välj {label} från listan.", field=field)
    return value


def create_utkast(
    user: User,
    *,
    team_id: int,
    fragestallning: str,
    kon: str,
    personnummer: str | None = None,
    anonym_kod: str | None = None,
    fodelsear: int | None = None,
    forsorjning_start: str | None = None,
    sysselsattning_start: str | None = None,
    samtycke: dict | None = None,
) -> Arende:
    """A new ärende in state utkast, brought by ``user`` on behalf of their party.

    ``samtycke`` (the keyword arguments of ``register_samtycke``) registers the consent
    in the same transaction, so a refused consent leaves no half-made draft behind.
    """
    team = _own_team(user, team_id)
    if user.part_id is None:
        raise DomainError("part_saknas", "Ditt konto är inte kopplat till någon part.")
    deltagare = deltagare_services.find_or_create(
        user.forbund_id, user_id=user.id, kon=kon, personnummer_raw=personnummer,
        anonym_kod=anonym_kod, fodelsear=fodelsear,
    )
    arende = Arende(
        forbund_id=user.forbund_id,
        team_id=team.id,
        deltagare_id=deltagare.id,
        referens=_next_referens(team.forbund, clock.today().year),
        aktualiserande_part_id=user.part_id,
        handlaggare_id=user.id,
        fragestallning=sanitize_html(fragestallning),
        forsorjning_start=_check_kod(forsorjning_start, kodlistor.FORSORJNING,
                                     "forsorjning_start", "försörjning"),
        sysselsattning_start=_check_kod(sysselsattning_start, kodlistor.SYSSELSATTNING,
                                        "sysselsattning_start", "sysselsättning"),
        status=wf.INITIAL,
    )
    db.session.add(arende)
    db.session.flush()
    audit.record("arende.skapa", "arende", arende.id, user_id=user.id,
                 falt=["deltagare", "fragestallning", "forsorjning_start", "sysselsattning_start"])
    if samtycke is not None:
        deltagare_services.register_samtycke(arende.id, user_id=user.id, forbund_id=user.forbund_id,
                                             **samtycke)
        db.session.expire(arende, ["samtycken"])
    return arende


def get_arende(user: User, arende_id: int, *, detaljer: bool = True) -> Arende:
    """Load one ärende for ``user``; reading details is audited."""
    arende = db.session.get(Arende, arende_id)
    needed = policy.Atkomst.DETALJER if detaljer else policy.Atkomst.REFERENS
    policy.require(user, arende, needed)
    if detaljer:
        audit.record("arende.visa", "arende", arende.id, user_id=user.id)
    return arende


def list_arenden(user: User, *, status: str | None = None, sida: int = 1,
                 per_sida: int = 25) -> Sida:
    """The ärenden the user may see, newest first; two queries whatever the size."""
    if status is not None and status not in wf.STATES:
        raise DomainError("okand_status", "Okänd status.", field="status")
    where = [policy.visible_arenden_clause(user)]
    if status:
        where.append(Arende.status == status)
    totalt = db.session.execute(select(func.count(Arende.id)).where(*where)).scalar_one()
    sida = max(1, sida)
    rader = db.session.execute(
        select(Arende)
        .where(*where)
        .options(joinedload(Arende.team), joinedload(Arende.aktualiserande_part))
        .order_by(Arende.skapad.desc(), Arende.id.desc())
        .limit(per_sida)
        .offset((sida - 1) * per_sida)
    ).scalars().all()
    return Sida(rader=list(rader), sida=sida, per_sida=per_sida, totalt=totalt)


def fire(
    user: User,
    arende_id: int,
    trigger: str,
    *,
    version: int | None,
    datum: dt.date | None = None,
    kommentar: str = "",
    **context,
) -> ArendeHandelse:
    """Run one transition for ``user``; DomainError (nothing changed) on any refusal."""
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.REFERENS)
    policy.require_fire(user, arende, trigger)
    flow = ArendeFlow(arende)
    if trigger == "korrigera":
        return flow.korrigera(context.get("till", ""), aktor_id=user.id, orsak=kommentar,
                              forvantad_version=version)
    return flow.fire(trigger, aktor_id=user.id, datum=datum, kommentar=kommentar.strip(),
                     forvantad_version=version, **context)


def history(arende: Arende) -> list[ArendeHandelse]:
    return db.session.execute(
        select(ArendeHandelse)
        .where(ArendeHandelse.arende_id == arende.id)
        .options(joinedload(ArendeHandelse.aktor))
        .order_by(ArendeHandelse.id)
    ).scalars().all()


def allowed_triggers(user: User, arende: Arende) -> list[str]:
    """Triggers the state allows now and the user may fire (what the page offers)."""
    return [t for t in ArendeFlow(arende).available_triggers() if policy.may_fire(user, arende, t)]


def teams_for(user: User) -> list[Team]:
    return db.session.execute(
        select(Team)
        .where(Team.forbund_id == user.forbund_id,
               Team.id.in_([m.team_id for m in user.medlemskap]))
        .options(selectinload(Team.medlemskap))
        .order_by(Team.namn)
    ).scalars().all()


def list_medlemmar(user: User, team_id: int) -> list[Medlemskap]:
    """A team's members with role and party, for members of that team only."""
    team = _own_team(user, team_id)
    return db.session.execute(
        select(Medlemskap)
        .join(User, Medlemskap.user_id == User.id)
        .where(Medlemskap.team_id == team.id)
        .options(contains_eager(Medlemskap.user).joinedload(User.part))
        .order_by(User.namn, Medlemskap.id)
    ).scalars().all()


def _own_team(user: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team.forbund_id != user.forbund_id or not policy.team_roles(user, team.id):
        # A forged or foreign team id looks exactly like a missing one.
        raise NotFound("Teamet finns inte.")
    return team


def is_projektledare(user: User, team_id: int) -> bool:
    return TeamRoll.PROJEKTLEDARE in policy.team_roles(user, team_id)
