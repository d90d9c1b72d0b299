"""Who may do what: the one place access is decided, for the UI and the API alike.

Case details (personnummer, frågeställning, history) are visible to:
- the handläggare who aktualiserade the ärende;
- the team's projektledare;
- a ledamot or ersättare of the team whose party the consent covers (while it stands).
After consent is withdrawn only the first two keep access. The förbund admin manages
users and teams but reads no case details; styrgrupp sees aggregates only.
Someone outside the ärende's team is told it does not exist (404), not that it is hidden.
"""

from __future__ import annotations

import enum

from sqlalchemy import and_, exists, false, or_, select

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core.errors import Forbidden, NotFound
from samverkan.deltagare.models import Samtycke, samtycke_part
from samverkan.forbund.models import ForbundRoll, Medlemskap, TeamRoll

# Every view declares which rule guards it (``@policy.regel(...)`` under the route
# decorator). A request to a view without one is refused (fail closed), and the access
# matrix test enumerates the URL map and tests each rule for every role.
REGLER = {
    "offentlig": "Ingen inloggning (inloggningssidan, hälsokontroll, API-beskrivning).",
    "inloggad": "Varje inloggad användare; sidan visar bara det policyn släpper fram.",
    "arende_referens": "Ärendet i adressen: minst referensnivå, annars 404.",
    "arende_detaljer": "Ärendet i adressen: detaljnivå; referensnivå ger 403, ingen nivå 404.",
    "arende_handling": "Ärendet i adressen: rätt att göra åtgärden (may_fire).",
    "handlaggare": "Roll i ett team som arbetar med ärenden (projektledare, ledamot, ersättare).",
    "team_medlem": "Teamet i adressen: medlem i teamet, annars 404.",
    "projektledare": "Teamet eller mötet i adressen: teamets projektledare.",
    "admin": "Förbundets administratör.",
    "styrgrupp": "Styrgrupp (endast aggregerad statistik).",
}


def regel(namn: str):
    """Mark a view with the access rule that guards it."""
    if namn not in REGLER:
        raise ValueError(f"okänd åtkomstregel {namn!r}")

    def mark(view):
        view.atkomstregel = namn
        return view

    return mark


def regel_for(view) -> str | None:
    return getattr(view, "atkomstregel", None)


class Atkomst(enum.IntEnum):
    INGEN = 0  # not even its existence
    REFERENS = 1  # reference code and state only
    DETALJER = 2


# Triggers each relation to an ärende may fire. The projektledare runs the meeting.
_HANDLAGGARE_TRIGGERS = {"aktualisera", "aterkalla", "felregistrera"}
_CASE_ROLES = {TeamRoll.PROJEKTLEDARE, TeamRoll.LEDAMOT, TeamRoll.ERSATTARE}


def team_roles(user: User, team_id: int) -> set[TeamRoll]:
    return {m.roll for m in user.medlemskap if m.team_id == team_id}


def forbund_roles(user: User) -> set[ForbundRoll]:
    return {r.roll for r in user.forbundsroller if r.forbund_id == user.forbund_id}


def is_admin(user: User) -> bool:
    return ForbundRoll.ADMIN in forbund_roles(user)


def is_styrgrupp(user: User) -> bool:
    return ForbundRoll.STYRGRUPP in forbund_roles(user)


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise Forbidden("Sidan är till för förbundets administratör.")


def require_styrgrupp(user: User) -> None:
    if not (is_styrgrupp(user) or is_admin(user)):
        raise Forbidden("Sidan är till för styrgruppen.")


def access_to(user: User, arende: Arende) -> Atkomst:
    if arende.forbund_id != user.forbund_id:
        return Atkomst.INGEN
    roles = team_roles(user, arende.team_id)
    if arende.handlaggare_id == user.id or TeamRoll.PROJEKTLEDARE in roles:
        return Atkomst.DETALJER
    if not roles:
        # Admins may correct a state by reference code; nobody else outside the team sees it.
        return Atkomst.REFERENS if is_admin(user) else Atkomst.INGEN
    samtycke = arende.samtycke
    if (
        roles & {TeamRoll.LEDAMOT, TeamRoll.ERSATTARE}
        and samtycke is not None
        and samtycke.aterkallat is None
        and user.part_id in {p.id for p in samtycke.parter}
        and arende.status != "utkast"
    ):
        return Atkomst.DETALJER
    return Atkomst.REFERENS


def require(user: User, arende: Arende | None, needed: Atkomst) -> Arende:
    """Return the ärende or raise: 404 if the user may not know of it, else 403."""
    if arende is None:
        raise NotFound("Ärendet finns inte.")
    level = access_to(user, arende)
    if level == Atkomst.INGEN:
        raise NotFound("Ärendet finns inte.")
    if level < needed:
        raise Forbidden("Du har inte behörighet att se uppgifterna i detta ärende.")
    return arende


def may_search_deltagare(user: User) -> bool:
    """Only those who bring or discuss ärenden may look a person up by number: an admin
    or styrgrupp member must not learn whether someone is a participant."""
    return any(m.roll in _CASE_ROLES for m in user.medlemskap)


def may_fire(user: User, arende: Arende, trigger: str) -> bool:
    if trigger == "korrigera":
        return is_admin(user)
    if access_to(user, arende) < Atkomst.DETALJER:
        return False
    if TeamRoll.PROJEKTLEDARE in team_roles(user, arende.team_id):
        return True
    return arende.handlaggare_id == user.id and trigger in _HANDLAGGARE_TRIGGERS


def require_fire(user: User, arende: Arende, trigger: str) -> None:
    require(user, arende, Atkomst.REFERENS)
    if not may_fire(user, arende, trigger):
        raise Forbidden("Du har inte behörighet att göra detta i ärendet.")


def visible_arenden_clause(user: User):
    """A WHERE clause for ärenden the user may see at least by reference (lists, search).

    Mirrors ``access_to`` in SQL so lists cost one query whatever their length.
    """
    member_teams = select(Medlemskap.team_id).where(Medlemskap.user_id == user.id)
    clause = and_(
        Arende.forbund_id == user.forbund_id,
        or_(Arende.handlaggare_id == user.id, Arende.team_id.in_(member_teams)),
    )
    return clause if user.aktiv else false()


def detail_arenden_clause(user: User):
    """A WHERE clause for ärenden whose details the user may read (mirrors ``access_to``)."""
    pl_teams = select(Medlemskap.team_id).where(
        Medlemskap.user_id == user.id, Medlemskap.roll == TeamRoll.PROJEKTLEDARE
    )
    member_teams = select(Medlemskap.team_id).where(
        Medlemskap.user_id == user.id,
        Medlemskap.roll.in_([TeamRoll.LEDAMOT, TeamRoll.ERSATTARE]),
    )
    # The current consent is the latest one registered for the ärende.
    latest = (
        select(Samtycke.id)
        .where(Samtycke.arende_id == Arende.id)
        .order_by(Samtycke.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    covered = exists().where(
        Samtycke.id == latest,
        Samtycke.aterkallat.is_(None),
        samtycke_part.c.samtycke_id == Samtycke.id,
        samtycke_part.c.part_id == user.part_id,
    )
    return and_(
        Arende.forbund_id == user.forbund_id,
        or_(
            Arende.handlaggare_id == user.id,
            Arende.team_id.in_(pl_teams),
            and_(Arende.team_id.in_(member_teams), Arende.status != "utkast", covered),
        ),
    )
