"""Overdue handlingsplan actions per party, marking one done; ärenden due for uppföljning
in the inbox and the scheduler job that calls them (idempotent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core.db import db
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning import jobs
from tests.uppfoljning import fabrik
from workflows import arende as wf


def _atgarder(world):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    af = fabrik.atgard(world, arende, "af", dt.date(2026, 1, 30), beskrivning="Boka möte med AF")
    fk = fabrik.atgard(world, arende, "fk", dt.date(2026, 1, 15), beskrivning="Utred rehabilitering")
    fabrik.atgard(world, arende, "af", dt.date(2026, 2, 20), beskrivning="Inte försenad")
    klar = fabrik.atgard(world, arende, "af", dt.date(2026, 1, 10), beskrivning="Redan klar")
    klar.klar_den = dt.date(2026, 1, 9)
    db.session.commit()
    return arende, af, fk


def test_overdue_per_party_for_projektledare_and_handlaggare(world, login):
    arende, af, fk = _atgarder(world)
    html = login(world.users["projektledare"]).get("/atgarder/forsenade").get_data(as_text=True)
    assert "Boka möte med AF" in html and "Utred rehabilitering" in html
    assert "Inte försenad" not in html and "Redan klar" not in html
    assert arende.referens in html
    assert "Arbetsförmedlingen Testbygd" in html and "Försäkringskassan Testbygd" in html

    html = login(world.users["ledamot_af"]).get("/atgarder/forsenade").get_data(as_text=True)
    assert "Boka möte med AF" in html and "Utred rehabilitering" not in html
    html = login(world.users["granne"]).get("/atgarder/forsenade").get_data(as_text=True)
    assert "Inga försenade åtgärder." in html
    assert login(world.users["samcoach"]).get("/atgarder/forsenade").status_code == 403


def test_marking_done_by_owning_party_or_projektledare(world, login, api):
    arende, af, fk = _atgarder(world)
    # FK's ledamot may not mark AF's action.
    assert login(world.users["ledamot_fk"]).post("/atgarder/klar", data={"atgard_id": af.id}).status_code == 403
    assert login(world.users["ersattare_af"]).post("/atgarder/klar", data={"atgard_id": af.id}).status_code == 303
    assert api("projektledare").post(f"/atgarder/{fk.id}/klar").get_json()["klar_den"] == "2026-02-02"
    assert api("granne").post(f"/atgarder/{fk.id}/klar").status_code == 404
    db.session.expire_all()
    assert db.session.get(Atgard, af.id).klar_den == dt.date(2026, 2, 2)
    body = api("projektledare").get("/atgarder/forsenade").get_json()
    assert body == {"parter": []}


def test_due_uppfoljning_in_inbox_and_job_runs_once(world, login, app):
    fabrik.satt_klockan()
    # The team's next meeting is 2026-02-10: an ärende due on the 9th is ready for it.
    fabrik.mote(world, dt.date(2026, 2, 10))
    forfallen = fabrik.i_insats(world, nasta_uppfoljning=dt.date(2026, 2, 9))
    idag = fabrik.i_insats(world, nasta_uppfoljning=dt.date(2026, 2, 2))
    senare = fabrik.i_insats(world, nasta_uppfoljning=dt.date(2026, 3, 15))
    db.session.commit()
    html = login(world.users["projektledare"]).get("/arenden/inkorg").get_data(as_text=True)
    assert "Dags för uppföljning" in html
    assert forfallen.referens in html and idag.referens in html and senare.referens not in html

    db.session.commit()  # the job runs in its own context and transaction, as in the scheduler
    assert jobs.kalla(app)["kallade_till_uppfoljning"] == 2
    assert jobs.kalla(app)["kallade_till_uppfoljning"] == 0  # nothing left: running twice is harmless
    db.session.expire_all()
    assert {a.referens: a.status for a in db.session.execute(select(Arende)).scalars()} == {
        forfallen.referens: wf.UPPFOLJNING, idag.referens: wf.UPPFOLJNING, senare.referens: wf.I_INSATS}
    antal = db.session.scalar(select(func.count(ArendeHandelse.id))
                              .where(ArendeHandelse.trigger == "kalla_till_uppfoljning"))
    assert antal == 2
    handelse = db.session.execute(select(ArendeHandelse).where(
        ArendeHandelse.trigger == "kalla_till_uppfoljning")).scalars().first()
    assert handelse.aktor_id == world.users["projektledare"].id and "Automatiskt" in handelse.kommentar
    # Still in the inbox, now as an ordinary follow-up.
    html = login(world.users["projektledare"]).get("/arenden/inkorg").get_data(as_text=True)
    assert forfallen.referens in html and "Dags för uppföljning" not in html
