"""The projektledare's start page (``/oversikt``). Thin: one service, one template."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from samverkan.auth import policy
from samverkan.insatser.models import INSATS_FORM_LABELS
from samverkan.insatser.services import erbjuden_dagar
from samverkan.oversikt import services

bp = Blueprint("oversikt", __name__, url_prefix="/oversikt")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.route("/")
@policy.regel("projektledare")
def projektledare():
    return render_template("oversikt/projektledare.html", oversikt=services.projektledare(current_user),
                           erbjuden_dagar=erbjuden_dagar, INSATS_FORM_LABELS=INSATS_FORM_LABELS)
