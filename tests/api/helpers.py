"""API test helpers: a client that sends the bearer header and checks every answer
against the OpenAPI document (status documented, body matching its schema), so the
document is tested by every API test, not only its own; and small assertions."""

from __future__ import annotations

import re

from openapi_schema_validator import OAS31Validator, oas31_format_checker
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from samverkan.api.dokument import dokument
from samverkan.arenden.models import Arende, ArendeHandelse, Referensserie
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare, Samtycke

PREFIX = "/api/v1"


def openapi_path(rule: str) -> str:
    """Flask's /api/v1/arenden/<int:arende_id> as OpenAPI's /arenden/{arende_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(PREFIX))


def _documented_response(response, method: str, path: str, app) -> dict | None:
    """The document's answer for this request, or None for routes it cannot name (404/405)."""
    adapter = app.url_map.bind("samverkan.test")
    try:
        rule, _ = adapter.match(path, method=method, return_rule=True)
    except HTTPException:  # no such route or method: answered by web.py, not documented
        return None
    DOCUMENT = dokument()
    operation = DOCUMENT["paths"][openapi_path(rule.rule)][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {rule.rule} answered {status}, not documented"
    documented = operation["responses"][status]
    if "$ref" in documented:
        documented = DOCUMENT["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    return documented


def check_against_document(response, method: str, path: str, app) -> None:
    documented = _documented_response(response, method, path, app)
    if documented is None:
        return
    if "content" not in documented:
        assert response.get_data() == b""
        return
    schema = {**documented["content"]["application/json"]["schema"], "components": dokument()["components"]}
    OAS31Validator(schema, format_checker=oas31_format_checker).validate(response.get_json())


class Api:
    """``api.get("/arenden")`` with the user's token; the prefix is added."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def request(self, method: str, path: str, *, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.secret is not None:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        full = PREFIX + path
        response = self.client.open(full, method=method, headers=headers, **kwargs)
        check_against_document(response, method, full.split("?", 1)[0], self.client.application)
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def fel(response) -> dict:
    return response.get_json()["fel"]


def row_counts() -> dict[str, int]:
    """Rows per table an ärende write touches: equal before and after means nothing saved."""
    models = (Arende, ArendeHandelse, Deltagare, Samtycke, Referensserie, AuditEntry)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
