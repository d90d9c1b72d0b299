"""API: the meeting's work — attendance per party, one agenda item's outcome (handlingsplan,
follow-up date, decision, stegmätning), the team's samcoach caseload and queue, and
confirming an offered place or ending an insats.

Thin like the pages: the same services as meeting mode. A refusal of several fields at
once answers 422 with ``fel.falt`` the first field and ``fel.falt_fel`` every field's message.
"""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.arenden import referens_json
from samverkan.api.auth import api_user
from samverkan.api.payload import Payload, iso, json_body
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.insatser import services as insats_services
from samverkan.insatser.models import Insats
from samverkan.moten import narvaro
from samverkan.moten import services as moten_services
from samverkan.moten.models import Narvaro
from samverkan.samplanering import services as samplanering

ATGARD_FALT = {"beskrivning", "part_id", "ansvarig", "klar_senast"}
STEG_FALT = {"steg_id", "sysselsattningsgrad", "ors"}
UTFALL_FALT = {"beslut", "samcoach_id", "insatstyp_id", "folj_upp_den", "atgarder", "stegmatning"}


def _valideringsfel(error: Valideringsfel):
    db.session.rollback()
    return jsonify(fel={"kod": error.code, "meddelande": error.message, "falt": error.field,
                        "falt_fel": error.fel}), 422


def narvaro_json(rad: Narvaro | None, part) -> dict:
    return {"part_id": part.id, "part": part.namn, "status": rad.status.value if rad else None,
            "person_id": rad.person_id if rad else None}


def _narvarolista(mote_id: int) -> dict:
    mote = moten_services.get_mote(api_user(), mote_id)
    return {"mote_id": mote.id, "narvaro": [narvaro_json(p.narvaro, p.part) for p in narvaro.narvaro_for(mote)]}


@bp.get("/moten/<int:mote_id>/narvaro")
@policy.regel("team_medlem")
def visa_narvaro(mote_id: int):
    return jsonify(_narvarolista(mote_id))


@bp.put("/moten/<int:mote_id>/narvaro")
@policy.regel("projektledare")
def registrera_narvaro(mote_id: int):
    body = json_body({"narvaro"})
    rader = body.data.get("narvaro")
    if not isinstance(rader, list):
        raise DomainError("ogiltig_typ", "Fältet ”narvaro” ska vara en lista.", field="narvaro")
    per_part = {}
    for i, rad in enumerate(rader):
        if not isinstance(rad, dict):
            raise DomainError("ogiltig_typ", f"Fältet ”narvaro.{i}” ska vara ett objekt.", field=f"narvaro.{i}")
        p = Payload(rad, prefix=f"narvaro.{i}.")
        okanda = set(rad) - {"part_id", "status", "person_id"}
        if okanda:
            raise DomainError("okant_falt", f"Okänt fält: ”narvaro.{i}.{sorted(okanda)[0]}”.")
        per_part[p.integer("part_id", required=True)] = (p.text("status", required=True), p.integer("person_id"))
    try:
        narvaro.registrera(api_user(), mote_id, per_part)
    except Valideringsfel as error:
        return _valideringsfel(error)
    result = _narvarolista(mote_id)
    db.session.commit()
    return jsonify(result)


def _insats_json(i: Insats | None) -> dict | None:
    if i is None:
        return None
    return {"id": i.id, "arende": referens_json(i.arende), "form": i.form.value, "status": i.status.value,
            "insatstyp": i.insatstyp.namn if i.insatstyp else None, "samcoach_id": i.samcoach_id,
            "beslutad": iso(i.beslutad), "i_ko_sedan": iso(i.i_ko_sedan), "erbjuden": iso(i.erbjuden),
            "startad": iso(i.startad), "avslutad": iso(i.avslutad), "vantedagar": insats_services.vantedagar(i)}


@bp.post("/moten/<int:mote_id>/dagordning/<int:punkt_id>/utfall")
@policy.regel("projektledare")
def registrera_utfall(mote_id: int, punkt_id: int):
    body = json_body(UTFALL_FALT)
    atgarder = []
    rader = body.data.get("atgarder") or []
    if not isinstance(rader, list):
        raise DomainError("ogiltig_typ", "Fältet ”atgarder” ska vara en lista.", field="atgarder")
    for i, rad in enumerate(rader):
        if not isinstance(rad, dict):
            raise DomainError("ogiltig_typ", f"Fältet ”atgarder.{i}” ska vara ett objekt.", field=f"atgarder.{i}")
        a = Payload(rad, prefix=f"atgarder.{i}.")
        okanda = set(rad) - ATGARD_FALT
        if okanda:
            raise DomainError("okant_falt", f"Okänt fält: ”atgarder.{i}.{sorted(okanda)[0]}”.")
        atgarder.append(samplanering.AtgardIn(beskrivning=a.text("beskrivning") or "", part_id=a.integer("part_id"),
                                              ansvarig=a.text("ansvarig") or "", klar_senast=a.date("klar_senast")))
    steg = body.mapping("stegmatning", allowed=STEG_FALT) or Payload({})
    try:
        punkt = samplanering.registrera_punkt(
            api_user(), mote_id, punkt_id, beslut=body.text("beslut", required=True),
            samcoach_id=body.integer("samcoach_id"), insatstyp_id=body.integer("insatstyp_id"),
            folj_upp_den=body.date("folj_upp_den"), atgarder=atgarder, steg_id=steg.integer("steg_id"),
            sysselsattningsgrad=steg.integer("sysselsattningsgrad"), ors=steg.integer("ors"),
        )
    except Valideringsfel as error:
        return _valideringsfel(error)
    insats = db.session.execute(
        db.select(Insats).where(Insats.punkt_id == punkt.id).order_by(Insats.id.desc()).limit(1)
    ).scalar_one_or_none()
    result = {"punkt_id": punkt.id, "arende": referens_json(punkt.arende), "beslut": punkt.beslut,
              "utfall": punkt.utfall, "folj_upp_den": iso(punkt.folj_upp_den), "insats": _insats_json(insats),
              "antal_atgarder": len([a for a in atgarder if not a.tom])}
    db.session.commit()
    return jsonify(result)


@bp.get("/teams/<int:team_id>/samcoach")
@policy.regel("team_medlem")
def samcoachlage(team_id: int):
    lage = insats_services.samcoachlage(api_user(), team_id)
    return jsonify({
        "team_id": lage.team.id,
        "samcoacher": [{"user_id": k.medlemskap.user_id, "namn": k.medlemskap.user.namn, "kapacitet": k.kapacitet,
                        "lediga": k.lediga, "insatser": [_insats_json(i) for i in k.insatser]}
                       for k in lage.kaseloads],
        "ko": [{"position": k.position, "vantat_dagar": k.vantat, "insats": _insats_json(k.insats)} for k in lage.ko],
    })


@bp.post("/teams/<int:team_id>/insatser/<int:insats_id>/bekrafta")
@policy.regel("projektledare")
def bekrafta_plats(team_id: int, insats_id: int):
    result = _insats_json(insats_services.bekrafta_plats(api_user(), team_id, insats_id))
    db.session.commit()
    return jsonify(result)


@bp.post("/teams/<int:team_id>/insatser/<int:insats_id>/avslut")
@policy.regel("projektledare")
def avsluta_insats(team_id: int, insats_id: int):
    result = _insats_json(insats_services.avsluta_insats(api_user(), team_id, insats_id))
    db.session.commit()
    return jsonify(result)
