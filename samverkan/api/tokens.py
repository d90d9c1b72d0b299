"""API: the caller's own API tokens — list, create (secret shown once), revoke."""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import (
    Heltal,
    Id,
    In,
    Lista,
    Objekt,
    Text,
    Tidpunkt,
    Ut,
    fields,
    langd,
    monster,
    val,
)
from samverkan.auth import policy, services
from samverkan.auth.models import TokenOmfang
from samverkan.auth.services import TOKEN_DAGAR, TOKEN_DAGAR_MAX


class Token(Ut):
    id = Id()
    namn = fields.String()
    prefix = fields.String(metadata={"description": "Början av token, för att känna igen den."})
    skapad = Tidpunkt()
    senast_anvand = Tidpunkt(allow_none=True)
    aterkallad = Tidpunkt(allow_none=True)
    giltig_till = Tidpunkt(metadata={"description": "Token slutar gälla efter denna tidpunkt."})
    omfang = fields.Enum(TokenOmfang, by_value=fields.String,
                         metadata={"description": "lasa: bara läsande anrop; skriva: även ändringar."})


class NyToken(Token):
    token = fields.String(metadata={"description": "Hemligheten. Visas bara nu."})


class Tokens(Ut):
    tokens = Lista(Objekt(Token), metadata={"description": "Nyaste först."})


class NyTokenBegaran(In):
    namn = Text(required=True, validate=[langd(minimum=1, maximum=100, kod="ogiltigt_namn"),
                                         monster(r"^[^\u0000]*[^\s\u0000][^\u0000]*$", kod="ogiltigt_namn")])
    dagar = Heltal(minimum=1, maximum=TOKEN_DAGAR_MAX, metadata={"description": f"Giltighet i dagar (standard {TOKEN_DAGAR})."})
    omfang = Text(validate=val((o.value for o in TokenOmfang), kod="ogiltigt_omfang"))


@endpoint("GET", "/tokens", svar=Tokens)
@policy.regel("inloggad")
def lista_tokens():
    """Dina API-tokens"""
    return {"tokens": services.tokens_of(api_user())}


@endpoint("POST", "/tokens", body=NyTokenBegaran, svar=(201, NyToken))
@policy.regel("inloggad")
def skapa_token(body: dict):
    """Skapa en API-token (hemligheten visas bara i svaret)"""
    token, secret = services.create_token(api_user(), body["namn"], dagar=body.get("dagar"),
                                          omfang=body.get("omfang", "skriva"))
    return {**{name: getattr(token, name) for name in Token._declared_fields}, "token": secret}


@endpoint("DELETE", "/tokens/<int:token_id>", svar=(204, None))
@policy.regel("inloggad")
def aterkalla_token(token_id: int):
    """Återkalla en av dina tokens"""
    services.revoke_token(api_user(), token_id)
