"""Security headers on every kind of answer, HSTS behind TLS, and a login throttle that
holds across web workers (two app instances on one database)."""

from __future__ import annotations

from samverkan import create_app
from samverkan.auth.services import create_token
from samverkan.core.db import db
from tests import factories

PERMANENTA = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _assert_headers(response, *, cache: bool = False):
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    for name, value in PERMANENTA.items():
        assert response.headers[name] == value
    if not cache:
        assert response.headers["Cache-Control"] == "no-store"


def test_case_page_list_api_and_errors_are_never_cached(world, login, client):
    arende = factories.create_arende(world)
    login(world.users["ledamot_af"])
    for path in (f"/arenden/{arende.id}", "/arenden/", "/finns-inte"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        _assert_headers(response)
    _, secret = create_token(world.users["ledamot_af"], "test")
    for path in (f"/api/v1/arenden/{arende.id}", "/api/v1/arenden", "/api/v1/openapi.json"):
        response = client.get(path, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, path
        _assert_headers(response)


def test_static_files_may_be_cached_but_keep_the_other_headers(client):
    response = client.get("/static/samverkan.css")
    assert response.status_code == 200
    _assert_headers(response, cache=True)
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/logga-in").headers
    hsts = client.get("/logga-in", base_url="https://samverkan.test").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_behind_a_tls_proxy_hsts_and_the_client_address_come_from_the_proxy(app, ctx, world):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    # Without trusting the proxy the forwarded headers are ignored ...
    assert "Strict-Transport-Security" not in ctx.test_client().get("/logga-in", headers=forwarded).headers
    # ... with it, TLS is seen and failed logins are counted for the client's address.
    bakom = create_app({**_config(app), "PROXY_ANTAL": 1})
    with bakom.app_context():
        response = bakom.test_client().get("/logga-in", headers=forwarded)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        bakom.test_client().post("/logga-in", headers=forwarded,
                                 data={"epost": "ingen@example.org", "losenord": "fel-losenord-x"})
        from samverkan.auth.models import Inloggningsforsok

        assert [f.ip for f in db.session.query(Inloggningsforsok).all()] == ["198.51.100.7"]
        db.session.remove()
        db.engine.dispose()


def _config(app) -> dict:
    return {k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED",
                                       "SERVER_NAME")}


def test_the_login_throttle_holds_across_workers(app, ctx, world):
    """Failures made through one worker lock the account in another: two app instances
    (each its own engine and pool, as two gunicorn workers) on the same database."""
    epost = world.users["ledamot_af"].epost
    db.session.commit()  # and touch no row after: on SQLite that would hold the write lock
    arbetare = [create_app(_config(app)) for _ in range(2)]

    def logga_in(worker, losenord):
        with worker.app_context():
            try:
                return worker.test_client().post(
                    "/logga-in", data={"epost": epost, "losenord": losenord}).status_code
            finally:
                db.session.remove()

    try:
        for i in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
            assert logga_in(arbetare[i % 2], "fel-losenord-x") == 401
        assert logga_in(arbetare[0], factories.PASSWORD) == 429
        assert logga_in(arbetare[1], factories.PASSWORD) == 429
    finally:
        for worker in arbetare:
            with worker.app_context():
                db.engine.dispose()
