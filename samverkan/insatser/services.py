"""Insatser: the team's decision for an ärende (samcoach, another insats, ordinary
support), the samcoach's capacity and the team's queue.

A samcoach holds at most their capacity (``Medlemskap.kapacitet``, None = 10) of insatser
that are ``aktiv`` or ``erbjuden``. The count is taken under a row lock on the samcoach's
Medlemskap (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already
serialises writers), so simultaneous assignments never exceed it. Beyond it the insats
waits in the team's queue (status ``ko``, order ``i_ko_sedan``, ``id``). When a place frees
— the ärende closes, or the projektledare ends the insats — the first in the queue is
offered (``erbjuden``) to that samcoach, and the projektledare confirms it (``aktiv``, the
ärende i_ko → i_insats). Waiting time is ``startad − beslutad``.

Functions change and flush and audit; the caller commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
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
from samverkan.insatser.models import (
    SAMCOACH_STANDARDKAPACITET,
    Insats,
    InsatsForm,
    InsatsStatus,
    Insatstyp,
    insatsregler,
)
from workflows import arende as wf

log = logging.getLogger(__name__)

# Insatser that hold a samcoach's place.
UPPTAR_PLATS = (InsatsStatus.AKTIV, InsatsStatus.ERBJUDEN)
OPPNA = (InsatsStatus.KO, InsatsStatus.ERBJUDEN, InsatsStatus.AKTIV)


def kapacitet(medlemskap: Medlemskap) -> int:
    return SAMCOACH_STANDARDKAPACITET if medlemskap.kapacitet is None else medlemskap.kapacitet


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


def _las_coachens_rader(samcoach_id: int | None) -> None:
    """Row-lock every samcoach membership of the coach (in id order, so two lockers never
    deadlock): the capacity is one per coach, counted across teams, so an assignment in
    one team waits for one in another."""
    db.session.execute(select(Medlemskap.id).where(Medlemskap.user_id == samcoach_id,
                                                   Medlemskap.roll == TeamRoll.SAMCOACH)
                       .order_by(Medlemskap.id).with_for_update()).all()


def _las_samcoach(team_id: int, samcoach_id: int | None) -> Medlemskap:
    """The samcoach's membership of the team, row-locked: the capacity is counted under it."""
    _las_coachens_rader(samcoach_id)
    medlemskap = db.session.execute(
        select(Medlemskap)
        .where(Medlemskap.team_id == team_id, Medlemskap.user_id == samcoach_id,
               Medlemskap.roll == TeamRoll.SAMCOACH)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none() if samcoach_id is not None else None
    if medlemskap is None:
        raise DomainError("ingen_samcoach", "Välj en av teamets samcoacher.", field="samcoach_id")
    return medlemskap


def _upptagna(team_id: int, samcoach_id: int) -> int:
    """Places the samcoach holds in every team they serve: one capacity per coach
    (``forbund.services.satt_samcoach_kapacitet`` keeps it the same in each team). The
    team is kept in the signature for the callers."""
    return db.session.execute(
        select(func.count(Insats.id)).where(Insats.samcoach_id == samcoach_id, Insats.status.in_(UPPTAR_PLATS))
    ).scalar_one()


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


def besluta(user: User, arende: Arende, form: InsatsForm, *, samcoach_id: int | None = None,
            insatstyp_id: int | None = None, punkt_id: int | None = None, ny: bool = True,
            kommentar: str = "") -> Insats:
    """Record the team's decision for a samplanerat ärende (``ny``) or one just followed up.

    For a new ärende the state machine moves it on: ``anvisa_insats`` when there is a
    place, ``satt_i_ko`` when the samcoach is full. At a follow-up the ärende is already
    in insats: the same insats continues, or the open ones end and the new one starts;
    a samcoach decided then who is full puts the ärende in the queue (``satt_i_ko`` from
    i_insats), and it is offered the next free place like any other.
    """
    idag = clock.today()
    oppna = [] if ny else _oppna_insatser(arende.id)
    if form == InsatsForm.SAMCOACH:
        medlemskap = _las_samcoach(arende.team_id, samcoach_id)
        samma = next((i for i in oppna if i.form == form and i.samcoach_id == samcoach_id), None)
    else:
        if form == InsatsForm.INSATS:
            kontrollera_insatstyp(arende.forbund_id, insatstyp_id)
        else:
            insatstyp_id = None
        samma = next((i for i in oppna if i.form == form and i.insatstyp_id == insatstyp_id), None)
    if samma is not None:
        return samma  # continues as before
    ledig = form != InsatsForm.SAMCOACH or _upptagna(arende.team_id, medlemskap.user_id) < kapacitet(medlemskap)
    for gammal in oppna:
        avsluta_insats_rad(user, gammal)
    insats = Insats(arende_id=arende.id, team_id=arende.team_id, form=form, insatstyp_id=insatstyp_id,
                    punkt_id=punkt_id, beslutad=idag,
                    samcoach_id=medlemskap.user_id if form == InsatsForm.SAMCOACH and ledig else None,
                    status=insatsregler.forsta(InsatsStatus.AKTIV if ledig else InsatsStatus.KO),
                    startad=idag if ledig else None, i_ko_sedan=None if ledig else clock.now())
    db.session.add(insats)
    if ny:
        db.session.flush()  # the flow's guard reads the insats just decided
        ArendeFlow(arende).fire("anvisa_insats" if ledig else "satt_i_ko", aktor_id=user.id,
                                kommentar=kommentar, kanal=wf.MOTE)
    elif not ledig:
        db.session.flush()
        ArendeFlow(arende).fire("satt_i_ko", aktor_id=user.id, kommentar=kommentar, kanal=wf.MOTE)
    db.session.flush()
    audit.record("insats.besluta", "insats", insats.id, user_id=user.id,
                 falt=["form", "status", "samcoach_id", "insatstyp_id"])
    besked.nytt_uppdrag(insats)  # the samcoach who got the place is told (nothing if queued)
    for gammal in oppna:
        if gammal.form == InsatsForm.SAMCOACH and gammal.samcoach_id is not None:
            _erbjud_nasta(user, gammal.team_id, gammal.samcoach_id)
    return insats


def avsluta_insats_rad(user: User, insats: Insats) -> None:
    insatsregler.byt(insats, InsatsStatus.AVSLUTAD)
    insats.avslutad = clock.today()
    db.session.flush()
    audit.record("insats.avsluta", "insats", insats.id, user_id=user.id, falt=["status", "avslutad"])


def _erbjud_nasta(user: User, team_id: int, samcoach_id: int) -> list[Insats]:
    """Offer the samcoach's free places to the first in the team's queue."""
    _las_coachens_rader(samcoach_id)
    medlemskap = db.session.execute(
        select(Medlemskap).where(Medlemskap.team_id == team_id, Medlemskap.user_id == samcoach_id,
                                 Medlemskap.roll == TeamRoll.SAMCOACH)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if medlemskap is None:
        return []  # no longer a samcoach of the team: nothing to offer
    lediga = kapacitet(medlemskap) - _upptagna(team_id, samcoach_id)
    if lediga <= 0:
        return []
    forst = db.session.execute(
        select(Insats).where(Insats.team_id == team_id, Insats.form == InsatsForm.SAMCOACH,
                             Insats.status == InsatsStatus.KO)
        .order_by(Insats.i_ko_sedan, Insats.id).limit(lediga)
        .with_for_update().execution_options(populate_existing=True)
    ).scalars().all()
    for insats in forst:
        insatsregler.byt(insats, InsatsStatus.ERBJUDEN)
        insats.samcoach_id = samcoach_id
        insats.erbjuden = clock.now()
        db.session.flush()
        audit.record("insats.erbjud", "insats", insats.id, user_id=user.id, falt=["status", "samcoach_id"])
        besked.nytt_uppdrag(insats)
        log.info("insats %s offered to samcoach %s", insats.id, samcoach_id)
    return forst


def arende_stangt(user: User, arende: Arende) -> None:
    """The ärende closed (avslut, felregistrering, withdrawn consent): its insatser end,
    it leaves the queue, and the places it held go to the first in line."""
    for insats in _oppna_insatser(arende.id):
        hade_plats = insats.status in UPPTAR_PLATS and insats.samcoach_id is not None
        avsluta_insats_rad(user, insats)
        if hade_plats:
            _erbjud_nasta(user, insats.team_id, insats.samcoach_id)


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
                                kommentar="Plats hos samcoach bekräftad.")
    db.session.flush()
    audit.record("insats.bekrafta", "insats", insats.id, user_id=user.id, falt=["status", "startad"])
    return insats


def avsluta_insats(user: User, team_id: int, insats_id: int) -> Insats:
    """The projektledare ends an ongoing insats; a samcoach's freed place is offered on."""
    insats = _insats_for_projektledare(user, team_id, insats_id)
    if insats.status not in (InsatsStatus.AKTIV, InsatsStatus.ERBJUDEN):
        raise DomainError("ej_pagaende", "Insatsen pågår inte.", status=409)
    samcoach_id = insats.samcoach_id
    avsluta_insats_rad(user, insats)
    if insats.form == InsatsForm.SAMCOACH and samcoach_id is not None:
        _erbjud_nasta(user, insats.team_id, samcoach_id)
    return insats


# --- what the team and the samcoach see ---------------------------------------------------------


def vantedagar(insats: Insats) -> int | None:
    """Days from the decision to the start; still waiting: up to today."""
    slut = insats.startad or clock.today()
    return (slut - insats.beslutad).days


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


@dataclass
class Samcoachlage:
    team: Team
    kaseloads: list[Kaseload]
    ko: list[Koplats]
    ar_projektledare: bool


def samcoachlage(user: User, team_id: int) -> Samcoachlage:
    """Caseload per samcoach and the queue, by reference code: for the team's members.
    Three queries whatever the numbers."""
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    coacher = samcoacher(team.id)
    insatser = db.session.execute(
        select(Insats).where(Insats.team_id == team.id, Insats.form == InsatsForm.SAMCOACH,
                             Insats.status.in_(OPPNA))
        .options(joinedload(Insats.arende))
        .order_by(Insats.i_ko_sedan, Insats.startad, Insats.id)
    ).scalars().all()
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
