"""The OpenAPI document: well-formed, served publicly, and describing exactly the routes
the blueprint has. A route added without documentation fails here."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from samverkan.api.dokument import dokument
from tests.api.helpers import PREFIX, openapi_path

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - IGNORED_METHODS
    }


DOCUMENT = dokument()


def _documented() -> set[tuple[str, str]]:
    http_methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {(path, method) for path, item in DOCUMENT["paths"].items() for method in item
            if method in http_methods}


def test_every_route_is_documented_and_nothing_else(app):
    routes = _routes(app)
    assert routes, "no API routes found"
    assert routes - _documented() == set(), "routes missing from the document"
    assert _documented() - routes == set(), "documented operations without a route"


def test_rule_paths_convert_to_openapi_templates():
    assert openapi_path("/api/v1/arenden/<int:arende_id>/handelser") == "/arenden/{arende_id}/handelser"
    assert openapi_path("/api/v1/teams/<team_id>") == "/teams/{team_id}"


def test_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_path_parameters_are_declared():
    for path, item in DOCUMENT["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)


def test_every_protected_operation_documents_401():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if operation.get("security") == []:
                continue
            assert "401" in operation["responses"], (path, method)
            if "requestBody" in operation:
                assert {"400", "422"} <= set(operation["responses"]), (path, method)


def test_served_document_is_the_data(client):
    response = client.get(PREFIX + "/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == DOCUMENT
