"""The API's OpenAPI 3.1 description, kept as plain data next to the handlers, and the
public route that serves it.

Value lists (states, triggers, code lists, roles) are read from the code that defines
them, so the document cannot drift from what the API accepts. A test compares the paths
here with the blueprint's routes: an undocumented route fails the suite.
"""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.arenden import MAX_PER_SIDA, PER_SIDA
from samverkan.arenden import kodlistor
from samverkan.auth import policy
from samverkan.deltagare.models import Kon, SamtyckeSatt
from samverkan.forbund.models import PartTyp, TeamRoll
from samverkan.insatser.models import InsatsForm, InsatsStatus
from samverkan.kallelser.models import UtskickStatus, UtskickTyp
from samverkan.moten.models import NarvaroStatus
from workflows import arende as wf


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": _json(schema)}


def _body(name: str) -> dict:
    return {"required": True, "content": _json(_ref(name))}


def _fel(*names: str) -> dict:
    """Documented refusals, by name in ``_FEL_SVAR`` below."""
    return {_FEL_SVAR[name][0]: {"$ref": f"#/components/responses/{name}"} for name in names}


def _enum(values) -> dict:
    return {"type": "string", "enum": list(values)}


DATUM = {"type": "string", "format": "date", "examples": ["2026-03-02"]}
TIDPUNKT = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601."}
ID = {"type": "integer", "minimum": 1}
STATUS = _enum(wf.STATES)

# Each refusal is {"fel": {...}}; the status says which kind.
_FEL_SVAR = {
    "FelaktigBegaran": ("400", "Innehållet är inte ett JSON-objekt (kod ogiltig_json)."),
    "EjAutentiserad": ("401", "Token saknas, är ogiltig eller återkallad (kod ej_autentiserad)."),
    "SaknarBehorighet": ("403", "Du känner till objektet men har inte behörighet (kod saknar_behorighet)."),
    "HittadesInte": ("404", "Finns inte, eller du får inte veta att det finns (kod hittades_inte)."),
    "Konflikt": ("409", "Ärendet har ändrats sedan du läste det: läs om och försök igen (kod konflikt)."),
    "Ogiltig": ("422", "Ett fält har fel typ eller värde, eller en regel vägrade (kod och falt säger vilket)."),
}

SCHEMAS = {
    "Fel": {
        "type": "object",
        "required": ["fel"],
        "properties": {
            "fel": {
                "type": "object",
                "required": ["kod", "meddelande", "falt"],
                "properties": {
                    "kod": {"type": "string", "description": "Stabil kod för program, t.ex. ej_autentiserad, "
                            "hittades_inte, saknar_behorighet, konflikt, ogiltig_json, falt_saknas, "
                            "ogiltig_typ, ogiltigt_datum, okant_falt, ogiltig_parameter, "
                            "ogiltigt_personnummer, otillaten_overgang, villkor_ej_uppfyllt."},
                    "meddelande": {"type": "string", "description": "Meddelande på svenska för människor."},
                    "falt": {"type": ["string", "null"], "description": "Fältet felet gäller, om något."},
                },
            },
        },
    },
    "Part": {
        "type": "object",
        "required": ["id", "typ", "namn"],
        "properties": {"id": ID, "typ": _enum(t.value for t in PartTyp), "namn": {"type": "string"}},
    },
    "Person": {
        "type": "object",
        "required": ["id", "namn"],
        "properties": {"id": ID, "namn": {"type": "string"}},
    },
    "Team": {
        "type": "object",
        "required": ["id", "namn", "mina_roller"],
        "properties": {
            "id": ID,
            "namn": {"type": "string"},
            "mina_roller": {"type": "array", "items": _enum(r.value for r in TeamRoll)},
        },
    },
    "Medlem": {
        "type": "object",
        "required": ["user_id", "namn", "roll", "part"],
        "properties": {
            "user_id": ID,
            "namn": {"type": "string"},
            "roll": _enum(r.value for r in TeamRoll),
            "part": _nullable(_ref("Part")),
        },
    },
    "Deltagare": {
        "type": "object",
        "required": ["id", "kon", "fodelsear", "samordningsnummer"],
        "properties": {
            "id": ID,
            "kon": _enum(k.value for k in Kon),
            "fodelsear": {"type": "integer"},
            "samordningsnummer": {"type": "boolean"},
        },
    },
    "DeltagareDetaljer": {
        "type": "object",
        "required": ["id", "personnummer", "anonym_kod", "samordningsnummer", "kon", "fodelsear"],
        "properties": {
            "id": ID,
            "personnummer": {"type": ["string", "null"], "description": "12 siffror, eller null vid anonym kod."},
            "anonym_kod": {"type": ["string", "null"]},
            "samordningsnummer": {"type": "boolean"},
            "kon": _enum(k.value for k in Kon),
            "fodelsear": {"type": "integer"},
        },
    },
    "ArendeReferens": {
        "type": "object",
        "description": "Referensnivå: inga personuppgifter.",
        "required": ["id", "referens", "team_id", "status", "aktualiserad_den", "aktualiserande_part"],
        "properties": {
            "id": ID,
            "referens": {"type": "string", "examples": ["TST-2026-001"]},
            "team_id": ID,
            "status": STATUS,
            "aktualiserad_den": _nullable(DATUM),
            "aktualiserande_part": _ref("Part"),
        },
    },
    "ArendeSida": {
        "type": "object",
        "required": ["arenden", "sida", "per_sida", "totalt", "sidor"],
        "properties": {
            "arenden": {"type": "array", "items": _ref("ArendeReferens")},
            "sida": {"type": "integer", "minimum": 1},
            "per_sida": {"type": "integer", "minimum": 1, "maximum": MAX_PER_SIDA},
            "totalt": {"type": "integer", "minimum": 0},
            "sidor": {"type": "integer", "minimum": 1},
        },
    },
    "Samtycke": {
        "type": "object",
        "required": ["givet_den", "giltigt_till", "satt", "part_ids", "dokumentreferens", "aterkallat"],
        "properties": {
            "givet_den": DATUM,
            "giltigt_till": DATUM,
            "satt": _enum(s.value for s in SamtyckeSatt),
            "part_ids": {"type": "array", "items": ID},
            "dokumentreferens": {"type": "string"},
            "aterkallat": _nullable(TIDPUNKT),
        },
    },
    "ArendeDetaljer": {
        "allOf": [
            _ref("ArendeReferens"),
            {
                "type": "object",
                "required": ["version", "handlaggare", "fragestallning", "deltagare", "forsorjning_start",
                             "sysselsattning_start", "forsorjning_slut", "sysselsattning_slut",
                             "avslutsorsak", "forsta_samplanering", "avslutad_den", "samtycke",
                             "tillatna_handelser"],
                "properties": {
                    "version": {"type": "integer", "description": "Skicka med vid nästa händelse."},
                    "handlaggare": _ref("Person"),
                    "fragestallning": {"type": "string", "description": "Sanerad HTML."},
                    "deltagare": _ref("DeltagareDetaljer"),
                    "forsorjning_start": _nullable(_enum(kodlistor.FORSORJNING)),
                    "sysselsattning_start": _nullable(_enum(kodlistor.SYSSELSATTNING)),
                    "utbildningsniva": _nullable(_enum(kodlistor.UTBILDNINGSNIVA)),
                    "tid_i_offentligt_stod": _nullable(_enum(kodlistor.TID_I_OFFENTLIGT_STOD)),
                    "forsorjning_slut": _nullable(_enum(kodlistor.FORSORJNING)),
                    "sysselsattning_slut": _nullable(_enum(kodlistor.SYSSELSATTNING)),
                    "avslutsorsak": _nullable(_enum(kodlistor.AVSLUTSORSAK)),
                    "forsta_samplanering": _nullable(DATUM),
                    "avslutad_den": _nullable(DATUM),
                    "samtycke": _nullable(_ref("Samtycke")),
                    "tillatna_handelser": {"type": "array", "items": _enum(wf.TRIGGER_LABELS),
                                           "description": "Det du får göra nu."},
                },
            },
        ],
    },
    "Handelse": {
        "type": "object",
        "required": ["id", "trigger", "fran_status", "till_status", "galler_datum", "registrerad",
                     "kommentar", "ar_korrigering", "aktor"],
        "properties": {
            "id": ID,
            "trigger": _enum(wf.TRIGGER_LABELS),
            "fran_status": STATUS,
            "till_status": STATUS,
            "galler_datum": DATUM,
            "registrerad": TIDPUNKT,
            "kommentar": {"type": "string"},
            "ar_korrigering": {"type": "boolean"},
            "aktor": _ref("Person"),
        },
    },
    "HandelseResultat": {
        "type": "object",
        "required": ["status", "version", "handelse"],
        "properties": {"status": STATUS, "version": {"type": "integer"}, "handelse": _ref("Handelse")},
    },
    "Token": {
        "type": "object",
        "required": ["id", "namn", "prefix", "skapad", "senast_anvand", "aterkallad"],
        "properties": {
            "id": ID,
            "namn": {"type": "string"},
            "prefix": {"type": "string", "description": "Början av token, för att känna igen den."},
            "skapad": TIDPUNKT,
            "senast_anvand": _nullable(TIDPUNKT),
            "aterkallad": _nullable(TIDPUNKT),
        },
    },
    "NyToken": {
        "allOf": [
            _ref("Token"),
            {
                "type": "object",
                "required": ["token"],
                "properties": {"token": {"type": "string", "description": "Hemligheten. Visas bara nu."}},
            },
        ],
    },
    # --- request bodies -----------------------------------------------------------
    "DeltagareSok": {
        "type": "object",
        "additionalProperties": False,
        "required": ["personnummer"],
        "properties": {"personnummer": {"type": "string", "examples": ["19850312-1234"]}},
    },
    "NyttSamtycke": {
        "type": "object",
        "additionalProperties": False,
        "required": ["givet_den", "giltigt_till", "satt", "part_ids"],
        "properties": {
            "givet_den": DATUM,
            "giltigt_till": DATUM,
            "satt": _enum(s.value for s in SamtyckeSatt),
            "part_ids": {"type": "array", "items": ID, "minItems": 1},
            "dokumentreferens": {"type": "string", "maxLength": 200},
        },
    },
    "NyttArende": {
        "type": "object",
        "additionalProperties": False,
        "description": "Ange antingen personnummer eller anonym_kod med fodelsear. Allt eller "
                       "inget: vägras något sparas ingenting.",
        "required": ["team_id", "fragestallning", "kon"],
        "properties": {
            "team_id": ID,
            "fragestallning": {"type": "string", "description": "HTML; allt utom p, br, strong, em, "
                               "ul, ol, li och a tas bort."},
            "kon": _enum(k.value for k in Kon),
            "personnummer": {"type": "string"},
            "anonym_kod": {"type": "string", "pattern": "^[A-Za-z0-9-]{3,40}$"},
            "fodelsear": {"type": "integer"},
            "forsorjning_start": _enum(kodlistor.FORSORJNING),
            "sysselsattning_start": _enum(kodlistor.SYSSELSATTNING),
            "utbildningsniva": _enum(kodlistor.UTBILDNINGSNIVA),
            "tid_i_offentligt_stod": _enum(kodlistor.TID_I_OFFENTLIGT_STOD),
            "samtycke": _ref("NyttSamtycke"),
        },
    },
    "NyHandelse": {
        "type": "object",
        "additionalProperties": False,
        "required": ["trigger", "version"],
        "properties": {
            "trigger": _enum(wf.TRIGGER_LABELS),
            "version": {"type": "integer", "description": "Ärendets version när du läste det."},
            "datum": {**DATUM, "description": "Dagen det hände (standard: i dag)."},
            "kommentar": {"type": "string", "description": "Orsak vid korrigera."},
            "avslutsorsak": _enum(kodlistor.AVSLUTSORSAK),
            "forsorjning_slut": _enum(kodlistor.FORSORJNING),
            "sysselsattning_slut": _enum(kodlistor.SYSSELSATTNING),
            "till": {**STATUS, "description": "Målstatus vid korrigera."},
        },
    },
    "NyTokenBegaran": {
        "type": "object",
        "additionalProperties": False,
        "required": ["namn"],
        "properties": {"namn": {"type": "string", "minLength": 1, "maxLength": 100}},
    },
}


def _id_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer"}}


ARENDE_ID = _id_param("arende_id", "Ärendets id.")

PATHS = {
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "Det här dokumentet",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": _json({"type": "object"})}},
        },
    },
    "/teams": {
        "get": {
            "operationId": "lista_teams",
            "summary": "Dina team",
            "responses": {
                "200": _ok("Teamen du är med i.", {
                    "type": "object", "required": ["teams"],
                    "properties": {"teams": {"type": "array", "items": _ref("Team")}},
                }),
                **_fel("EjAutentiserad"),
            },
        },
    },
    "/teams/{team_id}/medlemmar": {
        "get": {
            "operationId": "lista_medlemmar",
            "summary": "Ett teams medlemmar med roll och part",
            "parameters": [_id_param("team_id", "Teamets id.")],
            "responses": {
                "200": _ok("Medlemmarna.", {
                    "type": "object", "required": ["medlemmar"],
                    "properties": {"medlemmar": {"type": "array", "items": _ref("Medlem")}},
                }),
                **_fel("EjAutentiserad", "HittadesInte"),
            },
        },
    },
    "/deltagare/sok": {
        "post": {
            "operationId": "sok_deltagare",
            "summary": "Sök deltagare på exakt personnummer eller samordningsnummer",
            "description": "POST så att numret aldrig hamnar i en URL eller i loggar. Sökningen loggas.",
            "requestBody": _body("DeltagareSok"),
            "responses": {
                "200": _ok("Deltagaren (utan nummer och namn).", _ref("Deltagare")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/arenden": {
        "get": {
            "operationId": "lista_arenden",
            "summary": "Ärenden du får känna till, nyaste först (referensnivå)",
            "parameters": [
                {"name": "sida", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                {"name": "per_sida", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_SIDA, "default": PER_SIDA}},
                {"name": "status", "in": "query", "schema": STATUS},
            ],
            "responses": {
                "200": _ok("En sida ärenden.", _ref("ArendeSida")),
                **_fel("EjAutentiserad", "Ogiltig"),
            },
        },
        "post": {
            "operationId": "skapa_arende",
            "summary": "Skapa ett utkast, eventuellt med samtycke",
            "requestBody": _body("NyttArende"),
            "responses": {
                "201": {
                    "description": "Utkastet.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": _json(_ref("ArendeDetaljer")),
                },
                **_fel("FelaktigBegaran", "EjAutentiserad", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/arenden/{arende_id}": {
        "get": {
            "operationId": "visa_arende",
            "summary": "Ett ärendes uppgifter (läsningen loggas)",
            "parameters": [ARENDE_ID],
            "responses": {
                "200": _ok("Ärendet.", _ref("ArendeDetaljer")),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte"),
            },
        },
    },
    "/arenden/{arende_id}/handelser": {
        "get": {
            "operationId": "lista_handelser",
            "summary": "Ärendets historik",
            "parameters": [ARENDE_ID],
            "responses": {
                "200": _ok("Händelserna, äldst först.", {
                    "type": "object", "required": ["handelser"],
                    "properties": {"handelser": {"type": "array", "items": _ref("Handelse")}},
                }),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte"),
            },
        },
        "post": {
            "operationId": "ny_handelse",
            "summary": "Ändra ärendets status (en övergång)",
            "parameters": [ARENDE_ID],
            "requestBody": _body("NyHandelse"),
            "responses": {
                "201": _ok("Den nya statusen och versionen.", _ref("HandelseResultat")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte",
                       "Konflikt", "Ogiltig"),
            },
        },
    },
    "/tokens": {
        "get": {
            "operationId": "lista_tokens",
            "summary": "Dina API-tokens",
            "responses": {
                "200": _ok("Dina tokens, nyaste först.", {
                    "type": "object", "required": ["tokens"],
                    "properties": {"tokens": {"type": "array", "items": _ref("Token")}},
                }),
                **_fel("EjAutentiserad"),
            },
        },
        "post": {
            "operationId": "skapa_token",
            "summary": "Skapa en API-token",
            "requestBody": _body("NyTokenBegaran"),
            "responses": {
                "201": _ok("Token med hemligheten, som bara visas nu.", _ref("NyToken")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "Ogiltig"),
            },
        },
    },
    "/tokens/{token_id}": {
        "delete": {
            "operationId": "aterkalla_token",
            "summary": "Återkalla en av dina tokens",
            "parameters": [_id_param("token_id", "Tokens id.")],
            "responses": {
                "204": {"description": "Återkallad."},
                **_fel("EjAutentiserad", "HittadesInte"),
            },
        },
    },
}

# --- Möten and dagordning (samverkan/api/moten.py) ------------------------------------
KLOCKSLAG = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["13:00"],
             "description": "Svensk tid (Europe/Stockholm)."}
MOTE_ID = _id_param("mote_id", "Mötets id.")
_MOTESTYPER = ["arendedragning", "planering"]

SCHEMAS.update({
    "Mote": {
        "type": "object",
        "required": ["id", "team_id", "starttid", "datum", "klockslag", "langd_minuter", "plats", "videolank",
                     "typ", "installt", "kapacitet", "egen_kapacitet", "antal_punkter", "antal_anmalda",
                     "anmalan_stanger", "kallelse_planerad", "kallelse_skickad", "sekvens", "agendaversion"],
        "properties": {
            "id": ID,
            "team_id": ID,
            "starttid": TIDPUNKT,
            "datum": {**DATUM, "description": "Mötesdagen i svensk tid."},
            "klockslag": KLOCKSLAG,
            "langd_minuter": {"type": "integer", "minimum": 1},
            "plats": {"type": "string"},
            "videolank": {"type": "string", "description": "Webbadress, eller tom."},
            "typ": _enum(_MOTESTYPER),
            "installt": _nullable(TIDPUNKT),
            "kapacitet": {"type": "integer", "minimum": 1,
                          "description": "Hur många ärenden dagordningen rymmer (mötets eller teamets)."},
            "egen_kapacitet": {"type": ["integer", "null"], "description": "Mötets egen; null = teamets standard."},
            "antal_punkter": {"type": "integer", "minimum": 0},
            "antal_anmalda": {"type": "integer", "minimum": 0},
            "anmalan_stanger": _nullable(TIDPUNKT),
            "kallelse_planerad": _nullable(TIDPUNKT),
            "kallelse_skickad": _nullable(TIDPUNKT),
            "sekvens": {"type": "integer", "description": "iCalendar SEQUENCE; ökar vid ändrad tid, plats "
                        "eller status."},
            "agendaversion": {"type": "integer", "description": "Ökar vid varje ändring av dagordningen."},
        },
    },
    "Dagordningspunkt": {
        "type": "object",
        "description": "Ett ärende på dagordningen (bokad) eller anmält av handläggare (anmald). "
                       "Bara referenskod och aktualiserande part, inga personuppgifter.",
        "required": ["id", "status", "arende", "uppfoljning", "ordning", "tidslucka", "langd_minuter",
                     "individen_medverkar", "utfall", "overford"],
        "properties": {
            "id": ID,
            "status": _enum(["anmald", "bokad"]),
            "arende": _ref("ArendeReferens"),
            "uppfoljning": {"type": "boolean", "description": "true = uppföljning, false = nytt ärende."},
            "ordning": {"type": ["integer", "null"], "minimum": 1},
            "tidslucka": _nullable(KLOCKSLAG),
            "langd_minuter": {"type": ["integer", "null"], "minimum": 1},
            "individen_medverkar": {"type": "boolean"},
            "utfall": {"type": ["string", "null"], "description": "Efter mötet: samplanerad, foljd_upp, "
                       "bordlagd (hanns inte), avslutad, aterkallad eller felregistrerad."},
            "overford": {"type": "boolean", "description": "Överförd: hanns inte på förra mötet."},
        },
    },
    "MoteMedDagordning": {
        "allOf": [
            _ref("Mote"),
            {
                "type": "object",
                "required": ["dagordning", "anmalningar"],
                "properties": {
                    "dagordning": {"type": "array", "items": _ref("Dagordningspunkt"),
                                   "description": "Bokade punkter i ordning."},
                    "anmalningar": {"type": "array", "items": _ref("Dagordningspunkt"),
                                    "description": "Handläggares anmälningar, ännu inte bokade."},
                },
            },
        ],
    },
    "NyDagordningspunkt": {
        "type": "object",
        "additionalProperties": False,
        "required": ["arende_id"],
        "properties": {"arende_id": ID},
    },
    "MotesAndring": {
        "type": "object",
        "additionalProperties": False,
        "description": "Bara fälten som skickas ändras. Ny tid räknar om kallelsens tidpunkt.",
        "properties": {
            "datum": {**DATUM, "description": "Ny mötesdag (svensk tid)."},
            "klockslag": KLOCKSLAG,
            "langd_minuter": {"type": "integer", "minimum": 5, "maximum": 600},
            "plats": {"type": "string", "maxLength": 300},
            "videolank": {"type": "string", "maxLength": 500, "description": "https://…, eller tom."},
            "typ": _enum(_MOTESTYPER),
            "kapacitet": {"type": ["integer", "null"], "minimum": 1, "description": "null = teamets standard."},
        },
    },
})

PATHS.update({
    "/teams/{team_id}/moten": {
        "get": {
            "operationId": "lista_moten",
            "summary": "Ett teams möten i datumordning",
            "parameters": [
                _id_param("team_id", "Teamets id."),
                {"name": "fran", "in": "query", "description": "Bara möten från och med detta datum.",
                 "schema": DATUM},
            ],
            "responses": {
                "200": _ok("Mötena.", {
                    "type": "object", "required": ["moten"],
                    "properties": {"moten": {"type": "array", "items": _ref("Mote")}},
                }),
                **_fel("EjAutentiserad", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}": {
        "get": {
            "operationId": "visa_mote",
            "summary": "Ett möte med dagordning och anmälningar (referenskoder)",
            "parameters": [MOTE_ID],
            "responses": {
                "200": _ok("Mötet.", _ref("MoteMedDagordning")),
                **_fel("EjAutentiserad", "HittadesInte"),
            },
        },
        "patch": {
            "operationId": "andra_mote",
            "summary": "Ändra eller flytta ett möte (projektledaren)",
            "parameters": [MOTE_ID],
            "requestBody": _body("MotesAndring"),
            "responses": {
                "200": _ok("Mötet efter ändringen.", _ref("MoteMedDagordning")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}/installning": {
        "post": {
            "operationId": "installa_mote",
            "summary": "Ställ in ett möte (projektledaren); ärendena på dagordningen går tillbaka till inkorgen",
            "parameters": [MOTE_ID],
            "responses": {
                "200": _ok("Det inställda mötet.", _ref("MoteMedDagordning")),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt", "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}/dagordning": {
        "post": {
            "operationId": "lagg_till_punkt",
            "summary": "Lägg ett ärende på dagordningen (projektledaren)",
            "description": "Ärendet går till på agenda. Vägras om dagordningen är full (kod dagordningen_full) "
                           "eller om samtycket inte täcker mötesdagen (kod villkor_ej_uppfyllt).",
            "parameters": [MOTE_ID],
            "requestBody": _body("NyDagordningspunkt"),
            "responses": {
                "201": {
                    "description": "Punkten.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": _json(_ref("Dagordningspunkt")),
                },
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt",
                       "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}/dagordning/{punkt_id}": {
        "delete": {
            "operationId": "ta_bort_punkt",
            "summary": "Ta bort en punkt före mötet (projektledaren); ärendet går tillbaka till inkorgen",
            "parameters": [MOTE_ID, _id_param("punkt_id", "Punktens id.")],
            "responses": {
                "204": {"description": "Borttagen."},
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt", "Ogiltig"),
            },
        },
    },
})

# --- Utskick: a meeting's outbox (samverkan/api/utskick.py) ----------------------------
SCHEMAS.update({
    "Utskick": {
        "type": "object",
        "description": "Ett meddelande i utkorgen. Varken text eller adress: bara läget.",
        "required": ["id", "typ", "mottagare", "version", "status", "forsok", "senaste_fel", "skapad",
                     "nasta_forsok", "skickad"],
        "properties": {
            "id": ID,
            "typ": {**_enum(t.value for t in UtskickTyp),
                    "description": "kallelse, tillagg (tilläggskallelse), installning (METHOD:CANCEL) "
                                   "eller paminnelse (om anmälan till dagordningen)."},
            "mottagare": _ref("Person"),
            "version": {"type": "string", "description": "Mötets sekvens.agendaversion som meddelandet beskriver.",
                        "examples": ["1.3"]},
            "status": {**_enum(s.value for s in UtskickStatus),
                       "description": "koad, skickar (hämtad av en avsändare), skickad eller misslyckad."},
            "forsok": {"type": "integer", "minimum": 0, "description": "Misslyckade försök hittills."},
            "senaste_fel": {"type": ["string", "null"], "description": "Orsaken till senaste misslyckandet."},
            "skapad": TIDPUNKT,
            "nasta_forsok": {**_nullable(TIDPUNKT), "description": "När ett köat meddelande skickas tidigast."},
            "skickad": _nullable(TIDPUNKT),
        },
    },
    "MotetsUtskick": {
        "type": "object",
        "required": ["mote_id", "installt", "kallelse_planerad", "kallelse_skickad", "anmalan_stanger",
                     "paminnelse_planerad", "paminnelse_skickad", "smtp_konfigurerad", "utskick"],
        "properties": {
            "mote_id": ID,
            "installt": _nullable(TIDPUNKT),
            "kallelse_planerad": _nullable(TIDPUNKT),
            "kallelse_skickad": _nullable(TIDPUNKT),
            "anmalan_stanger": _nullable(TIDPUNKT),
            "paminnelse_planerad": _nullable(TIDPUNKT),
            "paminnelse_skickad": _nullable(TIDPUNKT),
            "smtp_konfigurerad": {"type": "boolean",
                                  "description": "false: e-post lämnar inte installationen; utskicken läses i appen."},
            "utskick": {"type": "array", "items": _ref("Utskick"), "description": "Nyaste först."},
        },
    },
})

PATHS.update({
    "/moten/{mote_id}/utskick": {
        "get": {
            "operationId": "lista_utskick",
            "summary": "Mötets kallelse och utskick med status (projektledaren)",
            "parameters": [_id_param("mote_id", "Mötets id.")],
            "responses": {
                "200": _ok("Mötets utkorg.", _ref("MotetsUtskick")),
                **_fel("EjAutentiserad", "HittadesInte"),
            },
        },
    },
})

# --- Rapporter (samverkan/api/rapporter.py) ---------------------------------------------------
_RAPPORT_PARAMETRAR = [
    {"name": "team_id", "in": "query", "required": False, "schema": ID,
     "description": "Ett team; utan = hela förbundet (styrgrupp, administratör) eller projektledarens eget team."},
    {"name": "period", "in": "query", "required": False,
     "schema": {"type": "string", "pattern": "^([0-9]{4}(-K[1-4])?|egen)$", "examples": ["2026-K1", "2026"]},
     "description": "Ett år (2026), ett kvartal (2026-K1) eller egen (med fran och till). Standard: innevarande år."},
    {"name": "fran", "in": "query", "required": False, "schema": DATUM, "description": "Första dagen, med period=egen."},
    {"name": "till", "in": "query", "required": False, "schema": DATUM, "description": "Sista dagen, med period=egen."},
]
_RAPPORTVARDE = {"oneOf": [{"type": "number"}, {"type": "string", "const": "<3"}, {"type": "null"}],
                 "description": "Ett tal, eller \"<3\" när färre än tre personer (eller en cell som skulle "
                                "avslöja dem) döljs för den som inte är teamets projektledare."}
SCHEMAS.update({
    "RapportHuvud": {
        "type": "object",
        "required": ["omfattning", "team_id", "exakt", "period"],
        "properties": {
            "omfattning": {"type": "string"},
            "team_id": {"type": ["integer", "null"]},
            "exakt": {"type": "boolean", "description": "true = exakta tal (teamets projektledare)."},
            "period": {"type": "object", "required": ["kod", "namn", "fran", "till"],
                       "properties": {"kod": {"type": "string"}, "namn": {"type": "string"},
                                      "fran": DATUM, "till": DATUM}},
        },
    },
    "Periodrapport": {
        "allOf": [_ref("RapportHuvud"), {
            "type": "object",
            "required": ["tabeller"],
            "properties": {"tabeller": {"type": "array", "items": {
                "type": "object",
                "required": ["nyckel", "rubrik", "radrubrik", "kolumner", "rader"],
                "properties": {
                    "nyckel": {"type": "string", "examples": ["kon", "insatstyp", "utfall"]},
                    "rubrik": {"type": "string"},
                    "radrubrik": {"type": "string"},
                    "kolumner": {"type": "array", "items": {"type": "string"}},
                    "rader": {"type": "array", "items": {
                        "type": "object", "required": ["etikett", "total", "varden"],
                        "properties": {"etikett": {"type": "string"}, "total": {"type": "boolean"},
                                       "varden": {"type": "array", "items": _RAPPORTVARDE}}}},
                }}}},
        }],
    },
    "Nyckeltal": {
        "allOf": [_ref("RapportHuvud"), {
            "type": "object",
            "required": ["nyckeltal"],
            "properties": {"nyckeltal": {"type": "array", "items": {
                "type": "object",
                "required": ["nyckel", "namn", "typ", "varde", "mal", "uppnatt", "trend"],
                "properties": {
                    "nyckel": {"type": "string"}, "namn": {"type": "string"},
                    "typ": _enum(["antal", "tal", "andel"]),
                    "varde": _RAPPORTVARDE,
                    "mal": {"type": "number", "description": "Målet för perioden (årsmål omräknade)."},
                    "uppnatt": {"type": ["boolean", "null"]},
                    "trend": {"type": "array", "items": {"type": "object", "required": ["period", "varde"],
                                                          "properties": {"period": {"type": "string"},
                                                                         "varde": _RAPPORTVARDE}}},
                }}}},
        }],
    },
})
PATHS.update({
    "/rapporter/period": {
        "get": {
            "operationId": "periodrapport",
            "summary": "Periodrapportens tabeller (endast aggregat; små tal dolda utom för teamets projektledare)",
            "parameters": _RAPPORT_PARAMETRAR,
            "responses": {
                "200": _ok("Rapportens tabeller.", _ref("Periodrapport")),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/rapporter/nyckeltal": {
        "get": {
            "operationId": "nyckeltal",
            "summary": "Nyckeltal med mål och utveckling de senaste fyra kvartalen",
            "parameters": _RAPPORT_PARAMETRAR,
            "responses": {
                "200": _ok("Nyckeltalen.", _ref("Nyckeltal")),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig"),
            },
        },
    },
})

# --- The meeting's work: attendance, an item's outcome, samcoach queue (api/motesarbete.py) ---
TEAM_ID = _id_param("team_id", "Teamets id.")
INSATS_ID = _id_param("insats_id", "Insatsens id.")
_FALT_FEL = {"description": "Vid 422 med kod ogiltiga_uppgifter: fel.falt_fel har ett meddelande per fält."}

SCHEMAS.update({
    "PartsNarvaro": {
        "type": "object",
        "required": ["part_id", "part", "status", "person_id"],
        "properties": {
            "part_id": ID,
            "part": {"type": "string"},
            "status": {"oneOf": [_enum(s.value for s in NarvaroStatus), {"type": "null"}],
                       "description": "null = inte registrerad."},
            "person_id": {"type": ["integer", "null"], "description": "Vem som deltog för parten, om angivet."},
        },
    },
    "Narvaro": {
        "type": "object",
        "required": ["mote_id", "narvaro"],
        "properties": {"mote_id": ID, "narvaro": {"type": "array", "items": _ref("PartsNarvaro")}},
    },
    "NarvaroRegistrering": {
        "type": "object",
        "additionalProperties": False,
        "required": ["narvaro"],
        "description": "Varje part i teamet ska anges.",
        "properties": {"narvaro": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["part_id", "status"],
            "properties": {"part_id": ID, "status": _enum(s.value for s in NarvaroStatus),
                           "person_id": {"type": ["integer", "null"]}},
        }}},
    },
    "Utfall": {
        "type": "object",
        "additionalProperties": False,
        "required": ["beslut"],
        "description": "En punkts utfall på mötet, allt eller inget. bordlagd: punkten hanns inte och ärendet "
                       "går tillbaka till inkorgen; övriga fält ignoreras. Annars krävs folj_upp_den, och vid "
                       "uppföljning stegmatning. samcoach utan ledig plats: ärendet sätts i kö.",
        "properties": {
            "beslut": _enum(["samcoach", "insats", "ordinarie", "bordlagd"]),
            "samcoach_id": {**ID, "description": "Vid samcoach: en av teamets samcoacher."},
            "insatstyp_id": {**ID, "description": "Vid insats: en insats ur förbundets lista."},
            "folj_upp_den": {**DATUM, "description": "När teamet följer upp; sätter ärendets nästa uppföljning."},
            "atgarder": {"type": "array", "maxItems": 10, "items": {
                "type": "object", "additionalProperties": False,
                "required": ["beskrivning", "part_id", "ansvarig", "klar_senast"],
                "properties": {"beskrivning": {"type": "string", "maxLength": 500}, "part_id": ID,
                               "ansvarig": {"type": "string", "maxLength": 200}, "klar_senast": DATUM},
            }},
            "stegmatning": {
                "type": "object", "additionalProperties": False,
                "properties": {"steg_id": ID, "sysselsattningsgrad": {"type": "integer", "minimum": 0, "maximum": 100},
                               "ors": {"type": ["integer", "null"], "minimum": 0, "maximum": 40}},
            },
        },
    },
    "Insats": {
        "type": "object",
        "required": ["id", "arende", "form", "status", "insatstyp", "samcoach_id", "beslutad", "i_ko_sedan",
                     "erbjuden", "startad", "avslutad", "vantedagar"],
        "properties": {
            "id": ID,
            "arende": _ref("ArendeReferens"),
            "form": _enum(f.value for f in InsatsForm),
            "status": _enum(s.value for s in InsatsStatus),
            "insatstyp": {"type": ["string", "null"]},
            "samcoach_id": {"type": ["integer", "null"]},
            "beslutad": DATUM,
            "i_ko_sedan": _nullable(TIDPUNKT),
            "erbjuden": _nullable(TIDPUNKT),
            "startad": _nullable(DATUM),
            "avslutad": _nullable(DATUM),
            "vantedagar": {"type": "integer", "description": "Startad (eller i dag) minus beslutad, i dagar."},
        },
    },
    "UtfallSvar": {
        "type": "object",
        "required": ["punkt_id", "arende", "beslut", "utfall", "folj_upp_den", "insats", "antal_atgarder"],
        "properties": {
            "punkt_id": ID,
            "arende": _ref("ArendeReferens"),
            "beslut": {"type": "string"},
            "utfall": {"type": "string"},
            "folj_upp_den": _nullable(DATUM),
            "insats": _nullable(_ref("Insats")),
            "antal_atgarder": {"type": "integer", "minimum": 0},
        },
    },
    "Samcoachlage": {
        "type": "object",
        "required": ["team_id", "samcoacher", "ko"],
        "properties": {
            "team_id": ID,
            "samcoacher": {"type": "array", "items": {
                "type": "object", "required": ["user_id", "namn", "kapacitet", "lediga", "insatser"],
                "properties": {"user_id": ID, "namn": {"type": "string"}, "kapacitet": {"type": "integer"},
                               "lediga": {"type": "integer"},
                               "insatser": {"type": "array", "items": _ref("Insats")}},
            }},
            "ko": {"type": "array", "description": "Först i kön först.", "items": {
                "type": "object", "required": ["position", "vantat_dagar", "insats"],
                "properties": {"position": {"type": "integer", "minimum": 1}, "vantat_dagar": {"type": "integer"},
                               "insats": _ref("Insats")},
            }},
        },
    },
})

PATHS.update({
    "/moten/{mote_id}/narvaro": {
        "get": {
            "operationId": "visa_narvaro",
            "summary": "Närvaro per part på mötet",
            "parameters": [MOTE_ID],
            "responses": {"200": _ok("Närvaron.", _ref("Narvaro")), **_fel("EjAutentiserad", "HittadesInte")},
        },
        "put": {
            "operationId": "registrera_narvaro",
            "summary": "Registrera närvaro per part (projektledaren); låst efter justering",
            "description": _FALT_FEL["description"],
            "parameters": [MOTE_ID],
            "requestBody": _body("NarvaroRegistrering"),
            "responses": {
                "200": _ok("Närvaron efter registreringen.", _ref("Narvaro")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}/dagordning/{punkt_id}/utfall": {
        "post": {
            "operationId": "registrera_utfall",
            "summary": "Registrera en punkts samplanering och beslut (projektledaren); låst efter justering",
            "description": _FALT_FEL["description"],
            "parameters": [MOTE_ID, _id_param("punkt_id", "Punktens id.")],
            "requestBody": _body("Utfall"),
            "responses": {
                "200": _ok("Det registrerade utfallet.", _ref("UtfallSvar")),
                **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt",
                       "Ogiltig"),
            },
        },
    },
    "/teams/{team_id}/samcoach": {
        "get": {
            "operationId": "samcoachlage",
            "summary": "Samcoachernas kaseload med kapacitet, och kön med plats och väntetid (referenskoder)",
            "parameters": [TEAM_ID],
            "responses": {"200": _ok("Kaseload och kö.", _ref("Samcoachlage")),
                          **_fel("EjAutentiserad", "HittadesInte")},
        },
    },
    "/teams/{team_id}/insatser/{insats_id}/bekrafta": {
        "post": {
            "operationId": "bekrafta_plats",
            "summary": "Bekräfta en erbjuden plats hos samcoach (projektledaren); ärendet går från i kö till i insats",
            "parameters": [TEAM_ID, INSATS_ID],
            "responses": {"200": _ok("Insatsen.", _ref("Insats")),
                          **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt")},
        },
    },
    "/teams/{team_id}/insatser/{insats_id}/avslut": {
        "post": {
            "operationId": "avsluta_insats",
            "summary": "Avsluta en pågående insats (projektledaren); en ledig samcoachplats erbjuds den första i kön",
            "parameters": [TEAM_ID, INSATS_ID],
            "responses": {"200": _ok("Insatsen.", _ref("Insats")),
                          **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt")},
        },
    },
})

# --- uppföljning: measurements, återaktualisering, protokoll, overdue actions -------------
SCHEMAS.update({
    "Matning": {
        "type": "object",
        "required": ["id", "datum", "steg", "sysselsattningsgrad", "ors"],
        "properties": {
            "id": ID, "datum": DATUM, "punkt_id": _nullable(ID),
            "steg": {"type": "object", "properties": {"id": ID, "nummer": {"type": "integer"},
                                                       "namn": {"type": "string"}}},
            "sysselsattningsgrad": {"type": "integer", "minimum": 0, "maximum": 100},
            "ors": _nullable({"type": "integer", "minimum": 0, "maximum": 40}),
        },
    },
    "Protokolltillagg": {
        "type": "object",
        "required": ["id", "text", "skapad", "skapad_av_id"],
        "properties": {"id": ID, "text": {"type": "string"}, "skapad": TIDPUNKT, "skapad_av_id": ID},
    },
    "NyttProtokolltillagg": {
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"type": "string", "description": "Vanlig text, bara referenskoder."}},
    },
    "Protokoll": {
        "type": "object",
        "required": ["mote_id", "justerat", "innehall", "tillagg"],
        "properties": {
            "mote_id": ID,
            "justerat": _nullable(TIDPUNKT),
            "justerat_av_id": _nullable(ID),
            "innehall": {"type": "object", "description": "Mötet, närvaro per part och beslut per punkt "
                         "med referenskod; fryst vid justering."},
            "tillagg": {"type": "array", "items": _ref("Protokolltillagg")},
        },
    },
    "ForsenadeAtgarder": {
        "type": "object",
        "properties": {"parter": {"type": "array", "items": {"type": "object"}}},
    },
})

PATHS.update({
    "/arenden/{arende_id}/matningar": {
        "get": {
            "operationId": "lista_matningar",
            "summary": "Ärendets mätningar vid uppföljning (steg, sysselsättningsgrad, ORS), äldst först",
            "parameters": [ARENDE_ID],
            "responses": {
                "200": _ok("Mätningarna.", {"type": "object", "properties": {
                    "matningar": {"type": "array", "items": _ref("Matning")}}}),
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte"),
            },
        },
    },
    "/arenden/{arende_id}/ateraktualisera": {
        "post": {
            "operationId": "ateraktualisera",
            "summary": "Återaktualisera ett avslutat ärende: ett nytt utkast för samma person och team, "
                       "kopplat till det tidigare (foregaende_arende_id)",
            "parameters": [ARENDE_ID],
            "responses": {
                "201": {"description": "Det nya utkastet.", "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": _json({"type": "object"})},
                **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt", "Ogiltig"),
            },
        },
    },
    "/moten/{mote_id}/protokoll": {
        "get": {
            "operationId": "visa_protokoll",
            "summary": "Mötets protokoll (teamets medlemmar): genererat, eller fryst om det är justerat",
            "parameters": [MOTE_ID],
            "responses": {"200": _ok("Protokollet.", _ref("Protokoll")), **_fel("EjAutentiserad", "HittadesInte")},
        },
    },
    "/moten/{mote_id}/protokoll/justera": {
        "post": {
            "operationId": "justera_protokoll",
            "summary": "Justera protokollet (projektledaren): innehållet fryses, ändringar blir tillägg",
            "parameters": [MOTE_ID],
            "responses": {"200": _ok("Det justerade protokollet.", _ref("Protokoll")),
                          **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Ogiltig")},
        },
    },
    "/moten/{mote_id}/protokoll/tillagg": {
        "post": {
            "operationId": "protokolltillagg",
            "summary": "Skriv ett tillägg till ett justerat protokoll (projektledaren)",
            "parameters": [MOTE_ID],
            "requestBody": _body("NyttProtokolltillagg"),
            "responses": {"201": _ok("Tillägget.", _ref("Protokolltillagg")),
                          **_fel("FelaktigBegaran", "EjAutentiserad", "SaknarBehorighet", "HittadesInte",
                                 "Ogiltig")},
        },
    },
    "/atgarder/forsenade": {
        "get": {
            "operationId": "forsenade_atgarder",
            "summary": "Handlingsplanens åtgärder efter sista datum och inte klara, per part "
                       "(projektledarens team; handläggarens egen part)",
            "responses": {"200": _ok("Per part.", _ref("ForsenadeAtgarder")),
                          **_fel("EjAutentiserad", "SaknarBehorighet")},
        },
    },
    "/atgarder/{atgard_id}/klar": {
        "post": {
            "operationId": "atgard_klar",
            "summary": "Markera en åtgärd klar (den ansvariga partens medlemmar eller projektledaren)",
            "parameters": [_id_param("atgard_id", "Åtgärdens id.")],
            "responses": {"200": _ok("Åtgärden.", {"type": "object"}),
                          **_fel("EjAutentiserad", "SaknarBehorighet", "HittadesInte", "Konflikt")},
        },
    },
})

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Samverkan API",
        "version": "1.0.0",
        "description": "Ärendehantering för Trisam-team. Autentisering med personlig API-token "
                       "(Authorization: Bearer …). Datum är ISO 8601 (ÅÅÅÅ-MM-DD), tidpunkter UTC. "
                       "Fel har formen {\"fel\": {\"kod\", \"meddelande\", \"falt\"}}.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "Personlig API-token, skapas under Konto → API-tokens."},
        },
        "schemas": SCHEMAS,
        "responses": {
            name: {"description": description, "content": _json(_ref("Fel"))}
            for name, (_, description) in _FEL_SVAR.items()
        },
    },
}


@bp.get("/openapi.json")
@policy.regel("offentlig")
def openapi():
    return jsonify(DOCUMENT)
