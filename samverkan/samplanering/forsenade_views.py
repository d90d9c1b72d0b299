"""Overdue handlingsplan actions: the list (projektledare and handläggare) and marking
one done. Thin: the services decide and audit."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor
from samverkan.samplanering import forsenade as atgarder
from samverkan.samplanering import handlingsplan

bp = Blueprint("atgarder", __name__, url_prefix="/atgarder")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.route("/forsenade")
@policy.regel("handlaggare")
def forsenade():
    inom = max(0, min(request.args.get("inom", 0, type=int), atgarder.INOM_MAX))
    per_part = atgarder.forsenade(current_user, inom=inom)
    return granskad_sida("samplanering/forsenade.html", per_part=per_part, inom=inom)


@bp.route("/klar", methods=["POST"])
@policy.regel("handlaggare")
def klar():
    with utfor() as h:
        atgard = handlingsplan.markera_klar(current_user, request.form.get("atgard_id", type=int),
                                            kommentar=request.form.get("kommentar"))
        h.klart(f"Åtgärden är markerad som klar ({atgard.klar_den.isoformat()}).")
    return redirect(url_for("atgarder.forsenade"), code=303)
