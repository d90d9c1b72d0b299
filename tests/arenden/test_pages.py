"""The ärende list and case page as users reach them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from samverkan.arenden.models import Arende
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests import factories


def _bulk_arenden(world, n: int) -> None:
    for _ in range(n):
        factories.create_arende(world, aktualisera=False)
    db.session.commit()


@pytest.mark.parametrize("size", [10, 200])
def test_list_page_costs_the_same_number_of_queries_at_any_size(world, login, count_queries, app, size):
    _bulk_arenden(world, size)
    # The drafts are their author's alone (issue 15): she lists them.
    client = login(world.users["ledamot_af"])
    app.config["PAGE_SIZE"] = 200
    try:
        with count_queries() as q:
            response = client.get("/arenden/")
    finally:
        app.config["PAGE_SIZE"] = 25
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("/arenden/") >= size
    # Session user, memberships, count, the page with its joins: nothing per row.
    assert q.count <= 6, "\n".join(s[:120] for s in q.statements)


def test_list_shows_reference_codes_never_personal_data(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    html = login(world.users["projektledare"]).get("/arenden/").get_data(as_text=True)
    assert arende.referens in html
    assert arende.deltagare.personnummer not in html


def test_case_page_for_covered_member_shows_details_and_is_audited(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    user = world.users["ledamot_fk"]
    html = login(user).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Hur kan vi samordna stödet?" in html
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.handling == "arende.visa", AuditEntry.user_id == user.id)
    ).scalar_one()
    assert entry.objekt_id == arende.id and entry.kanal == "webb"


def test_member_of_party_not_covered_sees_only_reference(world, login):
    arende = factories.create_arende(world, parter=["af", "kommun"])
    db.session.commit()
    response = login(world.users["ledamot_fk"]).get(f"/arenden/{arende.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert arende.referens in html and "samordna" not in html
    assert arende.deltagare.personnummer[:8] not in html


def test_other_team_gets_404_not_403(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    assert login(world.users["granne"]).get(f"/arenden/{arende.id}").status_code == 404
    assert login(world.users["granne"]).get("/arenden/999999").status_code == 404


def test_projektledare_fires_a_transition_from_the_case_page(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["projektledare"])
    response = client.post(f"/arenden/{arende.id}/handelse", data={
        "trigger": "avsluta", "version": arende.version, "avslutsorsak": "flyttat",
        "forsorjning_slut": "lon", "sysselsattning_slut": "arbete",
    })
    assert response.status_code == 303
    db.session.expire_all()
    assert arende.status == "avslutad" and arende.avslutsorsak == "flyttat"


def test_refused_transition_shows_swedish_message_and_changes_nothing(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    version = arende.version
    client = login(world.users["projektledare"])
    response = client.post(f"/arenden/{arende.id}/handelse",
                           data={"trigger": "avsluta", "version": version})
    assert response.status_code == 422
    assert "Ange en avslutsorsak." in response.get_data(as_text=True)
    db.session.expire_all()
    assert arende.status == "aktualiserad" and arende.version == version


def test_stale_form_gets_conflict(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["projektledare"])
    response = client.post(f"/arenden/{arende.id}/handelse", data={
        "trigger": "felregistrera", "version": arende.version - 1, "kommentar": "fel team"})
    assert response.status_code == 409
    assert "ändrats av någon annan" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Arende).where(Arende.status == "avslutad")) == 0


def test_ledamot_may_not_fire_projektledare_triggers(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    response = login(world.users["ledamot_fk"]).post(f"/arenden/{arende.id}/handelse", data={
        "trigger": "felregistrera", "version": arende.version, "kommentar": "x"})
    assert response.status_code == 403


def test_reference_only_view_is_audited_too(world, login):
    arende = factories.create_arende(world, parter=["af", "kommun"])
    db.session.commit()
    user = world.users["ledamot_fk"]
    login(user).get(f"/arenden/{arende.id}")
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.handling == "arende.visa_referens", AuditEntry.user_id == user.id)
    ).scalar_one()
    assert entry.objekt_id == arende.id
