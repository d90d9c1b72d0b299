"""API: the caller's teams and a team's members."""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Id, Lista, Objekt, Ut, fields, val
from samverkan.arenden import services
from samverkan.auth import policy
from samverkan.forbund.models import PartTyp, TeamRoll


class Part(Ut):
    id = Id()
    typ = fields.Enum(PartTyp, by_value=fields.String)
    namn = fields.String()


class Person(Ut):
    id = Id()
    namn = fields.String()


class Team(Ut):
    id = Id()
    namn = fields.String()
    mina_roller = Lista(fields.String(validate=val(r.value for r in TeamRoll)))


class Teams(Ut):
    teams = Lista(Objekt(Team))


class Medlem(Ut):
    user_id = Id()
    namn = fields.String(attribute="user.namn")
    roll = fields.Enum(TeamRoll, by_value=fields.String)
    part = Objekt(Part, attribute="user.part", allow_none=True)


class Medlemmar(Ut):
    medlemmar = Lista(Objekt(Medlem))


@endpoint("GET", "/teams", svar=Teams)
@policy.regel("inloggad")
def lista_teams():
    """Dina team"""
    user = api_user()
    return {"teams": [{"id": t.id, "namn": t.namn,
                       "mina_roller": sorted({m.roll.value for m in t.medlemskap if m.user_id == user.id})}
                      for t in services.teams_for(user)]}


@endpoint("GET", "/teams/<int:team_id>/medlemmar", svar=Medlemmar)
@policy.regel("team_medlem")
def lista_medlemmar(team_id: int):
    """Ett teams medlemmar med roll och part"""
    return {"medlemmar": services.list_medlemmar(api_user(), team_id)}
