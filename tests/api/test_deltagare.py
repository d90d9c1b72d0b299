"""POST /deltagare/sok: exact lookup by number, in the body, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests import factories
from tests.api.helpers import fel


def _searches() -> list[AuditEntry]:
    # In the order written: PostgreSQL returns an unordered select in heap order, which
    # rows freed by earlier tests make differ from it.
    return db.session.execute(select(AuditEntry).where(AuditEntry.handling == "deltagare.sok")
                              .order_by(AuditEntry.id)).scalars().all()


def test_found_by_number_without_revealing_it(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    nummer = arende.deltagare.personnummer
    before = len(_searches())
    response = api("ledamot_af").post("/deltagare/sok", json={"personnummer": f"{nummer[:8]}-{nummer[8:]}"})
    assert response.status_code == 200
    assert response.get_json() == {"id": arende.deltagare_id, "kon": "kvinna",
                                   "fodelsear": int(nummer[:4]), "samordningsnummer": False}
    assert nummer not in response.get_data(as_text=True)
    searches = _searches()
    assert len(searches) == before + 1
    assert searches[-1].kanal == "api"


def test_not_found_is_404_and_still_audited(world, api):
    response = api("ledamot_af").post("/deltagare/sok", json={"personnummer": factories.personnummer()})
    assert response.status_code == 404
    assert fel(response)["kod"] == "hittades_inte"
    assert len(_searches()) == 1


def test_invalid_number_is_422_on_the_field(world, api):
    response = api("ledamot_af").post("/deltagare/sok", json={"personnummer": "19850312-1235"})
    assert response.status_code == 422
    assert fel(response)["kod"] == "ogiltigt_personnummer"
    assert fel(response)["falt"] == "personnummer"


@pytest.mark.parametrize(("kwargs", "status", "kod"), [
    ({"data": "personnummer=198503121234"}, 400, "ogiltig_json"),
    ({"data": "{inte json", "content_type": "application/json"}, 400, "ogiltig_json"),
    ({"json": ["198503121234"]}, 400, "ogiltig_json"),
    ({"json": {}}, 422, "falt_saknas"),
    ({"json": {"personnummer": 198503121234}}, 422, "ogiltig_typ"),
    ({"json": {"personnummer": "198503121234", "namn": "x"}}, 422, "okant_falt"),
])
def test_malformed_bodies_are_refused(world, api, kwargs, status, kod):
    response = api("ledamot_af").post("/deltagare/sok", **kwargs)
    assert response.status_code == status
    assert fel(response)["kod"] == kod


def test_number_is_never_accepted_in_the_url(world, api):
    assert api("ledamot_af").get("/deltagare/sok?personnummer=198503121234").status_code == 405


@pytest.mark.parametrize("key", ["admin", "styrgrupp", "samcoach"])
def test_roles_without_case_work_may_not_search(world, api, key):
    """Knowing that a person is a participant is itself sensitive."""
    arende = factories.create_arende(world)
    db.session.commit()
    before = len(_searches())
    response = api(key).post("/deltagare/sok", json={"personnummer": arende.deltagare.personnummer})
    assert response.status_code == 403
    assert fel(response)["kod"] == "saknar_behorighet"
    assert len(_searches()) == before
