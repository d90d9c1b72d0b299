"""API: the caller's teams and a team's members."""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.arenden import services
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, Part, Team


def part_json(part: Part | None) -> dict | None:
    if part is None:
        return None
    return {"id": part.id, "typ": part.typ.value, "namn": part.namn}


def _team_json(team: Team, user: User) -> dict:
    roller = sorted({m.roll.value for m in team.medlemskap if m.user_id == user.id})
    return {"id": team.id, "namn": team.namn, "mina_roller": roller}


def _medlem_json(m: Medlemskap) -> dict:
    return {
        "user_id": m.user_id,
        "namn": m.user.namn,
        "roll": m.roll.value,
        "part": part_json(m.user.part),
    }


@bp.get("/teams")
@policy.regel("inloggad")
def lista_teams():
    user = api_user()
    teams = services.teams_for(user)
    body = {"teams": [_team_json(t, user) for t in teams]}
    db.session.commit()
    return jsonify(body)


@bp.get("/teams/<int:team_id>/medlemmar")
@policy.regel("team_medlem")
def lista_medlemmar(team_id: int):
    medlemmar = services.list_medlemmar(api_user(), team_id)
    body = {"medlemmar": [_medlem_json(m) for m in medlemmar]}
    db.session.commit()
    return jsonify(body)
