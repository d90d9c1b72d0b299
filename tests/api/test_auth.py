"""Token authentication: only a valid bearer token of an active user opens the API."""

from __future__ import annotations

import pytest

from samverkan.auth.models import ApiToken
from samverkan.auth.services import revoke_token
from samverkan.core.db import db
from tests.api.helpers import fel


def _refused(response):
    assert response.status_code == 401
    assert fel(response)["kod"] == "ej_autentiserad"
    assert fel(response)["meddelande"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_without_token_is_401(api):
    _refused(api(None).get("/teams"))


@pytest.mark.parametrize("header", [
    "Bearer sv_inte-en-riktig-token",
    "Bearer inget-prefix",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "sv_utan-schema",
])
def test_malformed_or_unknown_token_is_401(api, header):
    _refused(api(None).get("/teams", headers={"Authorization": header}))


def test_revoked_token_is_401(world, api, token_for):
    secret = token_for("ledamot_af")
    token = db.session.query(ApiToken).one()
    revoke_token(world.users["ledamot_af"], token.id)
    db.session.commit()
    _refused(api(None).get("/teams", headers={"Authorization": f"Bearer {secret}"}))


def test_token_of_deactivated_user_is_401(world, api, token_for):
    secret = token_for("ledamot_af")
    world.users["ledamot_af"].aktiv = False
    db.session.commit()
    _refused(api(None).get("/teams", headers={"Authorization": f"Bearer {secret}"}))


def test_valid_token_is_200_and_marks_last_use(world, api):
    response = api("ledamot_af").get("/teams")
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert db.session.query(ApiToken).one().senast_anvand is not None


def test_scheme_is_case_insensitive(api, token_for):
    secret = token_for("ledamot_af")
    assert api(None).get("/teams", headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_session_cookie_does_not_open_the_api(world, login):
    client = login(world.users["ledamot_af"])
    response = client.get("/api/v1/teams")
    _refused(response)


def test_openapi_document_is_public(api):
    response = api(None).get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


def test_api_is_exempt_from_csrf_but_the_ui_is_not(world, api, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "WTF_CSRF_ENABLED", True)
    response = api("ledamot_af").post("/tokens", json={"namn": "Integration"})
    assert response.status_code == 201
    # The same app still refuses a UI form post without a CSRF token.
    assert api(None).client.post("/logga-in", data={"epost": "x@example.org"}).status_code == 400


def test_unknown_api_path_and_method_answer_json(api):
    client = api("ledamot_af")
    missing = client.get("/finns-inte")
    assert missing.status_code == 404 and fel(missing)["kod"] == "http_404"
    wrong = client.request("PUT", "/teams")
    assert wrong.status_code == 405 and fel(wrong)["kod"] == "http_405"
