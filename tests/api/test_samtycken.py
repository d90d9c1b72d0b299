"""A renewed or changed consent over the API (issue 15, point 2): the same service as the
case page's form, the same access (the aktualiserande handläggare or the projektledare),
audited, with the consent history readable; bad input answers 422 in Swedish and saves
nothing. Every answer is checked against the OpenAPI document by the ``api`` fixture."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services
from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.deltagare.models import Samtycke
from tests import factories
from tests.api.helpers import fel

NU = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
IDAG = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def klocka(ctx):
    clock.set_clock(lambda: NU)


def _body(world, **andra) -> dict:
    return {"givet_den": IDAG.isoformat(), "giltigt_till": (IDAG + dt.timedelta(days=365)).isoformat(),
            "satt": "underskrivet", "dokumentreferens": "Akt 2026/14",
            "part_ids": [world.parter["af"].id, world.parter["kommun"].id], **andra}


def _antal_samtycken() -> int:
    return db.session.scalar(select(func.count(Samtycke.id)))


def test_the_aktualiserande_handlaggare_renews_and_reads_the_history(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    forsta = arende.samtycke.id
    response = api("ledamot_af").post(f"/arenden/{arende.id}/samtycken", json=_body(world))
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/arenden/{arende.id}/samtycken")
    ny = response.get_json()
    assert (ny["giltigt_till"], ny["dokumentreferens"], sorted(ny["part_ids"])) == (
        "2027-03-02", "Akt 2026/14", sorted([world.parter["af"].id, world.parter["kommun"].id]))
    assert ny["registrerad_av_id"] == world.users["ledamot_af"].id

    db.session.expire_all()
    arende = db.session.get(Arende, arende.id)
    assert arende.samtycke.id == ny["id"]  # the latest counts
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.handling == "samtycke.fornya", AuditEntry.objekt_id == arende.id)) == 1

    historik = api("ledamot_af").get(f"/arenden/{arende.id}/samtycken")
    assert historik.status_code == 200
    assert [s["id"] for s in historik.get_json()["samtycken"]] == [ny["id"], forsta]
    # The projektledare may renew too, as on the case page.
    response = api("projektledare").post(f"/arenden/{arende.id}/samtycken",
                                         json=_body(world, part_ids=world.team_part_ids()))
    assert response.status_code == 201, response.get_json()


def test_access_is_the_case_pages(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    fore = _antal_samtycken()
    # Another party's ledamot reads the details but does not register consent.
    response = api("ledamot_fk").post(f"/arenden/{arende.id}/samtycken", json=_body(world))
    assert response.status_code == 403
    assert fel(response)["meddelande"] == (
        "Samtycket förnyas av handläggaren som aktualiserade ärendet eller av projektledaren.")
    # Another team's member does not learn that the ärende exists.
    assert api("granne").post(f"/arenden/{arende.id}/samtycken", json=_body(world)).status_code == 404
    assert api("granne").get(f"/arenden/{arende.id}/samtycken").status_code == 404
    assert _antal_samtycken() == fore


@pytest.mark.parametrize(("andra", "kod", "falt", "meddelande"), [
    ({"giltigt_till": "2026-03-01"}, "ogiltig_period", "giltigt_till",
     "Ett förnyat samtycke måste gälla i dag eller längre."),
    ({"givet_den": "2026-03-03"}, "datum_i_framtiden", "givet_den", "Samtycket kan inte vara givet i framtiden."),
    ({"dokumentreferens": "  "}, "dokumentreferens_saknas", "dokumentreferens",
     "Ange var det nya samtyckesdokumentet finns."),
    ({"part_ids": [1_000_000]}, "ogiltiga_parter", "parter", "Välj bland teamets parter vilka samtycket omfattar."),
])
def test_bad_input_is_422_in_swedish_and_saves_nothing(world, api, andra, kod, falt, meddelande):
    arende = factories.create_arende(world)
    db.session.commit()
    fore = _antal_samtycken()
    response = api("ledamot_af").post(f"/arenden/{arende.id}/samtycken", json=_body(world, **andra))
    assert response.status_code == 422
    assert (fel(response)["kod"], fel(response)["falt"], fel(response)["meddelande"]) == (kod, falt, meddelande)
    assert _antal_samtycken() == fore


def test_consent_must_cover_another_party_and_the_body_is_checked(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    fore = _antal_samtycken()
    klient = api("ledamot_af")
    response = klient.post(f"/arenden/{arende.id}/samtycken", json=_body(world, part_ids=[world.parter["af"].id]))
    assert response.status_code == 422 and fel(response)["kod"] == "samtycke_parter"
    for trasig in ({"satt": "muntligt_kanske"}, {"dokumentreferens": None}, {"part_ids": []}):
        assert klient.post(f"/arenden/{arende.id}/samtycken", json=_body(world, **trasig)).status_code == 422
    body = _body(world)
    del body["dokumentreferens"]
    assert klient.post(f"/arenden/{arende.id}/samtycken", json=body).status_code == 422
    assert _antal_samtycken() == fore


def test_a_withdrawn_consent_is_not_renewed(world, api):
    arende = factories.create_arende(world)
    services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=None, kommentar="Skriftligt.")
    db.session.commit()
    fore = _antal_samtycken()
    response = api("ledamot_af").post(f"/arenden/{arende.id}/samtycken", json=_body(world))
    assert response.status_code in (403, 422)
    assert _antal_samtycken() == fore
