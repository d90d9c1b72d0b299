"""API: the period report's tables and the nyckeltal, aggregates only (samverkan.rapporter).

The same ``Rapport`` as the pages: small numbers are "<3" for the styrgrupp and the admin,
exact only for a team's own projektledare. No individual-level data is served here.
"""

from __future__ import annotations

from flask import jsonify, request

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval


def _urval():
    b = services.behorighet_for_val(api_user(), request.args.get("team_id", ""), falt="team_id")
    period = services.tolka_period(request.args.get("period"), request.args.get("fran"), request.args.get("till"),
                                   exakt=b.exakt)
    return b, period


def _huvud(b, period) -> dict:
    return {"omfattning": b.omfattning, "team_id": b.team.id if b.team else None, "exakt": b.exakt,
            "period": {"kod": period.kod, "namn": period.namn, "fran": period.fran.isoformat(),
                       "till": period.till.isoformat()}}


@bp.get("/rapporter/period")
@policy.regel("rapport")
def rapport_period():
    b, period = _urval()
    rapport = services.period_rapport(Urval(b.forbund_id, b.team.id if b.team else None, period.fran, period.till),
                                      exakt=b.exakt, omfattning=b.omfattning, period=period)
    body = {**_huvud(b, period), "tabeller": [
        {"nyckel": t.nyckel, "rubrik": t.rubrik, "radrubrik": t.radrubrik, "kolumner": t.kolumner,
         "rader": [{"etikett": r.etikett, "total": r.total, "varden": [c.export_varde for c in r.celler],
                   "markeringar": [c.markering or None for c in r.celler]}
                   for r in t.rader]}
        for t in rapport.tabeller]}
    db.session.commit()
    return jsonify(body)


@bp.get("/rapporter/nyckeltal")
@policy.regel("rapport")
def rapport_nyckeltal():
    b, period = _urval()
    body = {**_huvud(b, period), "nyckeltal": [
        {"nyckel": v.definition.nyckel, "namn": v.namn, "typ": v.definition.typ, "varde": v.cell.export_varde,
         "mal": v.mal, "uppnatt": v.uppnatt,
         "trend": [{"period": namn, "varde": c.export_varde} for namn, c in v.trend]}
        for v in services.nyckeltal(b, period)]}
    db.session.commit()
    return jsonify(body)
