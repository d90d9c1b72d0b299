"""API: ärenden — the list, creating a draft, one case's details, its history and its
state changes. Access and every rule are the services' (and so the policy's) business.
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.api.payload import iso, json_body, query_int
from samverkan.api.teams import part_json
from samverkan.arenden import services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core.db import db
from samverkan.deltagare.models import Samtycke

# The API's own page size, part of its contract: not the UI's PAGE_SIZE setting.
PER_SIDA = 25
MAX_PER_SIDA = 100

NYTT_ARENDE_FALT = {"team_id", "fragestallning", "kon", "personnummer", "anonym_kod", "fodelsear",
                    "forsorjning_start", "sysselsattning_start", "utbildningsniva",
                    "tid_i_offentligt_stod", "samtycke"}
SAMTYCKE_FALT = {"givet_den", "giltigt_till", "satt", "part_ids", "dokumentreferens"}
# Trigger context passed through to the flow only when present: the user's decisions.
# Facts (the meeting's date, a free place) are not accepted: the flow looks them up.
TEXT_KONTEXT = ("avslutsorsak", "forsorjning_slut", "sysselsattning_slut", "till")
HANDELSE_FALT = {"trigger", "version", "datum", "kommentar", *TEXT_KONTEXT}


def referens_json(a: Arende) -> dict:
    """What anyone who may know of the ärende may see: no personal data."""
    return {
        "id": a.id,
        "referens": a.referens,
        "team_id": a.team_id,
        "status": a.status,
        "aktualiserad_den": iso(a.aktualiserad_den),
        "aktualiserande_part": part_json(a.aktualiserande_part),
    }


def _samtycke_json(s: Samtycke | None) -> dict | None:
    if s is None:
        return None
    return {
        "givet_den": iso(s.givet_den),
        "giltigt_till": iso(s.giltigt_till),
        "satt": s.satt.value,
        "part_ids": [p.id for p in s.parter],
        "dokumentreferens": s.dokumentreferens,
        "aterkallat": iso(s.aterkallat),
    }


def detaljer_json(a: Arende, user: User) -> dict:
    d = a.deltagare
    return {
        **referens_json(a),
        "version": a.version,
        "handlaggare": {"id": a.handlaggare.id, "namn": a.handlaggare.namn},
        "fragestallning": a.fragestallning,  # sanitised HTML
        "deltagare": {
            "id": d.id,
            "personnummer": d.personnummer,
            "anonym_kod": d.anonym_kod,
            "samordningsnummer": d.samordningsnummer,
            "kon": d.kon.value,
            "fodelsear": d.fodelsear,
        },
        "forsorjning_start": a.forsorjning_start,
        "sysselsattning_start": a.sysselsattning_start,
        "utbildningsniva": a.utbildningsniva,
        "tid_i_offentligt_stod": a.tid_i_offentligt_stod,
        "forsorjning_slut": a.forsorjning_slut,
        "sysselsattning_slut": a.sysselsattning_slut,
        "avslutsorsak": a.avslutsorsak,
        "forsta_samplanering": iso(a.forsta_samplanering),
        "avslutad_den": iso(a.avslutad_den),
        "samtycke": _samtycke_json(a.samtycke),
        "tillatna_handelser": services.allowed_triggers(user, a),
    }


def handelse_json(h: ArendeHandelse) -> dict:
    return {
        "id": h.id,
        "trigger": h.trigger,
        "fran_status": h.fran_status,
        "till_status": h.till_status,
        "galler_datum": iso(h.galler_datum),
        "registrerad": iso(h.registrerad),
        "kommentar": h.kommentar,
        "ar_korrigering": h.ar_korrigering,
        "aktor": {"id": h.aktor.id, "namn": h.aktor.namn},
    }


@bp.get("/arenden")
@policy.regel("inloggad")
def lista_arenden():
    sida = services.list_arenden(
        api_user(),
        status=request.args.get("status") or None,
        sida=query_int("sida", 1, minimum=1),
        per_sida=query_int("per_sida", PER_SIDA, minimum=1, maximum=MAX_PER_SIDA),
    )
    body = {
        "arenden": [referens_json(a) for a in sida.rader],
        "sida": sida.sida,
        "per_sida": sida.per_sida,
        "totalt": sida.totalt,
        "sidor": sida.sidor,
    }
    db.session.commit()
    return jsonify(body)


@bp.post("/arenden")
@policy.regel("handlaggare")
def skapa_arende():
    body = json_body(NYTT_ARENDE_FALT)
    samtycke = body.mapping("samtycke", allowed=SAMTYCKE_FALT)
    user = api_user()
    arende = services.create_utkast(
        user,
        team_id=body.integer("team_id", required=True),
        fragestallning=body.text("fragestallning", required=True),
        kon=body.text("kon", required=True),
        personnummer=body.text("personnummer"),
        anonym_kod=body.text("anonym_kod"),
        fodelsear=body.integer("fodelsear"),
        forsorjning_start=body.text("forsorjning_start"),
        sysselsattning_start=body.text("sysselsattning_start"),
        utbildningsniva=body.text("utbildningsniva"),
        tid_i_offentligt_stod=body.text("tid_i_offentligt_stod"),
        samtycke=samtycke and {
            "givet_den": samtycke.date("givet_den", required=True),
            "giltigt_till": samtycke.date("giltigt_till", required=True),
            "satt": samtycke.text("satt", required=True),
            "part_ids": samtycke.integer_list("part_ids", required=True),
            "dokumentreferens": samtycke.text("dokumentreferens") or "",
        },
    )
    result = detaljer_json(arende, user)
    db.session.commit()
    return jsonify(result), 201, {"Location": url_for("api.visa_arende", arende_id=arende.id)}


@bp.get("/arenden/<int:arende_id>")
@policy.regel("arende_detaljer")
def visa_arende(arende_id: int):
    user = api_user()
    # Details or a refusal: 404 to whoever may not know of it, 403 to reference-only access.
    arende = services.get_arende(user, arende_id)
    result = detaljer_json(arende, user)
    db.session.commit()
    return jsonify(result)


@bp.get("/arenden/<int:arende_id>/handelser")
@policy.regel("arende_detaljer")
def lista_handelser(arende_id: int):
    arende = services.get_arende(api_user(), arende_id)
    body = {"handelser": [handelse_json(h) for h in services.history(arende)]}
    db.session.commit()
    return jsonify(body)


@bp.post("/arenden/<int:arende_id>/handelser")
@policy.regel("arende_handling")
def ny_handelse(arende_id: int):
    body = json_body(HANDELSE_FALT)
    kontext = {name: value for name in TEXT_KONTEXT if (value := body.text(name)) is not None}
    handelse = services.fire(
        api_user(), arende_id, body.text("trigger", required=True),
        version=body.integer("version", required=True),
        datum=body.date("datum"),
        kommentar=body.text("kommentar") or "",
        **kontext,
    )
    result = {"status": handelse.arende.status, "version": handelse.arende.version,
              "handelse": handelse_json(handelse)}
    db.session.commit()
    return jsonify(result), 201
