"""API tokens expire (90 days by default) and have a scope (read / write); the last use is
written at most once a minute (issues 18 and 19). On both databases."""

from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from samverkan.arenden.models import Arende
from samverkan.auth.models import ApiToken, TokenOmfang
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.db import db
from tests import factories
from tests.test_kryptering import forega


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _flytta_klockan(till: dt.datetime) -> None:
    clock.set_clock(lambda: till)


def test_a_token_lasts_90_days_by_default_and_then_gets_401_with_a_clear_message(world, client):
    start = clock.now()
    _flytta_klockan(start)
    token, secret = create_token(world.users["ledamot_af"], "Integration")
    db.session.commit()
    assert token.giltig_till == start + dt.timedelta(days=90)
    assert token.omfang is TokenOmfang.SKRIVA

    _flytta_klockan(start + dt.timedelta(days=89, hours=23))
    assert client.get("/api/v1/tokens", headers=_bearer(secret)).status_code == 200

    _flytta_klockan(start + dt.timedelta(days=90, seconds=1))
    response = client.get("/api/v1/tokens", headers=_bearer(secret))
    assert response.status_code == 401
    fel = response.get_json()["fel"]
    assert fel["kod"] == "ej_autentiserad"
    assert "har gått ut" in fel["meddelande"] and "Skapa en ny token" in fel["meddelande"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_read_token_reads_and_searches_but_every_write_gets_403(world, client):
    arende = factories.create_arende(world)
    token, secret = create_token(world.users["ledamot_af"], "Läsare", omfang="lasa")
    db.session.commit()
    antal_arenden = db.session.scalar(select(func.count(Arende.id)))
    db.session.commit()

    assert client.get("/api/v1/arenden", headers=_bearer(secret)).status_code == 200
    sok = client.post("/api/v1/deltagare/sok", json={"personnummer": arende.deltagare.personnummer},
                      headers=_bearer(secret))
    assert sok.status_code == 200, sok.get_data(as_text=True)

    skrivande = [
        ("post", "/api/v1/arenden", {"team_id": world.team.id, "kon": "man", "fragestallning": "<p>Fråga</p>",
                                     "personnummer": factories.personnummer()}),
        ("post", "/api/v1/tokens", {"namn": "Skrivare"}),  # no way round by making a new token
        ("delete", f"/api/v1/tokens/{token.id}", None),
        ("post", f"/api/v1/arenden/{arende.id}/handelser", {"trigger": "avsluta", "version": arende.version}),
    ]
    for metod, url, body in skrivande:
        response = getattr(client, metod)(url, json=body, headers=_bearer(secret))
        assert response.status_code == 403, (url, response.get_data(as_text=True))
        fel = response.get_json()["fel"]
        assert fel["kod"] == "saknar_behorighet"
        assert "får bara läsa" in fel["meddelande"]
    assert db.session.scalar(select(func.count(Arende.id))) == antal_arenden
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1
    assert db.session.get(ApiToken, token.id).aterkallad is None


def test_the_last_use_is_written_at_most_once_a_minute(world, client):
    start = clock.now().replace(microsecond=0)
    _flytta_klockan(start)
    token, secret = create_token(world.users["ledamot_af"], "Flitig")
    db.session.commit()

    def senast() -> dt.datetime | None:
        value = db.session.scalar(select(ApiToken.senast_anvand).where(ApiToken.id == token.id))
        db.session.commit()
        return value

    for sekunder, vantat in ((0, 0), (30, 0), (59, 0), (60, 60), (90, 60), (121, 121)):
        _flytta_klockan(start + dt.timedelta(seconds=sekunder))
        assert client.get("/api/v1/tokens", headers=_bearer(secret)).status_code == 200
        assert senast() == start + dt.timedelta(seconds=vantat), sekunder


def test_create_token_on_the_command_line_takes_days_and_scope(world, ctx):
    runner = ctx.test_cli_runner()
    user = world.users["ledamot_af"]
    db.session.commit()
    result = runner.invoke(args=["create-token", "--epost", user.epost, "--namn", "Rapportläsare",
                                 "--dagar", "30", "--omfang", "lasa"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("sv_")
    token = db.session.scalar(select(ApiToken).where(ApiToken.namn == "Rapportläsare"))
    assert token.omfang is TokenOmfang.LASA
    assert abs(token.giltig_till - (clock.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    db.session.commit()

    for dagar in ("0", "366"):
        refused = runner.invoke(args=["create-token", "--epost", user.epost, "--namn", "X", "--dagar", dagar])
        assert refused.exit_code != 0 and "1–365 dagar" in refused.output


def test_the_account_page_creates_a_read_token_and_shows_scope_and_expiry(world, login):
    user = world.users["ledamot_af"]
    client = login(user)
    page = client.get("/konto/api-tokens").get_data(as_text=True)
    assert "Giltig i antal dagar" in page and "Läsa och skriva" in page

    bad = client.post("/konto/api-tokens", data={"namn": "Fel", "omfang": "lasa", "dagar": "400"})
    assert "1–365 dagar" in bad.get_data(as_text=True)
    bad = client.post("/konto/api-tokens", data={"namn": "Fel", "omfang": "lasa", "dagar": "tio"})
    assert "Ange antalet dagar med siffror" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    db.session.commit()

    response = client.post("/konto/api-tokens", data={"namn": "Läsverktyg", "omfang": "lasa", "dagar": "10"})
    html = response.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken))
    assert (token.namn, token.omfang) == ("Läsverktyg", TokenOmfang.LASA)
    assert abs(token.giltig_till - (clock.now() + dt.timedelta(days=10))) < dt.timedelta(minutes=1)
    assert f"{clock.local(token.giltig_till):%Y-%m-%d}" in html
    assert ">Läsa<" in html


def test_the_migration_gives_existing_tokens_90_days_and_their_present_powers(world):
    user_id = world.users["ledamot_af"].id
    db.session.commit()
    db.session.remove()
    downgrade(revision=forega("0011_krypto_token"))
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO api_token (user_id, namn, prefix, token_hash, skapad) "
                          "VALUES (:u, 'Gammal', 'sv_abcdefg', :h, CURRENT_TIMESTAMP)"), {"u": user_id, "h": "0" * 64})
    upgrade()
    token = db.session.scalar(select(ApiToken))
    assert token.omfang is TokenOmfang.SKRIVA
    assert abs(token.giltig_till - (dt.datetime.now(dt.UTC) + dt.timedelta(days=90))) < dt.timedelta(minutes=5)
    db.session.commit()
