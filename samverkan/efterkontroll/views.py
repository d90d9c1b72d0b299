"""Efterkontroll pages: the team's checks due (the projektledare records each outcome),
the förbund admin's number of months before the check, and the report table. (pages)

Thin: read the form, call one service, ``utfor`` commits or rolls back, redirect 303.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.arenden.kodlistor import EFTERKONTROLL_UTFALL
from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.handling import granskad_sida, utfor
from samverkan.efterkontroll import rapport, services
from samverkan.forbund.models import Forbund
from samverkan.rapporter import services as rapporter_services
from samverkan.rapporter.queries import Urval

bp = Blueprint("efterkontroll", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _lista(team_id: int, status: int = 200, *, fel: tuple[int, str] | None = None):
    return granskad_sida("efterkontroll/lista.html", status, team_id=team_id,
                         att_gora=services.inkorg(current_user, team_id),
                         gjorda=services.inkorg(current_user, team_id, gjorda=True),
                         UTFALL=EFTERKONTROLL_UTFALL, fel=fel)


@bp.route("/teams/<int:team_id>/efterkontroller")
@policy.regel("projektledare")
def lista(team_id: int):
    return _lista(team_id)


@bp.route("/teams/<int:team_id>/efterkontroller/<int:arende_id>", methods=["POST"])
@policy.regel("projektledare")
def registrera(team_id: int, arende_id: int):
    with utfor(visa=lambda error: None) as h:
        kontroll = services.registrera(current_user, team_id, arende_id, request.form.get("utfall") or None)
        h.klart(f"Efterkontrollen är registrerad: {EFTERKONTROLL_UTFALL[kontroll.utfall].lower()}.")
    if h.fel:
        return _lista(team_id, h.status, fel=(arende_id, h.fel.message))
    return redirect(url_for("efterkontroll.lista", team_id=team_id), code=303)


# --- the förbund admin's setting ---------------------------------------------------------


def _installning(status: int = 200, *, fel: str | None = None, varde: str | None = None):
    policy.require_admin(current_user)
    forbund = db.session.get(Forbund, current_user.forbund_id)
    return render_template("efterkontroll/installning.html", forbund=forbund, fel=fel,
                           varde=varde if varde is not None else forbund.efterkontroll_manader,
                           MIN=services.MIN_MANADER, MAX=services.MAX_MANADER), status


@bp.route("/admin/efterkontroll")
@policy.regel("admin")
def installning():
    return _installning()


@bp.route("/admin/efterkontroll", methods=["POST"])
@policy.regel("admin")
def spara_installning():
    policy.require_admin(current_user)
    text = (request.form.get("efterkontroll_manader") or "").strip()
    with utfor(visa=lambda error: None) as h:
        forbund = services.satt_manader(current_user, int(text) if text.isdigit() and len(text) < 4 else None)
        h.klart(f"Efterkontrollen görs {forbund.efterkontroll_manader} månader efter avslut.")
    if h.fel:
        return _installning(h.status, fel=h.fel.message, varde=text)
    return redirect(url_for("efterkontroll.installning"), code=303)


# --- the report ----------------------------------------------------------------------------


@bp.route("/rapporter/efterkontroll")
@policy.regel("rapport")
def rapportsida():
    b = rapporter_services.behorighet_for_val(current_user, request.args.get("team", ""))
    period = rapporter_services.tolka_period(request.args.get("period"), request.args.get("fran"),
                                             request.args.get("till"), exakt=b.exakt)
    # The period report's own table, so the page, the report and its exports agree cell for cell.
    t = rapporter_services.period_rapport(
        Urval(b.forbund_id, b.team.id if b.team else None, period.fran, period.till), exakt=b.exakt,
        omfattning=b.omfattning, period=period).tabell(rapport.NYCKEL)
    return render_template(
        "efterkontroll/rapport.html", b=b, t=t, period=period,
        teams=rapporter_services.rapport_teams(current_user),
        periodval=rapporter_services.periodval(clock.today(), b.exakt),
        vald_team=b.team.id if b.team else None, far_se_forbund=policy.may_see_rapport(current_user),
        args=request.args.to_dict())
