"""Issue 15: the flow is the only door. Every fact a guard used to take from the caller
(``motesdatum``, ``ledig_plats``) is refused over the API and the case page's generic
transition form; the meeting's triggers are refused through those entrances; the guards
look the facts up themselves; and what must follow a transition runs inside the flow.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden.flow import ArendeFlow
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.insatser import services as insats_services
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
from samverkan.moten.models import Dagordningspunkt, Mote
from tests import factories
from workflows import arende as wf

NU = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def klocka():
    clock.set_clock(lambda: NU)
    yield
    clock.set_clock(None)


@pytest.fixture
def api(client, world):
    def _post(key: str, path: str, body: dict):
        _, secret = create_token(world.users[key], "test")
        db.session.commit()
        return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {secret}"})
    return _post


def _lage(arende_id: int) -> tuple:
    """What the database holds for the ärende: status, version, history rows, insatser."""
    db.session.expire_all()
    status, version = db.session.execute(select(Arende.status, Arende.version).where(Arende.id == arende_id)).one()
    handelser = db.session.scalar(select(func.count()).select_from(ArendeHandelse)
                                  .where(ArendeHandelse.arende_id == arende_id))
    insatser = db.session.scalar(select(func.count()).select_from(Insats).where(Insats.arende_id == arende_id))
    return status, version, handelser, insatser


def _samplanerad(world) -> Arende:
    arende = factories.create_arende(world)
    factories.placera(world, arende)
    factories.fire_mote(world, arende, "samplanera")
    db.session.commit()
    return arende


# --- the intruder's path from the issue, over the API ---------------------------------------

def test_api_refuses_motesdatum_and_the_meeting_triggers(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    fore = _lage(arende.id)
    path = f"/arenden/{arende.id}/handelser"
    svar = api("projektledare", path, {"trigger": "placera_pa_agenda", "version": arende.version,
                                       "motesdatum": "2026-03-19"})
    assert svar.status_code == 422
    assert svar.get_json()["fel"]["kod"] == "okant_falt" and svar.get_json()["fel"]["falt"] == "motesdatum"
    # Without the field: the agenda's trigger is not the API's to fire.
    svar = api("projektledare", path, {"trigger": "placera_pa_agenda", "version": arende.version})
    assert svar.status_code == 422
    assert svar.get_json()["fel"]["kod"] == "fel_ingang"
    assert "dagordningen eller mötesläget" in svar.get_json()["fel"]["meddelande"]
    assert _lage(arende.id) == fore


@pytest.mark.parametrize("falt", [{"ledig_plats": True}, {}], ids=["ledig_plats", "utan"])
def test_api_cannot_move_a_samplanerat_arende_into_insats_without_an_insats(world, api, falt):
    arende = _samplanerad(world)
    fore = _lage(arende.id)
    svar = api("projektledare", f"/arenden/{arende.id}/handelser",
               {"trigger": "anvisa_insats", "version": arende.version, **falt})
    assert svar.status_code == 422
    assert svar.get_json()["fel"]["kod"] == ("okant_falt" if falt else "fel_ingang")
    assert _lage(arende.id) == fore and fore[0] == wf.SAMPLANERAD and fore[3] == 0


def test_a_queued_arende_cannot_jump_the_queue(world, api):
    # Two ärenden wait for the only samcoach place, in order; the second asks to go first.
    samcoach = world.users["samcoach"]
    medlemskap = next(m for m in insats_services.samcoacher(world.team.id) if m.user_id == samcoach.id)
    medlemskap.kapacitet = 0
    forst, sedan = _samplanerad(world), _samplanerad(world)
    pl = world.users["projektledare"]
    for a in (forst, sedan):
        insats_services.besluta(pl, a, InsatsForm.SAMCOACH, samcoach_id=samcoach.id)
    db.session.commit()
    assert (forst.status, sedan.status) == (wf.I_KO, wf.I_KO)
    fore = _lage(sedan.id)
    for body in ({"ledig_plats": True}, {}):
        svar = api("projektledare", f"/arenden/{sedan.id}/handelser",
                   {"trigger": "anvisa_insats", "version": sedan.version, **body})
        assert svar.status_code == 422
    # Even through the queue's entrance, the flow looks for the place itself: none offered.
    with pytest.raises(DomainError) as fel:
        ArendeFlow(db.session.get(Arende, sedan.id)).fire("anvisa_insats", aktor_id=pl.id, kanal=wf.INSATSER)
    assert fel.value.code == "villkor_ej_uppfyllt"
    db.session.rollback()
    assert _lage(sedan.id) == fore
    # A place frees: it is offered to the first in line, not to the one that asked.
    medlemskap = db.session.merge(medlemskap)
    medlemskap.kapacitet = 1
    insats_services._erbjud_nasta(pl, world.team.id, samcoach.id)
    db.session.commit()
    erbjuden = db.session.execute(select(Insats).where(Insats.status == InsatsStatus.ERBJUDEN)).scalar_one()
    assert erbjuden.arende_id == forst.id


# --- the case page's generic transition form ------------------------------------------------

@pytest.mark.parametrize("trigger", ["placera_pa_agenda", "samplanera", "anvisa_insats", "satt_i_ko", "bordlagg"])
def test_the_case_page_form_refuses_the_meetings_triggers(world, login, trigger):
    arende = _samplanerad(world) if trigger in ("anvisa_insats", "satt_i_ko") else factories.create_arende(world)
    if trigger in ("samplanera", "bordlagg"):
        factories.placera(world, arende)
    db.session.commit()
    fore = _lage(arende.id)
    client = login(world.users["projektledare"])
    svar = client.post(f"/arenden/{arende.id}/handelse", data={
        "trigger": trigger, "version": arende.version,
        # What the old guards read: a browser can post any field.
        "motesdatum": "2026-03-19", "ledig_plats": "y"})
    assert svar.status_code == 422
    html = svar.get_data(as_text=True)
    assert "görs från" in html and "mötesläget" in html and "inte här" in html
    assert _lage(arende.id) == fore


def test_the_flow_refuses_facts_from_any_caller(world):
    arende = factories.create_arende(world)
    db.session.commit()
    for kontext in ({"motesdatum": dt.date(2026, 3, 19)}, {"ledig_plats": True}, {"mote_id": 1}):
        with pytest.raises(DomainError) as fel:
            ArendeFlow(arende).fire("placera_pa_agenda", aktor_id=world.users["projektledare"].id,
                                    kanal=wf.MOTE, **kontext)
        assert fel.value.code == "okand_uppgift"
    # Through the right entrance but with nothing booked: the guard finds no meeting.
    with pytest.raises(DomainError) as fel:
        ArendeFlow(arende).fire("placera_pa_agenda", aktor_id=world.users["projektledare"].id, kanal=wf.MOTE)
    assert fel.value.code == "villkor_ej_uppfyllt"
    db.session.rollback()
    assert _lage(arende.id)[0] == wf.AKTUALISERAD


# --- effects inside the flow -----------------------------------------------------------------

def test_avslut_over_the_api_ends_the_insats_and_offers_the_place_to_the_queue(world, api):
    samcoach = world.users["samcoach"]
    medlemskap = next(m for m in insats_services.samcoacher(world.team.id) if m.user_id == samcoach.id)
    medlemskap.kapacitet = 1
    pl = world.users["projektledare"]
    har_plats, vantar = _samplanerad(world), _samplanerad(world)
    insats_services.besluta(pl, har_plats, InsatsForm.SAMCOACH, samcoach_id=samcoach.id)
    insats_services.besluta(pl, vantar, InsatsForm.SAMCOACH, samcoach_id=samcoach.id)
    db.session.commit()
    assert (har_plats.status, vantar.status) == (wf.I_INSATS, wf.I_KO)
    svar = api("projektledare", f"/arenden/{har_plats.id}/handelser", {
        "trigger": "avsluta", "version": har_plats.version, "avslutsorsak": "arbete",
        "forsorjning_slut": "lon", "sysselsattning_slut": "arbete"})
    assert svar.status_code == 201, svar.get_json()
    db.session.expire_all()
    statusar = dict(db.session.execute(select(Insats.arende_id, Insats.status)).all())
    assert statusar == {har_plats.id: InsatsStatus.AVSLUTAD, vantar.id: InsatsStatus.ERBJUDEN}


def test_withdrawal_over_the_api_takes_the_arende_off_the_coming_agenda(world, api):
    arende = factories.create_arende(world)
    punkt = factories.placera(world, arende)
    mote_id = punkt.mote_id
    mote = db.session.get(Mote, mote_id)
    mote.kallelse_skickad, mote.skickad_agendaversion = clock.now(), mote.agendaversion
    db.session.commit()
    version = mote.agendaversion
    svar = api("ledamot_af", f"/arenden/{arende.id}/handelser", {"trigger": "aterkalla", "version": arende.version})
    assert svar.status_code == 201, svar.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Dagordningspunkt)
                             .where(Dagordningspunkt.arende_id == arende.id)) == 0
    # The agenda changed after the kallelse went out: the scheduler's tillägg is due.
    assert db.session.get(Mote, mote_id).agendaversion == version + 1
