"""Samcoach pages: the team's caseload and queue (reference codes only), confirming an
offered place and ending an insats (the projektledare), and a samcoach's own caseload.
(pages)

Thin: look up, call one service, commit once, flash, redirect with 303.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor
from samverkan.insatser import services
from samverkan.insatser.models import INSATS_FORM_LABELS
from samverkan.samplanering import handlingsplan

bp = Blueprint("insatser", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.context_processor
def _globals():
    return {"vantedagar": services.vantedagar, "INSATS_FORM_LABELS": INSATS_FORM_LABELS}


@bp.route("/insatser/team/<int:team_id>")
@policy.regel("team_medlem")
def samcoachlage(team_id: int):
    return render_template("insatser/samcoachlage.html", lage=services.samcoachlage(current_user, team_id))


def _tillbaka(team_id: int, insats_id: int | None = None):
    url = url_for("insatser.samcoachlage", team_id=team_id)
    return redirect(url + ("#ko-rubrik" if insats_id is None else f"#insats-{insats_id}"), code=303)


def _pa_insats(team_id: int, insats_id: int, handling, meddelande: str, *, till_insatsen: bool):
    """Run one projektledare action on an insats: commit and say so, or show why not."""
    with utfor() as h:
        insats = handling(current_user, team_id, insats_id)
        h.klart(meddelande.format(referens=insats.arende.referens))
    if h.fel:
        return _tillbaka(team_id)
    return _tillbaka(team_id, insats_id if till_insatsen else None)


@bp.route("/insatser/team/<int:team_id>/<int:insats_id>/bekrafta", methods=["POST"])
@policy.regel("projektledare")
def bekrafta(team_id: int, insats_id: int):
    return _pa_insats(team_id, insats_id, services.bekrafta_plats,
                      "Platsen för {referens} är bekräftad. Insatsen har startat.", till_insatsen=True)


@bp.route("/insatser/team/<int:team_id>/<int:insats_id>/avsluta", methods=["POST"])
@policy.regel("projektledare")
def avsluta(team_id: int, insats_id: int):
    return _pa_insats(team_id, insats_id, services.avsluta_insats,
                      "Insatsen för {referens} är avslutad.", till_insatsen=False)


@bp.route("/min-kaseload")
@policy.regel("inloggad")
def min_kaseload():
    insatser = services.min_kaseload(current_user)
    planer = handlingsplan.oppna_for(current_user, [i.arende_id for i in insatser])
    return granskad_sida("insatser/min_kaseload.html", insatser=insatser, planer=planer)
