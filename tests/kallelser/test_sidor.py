"""The outbox pages for the projektledare: the list, one message, sending a failed one
again, and the meeting page's outbox section. Everyone else is told they do not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.kallelser.models import Utskick, UtskickStatus
from tests import factories
from tests.kallelser.helpers import KALLELSETID, MOTESTID, PAMINNELSETID, boka, skapa_mote


@pytest.fixture
def utskick(world, klocka, kor):
    """A meeting whose kallelse is written (and stays queued: no SMTP server configured)."""
    mote = skapa_mote(world)
    boka(mote, factories.create_arende(world), ordning=1)
    klocka.satt(KALLELSETID)
    kor()
    return mote, list(db.session.scalars(select(Utskick).order_by(Utskick.id)))


def test_the_projektledare_reads_the_outbox_and_a_message(world, login, utskick):
    mote, rader = utskick
    client = login(world.users["projektledare"])
    response = client.get("/kallelser/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kallelse: Trisam Testby 2026-12-08 13:00" in html
    assert "Ledamot FK" in html and "Köad" in html
    assert "ingen e-postserver är inställd" in html

    response = client.get(f"/kallelser/{rader[0].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Datum: tisdag 2026-12-08" in html
    assert "<h1>Kallelse: Trisam Testby 2026-12-08 13:00</h1>" in html
    assert rader[0].message_id.replace("<", "&lt;").replace(">", "&gt;") in html


@pytest.mark.parametrize("vem", ["ledamot_af", "ersattare_af", "samcoach", "granne", "admin", "styrgrupp"])
def test_everyone_else_gets_404(world, login, utskick, vem):
    _, rader = utskick
    client = login(world.users[vem])
    assert client.get("/kallelser/").status_code == 404
    assert client.get(f"/kallelser/{rader[0].id}").status_code == 404
    assert client.post(f"/kallelser/{rader[0].id}/skicka-igen").status_code == 404


def test_another_teams_projektledare_sees_none_of_it(world, login, utskick):
    _, rader = utskick
    granne = world.users["granne"]
    db.session.add(Medlemskap(team_id=world.annat_team.id, user_id=granne.id, roll=TeamRoll.PROJEKTLEDARE))
    client = login(granne)
    response = client.get("/kallelser/")
    assert response.status_code == 200
    assert "Inga utskick att visa." in response.get_data(as_text=True)
    assert client.get(f"/kallelser/{rader[0].id}").status_code == 404


def test_unknown_status_filter_and_message_are_404(world, login, utskick):
    client = login(world.users["projektledare"])
    assert client.get("/kallelser/?status=borta").status_code == 404
    assert client.get("/kallelser/999999").status_code == 404
    response = client.get("/kallelser/?status=misslyckad")
    assert "Inga utskick att visa." in response.get_data(as_text=True)


def test_the_list_costs_the_same_number_of_queries_for_more_messages(world, login, utskick, klocka, kor,
                                                                      count_queries):
    client = login(world.users["projektledare"])
    client.get("/kallelser/")
    with count_queries() as q1:
        assert client.get("/kallelser/").status_code == 200
    skapa_mote(world, start=MOTESTID + dt.timedelta(hours=2))
    kor()
    with count_queries() as q2:
        html = client.get("/kallelser/").get_data(as_text=True)
    assert "12 utskick" in html
    assert q1.count == q2.count


def test_a_failed_message_can_be_sent_again(world, login, utskick):
    _, rader = utskick
    rad = rader[0]
    rad.status, rad.forsok, rad.senaste_fel = UtskickStatus.MISSLYCKAD, 8, "Det gick inte att ansluta."
    client = login(world.users["projektledare"])
    assert "Skicka igen" in client.get(f"/kallelser/{rad.id}").get_data(as_text=True)
    response = client.post(f"/kallelser/{rad.id}/skicka-igen")
    assert response.status_code == 303
    db.session.expire_all()
    assert (rad.status, rad.forsok, rad.senaste_fel) == (UtskickStatus.KOAD, 0, "")
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.handling == "utskick.forsok_igen")).one()

    # A message that did not fail is left as it is.
    response = client.post(f"/kallelser/{rad.id}/skicka-igen", follow_redirects=True)
    assert "Bara misslyckade utskick kan skickas igen." in response.get_data(as_text=True)


def _sektion(ctx, user, mote) -> str:
    with ctx.test_request_context("/"):
        login_user(user)
        return render_template_string('{% include "kallelser/_utskick.html" ignore missing %}', mote=mote)


def test_the_meeting_pages_section_shows_the_planned_time_then_the_messages(world, klocka, kor, ctx):
    mote = skapa_mote(world)
    html = _sektion(ctx, world.users["projektledare"], mote)
    assert "Köad, skickas 2026-12-04 09:00." in html
    assert "Skickas 2026-11-30 09:00." in html  # the reminder
    assert "Inga utskick för mötet ännu." in html

    for tid in (PAMINNELSETID, KALLELSETID):
        klocka.satt(tid)
        kor()
    html = _sektion(ctx, world.users["projektledare"], mote)
    assert "Lagd i utkorgen 2026-12-04 09:00." in html
    assert "Lagd i utkorgen 2026-11-30 09:00." in html
    assert html.count("<tr>") == 1 + 6 + 5  # header, kallelser, påminnelser
    assert "Petra Projektsson" in html and "Erik Ersättarsson" in html
    assert "Köad 2026-12-04 09:00" in html
    assert 'href="/kallelser/' in html

    assert _sektion(ctx, world.users["ledamot_af"], mote).strip() == ""
    assert _sektion(ctx, world.users["granne"], mote).strip() == ""
