"""The meeting's work in the API: attendance, an item's outcome (every field's message on
refusal, nothing saved), the caseload and queue, confirming an offered place. Every
answer is checked against the OpenAPI document by the ``api`` fixture."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten import dagordning
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning import services as uppfoljning_services
from tests.api.conftest import api, token_for  # noqa: F401  (fixtures)
from tests.api.helpers import fel
from tests.moten.conftest import under_motet
from workflows import arende as wf


def test_attendance(world, pa_agendan, api):  # noqa: F811
    mote, _ = pa_agendan(0)
    under_motet(mote)
    rader = [{"part_id": p.id, "status": "narvarande"} for p in world.parter.values()]
    rader[0] = {"part_id": world.parter["af"].id, "status": "genom_ersattare",
                "person_id": world.users["ersattare_af"].id}
    assert api("ledamot_af").request("PUT", f"/moten/{mote.id}/narvaro", json={"narvaro": rader}).status_code == 403
    response = api("projektledare").request("PUT", f"/moten/{mote.id}/narvaro", json={"narvaro": rader})
    assert response.status_code == 200, response.get_json()
    visad = api("ledamot_fk").get(f"/moten/{mote.id}/narvaro").get_json()["narvaro"]
    assert {r["part_id"]: r["status"] for r in visad}[world.parter["af"].id] == "genom_ersattare"
    rader[1] = {"part_id": world.parter["fk"].id, "status": "kanske"}
    response = api("projektledare").request("PUT", f"/moten/{mote.id}/narvaro", json={"narvaro": rader})
    assert response.status_code == 422
    assert fel(response)["falt_fel"] == {f"narvaro-{world.parter['fk'].id}": "Välj närvaro för Försäkringskassan Testbygd."}


def test_an_items_outcome_and_the_queue(world, pa_agendan, api):  # noqa: F811
    m = db.session.execute(select(Medlemskap).where(Medlemskap.roll == TeamRoll.SAMCOACH)).scalar_one()
    m.kapacitet = 1
    mote, (forst, andra) = pa_agendan(2)
    under_motet(mote)
    pl = api("projektledare")
    samcoach = world.users["samcoach"].id
    dalig = pl.post(f"/moten/{mote.id}/dagordning/{forst.id}/utfall", json={
        "beslut": "samcoach", "samcoach_id": samcoach, "folj_upp_den": "2026-01-01",
        "atgarder": [{"beskrivning": "", "part_id": world.parter["af"].id, "ansvarig": "Kim",
                      "klar_senast": "2026-03-31"}]})
    assert dalig.status_code == 422
    assert set(fel(dalig)["falt_fel"]) == {"folj_upp_den", "atgard-0-beskrivning"}
    assert db.session.scalar(select(func.count(Atgard.id))) == 0
    assert db.session.get(Arende, forst.arende_id).status == wf.PA_AGENDA

    for punkt in (forst, andra):
        response = pl.post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall", json={
            "beslut": "samcoach", "samcoach_id": samcoach, "folj_upp_den": "2026-04-01",
            "atgarder": [{"beskrivning": "Kartläggning", "part_id": world.parter["af"].id, "ansvarig": "Kim",
                          "klar_senast": "2026-03-31"}]})
        assert response.status_code == 200, response.get_json()
    assert response.get_json()["insats"]["status"] == "ko"
    lage = api("ledamot_fk").get(f"/teams/{world.team.id}/samcoach").get_json()
    assert [i["arende"]["id"] for i in lage["samcoacher"][0]["insatser"]] == [forst.arende_id]
    assert [(k["position"], k["insats"]["arende"]["id"]) for k in lage["ko"]] == [(1, andra.arende_id)]

    arende_services.fire(world.users["projektledare"], forst.arende_id, "avsluta", version=None,
                         avslutsorsak="studier", forsorjning_slut="csn", sysselsattning_slut="studier")
    db.session.commit()
    insats = db.session.execute(select(Insats).where(Insats.arende_id == andra.arende_id)).scalar_one()
    assert insats.status == InsatsStatus.ERBJUDEN
    assert pl.post(f"/teams/{world.team.id}/insatser/{insats.id}/bekrafta").status_code == 200
    assert db.session.get(Arende, andra.arende_id).status == wf.I_INSATS
    assert pl.post(f"/teams/{world.team.id}/insatser/{insats.id}/bekrafta").status_code == 409
    assert pl.post(f"/teams/{world.team.id}/insatser/{insats.id}/avslut").get_json()["status"] == "avslutad"


def test_a_follow_up_outcome_with_stegmatning(world, pa_agendan, nytt_mote, api):  # noqa: F811
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = api("projektledare")
    assert pl.post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall",
                   json={"beslut": "ordinarie", "folj_upp_den": "2026-04-01"}).status_code == 200
    arende_services.fire(world.users["projektledare"], punkt.arende_id, "kalla_till_uppfoljning", version=None)
    nasta = nytt_mote(dt.date(2026, 4, 7))
    upp = dagordning.lagg_till(world.users["projektledare"], nasta.id, punkt.arende_id)
    db.session.commit()
    under_motet(nasta)
    steg = uppfoljning_services.stege(world.forbund.id)[2]
    response = pl.post(f"/moten/{nasta.id}/dagordning/{upp.id}/utfall", json={
        "beslut": "ordinarie", "folj_upp_den": "2026-06-01",
        "stegmatning": {"steg_id": steg.id, "sysselsattningsgrad": 50}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["utfall"] == "foljd_upp"
