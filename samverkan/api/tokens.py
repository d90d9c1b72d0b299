"""API: the caller's own API tokens — list, create (secret shown once), revoke."""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.api.payload import iso, json_body
from samverkan.auth import policy, services
from samverkan.auth.models import ApiToken
from samverkan.core.db import db


def token_json(t: ApiToken) -> dict:
    return {
        "id": t.id,
        "namn": t.namn,
        "prefix": t.prefix,
        "skapad": iso(t.skapad),
        "senast_anvand": iso(t.senast_anvand),
        "aterkallad": iso(t.aterkallad),
        "giltig_till": iso(t.giltig_till),
        "omfang": t.omfang.value,
    }


@bp.get("/tokens")
@policy.regel("inloggad")
def lista_tokens():
    body = {"tokens": [token_json(t) for t in services.tokens_of(api_user())]}
    db.session.commit()
    return jsonify(body)


@bp.post("/tokens")
@policy.regel("inloggad")
def skapa_token():
    body = json_body({"namn", "dagar", "omfang"})
    token, secret = services.create_token(api_user(), body.text("namn", required=True),
                                          dagar=body.integer("dagar"), omfang=body.text("omfang") or "skriva")
    result = {**token_json(token), "token": secret}
    db.session.commit()
    return jsonify(result), 201


@bp.delete("/tokens/<int:token_id>")
@policy.regel("inloggad")
def aterkalla_token(token_id: int):
    services.revoke_token(api_user(), token_id)
    db.session.commit()
    return "", 204
