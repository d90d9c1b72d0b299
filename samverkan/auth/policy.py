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

Every route declares its rule (``@policy.regel``), and that declaration is what checks
it: see "routes" at the end. Services and templates ask the functions here (the menu is
``meny``); no other module compares roles or raises ``Forbidden``
(``tests/test_policyn_beslutar.py`` reads the source to keep it so).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from flask import g, request
from flask_login import current_user
from sqlalchemy import Select, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import aliased, joinedload

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Forbidden, NotFound
from samverkan.deltagare.models import Samtycke, samtycke_part
from samverkan.forbund.models import ForbundRoll, Medlemskap, Part, Team, TeamRoll
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.kallelser.models import Utskick
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.samplanering.models import Atgard
from workflows import arende as wf

# Every view declares which rule guards it (``@policy.regel(...)`` under the route
# decorator), and the declaration is the check: the wrapper it puts around the view loads
# what the URL names (``arende_id``, ``mote_id``, ``team_id`` …) from the database and
# decides before the view's body runs (see "Routes" below). A request to a view without
# one is refused (fail closed), and the access matrix test enumerates the URL map and
# tests each rule for every role.
REGLER = {
    "offentlig": "Ingen inloggning (inloggningssidan, hälsokontroll, API-beskrivning).",
    "inloggad": "Varje inloggad användare; sidan visar bara det policyn släpper fram.",
    "arende_referens": "Ärendet i adressen: minst referensnivå, annars 404.",
    "arende_detaljer": "Ärendet i adressen: detaljnivå; referensnivå ger 403, ingen nivå 404.",
    "arende_handling": "Ärendet i adressen: minst referensnivå och rätt till någon åtgärd (may_handla); "
                       "vilken avgör require_fire när begäran nämner den.",
    "handlaggare": "Roll i ett team som arbetar med ärenden (projektledare, ledamot, ersättare); med ett "
                   "möte i adressen i mötets team, med ett ärende dess handläggare, med en åtgärd "
                   "detaljnivå i dess ärende.",
    "team_medlem": "Teamet i adressen: medlem i teamet, annars 404.",
    "protokoll": "Mötet i adressen: teamets medlemmar läser hela protokollet; den aktualiserande "
                 "handläggaren av en punkt utanför teamet bara sina egna punkter; andra 404.",
    "projektledare": "Teamet eller mötet i adressen: teamets projektledare.",
    "admin": "Förbundets administratör.",
    "styrgrupp": "Styrgrupp (endast aggregerad statistik).",
    "rapport": "Rapporter: styrgrupp och administratör (hela förbundet, små tal dolda) eller "
               "projektledare (eget team, exakta tal).",
}


def regel(namn: str, *, dold: bool = False, ladda: Select | None = None):
    """Guard a view with an access rule: the returned wrapper decides (``kontrollera``)
    before the view runs. ``dold``: everyone the rule refuses is told the page or object
    does not exist (404), members of the team included (the outbox). ``ladda``: the
    statement that loads the ärende in the address, its id bound as ``id`` (the ärende
    rules only), so the page's relations come in the rule's own statement: the view's
    ``get`` finds the row in the identity map, and options given there would come too
    late (issue 19)."""
    if namn not in REGLER:
        raise ValueError(f"okänd åtkomstregel {namn!r}")
    if ladda is not None and namn not in _ARENDE_REGLER:
        raise ValueError(f"ladda= gäller bara ärendets regler, inte {namn!r}")

    def guard(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            kontrollera(namn, fragande(), request.view_args or {}, dold=dold, ladda=ladda)
            return view(*args, **kwargs)

        guarded.atkomstregel = namn
        guarded.atkomst_dold = dold
        return guarded

    return guard


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


def roller(user: User) -> set[TeamRoll | ForbundRoll]:
    """The user's team roles and their roles in their own förbund."""
    return {m.roll for m in user.medlemskap} | forbund_roles(user)


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


def require_individens_mal(user: User, arende: Arende | None) -> Arende:
    """Who writes the individual's goals between meetings (in meeting mode it is the
    projektledare): the aktualiserande handläggare, the team's projektledare or the
    samcoach holding the ärende, with details access, while the ärende may be written."""
    require(user, arende, Atkomst.DETALJER)
    _require_skrivbart(arende, "Individens mål")
    if not (arende.handlaggare_id == user.id or is_projektledare(user, arende.team_id)
            or _ar_samcoach_for(user, arende)):
        raise Forbidden("Individens mål skrivs av handläggaren som aktualiserade ärendet, projektledaren "
                        "eller samcoachen.")
    return arende


def require_justera(user: User, team_id: int, justerare_id: int | None) -> bool:
    """Justering of a protokoll: the team's projektledare or the named second justerare.
    Says whether the user justerar as the projektledare."""
    if is_projektledare(user, team_id):
        return True
    if justerare_id is None or justerare_id != user.id:
        raise Forbidden("Bara teamets projektledare och den utsedda andra justeraren kan justera protokollet.")
    return False


def require_efterkontroll(user: User, arende: Arende | None) -> Arende:
    """The check after avslut: the team's projektledare (their inbox), never after the
    consent was withdrawn or the ärende anonymised (gallrat)."""
    if arende is None or arende.forbund_id != user.forbund_id or not is_team_medlem(user, arende.team_id):
        raise NotFound("Ärendet finns inte.")
    if not is_projektledare(user, arende.team_id):
        raise Forbidden("Efterkontrollen görs av teamets projektledare.")
    if samtycke_aterkallat(arende) or arende.gallrad is not None:
        raise DomainError("ingen_efterkontroll", "Ärendet följs inte upp efter avslut: samtycket är återkallat "
                          "eller ärendet är gallrat.", status=409)
    return arende


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


def require_insatsplatser(user: User, team):
    """Setting a team's places per insats type: its projektledare, or the förbund's admin,
    who manages the insats types (``require_admin_over``'s 404 for another förbund's team)."""
    if is_admin(user):
        return require_admin_over(user, team, "Teamet finns inte.")
    return require_projektledare(user, team)


def may_starta_insats(user: User, arende: Arende) -> bool:
    """Starting a further insats beside the open ones: the team decides it and its
    projektledare records it."""
    return user.aktiv and arende.forbund_id == user.forbund_id and is_projektledare(user, arende.team_id)


def require_starta_insats(user: User, arende: Arende | None) -> Arende:
    """404 for whoever may not know the ärende, 403 for anyone but the team's projektledare;
    refused while the ärende cannot be written (consent withdrawn or expired, closed)."""
    require(user, arende, Atkomst.REFERENS)
    if not may_starta_insats(user, arende):
        raise Forbidden("Bara teamets projektledare kan starta en insats.")
    require_skrivbart(arende, "En insats")
    return arende


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


def may_handla(user: User, arende: Arende) -> bool:
    """Some action on the ärende at all (``may_fire`` for at least one trigger): the
    admin's correction, or the projektledare's and its handläggare's with details access."""
    return is_admin(user) or (access_to(user, arende) == Atkomst.DETALJER and (
        is_projektledare(user, arende.team_id) or arende.handlaggare_id == user.id))


def require_fire(user: User, arende: Arende, trigger: str) -> None:
    require(user, arende, Atkomst.REFERENS)
    if not may_fire(user, arende, trigger):
        raise Forbidden("Du har inte behörighet att göra detta i ärendet.")


def visible_arenden_clause(user: User):
    """A WHERE clause for ärenden the user may see at least by reference (lists, search).

    Mirrors ``access_to`` in SQL so lists cost one query whatever their length.
    """
    return _synliga(user.id, user.forbund_id) if user.aktiv else false()


def _synliga(user_id, forbund_id):
    member_teams = select(Medlemskap.team_id).where(Medlemskap.user_id == user_id)
    return and_(
        Arende.forbund_id == forbund_id,
        # A draft is its author's alone.
        or_(Arende.handlaggare_id == user_id,
            and_(Arende.team_id.in_(member_teams), Arende.status != wf.UTKAST)),
    )


# The same clause with the user as bind parameters, for a statement built once and run
# for every user with ``synliga_parametrar(user)``: building the clause and the
# statement's cache key cost more than the list's own rows (issue 19).
SYNLIGA_ARENDEN = _synliga(bindparam("synlig_user_id"), bindparam("synlig_forbund_id"))


def synliga_parametrar(user: User) -> dict:
    """``SYNLIGA_ARENDEN``'s parameters. An inactive user sees nothing (no förbund
    matches NULL), as ``visible_arenden_clause`` gives them ``false()``."""
    return {"synlig_user_id": user.id, "synlig_forbund_id": user.forbund_id if user.aktiv else None}


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


def leder_team(user: User) -> bool:
    """Projektledare of some team."""
    return any(m.roll == TeamRoll.PROJEKTLEDARE for m in user.medlemskap)


def may_open_rapporter(user: User) -> bool:
    """The reports section at all: styrgrupp, admin, or projektledare of some team."""
    return may_see_rapport(user) or leder_team(user)


def rapport_teams(user: User, teams: list) -> list:
    """The teams whose reports the user may choose: all of the förbund's for styrgrupp and
    admin, else those they lead."""
    if is_styrgrupp(user) or is_admin(user):
        return list(teams)
    return [t for t in teams if is_projektledare(user, t.id)]


def require_rapport(user: User, team_id: int | None) -> bool:
    """The report for ``team_id`` (None: the whole förbund); True if exact counts."""
    exakt = may_see_exact_rapport(user, team_id)
    if not exakt and not may_see_rapport(user):
        raise Forbidden("Rapporterna är till för styrgruppen, förbundets administratör och "
                        "teamets projektledare.")
    return exakt


def require_forbundets_installning(user: User, meddelande: str) -> None:
    """The förbund's report settings (age bands, team budgets, its own targets): its admin."""
    if not is_admin(user):
        raise Forbidden(meddelande)


def may_set_mal(user: User, team_id: int | None) -> bool:
    """A key figure's target: the team's projektledare for their team, the admin for any."""
    return is_admin(user) or (team_id is not None and is_projektledare(user, team_id))


def require_set_mal(user: User, team_id: int | None) -> None:
    if team_id is None:
        require_forbundets_installning(user, "Bara förbundets administratör kan ändra förbundets mål.")
    elif not may_set_mal(user, team_id):
        raise Forbidden("Bara teamets projektledare eller förbundets administratör kan ändra teamets mål.")


def require_finsam(user: User, team) -> None:
    """Individual start and end data for Uppföljning Finsam: the team's projektledare, who
    has details access to every ärende of the team; never styrgrupp or admin."""
    require_projektledare(user, team)


# --- teams a user leads or brings ärenden to (from the memberships already loaded) ----------


def medlem_team_ids(user: User) -> list[int]:
    """The teams the user is a member of, in any role (their calendars and members)."""
    return sorted({m.team_id for m in user.medlemskap})


def ledda_team_ids(user: User) -> list[int]:
    """The teams the user leads (projektledare)."""
    return sorted({m.team_id for m in user.medlemskap if m.roll == TeamRoll.PROJEKTLEDARE})


def aktualiserande_team_ids(user: User) -> list[int]:
    """The teams the user brings ärenden to: a role that works with ärenden (a samcoach is
    a member of the team but brings none)."""
    return sorted({m.team_id for m in user.medlemskap if m.roll in _CASE_ROLES})


def require_aktualisera_i(user: User, team_id: int) -> None:
    """Bringing an ärende to a team (a new draft, or a new ärende after an earlier one): a
    role in it that works with ärenden (403)."""
    if team_id not in aktualiserande_team_ids(user):
        raise Forbidden("Du har ingen roll i teamet som aktualiserar ärenden.")


def require_aktualiserande(user: User) -> None:
    """A new ärende at all: a role in some team that receives ärenden."""
    if not aktualiserande_team_ids(user):
        raise Forbidden("Du har ingen roll i något team som tar emot ärenden.")


def require_eget_utkast(user: User, arende: Arende | None) -> Arende:
    """A draft is changed by its author only (details access first: 404/403 as ever)."""
    require(user, arende, Atkomst.DETALJER)
    if arende.handlaggare_id != user.id:
        raise Forbidden("Bara den som skapade utkastet kan ändra det.")
    return arende


def require_search_deltagare(user: User) -> None:
    """Looking a person up by personnummer (``may_search_deltagare``)."""
    if not may_search_deltagare(user):
        raise Forbidden("Du har inte behörighet att söka på personnummer.")


def require_leder(user: User, team_id: int | None) -> list[int]:
    """The inbox and overview of the teams the user leads: with ``team_id``, that team
    (404 for a team the user is not in at all, 403 for its other members); without, every
    team they lead (403 for someone who leads none)."""
    ledda = ledda_team_ids(user)
    if team_id is not None:
        if team_id not in ledda:
            require_team_medlem(user, db.session.get(Team, team_id))
            raise Forbidden("Inkorgen är till för teamets projektledare.")
        return [team_id]
    if not ledda:
        raise Forbidden("Inkorgen är till för teamets projektledare.")
    return ledda


def may_fornya_samtycke(user: User, arende: Arende) -> bool:
    """Who registers a renewed or changed consent: the aktualiserande handläggare or the
    projektledare, on an open ärende whose consent is not withdrawn."""
    return arende.status in wf.OPEN and not samtycke_aterkallat(arende) and may_anmala(user, arende)


def require_fornya_samtycke(user: User, arende: Arende) -> None:
    if not may_fornya_samtycke(user, arende):
        raise Forbidden("Samtycket förnyas av handläggaren som aktualiserade ärendet eller av projektledaren.")


def require_anmala(user: User, arende: Arende) -> None:
    if not may_anmala(user, arende):
        raise Forbidden("Bara handläggaren som aktualiserade ärendet kan anmäla det till ett möte.")


def require_print_inbjudan(user: User, arende: Arende) -> None:
    if not may_print_inbjudan(user, arende):
        raise Forbidden("Inbjudan skrivs ut av handläggaren som aktualiserade ärendet eller av projektledaren.")


def require_anteckningens_forfattare(user: User, anteckning) -> None:
    """A note is corrected by its author only; everyone else writes an addendum."""
    if anteckning.forfattare_id != user.id:
        raise Forbidden("Bara den som skrev anteckningen kan rätta den. Skriv ett tillägg i stället.")


def kraver_tvafaktor(user: User) -> bool:
    """Who must log in with a second factor: everyone who can read case details (any team
    role, the samcoach's included, and the förbund admin, who reads the audit log). Only a
    styrgrupp member with no other role, who sees aggregates alone, is exempt; a user with
    no role at all is asked too (fail closed: a handläggare between teams still reads the
    ärenden they brought)."""
    if user.medlemskap or is_admin(user):
        return True
    return not is_styrgrupp(user)


# --- the outbox (samverkan.kallelser) -------------------------------------------------------


def require_utskickens_team(user: User, team, meddelande: str = "Utskicket finns inte.") -> None:
    """A meeting's messages: its team's projektledare only. Everyone else is told the
    meeting or message does not exist (404), members of the team included."""
    if (team is None or not user.aktiv or team.forbund_id != user.forbund_id
            or not is_projektledare(user, team.id)):
        raise NotFound(meddelande)


def may_se_utskick(user: User, team) -> bool:
    try:
        require_utskickens_team(user, team)
    except NotFound:
        return False
    return True


def require_leder_nagot_team(user: User) -> None:
    """The outbox list: whoever leads some team; anyone else is told it does not exist."""
    if not (user.aktiv and leder_team(user)):
        raise NotFound("Sidan finns inte.")


# --- overdue actions (samverkan.samplanering.forsenade) ----------------------------------------


def may_markera_forsenad(user: User, part_id: int, team_id: int) -> bool:
    """On the overdue list (which shows only ärenden whose details the user may read or
    teams they lead): the owning party's own, or the team's projektledare."""
    return part_id == user.part_id or is_projektledare(user, team_id)


# --- API tokens -----------------------------------------------------------------------------


def require_skrivande_token(token) -> None:
    """A token that may only read is refused every request that writes."""
    from samverkan.auth.models import TokenOmfang

    if token.omfang is not TokenOmfang.SKRIVA:
        raise Forbidden("Den här API-token får bara läsa. Skapa en token som får läsa och skriva "
                        "för att ändra uppgifter.")


# --- the menu (templates/base.html) -------------------------------------------------------


@dataclass(frozen=True)
class Meny:
    """Which entries of the main menu a user gets: only pages whose rule lets them in, so
    nobody is offered a link that refuses them. (Every page still checks on its own.)"""

    oversikt: bool  # the projektledare's overview, inbox and outbox
    arenden: bool  # my ärenden and all ärenden: team members, and anyone without a förbund role
    moten: bool
    kaseload: bool
    aktualisera: bool  # new ärende and overdue actions: roles that work with ärenden
    rapporter: bool
    admin: bool


def meny(user: User) -> Meny:
    """The menu from the memberships and förbund roles already loaded: no query per entry."""
    roles = roller(user)
    team = {r for r in roles if isinstance(r, TeamRoll)}
    return Meny(
        oversikt=TeamRoll.PROJEKTLEDARE in team,
        arenden=bool(team) or not (roles - team),
        moten=bool(team),
        kaseload=TeamRoll.SAMCOACH in team,
        aktualisera=bool(team & _CASE_ROLES),
        rapporter=may_open_rapporter(user),
        admin=ForbundRoll.ADMIN in roles,
    )


# --- routes: the declaration is the check -------------------------------------------------
# ``regel`` wraps every view; ``kontrollera`` is what the wrapper runs before the view's
# body. It loads what the URL's ids name (never anything from the request body) and
# applies the declared rule to it. Loading uses ``db.session.get`` with what the pages read
# anyway, so the view's own ``get`` finds the row in the identity map: no second query.
# Finer decisions that depend on what the request asks for (which trigger, which party's
# action, which agenda item) are policy functions too (``require_fire``,
# ``require_markera_atgard``, ``may_print_inbjudan``), called where that wish is known.


class EjInloggad(DomainError):
    status = 401

    def __init__(self):
        super().__init__("ej_autentiserad", "Inloggning krävs.")


def fragande() -> User | None:
    """Who asks: the API's token user (``api/auth.py``), or the page's logged-in user."""
    if request.blueprint == "api":
        return g.get("api_user")
    return current_user._get_current_object() if current_user.is_authenticated else None


def _ladda(modell, id_: int | None, *options, sats: Select | None = None):
    if id_ is None:
        objekt = None
    elif sats is not None:
        # What the page walks, loaded with the row (the case page) by the page's own
        # statement, built once: ``get`` builds its statement and computes its cache key
        # anew on every call, which with nine loader options cost ≈0.3 ms (issue 19).
        objekt = db.session.execute(sats, {"id": id_}).unique().scalar_one_or_none()
    else:
        objekt = db.session.get(modell, id_, options=list(options))
    if objekt is not None:
        # The identity map holds rows weakly: kept for the request, the view's own ``get``
        # of the same row finds it there instead of asking the database again.
        g.setdefault("policy_laddat", []).append(objekt)
    return objekt


def _mote(args: dict) -> Mote | None:
    # The meeting pages load it with its team, so their own ``get`` finds it loaded. A
    # statement built once, not ``get``'s, which is built (and its cache key computed)
    # anew on every call: ≈300 µs of CPU against ≈500 (issue 19).
    mote_id = args.get("mote_id")
    if mote_id is None or (mote := db.session.execute(_MOTE_MED_TEAM, {"mote_id": mote_id}).scalar()) is None:
        return None
    g.setdefault("policy_laddat", []).append(mote)  # kept for the request, as ``_ladda`` does
    return mote


_MOTE_MED_TEAM = select(Mote).where(Mote.id == bindparam("mote_id")).options(joinedload(Mote.team))


def _team_i_adressen(args: dict) -> tuple[Team | None, str]:
    """The team the URL names (directly, or by its meeting or message) and what to call a
    missing one."""
    if "utskick_id" in args:
        utskick = _ladda(Utskick, args["utskick_id"], joinedload(Utskick.mottagare))
        mote = _ladda(Mote, utskick.mote_id) if utskick is not None else None
        return (mote.team if mote else None), "Utskicket finns inte."
    if "mote_id" in args:
        mote = _mote(args)
        return (mote.team if mote else None), "Mötet finns inte."
    return _ladda(Team, args.get("team_id")), "Teamet finns inte."


def _require_i_team(user: User, team, meddelande: str):
    try:
        return require_team_medlem(user, team)
    except NotFound:
        raise NotFound(meddelande) from None


def _arende_regel(needed: Atkomst):
    def check(user: User, args: dict, dold: bool, ladda: Select | None = None) -> None:
        require(user, _ladda(Arende, args.get("arende_id"), sats=ladda), needed)
    return check


# The rules whose check loads the ärende in the address and takes ``regel(ladda=…)``.
_ARENDE_REGLER = frozenset({"arende_referens", "arende_detaljer"})


def _arende_handling(user: User, args: dict, dold: bool) -> None:
    arende = require(user, _ladda(Arende, args.get("arende_id")), Atkomst.REFERENS)
    if not may_handla(user, arende):
        raise Forbidden("Du har inte behörighet att göra detta i ärendet.")


def _handlaggare(user: User, args: dict, dold: bool) -> None:
    if "atgard_id" in args:
        # An action of a handlingsplan: its ärende at detail level, else it does not exist.
        atgard = _ladda(Atgard, args["atgard_id"])
        arende = _ladda(Arende, atgard.arende_id) if atgard is not None else None
        if arende is None or access_to(user, arende) < Atkomst.DETALJER:
            raise NotFound("Åtgärden finns inte.")
        return
    if "arende_id" in args:
        # One's own ärende (draft): the handläggare who aktualiserade it.
        require_eget_utkast(user, _ladda(Arende, args["arende_id"]))
        return
    if "mote_id" in args:
        # A meeting's agenda: a handläggare of that meeting's team.
        mote = _mote(args)
        team = _require_i_team(user, mote.team if mote else None, "Mötet finns inte.")
        require_aktualisera_i(user, team.id)
        return
    if not may_search_deltagare(user):
        raise Forbidden("Sidan är till för teamens projektledare och handläggare.")


def _team_medlem(user: User, args: dict, dold: bool) -> None:
    team, meddelande = _team_i_adressen(args)
    _require_i_team(user, team, meddelande)


def _protokoll(user: User, args: dict, dold: bool) -> None:
    protokollets_arenden(user, _mote(args))


def _projektledare(user: User, args: dict, dold: bool) -> None:
    if not ({"team_id", "mote_id", "utskick_id"} & args.keys()):
        # No team in the address: the pages of whoever leads some team.
        if dold:
            require_leder_nagot_team(user)
        elif not (user.aktiv and leder_team(user)):
            raise Forbidden("Sidan är till för teamens projektledare.")
        return
    team, meddelande = _team_i_adressen(args)
    if dold:
        require_utskickens_team(user, team, meddelande)
    else:
        require_projektledare(user, _require_i_team(user, team, meddelande))


# What the admin manages, by the URL's id: its own förbund's only (``require_admin_over``).
_ADMINS_OBJEKT = (("anvandare_id", User, "Användaren finns inte."), ("part_id", Part, "Parten finns inte."),
                  ("team_id", Team, "Teamet finns inte."))


def _admin(user: User, args: dict, dold: bool) -> None:
    require_admin(user)
    for namn, modell, meddelande in _ADMINS_OBJEKT:
        if namn in args:
            require_admin_over(user, _ladda(modell, args[namn]), meddelande)
    if "medlemskap_id" in args:
        medlemskap = _ladda(Medlemskap, args["medlemskap_id"])
        require_admin_over(user, medlemskap.team if medlemskap else None, "Rollen finns inte.")


def _styrgrupp(user: User, args: dict, dold: bool) -> None:
    require_styrgrupp(user)


def _rapport(user: User, args: dict, dold: bool) -> None:
    if not may_open_rapporter(user):
        raise Forbidden("Rapporterna är till för styrgruppen, administratören och projektledare.")


def _inloggad(user: User, args: dict, dold: bool) -> None:
    """Logged in is all: the page shows only what the policy's clauses let through."""


_KONTROLLER = {
    "inloggad": _inloggad,
    "arende_referens": _arende_regel(Atkomst.REFERENS),
    "arende_detaljer": _arende_regel(Atkomst.DETALJER),
    "arende_handling": _arende_handling,
    "handlaggare": _handlaggare,
    "team_medlem": _team_medlem,
    "protokoll": _protokoll,
    "projektledare": _projektledare,
    "admin": _admin,
    "styrgrupp": _styrgrupp,
    "rapport": _rapport,
}
if _KONTROLLER.keys() != REGLER.keys() - {"offentlig"}:
    raise RuntimeError("every rule but offentlig needs its check")


def kontrollera(namn: str | None, user: User | None, args: dict, *, dold: bool = False,
                ladda: Select | None = None) -> None:
    """Apply the rule ``namn`` for ``user`` to the URL's ids ``args``; raise the refusal
    (401, 403 or 404) or return. An unknown or missing rule refuses (fail closed)."""
    if namn == "offentlig":
        return
    if namn not in _KONTROLLER:
        raise DomainError("ingen_regel", "Sidan saknar åtkomstregel.", status=500)
    if user is None or not user.is_authenticated:
        raise EjInloggad()
    if ladda is not None:
        _KONTROLLER[namn](user, args, dold, ladda=ladda)
    else:
        _KONTROLLER[namn](user, args, dold)
