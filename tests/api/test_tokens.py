"""GET/POST /tokens and DELETE /tokens/<id>: the caller's own tokens only."""

from __future__ import annotations

from samverkan.auth.models import ApiToken
from samverkan.auth.services import create_token
from samverkan.core.db import db
from tests.api.helpers import Api, fel


def test_list_shows_own_tokens_without_secrets(world, api, token_for):
    secret = token_for("ledamot_af")
    other = token_for("ledamot_fk")
    response = api(None).get("/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    [token] = response.get_json()["tokens"]
    assert token["namn"] == "test"
    assert token["prefix"] == secret[:10]
    assert token["aterkallad"] is None
    text = response.get_data(as_text=True)
    assert secret not in text and other[:10] not in text


def test_create_returns_the_secret_once_and_it_works(world, api, client):
    response = api("ledamot_af").post("/tokens", json={"namn": "Verksamhetssystem"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["namn"] == "Verksamhetssystem"
    assert body["token"].startswith(body["prefix"])
    stored = db.session.get(ApiToken, body["id"])
    assert body["token"] not in (stored.token_hash, stored.prefix)
    new = Api(client, body["token"])
    listed = new.get("/tokens").get_json()["tokens"]
    assert [t["namn"] for t in listed] == ["Verksamhetssystem", "test"]  # newest first
    assert all("token" not in t for t in listed)


def test_create_refuses_missing_or_empty_name(world, api):
    client = api("ledamot_af")
    missing = client.post("/tokens", json={})
    assert (missing.status_code, fel(missing)["kod"], fel(missing)["falt"]) == (422, "falt_saknas", "namn")
    empty = client.post("/tokens", json={"namn": "   "})
    assert (empty.status_code, fel(empty)["kod"], fel(empty)["falt"]) == (422, "ogiltigt_namn", "namn")
    too_long = client.post("/tokens", json={"namn": "x" * 101})
    assert too_long.status_code == 422
    assert client.post("/tokens", data="namn=x").status_code == 400


def test_revoke_own_token_ends_it(world, api, client):
    _, second = create_token(world.users["ledamot_af"], "andra")
    db.session.commit()
    caller = api("ledamot_af")
    token_id = db.session.query(ApiToken).filter_by(namn="andra").one().id
    response = caller.delete(f"/tokens/{token_id}")
    assert response.status_code == 204
    assert response.get_data() == b""
    refused = Api(client, second).get("/teams")
    assert refused.status_code == 401
    assert caller.get("/tokens").status_code == 200
    # Revoking twice is harmless.
    assert caller.delete(f"/tokens/{token_id}").status_code == 204


def test_revoking_the_token_in_use_ends_it_at_once(world, api):
    caller = api("ledamot_af")
    token_id = db.session.query(ApiToken).one().id
    assert caller.delete(f"/tokens/{token_id}").status_code == 204
    assert caller.get("/tokens").status_code == 401


def test_someone_elses_token_is_404(world, api, token_for):
    token_for("ledamot_fk")
    theirs = db.session.query(ApiToken).one().id
    response = api("ledamot_af").delete(f"/tokens/{theirs}")
    assert response.status_code == 404
    assert fel(response)["kod"] == "hittades_inte"
    assert db.session.get(ApiToken, theirs).aterkallad is None
    assert api("ledamot_af").delete("/tokens/999999").status_code == 404
