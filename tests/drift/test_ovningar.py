"""Fault drills through the real app: two transitions of one ärende at the same instant,
many writers at once (SQLite's WAL, busy timeout and BEGIN IMMEDIATE), and the database
connection killed in the middle of a write (PostgreSQL's pg_terminate_backend).

The scheduler killed mid-send and the SMTP server down then up are drilled in
tests/kallelser/test_processer.py and tests/kallelser/test_leverans.py.

Each request runs in its own thread with its own app context, database session and
connection, as in a threaded or multi-worker server.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import event, func, select

from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core import db as core_db
from samverkan.core.db import db
from tests import factories
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.ovning


def _samtidigt(app, anrop: list, *, antal_tradar: int | None = None) -> list:
    """Run each (method, path, kwargs) as its own request in its own thread, all released
    at the same instant; return the responses in order."""
    db.session.commit()  # and touch nothing after: on SQLite an open read would hold the lock
    start = threading.Barrier(len(anrop) if antal_tradar is None else antal_tradar)

    def kor(rad):
        method, path, kwargs = rad
        client = app.test_client()
        if cookie := kwargs.pop("cookie", None):
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        with app.app_context():
            if antal_tradar is None:
                start.wait()
            try:
                return client.open(path, method=method, **kwargs)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=antal_tradar or len(anrop)) as pool:
        return list(pool.map(kor, anrop))


def _token(world, key: str) -> dict:
    _, secret = create_token(world.users[key], "ovning")
    return {"Authorization": f"Bearer {secret}"}


def _handelser(arende_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ArendeHandelse)
                             .where(ArendeHandelse.arende_id == arende_id))


@pytest.mark.parametrize("kanal", ["api", "webb"])
def test_two_transitions_of_one_arende_at_once_one_wins_the_other_is_told(app, world, login, kanal):
    arende = factories.create_arende(world)
    arende_id, version = arende.id, arende.version
    if kanal == "api":
        headers = _token(world, "projektledare")
        path = f"/api/v1/arenden/{arende_id}/handelser"
        anrop = [("POST", path, {"headers": headers, "json": {"trigger": t, "version": version, **extra}})
                 for t, extra in (("aterkalla", {}), ("felregistrera", {"kommentar": "Dubbelklick"}))]
    else:
        client = login(world.users["projektledare"])
        cookie = client.get_cookie("samverkan_session", domain="samverkan.test")
        path = f"/arenden/{arende_id}/handelse"
        anrop = [("POST", path, {"data": {"trigger": t, "version": version, "kommentar": "Dubbelklick"},
                                 "cookie": cookie})
                 for t in ("aterkalla", "felregistrera")]

    svar = _samtidigt(app, anrop)

    koder = sorted(r.status_code for r in svar)
    assert koder == ([201, 409] if kanal == "api" else [303, 409]), [r.get_data(as_text=True)[:300] for r in svar]
    forlorare = next(r for r in svar if r.status_code == 409)
    if kanal == "api":
        assert forlorare.get_json()["fel"]["kod"] == "konflikt"
    else:
        assert "ändrats av någon annan" in forlorare.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Arende, arende_id).version == version + 1
    assert _handelser(arende_id) == 2  # aktualisera + the one that won


def test_many_writers_at_once_never_see_database_is_locked(app, world):
    """Eight threads each create ärenden, notes and tokens through the API at once."""
    headers = {key: _token(world, key) for key in ("ledamot_af", "ledamot_fk", "projektledare")}
    today = clock.today()
    arenden = [factories.create_arende(world).id for _ in range(3)]

    def nytt():
        return {"team_id": world.team.id, "fragestallning": "<p>Samordning?</p>", "kon": "man",
                "personnummer": factories.personnummer(),
                "samtycke": {"givet_den": (today - dt.timedelta(days=1)).isoformat(),
                             "giltigt_till": (today + dt.timedelta(days=300)).isoformat(),
                             "satt": "underskrivet", "part_ids": world.team_part_ids()}}

    anrop = []
    for i in range(24):
        match i % 3:
            case 0:
                anrop.append(("POST", "/api/v1/arenden", {"headers": headers["ledamot_af"], "json": nytt()}))
            case 1:
                anrop.append(("POST", "/api/v1/tokens", {"headers": headers["ledamot_fk"], "json": {"namn": f"t{i}"}}))
            case 2:
                anrop.append(("GET", f"/api/v1/arenden/{arenden[i % 3]}", {"headers": headers["projektledare"]}))
    fore = db.session.scalar(select(func.count()).select_from(Arende))

    svar = _samtidigt(app, anrop, antal_tradar=8)

    texter = [r.get_data(as_text=True) for r in svar]
    assert not [t for t in texter if "locked" in t.lower()]
    assert sorted({r.status_code for r in svar}) == [200, 201], texter
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Arende)) == fore + 8


@pytest.mark.parametrize("kanal", ["api", "webb"])
def test_the_connection_killed_mid_write_gives_a_clean_error_and_saves_nothing(app, world, login, kanal):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("pg_terminate_backend är PostgreSQL; SQLite har ingen serverförbindelse att bryta")
    arende = factories.create_arende(world)
    arende_id, version = arende.id, arende.version
    if kanal == "api":
        headers = _token(world, "projektledare")
    else:
        client = login(world.users["projektledare"])
    db.session.commit()
    dodad = []

    def dod_mitt_i(conn, cursor, statement, parameters, context, executemany):
        # The status UPDATE has gone through; the history row is next: kill the backend.
        if statement.startswith("INSERT INTO arende_handelse") and not dodad:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            dodad.append(pid)

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page answers
    event.listen(db.engine, "before_cursor_execute", dod_mitt_i)
    try:
        if kanal == "api":
            response = app.test_client().post(f"/api/v1/arenden/{arende_id}/handelser", headers=headers,
                                              json={"trigger": "aterkalla", "version": version})
        else:
            response = client.post(f"/arenden/{arende_id}/handelse",
                                   data={"trigger": "aterkalla", "version": version})
    finally:
        event.remove(db.engine, "before_cursor_execute", dod_mitt_i)
        app.config["PROPAGATE_EXCEPTIONS"] = None

    assert dodad, "the drill never reached the write"
    assert response.status_code == 500
    meddelande = "Något gick fel hos oss. Inget sparades."
    if kanal == "api":
        assert response.get_json()["fel"]["kod"] == "http_500"
        assert response.get_json()["fel"]["meddelande"].startswith(meddelande)
    else:
        html = response.get_data(as_text=True)
        assert meddelande in html and "Traceback" not in html and "psycopg" not in html
    # Nothing half-saved, and the next request gets a fresh connection.
    db.session.rollback()
    db.session.expire_all()
    arende = db.session.get(Arende, arende_id)
    assert (arende.status, arende.version, _handelser(arende_id)) == ("aktualiserad", version, 1)
    if kanal == "api":
        response = app.test_client().get(f"/api/v1/arenden/{arende_id}", headers=headers)
    else:
        response = client.get(f"/arenden/{arende_id}")
    assert response.status_code == 200


def test_a_pooled_connection_that_died_while_idle_is_replaced_before_a_request_sees_it(app, world, login,
                                                                                       monkeypatch):
    """The server restarted (or a firewall dropped the link) while the pool's connections
    lay idle: the next request still answers, because a connection that lay idle is
    pinged at checkout and a dead one replaced (core.db, which replaced pool_pre_ping's
    ping at every checkout, issue 19)."""
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("pg_terminate_backend är PostgreSQL; SQLite har ingen serverförbindelse att bryta")
    client = login(world.users["projektledare"])
    assert client.get("/arenden/").status_code == 200
    db.session.commit()
    db.session.close()  # every connection of this app back in the pool, idle
    databas = db.engine.url.database
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        dodade = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()", (databas,)).fetchall()
    assert dodade, "no pooled connection to kill"
    monkeypatch.setattr(core_db, "PING_EFTER_VILA_S", 0.0)  # every checkout has lain idle
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a dead connection would answer 500
    try:
        assert client.get("/arenden/").status_code == 200
        assert client.post("/logga-ut").status_code in (302, 303)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
        db.engine.dispose()  # whatever dead connection no request took: not for the next test
