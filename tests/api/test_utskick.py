"""API: a meeting's outbox state, for its projektledare only."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser import jobs
from tests.api.helpers import fel
from tests.kallelser.helpers import KALLELSETID, PAMINNELSETID, Klocka, skapa_mote


@pytest.fixture
def mote(world, ctx):
    k = Klocka(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
    clock.set_clock(lambda: k.nu)
    mote = skapa_mote(world)
    for tid in (PAMINNELSETID, KALLELSETID):
        k.satt(tid)
        db.session.commit()
        jobs.planera(ctx)
    db.session.expire_all()
    return mote


def test_the_projektledare_sees_each_message_and_its_state(world, api, mote):
    response = api("projektledare").get(f"/moten/{mote.id}/utskick")
    assert response.status_code == 200
    body = response.get_json()
    assert body["mote_id"] == mote.id
    assert body["kallelse_planerad"] == body["kallelse_skickad"] == "2026-12-04T08:00:00+00:00"
    assert body["smtp_konfigurerad"] is False
    assert len(body["utskick"]) == 6 + 5
    assert {(u["typ"], u["status"], u["version"]) for u in body["utskick"] if u["typ"] == "kallelse"} == {
        ("kallelse", "koad", "0.0")}
    assert {u["mottagare"]["namn"] for u in body["utskick"]} >= {"Petra Projektsson", "Ledamot FK"}
    # State only: no addresses, no text.
    assert "@example.org" not in response.get_data(as_text=True)
    assert "Dagordning" not in response.get_data(as_text=True)


@pytest.mark.parametrize("vem", ["ledamot_af", "granne", "admin"])
def test_others_get_404(world, api, mote, vem):
    response = api(vem).get(f"/moten/{mote.id}/utskick")
    assert response.status_code == 404
    assert fel(response)["kod"] == "hittades_inte"


def test_unknown_meeting_and_missing_token(world, api, mote):
    assert api("projektledare").get("/moten/999999/utskick").status_code == 404
    assert api(None).get(f"/moten/{mote.id}/utskick").status_code == 401
