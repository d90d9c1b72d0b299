"""GET /teams and GET /teams/<id>/medlemmar."""

from __future__ import annotations

import pytest

from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, TeamRoll
from tests.api.helpers import fel
from tests.factories import create_user


def test_teams_are_the_callers_own(world, api):
    response = api("ledamot_af").get("/teams")
    assert response.status_code == 200
    assert response.get_json()["teams"] == [
        {"id": world.team.id, "namn": "Trisam Testby", "mina_roller": ["ledamot"]},
    ]
    granne = api("granne").get("/teams").get_json()["teams"]
    assert [t["id"] for t in granne] == [world.annat_team.id]


def test_admin_outside_teams_has_none(world, api):
    assert api("admin").get("/teams").get_json() == {"teams": []}


def test_members_with_role_and_party(world, api):
    response = api("samcoach").get(f"/teams/{world.team.id}/medlemmar")
    assert response.status_code == 200
    medlemmar = response.get_json()["medlemmar"]
    by_user = {m["user_id"]: m for m in medlemmar}
    pl = by_user[world.users["projektledare"].id]
    assert pl["roll"] == "projektledare"
    assert pl["part"] == {"id": world.parter["kommun"].id, "typ": "kommun",
                          "namn": "Testby kommun, Arbetsmarknadsenheten"}
    assert by_user[world.users["ersattare_af"].id]["roll"] == "ersattare"
    assert world.users["granne"].id not in by_user
    assert len(medlemmar) == 7  # projektledare, four ledamöter, ersättare, samcoach
    assert [m["namn"] for m in medlemmar] == sorted(m["namn"] for m in medlemmar)


@pytest.mark.parametrize("who", ["granne", "admin", "styrgrupp"])
def test_members_of_a_team_you_are_not_in_is_404(world, api, who):
    response = api(who).get(f"/teams/{world.team.id}/medlemmar")
    assert response.status_code == 404
    assert fel(response)["kod"] == "hittades_inte"


def test_members_of_missing_team_is_404(world, api):
    assert api("ledamot_af").get("/teams/999999/medlemmar").status_code == 404


def test_members_list_costs_the_same_whatever_its_size(world, api, count_queries):
    client = api("ledamot_af")
    client.get(f"/teams/{world.team.id}/medlemmar")  # the token's first use is written; then once a minute
    with count_queries() as q:
        client.get(f"/teams/{world.team.id}/medlemmar")
    small = q.count
    for i in range(5):
        user = create_user(world.forbund, world.parter["region"], f"Extra {i}")
        db.session.add(Medlemskap(team_id=world.team.id, user_id=user.id, roll=TeamRoll.LEDAMOT))
    db.session.commit()
    with count_queries() as q:
        response = client.get(f"/teams/{world.team.id}/medlemmar")
    assert len(response.get_json()["medlemmar"]) == 12
    assert q.count == small
