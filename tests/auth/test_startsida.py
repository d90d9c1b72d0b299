"""Where each role lands after login and at /, and the projektledare's overview."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from samverkan.auth import startsida
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import ForbundRoll, ForbundsRollTilldelning, Medlemskap, TeamRoll
from samverkan.moten import redigering
from tests import factories


@pytest.mark.parametrize("roll, endpoint", [
    ("projektledare", "oversikt.projektledare"),
    ("ledamot_af", "listor.mina"),
    ("ersattare_af", "listor.mina"),
    ("admin", "loggkontroll.lista"),
    ("samcoach", "insatser.min_kaseload"),
    ("styrgrupp", "rapporter.nyckeltal"),
])
def test_each_role_has_its_start_page(world, roll, endpoint):
    assert startsida.endpoint_for(world.users[roll]) == endpoint


def test_every_start_page_exists(ctx):
    for _, endpoint in startsida.STARTSIDOR:
        assert endpoint in ctx.view_functions, endpoint
    assert startsida.STANDARD in ctx.view_functions


@pytest.mark.parametrize("roll, sokvag", [
    ("projektledare", "/oversikt/"), ("ledamot_af", "/arenden/mina"), ("admin", "/loggkontroll/"),
    ("samcoach", "/min-kaseload"), ("styrgrupp", "/rapporter/nyckeltal"),
])
def test_login_and_slash_land_on_the_roles_page(world, client, roll, sokvag):
    user = world.users[roll]
    svar = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert svar.status_code == 303 and svar.headers["Location"] == "/"
    svar = client.get("/")
    assert svar.status_code == 303
    assert svar.headers["Location"] == sokvag
    assert client.get(sokvag).status_code == 200


def test_overview_shows_the_next_meeting_and_the_inbox(world, login):
    pl = world.users["projektledare"]
    arende = factories.create_arende(world)
    dag = clock.today() + dt.timedelta(days=20)
    redigering.skapa_mote(pl, world.team.id, datum=dag, klockslag=dt.time(13, 0), langd_minuter=120,
                              plats="Kommunhuset, rum 3")
    redigering.skapa_mote(pl, world.team.id, datum=dag + dt.timedelta(days=30), klockslag=dt.time(9, 0),
                              langd_minuter=60, plats="Senare")
    text = login(pl).get("/oversikt/").get_data(as_text=True)
    assert "<title>Översikt – Samverkan</title>" in text
    assert dag.isoformat() in text and "13:00–15:00" in text and "Kommunhuset, rum 3" in text
    assert "Senare" not in text  # only the next one
    assert "0 punkter av" in text and "Köad, skickas" in text
    assert arende.referens in text and "1 ärende väntar" in text


def test_overview_is_for_projektledare_only(world, login):
    assert login(world.users["ledamot_af"]).get("/oversikt/").status_code == 403


def test_a_role_or_membership_changed_counts_from_the_very_next_request(world, client):
    """The session user's memberships and roles are read from the database on every
    request (auth.services.load_session_user), never taken from the cookie."""
    user = world.users["ledamot_fk"]  # nobody stands in for them
    assert client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD}).status_code == 303
    assert client.get("/").headers["Location"] == "/arenden/mina"
    assert client.get(f"/moten/team/{world.team.id}").status_code == 200
    assert client.get("/loggkontroll/").status_code == 403

    roll = ForbundsRollTilldelning(forbund_id=user.forbund_id, user_id=user.id, roll=ForbundRoll.ADMIN)
    db.session.add(Medlemskap(team_id=world.team.id, user_id=user.id, roll=TeamRoll.PROJEKTLEDARE))
    db.session.add(roll)
    db.session.commit()
    assert client.get("/").headers["Location"] == "/oversikt/"
    assert client.get("/loggkontroll/").status_code == 200

    db.session.execute(delete(Medlemskap).where(Medlemskap.user_id == user.id))
    db.session.delete(roll)
    db.session.commit()
    assert client.get(f"/moten/team/{world.team.id}").status_code == 404
    assert client.get("/loggkontroll/").status_code == 403
    assert client.get("/").headers["Location"] == "/arenden/mina"  # no role: the default page
