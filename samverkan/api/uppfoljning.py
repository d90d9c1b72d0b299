"""API: an ärende's measurements and återaktualisering, a meeting's protokoll (read,
justera, addenda) and overdue handlingsplan actions. The same services as the pages.
(Avslut is a transition: POST /arenden/{id}/handelser with trigger "avsluta" and the end data.)
"""

from __future__ import annotations

from flask import jsonify, url_for

from samverkan.aktualisering import services as aktualisering
from samverkan.api import bp
from samverkan.api.arenden import referens_json
from samverkan.api.auth import api_user
from samverkan.api.payload import iso, json_body
from samverkan.arenden import services as arende_services
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.protokoll import services as protokoll
from samverkan.samplanering import forsenade as atgarder
from samverkan.uppfoljning import forlopp as uppfoljning


@bp.get("/arenden/<int:arende_id>/matningar")
@policy.regel("arende_detaljer")
def lista_matningar(arende_id: int):
    arende = arende_services.get_arende(api_user(), arende_id)
    body = {"matningar": [
        {"id": m.id, "datum": iso(m.datum), "steg": {"id": m.steg.id, "nummer": m.steg.nummer, "namn": m.steg.namn},
         "sysselsattningsgrad": m.sysselsattningsgrad, "ors": m.ors, "punkt_id": m.punkt_id}
        for m in uppfoljning.matningar(arende)
    ]}
    db.session.commit()
    return jsonify(body)


@bp.post("/arenden/<int:arende_id>/ateraktualisera")
@policy.regel("arende_detaljer")
def ateraktualisera(arende_id: int):
    nytt = aktualisering.ateraktualisera(api_user(), arende_id)
    body = {**referens_json(nytt), "foregaende_arende_id": nytt.foregaende_arende_id}
    db.session.commit()
    return jsonify(body), 201, {"Location": url_for("api.visa_arende", arende_id=nytt.id)}


def _protokoll_json(sida: protokoll.ProtokollSida) -> dict:
    return {
        "mote_id": sida.mote.id,
        "justerat": iso(sida.protokoll.justerat) if sida.justerat else None,
        "justerat_av_id": sida.protokoll.justerat_av_id if sida.justerat else None,
        "innehall": sida.innehall,
        "tillagg": [{"id": t.id, "text": t.text, "skapad": iso(t.skapad), "skapad_av_id": t.skapad_av_id}
                    for t in sida.tillagg],
    }


@bp.get("/moten/<int:mote_id>/protokoll")
@policy.regel("team_medlem")
def visa_protokoll(mote_id: int):
    body = _protokoll_json(protokoll.visa(api_user(), mote_id))
    db.session.commit()
    return jsonify(body)


@bp.post("/moten/<int:mote_id>/protokoll/justera")
@policy.regel("projektledare")
def justera_protokoll(mote_id: int):
    user = api_user()
    protokoll.justera(user, mote_id)
    body = _protokoll_json(protokoll.visa(user, mote_id))
    db.session.commit()
    return jsonify(body)


@bp.post("/moten/<int:mote_id>/protokoll/tillagg")
@policy.regel("projektledare")
def protokolltillagg(mote_id: int):
    body = json_body({"text"})
    t = protokoll.lagg_till(api_user(), mote_id, body.text("text", required=True))
    result = {"id": t.id, "text": t.text, "skapad": iso(t.skapad), "skapad_av_id": t.skapad_av_id}
    db.session.commit()
    return jsonify(result), 201


@bp.get("/atgarder/forsenade")
@policy.regel("handlaggare")
def forsenade_atgarder():
    per_part = atgarder.forsenade(api_user())
    body = {"parter": [
        {"part": {"id": part.id, "namn": part.namn},
         "atgarder": [{"id": r.atgard.id, "arende_id": r.arende_id, "referens": r.referens,
                       "beskrivning": r.atgard.beskrivning, "ansvarig": r.atgard.ansvarig,
                       "klar_senast": iso(r.atgard.klar_senast), "kan_markera_klar": r.kan_markera}
                      for r in rader]}
        for part, rader in per_part.items()
    ]}
    db.session.commit()
    return jsonify(body)


@bp.post("/atgarder/<int:atgard_id>/klar")
@policy.regel("handlaggare")
def atgard_klar(atgard_id: int):
    atgard = atgarder.markera_klar(api_user(), atgard_id)
    body = {"id": atgard.id, "klar_den": iso(atgard.klar_den)}
    db.session.commit()
    return jsonify(body)
