"""Reading a request by its schema (api/schema.py, api/endpoint.py): what schemathesis
found the old parser and the document disagreed on, and the answers' one error shape."""

from __future__ import annotations

import pytest

from samverkan.api.dokument import dokument
from tests.api.helpers import fel


def test_a_405_names_the_methods_the_resource_has(api, client):
    response = api("ledamot_af").request("TRACE", "/teams")
    assert response.status_code == 405 and fel(response)["kod"] == "http_405"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    # A page too, and a huge id in the query does not turn it into a 404.
    page = client.open("/arenden/mina?team_id=99999999999999999999", method="TRACE")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.mark.parametrize(("namn", "status"), [("Skript", 201), ("  Skript  ", 201), ("   ", 422), ("a\nb", 201)])
def test_a_token_name_is_valid_exactly_when_the_document_says(api, namn, status):
    response = api("ledamot_af").post("/tokens", json={"namn": namn})
    assert response.status_code == status
    if status == 422:
        assert (fel(response)["kod"], fel(response)["falt"]) == ("ogiltigt_namn", "namn")


def test_an_integral_number_is_an_integer_and_a_fraction_is_not(world, api):
    client = api("projektledare")
    assert client.post("/deltagare/sok", json={"personnummer": 5}).status_code == 422
    ok = client.post("/moten/1/dagordning", json={"arende_id": 999999.0})
    assert ok.status_code == 404  # read as 999999: no such meeting
    half = client.post("/moten/1/dagordning", json={"arende_id": 1.5})
    assert (half.status_code, fel(half)["kod"], fel(half)["falt"]) == (422, "ogiltig_typ", "arende_id")


def test_a_pattern_ends_where_the_text_ends(world, api):
    """Python's $ also matches before a final newline; JSON Schema's does not."""
    response = api("projektledare").get("/rapporter/period?period=2026%0A")
    assert (response.status_code, fel(response)["kod"]) == (422, "ogiltig_period")


def test_an_empty_query_parameter_is_refused_as_the_document_says(api):
    response = api("samcoach").get("/arenden?sida=")
    assert (response.status_code, fel(response)["falt"]) == (422, "sida")


def test_every_answer_names_one_error_shape():
    document = dokument()
    for name, svar in document["components"]["responses"].items():
        assert svar["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Fel"}, name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, svar in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert svar["$ref"].startswith("#/components/responses/"), (path, method, status)
            assert "400" in operation["responses"], (path, method)
