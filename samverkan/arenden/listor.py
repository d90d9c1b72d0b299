"""Lists of ärenden: mine, the projektledare's inbox, consent expiring, search (pages).

Thin: each page asks one service in ``samverkan.arenden.services`` for one page of rows
(filtered through the policy, a fixed number of queries) and renders it. Pages that
audit (a search by personnummer) commit after rendering.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import current_user

from samverkan.arenden import services
from samverkan.auth import policy
from samverkan.core import anrop
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.handling import granskad_sida

bp = Blueprint("listor", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _sida() -> int:
    source = request.form if request.method == "POST" else request.args
    # Bounded so the offset stays within what the database takes (sida=10**30 → last page, empty).
    return min(max(1, source.get("sida", 1, type=int) or 1), 2**31 - 1)


def _per_sida() -> int:
    return current_app.config["PAGE_SIZE"]


@bp.route("/mina")
@policy.regel("inloggad")
def mina():
    sida = services.mina_arenden(current_user, sida=_sida(), per_sida=_per_sida())
    return render_template("listor/mina.html", sida=sida)


@bp.route("/inkorg")
@policy.regel("projektledare")
def inkorg():
    sida = services.inkorg(current_user, request.args.get("team", type=int), sida=_sida(),
                           per_sida=_per_sida(), med_forfallna=True)
    return render_template("listor/inkorg.html", sida=sida)


@bp.route("/samtycke-gar-ut")
@policy.regel("inloggad")
def samtycke_gar_ut():
    sida = services.samtycke_gar_ut(current_user, sida=_sida(), per_sida=_per_sida())
    return render_template("listor/samtycke_gar_ut.html", sida=sida,
                           dagar=services.SAMTYCKE_VARNING_DAGAR)


@bp.route("/sok", methods=["GET", "POST"])
@policy.regel("inloggad")
@anrop.laser  # the form posts, but a search only reads (and is audited)
def sok():
    # The page's form posts, so a personnummer stays out of URLs, logs and history;
    # ?q= works too (links to a reference code).
    source = request.form if request.method == "POST" else request.args
    q = (source.get("q") or "").strip()
    try:
        resultat = services.sok_arenden(current_user, q, sida=_sida(), per_sida=_per_sida())
    except DomainError as error:
        db.session.rollback()
        return render_template("listor/sok.html", q=q, resultat=None, fel=error.message), error.status
    return granskad_sida("listor/sok.html", q=q, resultat=resultat, fel=None)  # a search by number is audited
