"""API: a meeting's outbox — when its kallelse is due or went out, and each message's
state (queued, being sent, sent, failed with the reason). For the team's projektledare;
anyone else gets 404. No message text and no addresses: the state is what a client needs.
"""

from __future__ import annotations

from flask import jsonify

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.api.payload import iso
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.kallelser import services
from samverkan.kallelser.models import Utskick


def utskick_json(u: Utskick) -> dict:
    return {
        "id": u.id,
        "typ": u.typ.value,
        "mottagare": {"id": u.mottagare.id, "namn": u.mottagare.namn},
        "version": u.version,
        "status": u.status.value,
        "forsok": u.forsok,
        "senaste_fel": u.senaste_fel or None,
        "skapad": iso(u.skapad),
        "nasta_forsok": iso(u.nasta_forsok) if u.status.value == "koad" else None,
        "skickad": iso(u.skickad),
    }


@bp.get("/moten/<int:mote_id>/utskick")
@policy.regel("projektledare")
def lista_utskick(mote_id: int):
    user = api_user()
    mote = services.get_mote(user, mote_id)
    oversikt = services.oversikt(user, mote)
    body = {
        "mote_id": mote.id,
        "installt": iso(mote.installt),
        "kallelse_planerad": iso(mote.kallelse_planerad),
        "kallelse_skickad": iso(mote.kallelse_skickad),
        "anmalan_stanger": iso(mote.anmalan_stanger),
        "paminnelse_planerad": iso(oversikt.paminnelse_planerad),
        "paminnelse_skickad": iso(mote.paminnelse_skickad),
        "smtp_konfigurerad": oversikt.smtp_konfigurerad,
        "utskick": [utskick_json(u) for u in oversikt.rader],
    }
    db.session.commit()
    return jsonify(body)
