"""The handlingsplan between meetings: on the case page for everyone who reads the
ärende, ticked off by the owning party at any time with a comment, beside a follow-up in
meeting mode, per party in the protokoll (page and PDF), and in the samcoach's kaseload."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
from samverkan.samplanering.models import Atgard
from tests.uppfoljning import fabrik


@pytest.fixture
def plan(world):
    """An ärende in insats with a samcoach, planned at last week's meeting: three actions,
    one of them past its due date; the next follow-up on 2026-03-02."""
    fabrik.satt_klockan()  # Monday 2026-02-02
    arende = fabrik.i_insats(world, nasta_uppfoljning=dt.date(2026, 3, 2))
    db.session.add(Insats(arende_id=arende.id, team_id=world.team.id, form=InsatsForm.SAMCOACH,
                          status=InsatsStatus.AKTIV, beslutad=dt.date(2026, 1, 27), startad=dt.date(2026, 1, 27),
                          samcoach_id=world.users["samcoach"].id))
    mote = fabrik.mote(world, dt.date(2026, 1, 27))
    punkt = fabrik.punkt(mote, arende, beslut="samcoach")
    atgarder = {
        "af": fabrik.atgard(world, arende, "af", dt.date(2026, 2, 20), beskrivning="Boka kartläggningssamtal"),
        "region": fabrik.atgard(world, arende, "region", dt.date(2026, 2, 27), beskrivning="Remiss till fysioterapeut"),
        "kommun": fabrik.atgard(world, arende, "kommun", dt.date(2026, 1, 30), beskrivning="Ordna praktikplats"),
    }
    for a in atgarder.values():
        a.punkt_id = punkt.id
    db.session.commit()
    return {"arende": arende, "mote": mote, "atgarder": atgarder}


@pytest.mark.parametrize("vem", ["projektledare", "ledamot_af", "samcoach"])
def test_the_plan_stands_on_the_case_page(world, plan, login, vem):
    html = login(world.users[vem]).get(f"/arenden/{plan['arende'].id}").get_data(as_text=True)
    assert '<h2 id="handlingsplan-rubrik">Handlingsplan</h2>' in html
    assert "Nästa uppföljning: 2026-03-02." in html
    # Open first, by due date: the overdue one first.
    assert html.index("Ordna praktikplats") < html.index("Boka kartläggningssamtal") < html.index("Remiss till")
    assert "Försenad" in html and "Pågår" in html


def test_the_owning_party_ticks_off_before_the_due_date_with_a_comment(world, plan, login):
    af = plan["atgarder"]["af"]
    client = login(world.users["ledamot_af"])
    html = client.get(f"/arenden/{plan['arende'].id}").get_data(as_text=True)
    # AF's own action has the form; the region's has none for AF.
    assert f'/atgarder/{af.id}/klar"' in html
    assert f'/atgarder/{plan["atgarder"]["region"].id}/klar"' not in html
    response = client.post(f"/arenden/{plan['arende'].id}/atgarder/{af.id}/klar",
                           data={"kommentar": "Samtalet hölls 2 februari"})
    assert response.status_code == 303
    rad = db.session.get(Atgard, af.id)
    assert (rad.klar_den, rad.klar_av_id, rad.klar_kommentar) == (
        dt.date(2026, 2, 2), world.users["ledamot_af"].id, "Samtalet hölls 2 februari")
    assert db.session.scalar(select(AuditEntry.falt).where(AuditEntry.handling == "atgard.klar")) == \
        "klar_den,klar_kommentar"
    html = client.get(f"/arenden/{plan['arende'].id}").get_data(as_text=True)
    assert "Klar 2026-02-02: Samtalet hölls 2 februari" in html


def test_refusals_change_nothing(world, plan, login):
    arende, region = plan["arende"], plan["atgarder"]["region"]
    url = f"/arenden/{arende.id}/atgarder/{region.id}/klar"
    # Another party's action: refused.
    assert login(world.users["ledamot_af"]).post(url, data={}).status_code == 403
    # A comment too long: the message beside the field, nothing saved.
    response = login(world.users["ledamot_region"]).post(url, data={"kommentar": "x" * 501})
    assert response.status_code == 422
    assert "Kommentaren får vara högst 500 tecken." in response.get_data(as_text=True)
    # An action of another ärende under this ärende's address: not found.
    annat = fabrik.i_insats(world)
    db.session.commit()
    assert login(world.users["projektledare"]).post(
        f"/arenden/{annat.id}/atgarder/{region.id}/klar", data={}).status_code == 404
    assert db.session.get(Atgard, region.id).klar_den is None


def test_nothing_is_ticked_off_after_consent_is_withdrawn(world, plan, login):
    arende = plan["arende"]
    arende.samtycke.aterkallat = dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
    db.session.commit()
    response = login(world.users["projektledare"]).post(
        f"/arenden/{arende.id}/atgarder/{plan['atgarder']['af'].id}/klar", data={})
    assert response.status_code == 422
    assert "Samtycket är återkallat" in response.get_data(as_text=True)
    assert db.session.get(Atgard, plan["atgarder"]["af"].id).klar_den is None


def test_meeting_mode_shows_the_earlier_plan_at_a_follow_up(world, plan, login):
    plan["atgarder"]["af"].klar_den = dt.date(2026, 1, 31)
    foljning = fabrik.mote(world, dt.date(2026, 2, 2), klockslag=dt.time(13, 0))
    fabrik.punkt(foljning, plan["arende"], uppfoljning=True)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/moten/{foljning.id}/moteslage").get_data(as_text=True)
    assert "Handlingsplanen sedan tidigare" in html and "(3 åtgärder)" in html
    assert "Klar 2026-01-31" in html and "Ordna praktikplats" in html


def test_the_protokoll_lists_the_plan_per_party(world, plan, login):
    client = login(world.users["projektledare"])
    html = client.get(f"/moten/{plan['mote'].id}/protokoll").get_data(as_text=True)
    assert f"Handlingsplan, punkt 1: {plan['arende'].referens}" in html
    assert html.index("Arbetsförmedlingen Testbygd</strong>") < html.index("Boka kartläggningssamtal")
    assert "Remiss till fysioterapeut (Handläggare på parten, klar senast 2026-02-27)" in html
    pdf = client.get(f"/moten/{plan['mote'].id}/protokoll.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Handlingsplan, punkt 1" in text and "Ordna praktikplats" in text
    assert plan["arende"].deltagare.personnummer not in text


def test_the_samcoach_kaseload_shows_open_actions_and_audits_the_read(world, plan, login):
    plan["atgarder"]["region"].klar_den = dt.date(2026, 2, 1)
    db.session.commit()
    html = login(world.users["samcoach"]).get("/min-kaseload").get_data(as_text=True)
    assert "Ordna praktikplats" in html and "<strong>försenad</strong>" in html
    assert "Remiss till fysioterapeut" not in html  # done: not open
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.handling == "handlingsplan.visa", AuditEntry.objekt_id == plan["arende"].id)) == 1
