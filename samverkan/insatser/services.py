"""Insatser: the team's decision for an ärende (samcoach, another insats, ordinary
support), further insatser started beside it, places and the team's queues.

Places are counted under a lock in ``insatser.platser`` (a samcoach's capacity, or a
team's places of an insats type), so simultaneous assignments never exceed them. Beyond
them an insats waits in the team's queue of its kind (status ``ko``, order
``i_ko_sedan``, ``id``). When a place frees — the ärende closes, or the projektledare
ends an insats or turns an offer down — the first in that queue is offered it
(``erbjuden``), and the projektledare confirms it (``aktiv``; an ärende waiting in i_ko
moves to i_insats). An ärende may hold several open insatser, one of each kind.
Waiting time is ``startad − beslutad``.

Functions change and flush and audit; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from samverkan.arenden.flow import ArendeFlow
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.besked import services as besked
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.forbund.models import Medlemskap, Team, TeamRoll
from samverkan.insatser import platser
from samverkan.insatser.models import (
    INSATS_FORM_LABELS,
    SAMCOACH_STANDARDKAPACITET,
    Insats,
    InsatsForm,
    InsatsStatus,
    Insatstyp,
    insatsregler,
)
from samverkan.insatser.platser import UPPTAR_PLATS, kapacitet  # noqa: F401  (kapacitet: the pages' name)
from workflows import arende as wf

log = logging.getLogger(__name__)

OPPNA = (InsatsStatus.KO, InsatsStatus.ERBJUDEN, InsatsStatus.AKTIV)


def samcoacher(team_id: int) -> list[Medlemskap]:
    """The team's samcoacher (Medlemskap with the user), by name."""
    return db.session.execute(
        select(Medlemskap).join(User, User.id == Medlemskap.user_id)
        .where(Medlemskap.team_id == team_id, Medlemskap.roll == TeamRoll.SAMCOACH)
        .options(joinedload(Medlemskap.user)).order_by(User.namn, Medlemskap.id)
    ).scalars().all()


def insatstyper(forbund_id: int) -> list[Insatstyp]:
    return db.session.execute(
        select(Insatstyp).where(Insatstyp.forbund_id == forbund_id, Insatstyp.aktiv.is_(True))
        .order_by(Insatstyp.ordning, Insatstyp.id)
    ).scalars().all()


def _las_samcoach(team_id: int, samcoach_id: int | None) -> platser.Samcoachplatser:
    """The samcoach's places, locked: refused unless one of the team's samcoacher."""
    kalla = platser.for_beslut(team_id, InsatsForm.SAMCOACH, samcoach_id=samcoach_id)
    kalla.las()
    if kalla.medlemskap is None:
        raise DomainError("ingen_samcoach", "Välj en av teamets samcoacher.", field="samcoach_id")
    return kalla


def _upptagna(team_id: int, samcoach_id: int) -> int:
    """Places the samcoach holds in every team they serve: one capacity per coach
    (``forbund.services.satt_samcoach_kapacitet`` keeps it the same in each team)."""
    return platser.Samcoachplatser(team_id, samcoach_id).upptagna()


def kapacitet_for_coach(samcoach_id: int) -> tuple[int, int | None]:
    """(places held across all teams, the coach's capacity) for the admin's page."""
    kap = db.session.execute(select(Medlemskap.kapacitet).where(
        Medlemskap.user_id == samcoach_id, Medlemskap.roll == TeamRoll.SAMCOACH).limit(1)).scalar()
    return _upptagna(0, samcoach_id), SAMCOACH_STANDARDKAPACITET if kap is None else kap


def kontrollera_insatstyp(forbund_id: int, insatstyp_id: int | None) -> Insatstyp:
    typ = db.session.get(Insatstyp, insatstyp_id) if insatstyp_id is not None else None
    if typ is None or typ.forbund_id != forbund_id or not typ.aktiv:
        raise DomainError("ogiltig_insatstyp", "Välj en insats från förbundets lista.", field="insatstyp_id")
    return typ


def _oppna_insatser(arende_id: int) -> list[Insats]:
    return db.session.execute(
        select(Insats).where(Insats.arende_id == arende_id, Insats.status.in_(OPPNA)).order_by(Insats.id)
    ).scalars().all()


def _platser_for(arende: Arende, form: InsatsForm, samcoach_id: int | None,
                 insatstyp_id: int | None) -> tuple[platser.Platser, int | None]:
    """The places the decision would take, locked, and the insats type it names."""
    if form == InsatsForm.SAMCOACH:
        return _las_samcoach(arende.team_id, samcoach_id), None
    if form == InsatsForm.INSATS:
        kontrollera_insatstyp(arende.forbund_id, insatstyp_id)
    else:
        insatstyp_id = None
    return platser.for_beslut(arende.team_id, form, insatstyp_id=insatstyp_id), insatstyp_id


def _samma_slag(insats: Insats, form: InsatsForm, insatstyp_id: int | None) -> bool:
    """Of one kind: the same form, and for an insats the same type (any samcoach)."""
    return insats.form == form and (form != InsatsForm.INSATS or insats.insatstyp_id == insatstyp_id)


def _ny_insats(user: User, arende: Arende, form: InsatsForm, kalla: platser.Platser, *,
               insatstyp_id: int | None, punkt_id: int | None) -> Insats:
    """A new insats on a free place (``aktiv``), or in the team's queue (``ko``)."""
    ledig = kalla.har_ledig()
    idag = clock.today()
    insats = Insats(arende_id=arende.id, team_id=arende.team_id, form=form, insatstyp_id=insatstyp_id,
                    punkt_id=punkt_id, beslutad=idag,
                    status=insatsregler.forsta(InsatsStatus.AKTIV if ledig else InsatsStatus.KO),
                    startad=idag if ledig else None, i_ko_sedan=None if ledig else clock.now())
    if ledig:
        kalla.tilldela(insats)
    db.session.add(insats)
    db.session.flush()
    audit.record("insats.besluta", "insats", insats.id, user_id=user.id,
                 falt=["form", "status", "samcoach_id", "insatstyp_id"])
    besked.nytt_uppdrag(insats)  # the samcoach who got the place is told (nothing if queued)
    return insats


def besluta(user: User, arende: Arende, form: InsatsForm, *, samcoach_id: int | None = None,
            insatstyp_id: int | None = None, punkt_id: int | None = None, ny: bool = True,
            kommentar: str = "") -> Insats:
    """Record the team's decision for a samplanerat ärende (``ny``) or one just followed up.

    For a new ärende the state machine moves it on: ``anvisa_insats`` when there is a
    place, ``satt_i_ko`` when the places are taken. At a follow-up the ärende is already
    in insats: the same insats continues, or the open ones end and the new one starts;
    one decided then without a free place puts the ärende in the queue (``satt_i_ko`` from
    i_insats), and it is offered the next free place like any other. (Further insatser
    beside the open ones: ``starta``.)
    """
    oppna = [] if ny else _oppna_insatser(arende.id)
    kalla, insatstyp_id = _platser_for(arende, form, samcoach_id, insatstyp_id)
    samma = next((i for i in oppna if _samma_slag(i, form, insatstyp_id)
                  and (form != InsatsForm.SAMCOACH or i.samcoach_id == samcoach_id)), None)
    if samma is not None:
        return samma  # continues as before
    fria = [platser.for_insats(g) for g in oppna if g.status in UPPTAR_PLATS]
    for gammal in oppna:
        avsluta_insats_rad(user, gammal)
    insats = _ny_insats(user, arende, form, kalla, insatstyp_id=insatstyp_id, punkt_id=punkt_id)
    if ny or insats.status == InsatsStatus.KO:
        # The flow's guard reads the insats just decided.
        ArendeFlow(arende).fire("anvisa_insats" if insats.status == InsatsStatus.AKTIV else "satt_i_ko",
                                aktor_id=user.id, kommentar=kommentar, kanal=wf.MOTE)
    for kalla_fri in fria:
        if kalla_fri is not None:
            kalla_fri.erbjud_nasta(user)
    return insats


def starta(user: User, arende_id: int, form: InsatsForm, *, samcoach_id: int | None = None,
           insatstyp_id: int | None = None) -> Insats:
    """Start a further insats beside the ärende's open ones (issue 16: parallel insatser,
    e.g. samcoach and arbetsträning), on a free place or in the team's queue of its kind.

    Only an ärende already in its insatser (``workflows.arende.PARALLELL_INSATS``), and
    never a second open insats of one kind. The ärende keeps its state — except that one
    waiting in i_ko whose new insats has a place moves to i_insats (``anvisa_insats``
    through the insatser's entrance), since it now holds an insats.
    """
    arende = db.session.execute(
        select(Arende).where(Arende.id == arende_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    policy.require_starta_insats(user, arende)
    if arende.status not in wf.PARALLELL_INSATS:
        raise DomainError(
            "ej_i_insats", f"En insats startas här bara för ett ärende som redan har samplanerats och "
            f"fått sin insats; ärendet har status ”{wf.STATE_LABELS[arende.status]}”. Besluta insatsen "
            "i mötesläget.", status=409)
    kalla, insatstyp_id = _platser_for(arende, form, samcoach_id, insatstyp_id)
    samma = next((i for i in _oppna_insatser(arende.id) if _samma_slag(i, form, insatstyp_id)), None)
    if samma is not None:
        namn = samma.insatstyp.namn if samma.insatstyp else INSATS_FORM_LABELS[form]
        raise DomainError("insats_redan_oppen",
                          f"Ärendet har redan en öppen insats av samma slag ({namn}). Avsluta den "
                          "först, eller välj en annan insats.", field="insatstyp_id"
                          if form == InsatsForm.INSATS else "form", status=409)
    insats = _ny_insats(user, arende, form, kalla, insatstyp_id=insatstyp_id, punkt_id=None)
    if arende.status == wf.I_KO and insats.status == InsatsStatus.AKTIV:
        ArendeFlow(arende).fire("anvisa_insats", aktor_id=user.id, kanal=wf.INSATSER,
                                kommentar="Parallell insats startad.")
    return insats


def avsluta_insats_rad(user: User | None, insats: Insats) -> None:
    insatsregler.byt(insats, InsatsStatus.AVSLUTAD)
    insats.avslutad = clock.today()
    db.session.flush()
    audit.record("insats.avsluta", "insats", insats.id, user_id=user.id if user else None,
                 falt=["status", "avslutad"])


def _avsluta_och_erbjud(user: User, insats: Insats) -> None:
    """End one open insats; a place it held goes to the first in its queue."""
    fri = platser.for_insats(insats) if insats.status in UPPTAR_PLATS else None
    avsluta_insats_rad(user, insats)
    if fri is not None:
        fri.erbjud_nasta(user)


def _erbjud_nasta(user: User, team_id: int, samcoach_id: int) -> list[Insats]:
    """Offer the samcoach's free places to the first in the team's queue."""
    return platser.Samcoachplatser(team_id, samcoach_id).erbjud_nasta(user)


def arende_stangt(user: User, arende: Arende) -> None:
    """The ärende closed (avslut, felregistrering, withdrawn consent): every open insats
    ends, it leaves every queue, and the places it held go to the first in line."""
    for insats in _oppna_insatser(arende.id):
        _avsluta_och_erbjud(user, insats)


def _insats_for_projektledare(user: User, team_id: int, insats_id: int) -> Insats:
    team = policy.require_projektledare(user, db.session.get(Team, team_id))
    insats = db.session.execute(
        select(Insats).where(Insats.id == insats_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if insats is None or insats.team_id != team.id:
        raise NotFound("Insatsen finns inte.")
    return insats


def bekrafta_plats(user: User, team_id: int, insats_id: int) -> Insats:
    """The projektledare confirms an offered place: the insats starts and the ärende
    leaves the queue for i_insats (``anvisa_insats``)."""
    insats = _insats_for_projektledare(user, team_id, insats_id)
    if insats.status != InsatsStatus.ERBJUDEN:
        raise DomainError("ej_erbjuden", "Insatsen har ingen erbjuden plats att bekräfta.", status=409)
    arende = insats.arende
    insatsregler.byt(insats, InsatsStatus.AKTIV)
    insats.startad = clock.today()
    if arende.status == wf.I_KO:
        db.session.flush()  # the flow's guard reads the confirmed place
        ArendeFlow(arende).fire("anvisa_insats", aktor_id=user.id, kanal=wf.INSATSER,
                                kommentar="Erbjuden plats bekräftad.")
    db.session.flush()
    audit.record("insats.bekrafta", "insats", insats.id, user_id=user.id, falt=["status", "startad"])
    return insats


def avsluta_insats(user: User, team_id: int, insats_id: int) -> Insats:
    """The projektledare ends an ongoing (or offered) insats; the freed place is offered on."""
    insats = _insats_for_projektledare(user, team_id, insats_id)
    if insats.status not in UPPTAR_PLATS:
        raise DomainError("ej_pagaende", "Insatsen pågår inte.", status=409)
    _avsluta_och_erbjud(user, insats)
    return insats


def avboj_plats(user: User, team_id: int, insats_id: int) -> Insats:
    """The projektledare turns an offered place down (the individual no longer needs it,
    or the team decided otherwise): the insats ends and the place goes to the next in line."""
    insats = _insats_for_projektledare(user, team_id, insats_id)
    if insats.status != InsatsStatus.ERBJUDEN:
        raise DomainError("ej_erbjuden", "Insatsen har ingen erbjuden plats att tacka nej till.", status=409)
    _avsluta_och_erbjud(user, insats)
    audit.record("insats.avboj", "insats", insats.id, user_id=user.id, falt=["status"])
    return insats


# --- what the team and the samcoach see ---------------------------------------------------------


def vantedagar(insats: Insats) -> int | None:
    """Days from the decision to the start; still waiting: up to today."""
    slut = insats.startad or clock.today()
    return (slut - insats.beslutad).days


def _dag(tid: dt.datetime | None) -> dt.date | None:
    return clock.local(tid).date() if tid is not None else None


def kodagar(insats: Insats) -> int | None:
    """Days in the queue: from joining it to the offer (or the start, or the end); still
    waiting: to today. None for an insats that never queued."""
    borjan = _dag(insats.i_ko_sedan)
    if borjan is None:
        return None
    slut = _dag(insats.erbjuden) or insats.startad or insats.avslutad or clock.today()
    return (slut - borjan).days


def erbjuden_dagar(insats: Insats) -> int | None:
    """How many days an offer has waited for the projektledare (Stockholm days)."""
    borjan = _dag(insats.erbjuden)
    return None if borjan is None else (clock.today() - borjan).days


@dataclass
class Kaseload:
    medlemskap: Medlemskap
    insatser: list[Insats]  # aktiv and erbjuden, oldest first

    @property
    def kapacitet(self) -> int:
        return kapacitet(self.medlemskap)

    @property
    def lediga(self) -> int:
        return max(0, self.kapacitet - len(self.insatser))


@dataclass
class Koplats:
    position: int
    insats: Insats

    @property
    def vantat(self) -> int:
        return vantedagar(self.insats)

    @property
    def kodagar(self) -> int | None:
        return kodagar(self.insats)


@dataclass
class Samcoachlage:
    team: Team
    kaseloads: list[Kaseload]
    ko: list[Koplats]
    ar_projektledare: bool


def oppna_i_teamet(team_id: int, form: InsatsForm) -> list[Insats]:
    """The team's open insatser of ``form`` with their ärenden: the queue in its order
    first, then the started ones by start date."""
    return db.session.execute(
        select(Insats).where(Insats.team_id == team_id, Insats.form == form, Insats.status.in_(OPPNA))
        .options(joinedload(Insats.arende))
        .order_by(Insats.i_ko_sedan, Insats.startad, Insats.id)
    ).scalars().all()


def samcoachlage(user: User, team_id: int) -> Samcoachlage:
    """Caseload per samcoach and the queue, by reference code: for the team's members.
    Three queries whatever the numbers."""
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    coacher = samcoacher(team.id)
    insatser = oppna_i_teamet(team.id, InsatsForm.SAMCOACH)
    per_coach: dict[int, list[Insats]] = {}
    for i in insatser:
        if i.status in UPPTAR_PLATS and i.samcoach_id is not None:
            per_coach.setdefault(i.samcoach_id, []).append(i)
    ko = [i for i in insatser if i.status == InsatsStatus.KO]
    return Samcoachlage(
        team=team,
        kaseloads=[Kaseload(m, per_coach.get(m.user_id, [])) for m in coacher],
        ko=[Koplats(n, i) for n, i in enumerate(ko, start=1)],
        ar_projektledare=policy.is_projektledare(user, team.id),
    )


def min_kaseload(user: User) -> list[Insats]:
    """The ärenden assigned to the user as samcoach (ongoing or offered), oldest first."""
    return db.session.execute(
        select(Insats).where(Insats.samcoach_id == user.id, Insats.status.in_(UPPTAR_PLATS))
        .join(Arende, Arende.id == Insats.arende_id).where(Arende.forbund_id == user.forbund_id)
        .options(joinedload(Insats.arende).joinedload(Arende.team))
        .order_by(Insats.startad.nulls_last(), Insats.id)
    ).scalars().all()
