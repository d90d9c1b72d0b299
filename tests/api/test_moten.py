"""The meetings API: a team's meetings, one meeting with its agenda by reference code,
adding and removing items, moving and cancelling. Every answer is checked against the
OpenAPI document by the ``api`` client."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.moten import anmalningar, dagordning, redigering
from tests import factories
from tests.api.helpers import fel
from workflows import arende as wf

NU = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def mote(world):
    clock.set_clock(lambda: NU)
    m = redigering.skapa_mote(world.users["projektledare"], world.team.id, datum=dt.date(2026, 3, 10),
                            klockslag=dt.time(13, 0), langd_minuter=120, plats="Kommunhuset, rum 3",
                            kapacitet_=2)
    db.session.commit()
    return m


def test_team_meetings_in_date_order(world, api, mote):
    redigering.skapa_mote(world.users["projektledare"], world.team.id, datum=dt.date(2026, 2, 10),
                        klockslag=dt.time(9, 0), langd_minuter=60)
    db.session.commit()
    response = api("ersattare_af").get(f"/teams/{world.team.id}/moten")
    assert response.status_code == 200
    moten = response.get_json()["moten"]
    assert [(m["datum"], m["klockslag"]) for m in moten] == [("2026-02-10", "09:00"), ("2026-03-10", "13:00")]
    m = moten[1]
    assert m["starttid"] == "2026-03-10T12:00:00+00:00"
    assert m["kallelse_planerad"] == "2026-03-06T08:00:00+00:00"
    assert (m["kapacitet"], m["egen_kapacitet"], m["antal_punkter"]) == (2, 2, 0)
    fran = api("ersattare_af").get(f"/teams/{world.team.id}/moten?fran=2026-03-01").get_json()["moten"]
    assert [m["id"] for m in fran] == [mote.id]
    assert api("ersattare_af").get(f"/teams/{world.team.id}/moten?fran=mars").status_code == 422


def test_meeting_shows_the_agenda_by_reference_code_only(world, api, mote):
    arende = factories.create_arende(world)
    dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    anmalt = factories.create_arende(world, handlaggare="ledamot_fk")
    anmalningar.anmal(world.users["ledamot_fk"], mote.id, anmalt.id)
    db.session.commit()
    response = api("ledamot_kommun").get(f"/moten/{mote.id}")
    assert response.status_code == 200
    body = response.get_json()
    [punkt] = body["dagordning"]
    assert punkt["arende"]["referens"] == arende.referens
    assert punkt["arende"]["aktualiserande_part"]["id"] == world.parter["af"].id
    assert (punkt["uppfoljning"], punkt["ordning"], punkt["tidslucka"], punkt["langd_minuter"]) == (
        False, 1, "13:00", 60)
    assert [p["arende"]["referens"] for p in body["anmalningar"]] == [anmalt.referens]
    text = response.get_data(as_text=True)
    assert arende.deltagare.personnummer not in text and "samordna" not in text


def test_add_and_remove_through_the_flow(world, api, mote):
    arende = factories.create_arende(world)
    db.session.commit()
    client = api("projektledare")
    response = client.post(f"/moten/{mote.id}/dagordning", json={"arende_id": arende.id})
    assert response.status_code == 201
    punkt = response.get_json()
    assert punkt["status"] == "bokad" and punkt["arende"]["status"] == wf.PA_AGENDA
    db.session.expire_all()
    assert arende.status == wf.PA_AGENDA

    response = client.delete(f"/moten/{mote.id}/dagordning/{punkt['id']}")
    assert response.status_code == 204
    db.session.expire_all()
    assert arende.status == wf.AKTUALISERAD
    assert client.delete(f"/moten/{mote.id}/dagordning/{punkt['id']}").status_code == 404


def test_refusals_have_stable_codes(world, api, mote):
    client = api("projektledare")
    utan_samtycke = factories.create_arende(world, giltigt_dagar=10)
    fulla = [factories.create_arende(world) for _ in range(3)]
    db.session.commit()
    response = client.post(f"/moten/{mote.id}/dagordning", json={"arende_id": utan_samtycke.id})
    assert response.status_code == 422
    assert fel(response) == {"kod": "villkor_ej_uppfyllt", "meddelande": wf.GUARD_MESSAGES["samtycke_tacker_motet"],
                             "falt": None}
    for arende in fulla[:2]:
        assert client.post(f"/moten/{mote.id}/dagordning", json={"arende_id": arende.id}).status_code == 201
    response = client.post(f"/moten/{mote.id}/dagordning", json={"arende_id": fulla[2].id})
    assert response.status_code == 422 and fel(response)["kod"] == "dagordningen_full"
    assert client.post(f"/moten/{mote.id}/dagordning", json={"arende": 1}).status_code == 422
    assert client.post(f"/moten/{mote.id}/dagordning", data="x").status_code == 400


def test_patch_moves_the_meeting(world, api, mote):
    response = api("projektledare").request("PATCH", f"/moten/{mote.id}", json={
        "datum": "2026-03-17", "klockslag": "09:30", "kapacitet": None})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["datum"], body["klockslag"], body["sekvens"]) == ("2026-03-17", "09:30", 1)
    assert body["kallelse_planerad"] == "2026-03-13T08:00:00+00:00"
    assert (body["egen_kapacitet"], body["kapacitet"]) == (None, world.team.agendakapacitet)
    response = api("projektledare").request("PATCH", f"/moten/{mote.id}", json={"klockslag": "25:00"})
    assert response.status_code == 422 and fel(response)["falt"] == "klockslag"
    response = api("projektledare").request("PATCH", f"/moten/{mote.id}", json={"videolank": "javascript:x"})
    assert response.status_code == 422 and fel(response)["falt"] == "videolank"


def test_cancel(world, api, mote):
    response = api("projektledare").post(f"/moten/{mote.id}/installning")
    assert response.status_code == 200
    body = response.get_json()
    assert body["installt"] == "2026-02-02T09:00:00+00:00" and body["sekvens"] == 1
    again = api("projektledare").post(f"/moten/{mote.id}/installning")
    assert again.status_code == 422 and fel(again)["kod"] == "mote_installt"


def test_members_read_only_and_others_not_at_all(world, api, mote):
    arende = factories.create_arende(world)
    db.session.commit()
    ledamot = api("ledamot_af")
    assert ledamot.get(f"/moten/{mote.id}").status_code == 200
    assert ledamot.post(f"/moten/{mote.id}/dagordning", json={"arende_id": arende.id}).status_code == 403
    assert ledamot.post(f"/moten/{mote.id}/installning").status_code == 403
    assert ledamot.request("PATCH", f"/moten/{mote.id}", json={"plats": "x"}).status_code == 403
    granne = api("granne")
    assert granne.get(f"/moten/{mote.id}").status_code == 404
    assert granne.get(f"/teams/{world.team.id}/moten").status_code == 404
    assert granne.post(f"/moten/{mote.id}/installning").status_code == 404
    assert api(None).get(f"/moten/{mote.id}").status_code == 401
    db.session.expire_all()
    assert arende.status == wf.AKTUALISERAD and mote.installt is None
