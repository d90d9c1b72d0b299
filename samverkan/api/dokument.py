"""The API's OpenAPI 3.1 document, generated (apispec) from the endpoints' own
declarations and schemas (``api/endpoint.py``), and the public route that serves it.
Nothing in it is written by hand but the words around the operations.
"""

from __future__ import annotations

import functools
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from samverkan.api.endpoint import OPERATIONER, Operation, endpoint
from samverkan.api.schema import Ut, fields
from samverkan.auth import policy
from samverkan.core.db import ID_MAX

INFO = {
    "description": "Ärendehantering för Trisam-team. Autentisering med personlig API-token "
                   "(Authorization: Bearer …). Datum är ISO 8601 (ÅÅÅÅ-MM-DD), tidpunkter UTC. "
                   "Fel har formen {\"fel\": {\"kod\", \"meddelande\", \"falt\"}}.",
}

# Each refusal is {"fel": {...}}; the status says which kind.
FEL_SVAR = {
    400: ("FelaktigBegaran", "Innehållet är inte ett JSON-objekt (kod ogiltig_json), eller frågan "
                             "innehåller ett otillåtet tecken (kod http_400)."),
    401: ("EjAutentiserad", "Token saknas, är ogiltig eller återkallad (kod ej_autentiserad)."),
    403: ("SaknarBehorighet", "Du känner till objektet men har inte behörighet (kod saknar_behorighet)."),
    404: ("HittadesInte", "Finns inte, eller du får inte veta att det finns (kod hittades_inte)."),
    409: ("Konflikt", "Objektet har ändrats sedan du läste det, eller är i ett läge där det inte går: "
                      "läs om och försök igen (kod konflikt)."),
    422: ("Ogiltig", "Ett fält har fel typ eller värde, eller en regel vägrade (kod och falt säger vilket; "
                     "falt_fel med ett meddelande per fält när flera vägrades)."),
}

PATH_ID = {
    "arende_id": "Ärendets id.", "team_id": "Teamets id.", "mote_id": "Mötets id.", "punkt_id": "Punktens id.",
    "token_id": "Tokens id.", "insats_id": "Insatsens id.", "atgard_id": "Åtgärdens id.",  # nosec B105  # the description of a path parameter, not a password
    "part_id": "Partens id.", "anvandare_id": "Användarens id.", "medlemskap_id": "Medlemskapets (rollens) id.",
}
STATUSTEXT = {200: "Svaret.", 201: "Skapat.", 204: "Klart; inget innehåll."}


class FelInnehall(Schema):
    kod = fields.String(required=True, metadata={
        "description": "Stabil kod för program, t.ex. ej_autentiserad, hittades_inte, saknar_behorighet, "
                       "konflikt, ogiltig_json, falt_saknas, ogiltig_typ, ogiltigt_datum, okant_falt, "
                       "ogiltig_parameter, ogiltigt_varde, ogiltigt_personnummer, otillaten_overgang, "
                       "villkor_ej_uppfyllt."})
    meddelande = fields.String(required=True, metadata={"description": "Meddelande på svenska för människor."})
    falt = fields.String(required=True, allow_none=True, metadata={"description": "Fältet felet gäller, om något."})
    falt_fel = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Vid kod ogiltiga_uppgifter: ett meddelande per fält."})


class Fel(Ut):
    fel = fields.Nested(FelInnehall, required=True)


def _openapi_path(rule: str) -> str:
    """Flask's /arenden/<int:arende_id> as OpenAPI's /arenden/{arende_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _operation(op: Operation) -> dict:
    doc = (op.view.__doc__ or "").strip()
    summary, _, description = doc.partition("\n")
    names = re.findall(r"{(\w+)}", _openapi_path(op.path))
    parameters = [{"name": n, "in": "path", "required": True, "description": PATH_ID.get(n, ""),
                   "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}} for n in names]
    if op.fraga is not None:
        parameters.append({"in": "query", "schema": op.fraga})
    public = policy.regel_for(op.view) == "offentlig"
    fel = set(op.fel) | {400}
    if not public:
        fel.add(401)
    if op.body is not None or op.fraga is not None:
        fel.add(422)
    if names:
        fel.add(404)
    ok: dict = {"description": STATUSTEXT.get(op.status, "Svaret.")}
    if op.svar is not None:
        ok["content"] = {"application/json": {"schema": op.svar}}
    if op.headers:
        ok["headers"] = {h: {"schema": {"type": "string"}} for h in op.headers}
    operation = {
        "operationId": op.view.__name__,
        "summary": summary.strip(),
        "responses": {str(op.status): ok,
                      **{str(s): {"$ref": f"#/components/responses/{FEL_SVAR[s][0]}"} for s in sorted(fel)}},
    }
    if description.strip():
        operation["description"] = " ".join(description.split())
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    if public:
        operation["security"] = []
    return operation


@functools.cache
def dokument() -> dict:
    spec = APISpec(title="Samverkan API", version="1.0.0", openapi_version="3.1.0", info=INFO,
                   plugins=[MarshmallowPlugin()], servers=[{"url": "/api/v1"}], security=[{"bearer": []}])
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer", "description": "Personlig API-token, skapas under Konto → API-tokens."})
    spec.components.schema("Fel", schema=Fel)
    for _, (name, description) in sorted(FEL_SVAR.items()):
        spec.components.response(name, {"description": description,
                                         "content": {"application/json": {"schema": "Fel"}}})
    paths: dict[str, dict] = {}
    for op in OPERATIONER:
        paths.setdefault(_openapi_path(op.path), {})[op.method] = _operation(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@endpoint("GET", "/openapi.json", svar={"type": "object"})
@policy.regel("offentlig")
def openapi():
    """Det här dokumentet (OpenAPI 3.1)"""
    return dokument()
