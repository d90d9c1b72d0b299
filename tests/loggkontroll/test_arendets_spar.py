"""The audit trail of one ärende is complete (issue 18, point 3): every read and write of
its data, by whatever page, list, search, export or refusal, is found by loggkontroll
filtered on that ärende's reference code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.loggkontroll import services as logg
from tests import factories
from tests.uppfoljning import fabrik

# What each step below must leave in the ärende's own trail (action codes).
VANTADE = {
    "anteckning.skapa",  # a note written
    "arende.sok", "arende.sok_traff",  # a search by personnummer that found it
    "deltagare.sok",  # its deltagare looked up
    "finsam.visa", "finsam.export",  # Uppföljning Finsam page and its CSV, one row per ärende
    "atgard.lista_forsenade",  # the overdue-actions list that showed its action
    "arende.nekad",  # a refused API read
}


def test_loggkontroll_on_one_reference_finds_every_read_and_write(world, client, login):
    fabrik.satt_klockan()
    # Consent for AF and the kommun: the FK ledamot knows the ärende by reference only.
    arende = factories.create_arende(world, parter=["af", "kommun"])
    annat = factories.create_arende(world)  # its trail must stay apart
    fabrik.atgard(world, arende, "af", dt.date(2026, 1, 15))
    from samverkan.auth.services import create_token

    _, fk_token = create_token(world.users["ledamot_fk"], "test")
    _, af_token = create_token(world.users["ledamot_af"], "test")
    referens, arende_id, annat_id = arende.referens, arende.id, annat.id
    nummer = arende.deltagare.personnummer
    team_id = world.team.id
    db.session.commit()

    af = login(world.users["ledamot_af"])
    assert af.post(f"/arenden/{arende_id}/anteckningar", data={"ny-text": "<p>Ringde</p>"}).status_code == 303
    assert referens in af.post("/arenden/sok", data={"q": nummer}).get_data(as_text=True)
    assert af.get("/atgarder/forsenade").status_code == 200
    assert client.post("/api/v1/deltagare/sok", json={"personnummer": nummer},
                       headers={"Authorization": f"Bearer {af_token}"}).status_code == 200
    assert client.get(f"/api/v1/arenden/{arende_id}",
                      headers={"Authorization": f"Bearer {fk_token}"}).status_code == 403
    pl = login(world.users["projektledare"])
    assert pl.get(f"/rapporter/team/{team_id}/finsam").status_code == 200
    assert pl.get(f"/rapporter/team/{team_id}/finsam.csv").status_code == 200

    sida = logg.lista(world.users["admin"], logg.Urval(referens=referens), per_sida=500)
    hittade = {r.handling for r in sida.rader}
    assert hittade >= VANTADE, VANTADE - hittade
    # The list reads are in the ärende's own rows; the Finsam rows cover every ärende shown.
    db.session.rollback()
    for handling in ("finsam.visa", "finsam.export", "arende.sok_traff", "atgard.lista_forsenade", "arende.nekad"):
        rader = db.session.scalars(select(AuditEntry).where(AuditEntry.handling == handling,
                                                            AuditEntry.objekt_typ == "arende")).all()
        assert arende_id in {r.objekt_id for r in rader}, handling
        if handling in ("finsam.visa", "finsam.export"):
            assert {arende_id, annat_id} <= {r.objekt_id for r in rader}  # one row per ärende shown
    nekad = db.session.scalars(select(AuditEntry).where(AuditEntry.handling == "arende.nekad")).one()
    assert (nekad.user_id, nekad.kanal) == (world.users["ledamot_fk"].id, "api")
