"""A meeting's agenda before the meeting: the projektledare adds, removes, orders and
sizes items. Every status change of an ärende goes through ``arenden.services.fire``, so
its guards (consent covering the meeting date) and its history row apply.

Each function checks access through the policy, changes and flushes, and audits; the
caller commits once. ``agendaversion`` is bumped on every change, so the kallelse
scheduler finds changed agendas by query; nothing here sends mail.

Agenda changes lock the meeting row first (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite ``BEGIN IMMEDIATE`` serialises writers), so the capacity is counted inside the
lock and two simultaneous additions cannot overbook it.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from samverkan.arenden import services as arende_services
from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.moten.hamta import _arende_for, _mote, _punkt, _punkter
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus, punktregler
from samverkan.moten.tider import (
    MIN_LANGD,
    ar_passerat,
    berakna_tidsluckor,
    kapacitet,
    motesdatum,
    pagar_idag,
)
from samverkan.moten.utfall import UTFALL
from workflows import arende as wf


def _agenda_kan_andras(mote: Mote) -> None:
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt; dagordningen kan inte ändras.")
    if ar_passerat(mote):
        raise DomainError("mote_passerat", "Mötet har redan börjat; dagordningen kan inte ändras. "
                          "Avsluta mötets dagordning när mötet är klart.")


def _agenda_andrad(user: User, mote: Mote, bokade: list[Dagordningspunkt], handling: str,
                   falt: list[str]) -> None:
    berakna_tidsluckor(mote, bokade)
    mote.agendaversion += 1
    db.session.flush()
    audit.record(f"mote.dagordning.{handling}", "mote", mote.id, user_id=user.id, falt=falt)


def _overford_fran(arende_id: int, mote: Mote) -> int | None:
    """The item at the ärende's latest earlier meeting, if it was not reached there."""
    senaste = db.session.execute(
        select(Dagordningspunkt)
        .join(Mote, Mote.id == Dagordningspunkt.mote_id)
        .where(Dagordningspunkt.arende_id == arende_id, Dagordningspunkt.utfall.is_not(None),
               Mote.installt.is_(None), Mote.starttid < mote.starttid)
        .order_by(Mote.starttid.desc(), Dagordningspunkt.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return senaste.id if senaste is not None and senaste.utfall == UTFALL["bordlagg"] else None


def lagg_till(user: User, mote_id: int, arende_id: int) -> Dagordningspunkt:
    """Put an ärende on the agenda: the ärende goes to på agenda through the state machine
    (refused if its consent does not cover the meeting date). A handläggare's request for
    this meeting becomes the booked item. Refused beyond the capacity, counted under the
    meeting's row lock."""
    mote = _mote(user, mote_id, andra=True, las=True)
    if not pagar_idag(mote):
        _agenda_kan_andras(mote)
    if mote.typ != MotesTyp.ARENDEDRAGNING:
        raise DomainError("planeringsmote", "Mötet är ett planeringsmöte utan ärendedragning.")
    arende = _arende_for(user, mote, arende_id)
    punkter = _punkter(mote)
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD]
    punkt = next((p for p in punkter if p.arende_id == arende.id), None)
    if punkt is not None and punkt.status == PunktStatus.BOKAD:
        raise DomainError("redan_pa_dagordningen", f"{arende.referens} finns redan på dagordningen.",
                          field="arende_id")
    tak = kapacitet(mote)
    if len(bokade) >= tak:
        raise DomainError("dagordningen_full",
                          f"Dagordningen är full ({len(bokade)} av {tak} ärenden). Ta bort ett ärende "
                          "eller höj mötets kapacitet först.", field="arende_id")
    uppfoljning = arende.status == wf.UPPFOLJNING
    # The item is booked first: the flow's guard reads the booked item and its meeting
    # (a refusal rolls the whole request back).
    if punkt is None:
        punkt = Dagordningspunkt(mote=mote, arende=arende, status=punktregler.forsta(PunktStatus.BOKAD))
        db.session.add(punkt)
    else:
        punktregler.byt(punkt, PunktStatus.BOKAD)
    punkt.uppfoljning = uppfoljning
    punkt.ordning = len(bokade) + 1
    punkt.overford_fran_id = _overford_fran(arende.id, mote)
    db.session.flush()
    arende_services.fire(user, arende.id, "placera_pa_agenda", version=None, kanal=wf.MOTE,
                         kommentar=f"Dagordningen för mötet {motesdatum(mote).isoformat()}.")
    # Requests for other meetings are answered by this booking.
    db.session.execute(
        delete(Dagordningspunkt).where(Dagordningspunkt.arende_id == arende.id,
                                       Dagordningspunkt.status == PunktStatus.ANMALD,
                                       Dagordningspunkt.mote_id != mote.id)
    )
    _agenda_andrad(user, mote, [*bokade, punkt], "lagg_till", ["dagordning"])
    return punkt


def ta_bort(user: User, mote_id: int, punkt_id: int) -> None:
    """Take an item off the agenda before the meeting: the ärende goes back to the inbox
    (bordlagg). A handläggare's request is declined the same way, without a transition."""
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    punkter = _punkter(mote)
    punkt = _punkt(mote, punkt_id, punkter)
    if punkt.status == PunktStatus.ANMALD:
        db.session.delete(punkt)
        db.session.flush()
        audit.record("mote.anmalan.avsla", "mote", mote.id, user_id=user.id, falt=["anmalan"])
        return
    if punkt.arende.status == wf.PA_AGENDA:
        arende_services.fire(user, punkt.arende_id, "bordlagg", version=None, kanal=wf.MOTE,
                             kommentar=f"Togs bort från dagordningen för mötet {motesdatum(mote).isoformat()}.")
    db.session.delete(punkt)
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD and p.id != punkt.id]
    _agenda_andrad(user, mote, bokade, "ta_bort", ["dagordning"])


def flytta(user: User, mote_id: int, punkt_id: int, riktning: str) -> Dagordningspunkt:
    """Move an item one step up or down the agenda."""
    if riktning not in ("upp", "ned"):
        raise DomainError("ogiltig_riktning", "Välj upp eller ned.", field="riktning")
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD]
    punkt = _punkt(mote, punkt_id, bokade)
    i = bokade.index(punkt)
    j = i - 1 if riktning == "upp" else i + 1
    if not 0 <= j < len(bokade):
        raise DomainError("kan_inte_flytta", "Punkten är redan " + ("först." if riktning == "upp" else "sist."))
    bokade[i], bokade[j] = bokade[j], bokade[i]
    for n, p in enumerate(bokade, start=1):
        p.ordning = n
    _agenda_andrad(user, mote, bokade, "ordning", ["ordning"])
    return punkt


def andra_punkt(user: User, mote_id: int, punkt_id: int, *, langd_minuter: int | None,
                individen_medverkar: bool) -> Dagordningspunkt:
    """An item's length (None: the default share of the meeting) and whether the
    individual takes part; the time slots after it follow."""
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD]
    punkt = _punkt(mote, punkt_id, bokade)
    if langd_minuter is not None and not MIN_LANGD <= langd_minuter <= mote.langd_minuter:
        raise DomainError("ogiltig_langd", f"Punktens längd ska vara mellan {MIN_LANGD} och "
                          f"{mote.langd_minuter} minuter.", field="langd_minuter")
    falt = [k for k, v in (("langd_minuter", langd_minuter), ("individen_medverkar", individen_medverkar))
            if getattr(punkt, k) != v]
    if not falt:
        return punkt
    punkt.langd_minuter = langd_minuter
    punkt.individen_medverkar = individen_medverkar
    _agenda_andrad(user, mote, bokade, "punkt", falt)
    return punkt
