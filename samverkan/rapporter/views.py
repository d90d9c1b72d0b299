"""Report pages: the nyckeltal dashboard (the styrgrupp's landing page), the period report
with its charts and exports, target settings and the Uppföljning Finsam reconciliation.

Who sees how much is decided in ``services.behorighet`` (policy): the styrgrupp and the
admin see the whole förbund with small numbers hidden, a projektledare sees their own
team exactly.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.arenden import kodlistor
from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.handling import utfor
from samverkan.forbund.models import Forbund
from samverkan.rapporter import finsam, services
from samverkan.rapporter.diagram import stapeldiagram
from samverkan.rapporter.queries import Urval

bp = Blueprint("rapporter", __name__, url_prefix="/rapporter")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _urval_fran_begaran():
    b = services.behorighet_for_val(current_user, request.args.get("team", ""))
    period = services.tolka_period(request.args.get("period"), request.args.get("fran"), request.args.get("till"),
                                   exakt=b.exakt)
    return b, period


def _rapport():
    b, period = _urval_fran_begaran()
    urval = Urval(b.forbund_id, b.team.id if b.team else None, period.fran, period.till)
    return b, services.period_rapport(urval, exakt=b.exakt, omfattning=b.omfattning, period=period)


def _filnamn(rapport, ext: str) -> str:
    omf = "forbundet" if rapport.omfattning == "Hela förbundet" else "team"
    return f"rapport-{rapport.period.kod if rapport.period.kod != 'egen' else rapport.period.fran}-{omf}.{ext}"


def _urvalsform(b, period) -> dict:
    return {"teams": services.rapport_teams(current_user), "periodval": services.periodval(clock.today(), b.exakt),
            "vald_team": b.team.id if b.team else None, "period": period,
            "far_se_forbund": policy.may_see_rapport(current_user), "args": request.args.to_dict()}


@bp.route("/")
@policy.regel("rapport")
def index():
    pl_teams = [t for t in services.rapport_teams(current_user) if t.id in policy.ledda_team_ids(current_user)]
    return render_template("rapporter/index.html", pl_teams=pl_teams)


@bp.route("/nyckeltal")
@policy.regel("rapport")
def nyckeltal():
    b, period = _urval_fran_begaran()
    varden = services.nyckeltal(b, period)
    return render_template("rapporter/nyckeltal.html", b=b, varden=varden,
                           far_andra=policy.may_set_mal(current_user, b.team.id if b.team else None),
                           avslutsorsaker=[(k, v) for k, v in kodlistor.AVSLUTSORSAK.items() if k != "felregistrering"],
                           **_urvalsform(b, period))


@bp.route("/nyckeltal/mal", methods=["POST"])
@policy.regel("rapport")
def satt_mal():
    team = request.form.get("team", "")
    team_id = int(team) if team.isdigit() else None
    try:
        mal = float(request.form.get("mal", "").replace(",", "."))
    except ValueError:
        mal = -1.0
    parameter = request.form.get("parameter", type=int)
    with utfor() as h:
        services.satt_mal(current_user, team_id, request.form.get("nyckel", ""), mal, parameter)
        h.klart("Målet är sparat.")
    return redirect(url_for("rapporter.nyckeltal", team=team or "alla"), code=303)


@bp.route("/period")
@policy.regel("rapport")
def period():
    b, rapport = _rapport()
    diagram = {t.nyckel: stapeldiagram(t) for t in rapport.tabeller}
    return render_template("rapporter/period.html", b=b, rapport=rapport, diagram=diagram,
                           ar_admin=policy.is_admin(current_user),
                           far_ange_budget=policy.is_admin(current_user) and b.team is not None
                           and rapport.period.kod.isdigit(),
                           **_urvalsform(b, rapport.period))


@bp.route("/budget", methods=["POST"])
@policy.regel("rapport")
def satt_budget():
    team, ar, belopp = (request.form.get(f, "").strip().replace(" ", "") for f in ("team", "ar", "belopp"))

    def tal(text: str) -> int:  # -1: not a whole number (the service refuses it, after the access check)
        return int(text) if text.isdigit() and len(text) <= 12 else -1

    with utfor() as h:
        services.satt_budget(current_user, tal(team), tal(ar), tal(belopp))
        h.klart("Budgeten är sparad.")
    return redirect(url_for("rapporter.period", team=team or "alla", period=ar or None), code=303)


@bp.route("/aldersband", methods=["POST"])
@policy.regel("rapport")
def satt_aldersband():
    with utfor() as h:
        services.satt_aldersband(current_user, request.form.get("granser", ""))
        h.klart("Åldersindelningen är sparad.")
    return redirect(url_for("rapporter.period", **{k: v for k, v in request.args.items() if k in ("team", "period")}),
                    code=303)


@bp.route("/period/export.csv")
@policy.regel("rapport")
def export_csv():
    _, rapport = _rapport()
    tabell = request.args.get("tabell")
    if tabell and tabell not in {t.nyckel for t in rapport.tabeller}:
        raise DomainError("okand_tabell", "Tabellen finns inte i rapporten.", field="tabell")
    from samverkan.rapporter import export  # on first use: see export_pdf

    body = export.till_csv(rapport, [tabell] if tabell else None)
    namn = _filnamn(rapport, "csv").replace(".csv", f"-{tabell}.csv" if tabell else ".csv")
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{namn}"'})


@bp.route("/period/export.xlsx")
@policy.regel("rapport")
def export_xlsx():
    from samverkan.rapporter import export  # on first use: see export_pdf

    _, rapport = _rapport()
    return Response(export.till_xlsx(rapport),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_filnamn(rapport, "xlsx")}"'})


@bp.route("/period/rapport.pdf")
@policy.regel("rapport")
def export_pdf():
    # Imported on first use: fpdf2 and openpyxl cost about a second of CPU at import, paid
    # by every process that builds the app (the scheduler, each CLI command) and never exports.
    from samverkan.rapporter import export

    b, rapport = _rapport()
    forbund = db.session.get(Forbund, b.forbund_id)
    return Response(export.till_pdf(rapport, forbund.namn), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filnamn(rapport, "pdf")}"'})


@bp.route("/team/<int:team_id>/finsam")
@policy.regel("projektledare")
def finsam_lista(team_id: int):
    team, rader = finsam.avstamning(current_user, team_id)  # audited: the request writes the entry
    urval = request.args.get("visa", "alla")
    synliga = [r for r in rader if urval == "alla" or (urval == "saknas" and r.status.endswith("saknas"))
               or (urval == "klara" and not r.status.endswith("saknas"))]
    summering = {s: sum(1 for r in rader if r.status == s) for s in finsam.STATUS_LABELS}
    return render_template("rapporter/finsam.html", team=team, rader=synliga, alla=len(rader), urval=urval,
                           finsam_insats_namn=finsam.insats_namn,
                           anonyma=sum(1 for r in rader if not r.deltagare.personnummer),
                           med_skillnader=sum(1 for r in rader if r.skillnader()),
                           summering=summering, STATUS_LABELS=finsam.STATUS_LABELS)


@bp.route("/team/<int:team_id>/finsam.csv")
@policy.regel("projektledare")
def finsam_export(team_id: int):
    team, rader = finsam.avstamning(current_user, team_id, handling="finsam.export")
    body = finsam.till_csv(rader)  # the export is audited; the request writes the entry
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="uppfoljning-finsam-team-{team.id}.csv"'})


@bp.route("/team/<int:team_id>/finsam/<int:arende_id>", methods=["POST"])
@policy.regel("projektledare")
def finsam_markera(team_id: int, arende_id: int):
    with utfor() as h:
        finsam.markera(current_user, team_id, arende_id, request.form.get("del", ""))
        h.klart("Registreringen i Uppföljning Finsam är markerad.")
    if h.fel:
        return redirect(url_for("rapporter.finsam_lista", team_id=team_id), code=303)
    return redirect(url_for("rapporter.finsam_lista", team_id=team_id, _anchor=f"a{arende_id}"), code=303)


@bp.route("/team/<int:team_id>/finsam/insats/<int:insats_id>", methods=["POST"])
@policy.regel("projektledare")
def finsam_markera_insats(team_id: int, insats_id: int):
    with utfor() as h:
        finsam.markera_insats(current_user, team_id, insats_id, request.form.get("del", ""))
        h.klart("Registreringen av insatsen i Uppföljning Finsam är markerad.")
    return redirect(url_for("rapporter.finsam_lista", team_id=team_id), code=303)
