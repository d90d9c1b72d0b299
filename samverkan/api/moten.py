"""API: a team's meetings, one meeting with its agenda (reference codes only), adding
and removing agenda items, editing or moving a meeting and cancelling it.

Thin like the pages: read the request, call one service in ``samverkan.moten.services``
(the same as the UI's), commit once, answer JSON. Times: ``starttid`` and other instants
in UTC; ``datum`` and ``klockslag`` are the meeting's local date and time in
Europe/Stockholm, which is also how a move is given.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import jsonify, request, url_for

from samverkan.api import bp
from samverkan.api.arenden import referens_json
from samverkan.api.auth import api_user
from samverkan.api.payload import Payload, iso, json_body
from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.moten import services
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus

ANDRING_FALT = {"datum", "klockslag", "langd_minuter", "plats", "videolank", "typ", "kapacitet"}
_KLOCKSLAG = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _klockslag(body: Payload, name: str) -> dt.time | None:
    value = body.text(name)
    if value is None:
        return None
    if not _KLOCKSLAG.match(value):
        raise DomainError("ogiltig_tid", f"Fältet ”{name}” ska vara ett klockslag som TT:MM.", field=name)
    return dt.time.fromisoformat(value)


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def mote_json(mote: Mote, antal_punkter: int, antal_anmalda: int) -> dict:
    lokal = clock.local(mote.starttid)
    return {
        "id": mote.id,
        "team_id": mote.team_id,
        "starttid": iso(mote.starttid),
        "datum": iso(lokal.date()),
        "klockslag": lokal.strftime("%H:%M"),
        "langd_minuter": mote.langd_minuter,
        "plats": mote.plats,
        "videolank": mote.videolank,
        "typ": mote.typ.value,
        "installt": iso(mote.installt),
        "kapacitet": services.kapacitet(mote),
        "egen_kapacitet": mote.kapacitet,
        "antal_punkter": antal_punkter,
        "antal_anmalda": antal_anmalda,
        "anmalan_stanger": iso(mote.anmalan_stanger),
        "kallelse_planerad": iso(mote.kallelse_planerad),
        "kallelse_skickad": iso(mote.kallelse_skickad),
        "sekvens": mote.sekvens,
        "agendaversion": mote.agendaversion,
    }


def punkt_json(punkt: Dagordningspunkt, mote: Mote) -> dict:
    bokad = punkt.status == PunktStatus.BOKAD
    return {
        "id": punkt.id,
        "status": punkt.status.value,
        "arende": referens_json(punkt.arende),
        "uppfoljning": punkt.uppfoljning,
        "ordning": punkt.ordning if bokad else None,
        "tidslucka": _hhmm(punkt.tidslucka) if bokad else None,
        "langd_minuter": services.punktlangd(mote, punkt) if bokad else None,
        "individen_medverkar": punkt.individen_medverkar,
        "utfall": punkt.utfall,
        "overford": punkt.overford_fran_id is not None,
    }


def _mote_med_dagordning(mote: Mote, punkter: list[Dagordningspunkt]) -> dict:
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD]
    anmalda = [p for p in punkter if p.status == PunktStatus.ANMALD]
    return {
        **mote_json(mote, len(bokade), len(anmalda)),
        "dagordning": [punkt_json(p, mote) for p in bokade],
        "anmalningar": [punkt_json(p, mote) for p in anmalda],
    }


@bp.get("/teams/<int:team_id>/moten")
@policy.regel("team_medlem")
def lista_moten(team_id: int):
    fran = Payload(dict(request.args)).date("fran")
    rader = services.list_moten(api_user(), team_id, fran=fran)
    body = {"moten": [mote_json(r.mote, r.antal_punkter, r.antal_anmalda) for r in rader]}
    db.session.commit()
    return jsonify(body)


@bp.get("/moten/<int:mote_id>")
@policy.regel("team_medlem")
def visa_mote(mote_id: int):
    mote, punkter = services.mote_med_punkter(api_user(), mote_id)
    body = _mote_med_dagordning(mote, punkter)
    db.session.commit()
    return jsonify(body)


@bp.patch("/moten/<int:mote_id>")
@policy.regel("projektledare")
def andra_mote(mote_id: int):
    body = json_body(ANDRING_FALT)
    andringar = {}
    if "kapacitet" in body.data:  # null: back to the team's default
        andringar["kapacitet_"] = body.integer("kapacitet")
    services.andra_mote(
        api_user(), mote_id,
        datum=body.date("datum"),
        klockslag=_klockslag(body, "klockslag"),
        langd_minuter=body.integer("langd_minuter"),
        plats=body.text("plats"),
        videolank=body.text("videolank"),
        typ=body.text("typ"),
        **andringar,
    )
    result = _mote_med_dagordning(*services.mote_med_punkter(api_user(), mote_id))
    db.session.commit()
    return jsonify(result)


@bp.post("/moten/<int:mote_id>/installning")
@policy.regel("projektledare")
def installa_mote(mote_id: int):
    services.installa_mote(api_user(), mote_id)
    result = _mote_med_dagordning(*services.mote_med_punkter(api_user(), mote_id))
    db.session.commit()
    return jsonify(result)


@bp.post("/moten/<int:mote_id>/dagordning")
@policy.regel("projektledare")
def lagg_till_punkt(mote_id: int):
    body = json_body({"arende_id"})
    punkt = services.lagg_till(api_user(), mote_id, body.integer("arende_id", required=True))
    result = punkt_json(punkt, punkt.mote)
    db.session.commit()
    return jsonify(result), 201, {"Location": url_for("api.visa_mote", mote_id=mote_id)}


@bp.delete("/moten/<int:mote_id>/dagordning/<int:punkt_id>")
@policy.regel("projektledare")
def ta_bort_punkt(mote_id: int, punkt_id: int):
    services.ta_bort(api_user(), mote_id, punkt_id)
    db.session.commit()
    return "", 204
