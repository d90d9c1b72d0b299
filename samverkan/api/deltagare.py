"""API: exact lookup of a deltagare by personnummer or samordningsnummer.

A POST, not a GET, so the number travels in the body and never lands in URLs, proxy
logs or browser history. The answer carries no number and no name.
"""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.api.payload import json_body
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.core.errors import NotFound
from samverkan.deltagare import services
from samverkan.deltagare.models import Deltagare


def deltagare_json(d: Deltagare) -> dict:
    return {"id": d.id, "kon": d.kon.value, "fodelsear": d.fodelsear,
            "samordningsnummer": d.samordningsnummer}


@bp.post("/deltagare/sok")
@policy.regel("handlaggare")
def sok_deltagare():
    body = json_body({"personnummer"})
    user = api_user()
    found = services.sok(user, body.text("personnummer", required=True))
    if found is None:
        # The search itself is audited: keep that entry although the answer is 404.
        db.session.commit()
        raise NotFound("Ingen deltagare med det numret.")
    result = deltagare_json(found)
    db.session.commit()
    return jsonify(result)
