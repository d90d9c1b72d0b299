"""Whole numbers too large for the database in a page's query string (issue 18, point 6):
each route and parameter below answered 500 (a driver overflow); now 404 for an id or a
page that cannot exist, 422 with the message beside the field for a filter or a period."""

from __future__ import annotations

import pytest

from tests import factories

STORT = "99999999999999999999"

# (who, path, parameter, value, expected status)
FALL = [
    ("projektledare", "/arenden/", "sida", STORT, 404),
    ("projektledare", "/arenden/inkorg", "team", "-" + STORT, 404),
    ("projektledare", "/kallelser/", "sida", STORT, 404),
    ("admin", "/loggkontroll/", "sida", STORT, 404),
    ("admin", "/loggkontroll/", "anvandare", STORT, 422),
    ("admin", "/loggkontroll/export.csv", "anvandare", STORT, 422),
    ("projektledare", "/rapporter/nyckeltal", "period", STORT, 422),
    ("projektledare", "/rapporter/period", "period", STORT, 422),
    ("projektledare", "/rapporter/period", "period", "-" + STORT, 422),
    ("projektledare", "/rapporter/period/export.csv", "period", STORT, 422),
    ("projektledare", "/rapporter/period/export.xlsx", "period", STORT, 422),
    ("projektledare", "/rapporter/period/rapport.pdf", "period", STORT, 422),
]


@pytest.mark.parametrize(("vem", "sokvag", "namn", "varde", "status"), FALL,
                         ids=[f"{f[1]}?{f[2]}={f[3][:3]}" for f in FALL])
def test_an_oversized_integer_is_a_clear_answer_not_500(world, login, client, vem, sokvag, namn, varde, status):
    factories.create_arende(world)
    login(world.users[vem])
    svar = client.get(sokvag, query_string={namn: varde, "team": str(world.team.id)} if namn != "team"
                      else {namn: varde})
    assert svar.status_code == status, svar.get_data(as_text=True)[:300]
    if status == 422 and svar.mimetype == "text/html":
        text = svar.get_data(as_text=True)
        assert any(s in text for s in ("Välj en användare i listan", "Ange perioden", "rätta filtret"))


def test_a_page_number_within_range_but_past_the_end_is_an_empty_page(world, login, client):
    login(world.users["projektledare"])
    assert client.get("/arenden/", query_string={"sida": "2147483647"}).status_code == 200


def test_a_body_beyond_the_limit_is_refused_before_it_is_read(world, client):
    svar = client.post("/logga-in", data=b"x" * (5 * 1024 * 1024 + 1), content_type="application/x-www-form-urlencoded")
    assert svar.status_code == 413
    assert "för stort" in svar.get_data(as_text=True)


def test_an_api_body_beyond_the_limit_is_refused_in_json(world, client):
    from samverkan.auth.services import create_token

    _, secret = create_token(world.users["admin"], "import")
    svar = client.post("/api/v1/admin/import", data=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                       content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert svar.status_code == 413
    assert svar.get_json()["fel"]["kod"] == "http_413" and "för stort" in svar.get_json()["fel"]["meddelande"]
