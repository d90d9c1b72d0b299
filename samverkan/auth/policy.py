"""Who may do what: the one place access is decided, for the UI and the API alike.

Case details (personnummer, frågeställning, history) are visible to:
- the handläggare who aktualiserade the ärende;
- the team's projektledare;
- a ledamot or ersättare of the team whose party the consent covers (while it stands).
After consent is withdrawn (``samtycke.aterkallat`` set, or the ärende in state
aterkallad) only the first two keep access, and nothing may be written but the avslut.
An expired consent (``giltigt_till`` passed) restricts access the same way until it is
renewed, and nothing but the renewal and the avslut may be written meanwhile.
A draft (utkast) is its author's alone: not even the projektledare reads it.
The förbund admin manages
users and teams but reads no case details; styrgrupp sees aggregates only.
Someone outside the ärende's team is told it does not exist (404), not that it is hidden.
"""

from __future__ import annotations

import enum

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Forbidden, NotFound
from samverkan.deltagare.models import Samtycke, samtycke_part
from samverkan.forbund.models import ForbundRoll, Medlemskap, TeamRoll
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten.models import Dagordningspunkt, PunktStatus
from workflows import arende as wf

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
    "protokoll": "Mötet i adressen: teamets medlemmar läser hela protokollet; den aktualiserande "
                 "handläggaren av en punkt utanför teamet bara sina egna punkter; andra 404.",
    "projektledare": "Teamet eller mötet i adressen: teamets projektledare.",
    "admin": "Förbundets administratör.",
    "styrgrupp": "Styrgrupp (endast aggregerad statistik).",
    "rapport": "Rapporter: styrgrupp och administratör (hela förbundet, små tal dolda) eller "
               "projektledare (eget team, exakta tal).",
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


def require_admin_over(user: User, objekt, meddelande: str):
    """A party, team, member or role the förbund admin manages (issue 14): its own
    förbund's only. Anyone but an admin is refused (403); an admin of another förbund, or
    a missing row, is told it does not exist (404)."""
    require_admin(user)
    if objekt is None or objekt.forbund_id != user.forbund_id:
        raise NotFound(meddelande)
    return objekt


def require_styrgrupp(user: User) -> None:
    if not (is_styrgrupp(user) or is_admin(user)):
        raise Forbidden("Sidan är till för styrgruppen.")


def access_to(user: User, arende: Arende) -> Atkomst:
    if arende.forbund_id != user.forbund_id:
        return Atkomst.INGEN
    roles = team_roles(user, arende.team_id)
    if arende.handlaggare_id == user.id:
        return Atkomst.DETALJER
    if arende.status == wf.UTKAST:
        # A draft has no consent to share it yet: its author's alone (issue 15).
        return Atkomst.INGEN
    if TeamRoll.PROJEKTLEDARE in roles:
        return Atkomst.DETALJER
    if not roles:
        # Admins may correct a state by reference code; nobody else outside the team sees it.
        return Atkomst.REFERENS if is_admin(user) else Atkomst.INGEN
    samtycke = arende.samtycke
    if (TeamRoll.SAMCOACH in roles and not samtycke_aterkallat(arende) and not samtycke_utganget(arende)
            and _ar_samcoach_for(user, arende)):
        return Atkomst.DETALJER
    if (
        roles & {TeamRoll.LEDAMOT, TeamRoll.ERSATTARE}
        and samtycke is not None
        and samtycke.aterkallat is None
        and samtycke.giltigt_till >= clock.today()
        # Also by state: a withdrawal recorded by correction may leave the consent row unmarked.
        and arende.status not in (wf.UTKAST, wf.ATERKALLAD)
        and user.part_id in {p.id for p in samtycke.parter}
    ):
        return Atkomst.DETALJER
    return Atkomst.REFERENS


# A samcoach reads the ärenden whose place they hold or are offered.
_SAMCOACH_STATUS = (InsatsStatus.AKTIV, InsatsStatus.ERBJUDEN)


def _samcoach_arenden(user: User):
    return select(Insats.arende_id).where(Insats.samcoach_id == user.id, Insats.status.in_(_SAMCOACH_STATUS))


def _ar_samcoach_for(user: User, arende: Arende) -> bool:
    return db.session.execute(_samcoach_arenden(user).where(Insats.arende_id == arende.id).limit(1)).first() is not None


def samtycke_aterkallat(arende: Arende) -> bool:
    """Consent withdrawn, by the consent row or by the ärende's state: processing stops."""
    samtycke = arende.samtycke
    return arende.status == wf.ATERKALLAD or (samtycke is not None and samtycke.aterkallat is not None)


def samtycke_utganget(arende: Arende) -> bool:
    """The current consent's validity has passed (until a renewal is registered)."""
    s = arende.samtycke
    return s is not None and s.aterkallat is None and s.giltigt_till < clock.today()


def require_skrivbart(arende: Arende, vad: str) -> None:
    """Refuse any write but the avslut once consent is withdrawn or the ärende is closed,
    and any write but the renewal and the avslut while the consent has expired."""
    _require_skrivbart(arende, vad)


def _require_skrivbart(arende: Arende, vad: str) -> None:
    """Refuse any write but the avslut once consent is withdrawn or the ärende is closed."""
    if samtycke_aterkallat(arende):
        raise DomainError(
            "samtycke_aterkallat",
            f"Samtycket är återkallat. {vad} kan inte längre registreras; ärendet kan bara avslutas.",
        )
    if arende.status in wf.OPEN and samtycke_utganget(arende):
        raise DomainError(
            "samtycke_utganget",
            f"Samtycket gick ut {arende.samtycke.giltigt_till.isoformat()}. {vad} kan inte registreras "
            "förrän ett förnyat samtycke är registrerat.",
        )
    if arende.status in wf.STANGDA:
        raise DomainError("arende_avslutat", f"Ärendet är avslutat. {vad} kan inte längre registreras.")


def require_anteckning(user: User, arende: Arende | None) -> Arende:
    """Who may write a note (or an addendum): anyone with details access while the
    ärende is open (a draft counts as open); never after withdrawal or avslut."""
    require(user, arende, Atkomst.DETALJER)
    _require_skrivbart(arende, "Nya anteckningar")
    return arende


def may_write_anteckning(user: User, arende: Arende) -> bool:
    try:
        require_anteckning(user, arende)
    except DomainError:
        return False
    return True


def may_markera_atgard(user: User, arende: Arende, part_id: int) -> bool:
    """Tick a handlingsplan action off: the owning party's members in the team, or the
    team's projektledare, with details access, while the ärende may be written."""
    try:
        require_markera_atgard(user, arende, part_id)
    except DomainError:
        return False
    return access_to(user, arende) == Atkomst.DETALJER


def require_markera_atgard(user: User, arende: Arende, part_id: int) -> None:
    _require_skrivbart(arende, "Åtgärder")
    if not (is_projektledare(user, arende.team_id)
            or (part_id == user.part_id and team_roles(user, arende.team_id))):
        raise Forbidden("Bara den ansvariga partens medlemmar eller projektledaren kan markera åtgärden klar.")


def may_mark_forberedelse(user: User, arende: Arende, part_id: int) -> bool:
    """A party's preparation is marked by its own ledamot or ersättare in the ärende's
    team, with details access, while the ärende is submitted and not closed."""
    return (
        arende.status in wf.OPEN
        and not samtycke_aterkallat(arende)
        and part_id is not None
        and user.part_id == part_id
        and bool(team_roles(user, arende.team_id) & {TeamRoll.LEDAMOT, TeamRoll.ERSATTARE})
        and access_to(user, arende) == Atkomst.DETALJER
    )


def require_forberedelse(user: User, arende: Arende | None, part_id: int) -> Arende:
    require(user, arende, Atkomst.DETALJER)
    _require_skrivbart(arende, "Förberedelser")
    if arende.status not in wf.OPEN:
        raise DomainError("ej_aktualiserat", "Ärendet är inte aktualiserat ännu och förbereds inte för något möte.")
    if not may_mark_forberedelse(user, arende, part_id):
        raise Forbidden("Bara partens ledamot eller ersättare i teamet kan markera partens förberedelse.")
    return arende


def require(user: User, arende: Arende | None, needed: Atkomst) -> Arende:
    """Return the ärende or raise: 404 if the user may not know of it, else 403."""
    if arende is None:
        raise NotFound("Ärendet finns inte.")
    level = access_to(user, arende)
    if level == Atkomst.INGEN:
        raise NotFound("Ärendet finns inte.")
    if level < needed:
        error = Forbidden("Du har inte behörighet att se uppgifterna i detta ärende.")
        # Which ärende was refused: the error path writes it in that ärende's trail
        # (web.py), on every channel, after rolling the request back.
        error.arende_id = arende.id
        raise error
    return arende


def may_search_deltagare(user: User) -> bool:
    """Only those who bring or discuss ärenden may look a person up by number: an admin
    or styrgrupp member must not learn whether someone is a participant."""
    return any(m.roll in _CASE_ROLES for m in user.medlemskap)


# --- teams and their meetings (samverkan.moten) --------------------------------------


def is_team_medlem(user: User, team_id: int) -> bool:
    return bool(team_roles(user, team_id))


def is_projektledare(user: User, team_id: int) -> bool:
    return TeamRoll.PROJEKTLEDARE in team_roles(user, team_id)


def require_team_medlem(user: User, team):
    """The team (calendar, meetings, agendas by reference code), or 404 for anyone
    outside it: a foreign or forged id looks exactly like a missing one."""
    if (team is None or not user.aktiv or team.forbund_id != user.forbund_id
            or not is_team_medlem(user, team.id)):
        raise NotFound("Teamet finns inte.")
    return team


def protokollets_arenden(user: User, mote) -> frozenset[int] | None:
    """Which items of a meeting's protokoll ``user`` reads: every one (None) as a member of
    the team; as the aktualiserande handläggare of items on it without a seat in the team,
    only those items (their ärende ids), so they can read the team's decision; anyone else
    is told the meeting does not exist."""
    team = mote.team if mote is not None else None
    if team is None or not user.aktiv or team.forbund_id != user.forbund_id:
        raise NotFound("Mötet finns inte.")
    if is_team_medlem(user, team.id):
        return None
    egna = frozenset(db.session.execute(
        select(Dagordningspunkt.arende_id).join(Arende, Arende.id == Dagordningspunkt.arende_id)
        .where(Dagordningspunkt.mote_id == mote.id, Dagordningspunkt.status == PunktStatus.BOKAD,
               Arende.handlaggare_id == user.id)
    ).scalars())
    if not egna:
        raise NotFound("Mötet finns inte.")
    return egna


def require_projektledare(user: User, team):
    """Changing a team's meetings and agendas: its projektledare only (others 403)."""
    require_team_medlem(user, team)
    if not is_projektledare(user, team.id):
        raise Forbidden("Bara teamets projektledare kan ändra möten och dagordningar.")
    return team


def may_anmala(user: User, arende: Arende) -> bool:
    """Ask for a place on a meeting's agenda: the handläggare who aktualiserade the
    ärende (who prepares and presents it), or the projektledare, with details access."""
    return access_to(user, arende) == Atkomst.DETALJER and (
        arende.handlaggare_id == user.id or is_projektledare(user, arende.team_id)
    )


def may_print_inbjudan(user: User, arende: Arende) -> bool:
    """The invitation letter is handed to the individual by the aktualiserande
    handläggare, or sent by the projektledare: nobody else needs it."""
    return may_anmala(user, arende)


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
        # A draft is its author's alone.
        or_(Arende.handlaggare_id == user.id,
            and_(Arende.team_id.in_(member_teams), Arende.status != wf.UTKAST)),
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
    # The current consent is the latest one registered for the ärende. Its own alias and
    # an explicit correlation to Arende only: auto-correlation would bind the inner
    # ``samtycke`` to the EXISTS around it and pull ``arende`` into the subquery instead.
    senaste = aliased(Samtycke)
    latest = (
        select(senaste.id)
        .where(senaste.arende_id == Arende.id)
        .order_by(senaste.id.desc())
        .limit(1)
        .correlate(Arende)
        .scalar_subquery()
    )
    covered = exists().where(
        Samtycke.id == latest,
        Samtycke.aterkallat.is_(None),
        Samtycke.giltigt_till >= clock.today(),
        samtycke_part.c.samtycke_id == Samtycke.id,
        samtycke_part.c.part_id == user.part_id,
    )
    return and_(
        Arende.forbund_id == user.forbund_id,
        or_(
            Arende.handlaggare_id == user.id,
            and_(Arende.team_id.in_(pl_teams), Arende.status != wf.UTKAST),
            and_(Arende.team_id.in_(member_teams),
                 Arende.status.not_in([wf.UTKAST, wf.ATERKALLAD]), covered),
            and_(Arende.id.in_(_samcoach_arenden(user)), Arende.status != wf.ATERKALLAD,
                 ~exists().where(Samtycke.arende_id == Arende.id, Samtycke.aterkallat.is_not(None))
                 .correlate(Arende),
                 exists().where(Samtycke.id == latest, Samtycke.giltigt_till >= clock.today())),
        ),
    )


# --- reports (samverkan.rapporter) ------------------------------------------------------------


def may_see_rapport(user: User) -> bool:
    """Aggregates of the whole förbund, small numbers hidden: styrgrupp and admin."""
    return user.aktiv and (is_styrgrupp(user) or is_admin(user))


def may_see_exact_rapport(user: User, team_id: int | None) -> bool:
    """Exact counts: only a team's own projektledare, only for that team."""
    return user.aktiv and team_id is not None and is_projektledare(user, team_id)


def may_open_rapporter(user: User) -> bool:
    """The reports section at all: styrgrupp, admin, or projektledare of some team."""
    return may_see_rapport(user) or any(m.roll == TeamRoll.PROJEKTLEDARE for m in user.medlemskap)


def require_finsam(user: User, team) -> None:
    """Individual start and end data for Uppföljning Finsam: the team's projektledare, who
    has details access to every ärende of the team; never styrgrupp or admin."""
    require_projektledare(user, team)
