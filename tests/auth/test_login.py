"""Login, logout, sessions, CSRF and throttling, through the real forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from samverkan.auth.models import Inloggningsforsok
from samverkan.core import clock
from samverkan.core.db import db
from tests import factories


def _post_login(client, epost, losenord="fel-losenord-123"):
    return client.post("/logga-in", data={"epost": epost, "losenord": losenord})


def test_every_page_but_login_and_health_needs_login(client, app):
    assert client.get("/halsa").status_code == 200
    assert client.get("/logga-in").status_code == 200
    response = client.get("/arenden/")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_every_ui_route_is_protected(client, app):
    """Generated from the URL map, so a new page without login fails here."""
    public = {"/halsa", "/logga-in", "/static/<path:filename>", "/api/v1/openapi.json",
              # Issue 14: forgotten password, the one-time link, the first visit's set-up.
              "/konto/glomt-losenord", "/konto/valj-losenord/<string:token>", "/kom-igang"}
    for rule in app.url_map.iter_rules():
        if rule.rule in public or rule.rule.startswith("/api/"):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (rule.rule, response.status_code)


def test_login_with_right_password_and_logout_ends_the_session(world, client):
    user = world.users["ledamot_af"]
    response = _post_login(client, user.epost.upper(), factories.PASSWORD)
    assert response.status_code == 303
    assert client.get("/arenden/").status_code == 200
    assert client.post("/logga-ut").status_code == 303
    assert client.get("/arenden/").status_code == 302


def test_logout_elsewhere_ends_a_copied_session_cookie(world, client, app):
    """Session version: a cookie captured before logout is useless afterwards."""
    user = world.users["ledamot_af"]
    _post_login(client, user.epost, factories.PASSWORD)
    other = app.test_client()
    cookie = client.get_cookie("samverkan_session", domain="samverkan.test")
    other.set_cookie("samverkan_session", cookie.value, domain=cookie.domain)
    assert other.get("/arenden/").status_code == 200
    client.post("/logga-ut")
    assert other.get("/arenden/").status_code == 302


def test_password_change_ends_sessions(world, client):
    from samverkan.auth import services

    user = world.users["ledamot_af"]
    _post_login(client, user.epost, factories.PASSWORD)
    services.set_password(user, "ett-helt-nytt-losenord")
    db.session.commit()
    assert client.get("/arenden/").status_code == 302


def test_wrong_password_gives_one_message_for_both_unknown_and_known(world, client):
    known = _post_login(client, world.users["ledamot_af"].epost)
    unknown = _post_login(client, "finns-inte@example.org")
    for response in (known, unknown):
        assert response.status_code == 401
        assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(world, client):
    user = world.users["ledamot_af"]
    user.aktiv = False
    db.session.commit()
    assert _post_login(client, user.epost, factories.PASSWORD).status_code == 401


def test_throttle_after_five_failures_even_with_right_password(world, client, app):
    user = world.users["ledamot_af"]
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        assert _post_login(client, user.epost).status_code == 401
    response = _post_login(client, user.epost, factories.PASSWORD)
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)
    # The count lives in the database, so every web worker sees it.
    assert db.session.scalar(select(func.count()).select_from(Inloggningsforsok)) == 5


def test_throttle_lifts_after_the_window(world, client, app):
    user = world.users["ledamot_af"]
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    clock.set_clock(lambda: start)
    for _ in range(5):
        _post_login(client, user.epost)
    clock.set_clock(lambda: start + app.config["LOGIN_THROTTLE_WINDOW"] + dt.timedelta(seconds=1))
    assert _post_login(client, user.epost, factories.PASSWORD).status_code == 303


def test_idle_timeout_logs_out(world, client, app):
    user = world.users["ledamot_af"]
    start = dt.datetime.now(dt.UTC)
    clock.set_clock(lambda: start)
    _post_login(client, user.epost, factories.PASSWORD)
    assert client.get("/arenden/").status_code == 200
    clock.set_clock(lambda: start + app.config["IDLE_TIMEOUT"] + dt.timedelta(seconds=5))
    response = client.get("/arenden/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_open_redirect_after_login_is_refused(world, client):
    user = world.users["ledamot_af"]
    response = client.post("/logga-in?next=//evil.example.org/x",
                           data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert response.headers["Location"] in ("/", "http://samverkan.test/")


def test_security_headers(client):
    response = client.get("/logga-in")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie_flags = "\n".join(response.headers.getlist("Set-Cookie"))
    assert cookie_flags == "" or "HttpOnly" in cookie_flags


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_csrf_is_required_on_login_and_on_state_changes(world, csrf_client):
    user = world.users["ledamot_af"]
    # Without the token the form is refused and nobody is logged in.
    response = _post_login(csrf_client, user.epost, factories.PASSWORD)
    assert response.status_code == 400
    assert csrf_client.get("/arenden/").status_code == 302
    # With it, login works.
    token = _csrf_token(csrf_client.get("/logga-in").get_data(as_text=True))
    response = csrf_client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD,
                                                   "csrf_token": token})
    assert response.status_code == 303
    # A forged cross-site POST to a case (no token) changes nothing.
    arende = factories.create_arende(world, aktualisera=False)
    db.session.commit()
    response = csrf_client.post(f"/arenden/{arende.id}/handelse",
                                data={"trigger": "aktualisera", "version": arende.version})
    assert response.status_code in (400, 422)
    db.session.expire_all()
    assert arende.status == "utkast"


def test_the_session_cookie_is_sent_again_at_most_once_a_minute(world, client):
    """The last activity is written into the cookie at most once a minute: a page read
    within the minute sends no Set-Cookie (signing it again cost every request, issue 19),
    one after it does, and the idle timeout counts from the last write."""
    user = world.users["ledamot_af"]
    start = dt.datetime.now(dt.UTC)
    clock.set_clock(lambda: start)
    _post_login(client, user.epost, factories.PASSWORD)
    assert client.get("/arenden/").headers.getlist("Set-Cookie")  # the first activity
    svar = client.get("/arenden/")
    assert svar.status_code == 200 and not svar.headers.getlist("Set-Cookie")
    clock.set_clock(lambda: start + dt.timedelta(seconds=59))
    assert not client.get("/arenden/").headers.getlist("Set-Cookie")
    clock.set_clock(lambda: start + dt.timedelta(seconds=61))
    kaka = client.get("/arenden/").headers.getlist("Set-Cookie")
    assert kaka and "HttpOnly" in kaka[0] and "Expires=" in kaka[0]
