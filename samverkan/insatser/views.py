"""Insatser pages: the team's samcoach caseload and queue and its places and queues per
insats type (reference codes only); confirming or declining an offered place, ending an
insats and setting the places (the projektledare); an ärende's insatser with a further
one started beside them; a samcoach's own caseload. (pages)

Thin: look up, call one service, commit once, flash, redirect with 303.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from samverkan.auth import policy
from samverkan.core.errors import Valideringsfel
from samverkan.core.handling import granskad_sida, utfor
from samverkan.insatser import forms, koer, services
from samverkan.insatser.models import INSATS_FORM_LABELS, InsatsForm
from samverkan.samplanering import handlingsplan

bp = Blueprint("insatser", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.context_processor
def _globals():
    return {"vantedagar": services.vantedagar, "kodagar": services.kodagar,
            "erbjuden_dagar": services.erbjuden_dagar, "INSATS_FORM_LABELS": INSATS_FORM_LABELS}


@bp.route("/insatser/team/<int:team_id>")
@policy.regel("team_medlem")
def samcoachlage(team_id: int):
    return render_template("insatser/samcoachlage.html", lage=services.samcoachlage(current_user, team_id))


def _tillbaka(team_id: int, insats_id: int | None = None):
    """Back where the action was asked from: the overview, the places page, or the
    samcoach page (a fixed choice, never a URL from the form)."""
    if request.form.get("tillbaka") == "oversikt":
        return redirect(url_for("oversikt.projektledare", _anchor="erbjudanden-rubrik"), code=303)
    if request.form.get("tillbaka") == "platser":
        return redirect(url_for("insatser.platser", team_id=team_id), code=303)
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


@bp.route("/insatser/team/<int:team_id>/<int:insats_id>/avboj", methods=["POST"])
@policy.regel("projektledare")
def avboj(team_id: int, insats_id: int):
    return _pa_insats(team_id, insats_id, services.avboj_plats,
                      "Platsen för {referens} är avböjd. Insatsen är avslutad och platsen erbjuds nästa i kön.",
                      till_insatsen=False)


@bp.route("/insatser/team/<int:team_id>/<int:insats_id>/avsluta", methods=["POST"])
@policy.regel("projektledare")
def avsluta(team_id: int, insats_id: int):
    return _pa_insats(team_id, insats_id, services.avsluta_insats,
                      "Insatsen för {referens} är avslutad.", till_insatsen=False)


# --- places and queues per insats type ---------------------------------------------------------

def _platssida(team_id: int, *, admin: bool = False, status: int = 200, fel: dict[str, str] | None = None,
               varden=None):
    lage = (koer.platsinstallningar if admin else koer.platslage)(current_user, team_id)
    spara_url = url_for("insatser.admin_spara_platser" if admin else "insatser.spara_platser", team_id=team_id)
    return render_template("insatser/platser.html", lage=lage, admin=admin, spara_url=spara_url,
                           fel=fel or {}, varden=varden), status


@bp.route("/insatser/team/<int:team_id>/platser")
@policy.regel("team_medlem")
def platser(team_id: int):
    return _platssida(team_id)


@bp.route("/admin/team/<int:team_id>/insatsplatser")
@policy.regel("admin")
def admin_platser(team_id: int):
    return _platssida(team_id, admin=True)


def _heltal_eller_tomt(varde: str, falt: str, fel: dict[str, str]) -> int | None:
    """A form's number: empty is None; anything but digits is refused beside its field."""
    varde = varde.strip()
    if not varde:
        return None
    if not varde.isdigit() or len(varde) > 6:
        fel[falt] = "Ange ett heltal (0 eller fler), eller lämna tomt."
        return None
    return int(varde)


def _spara_platser(team_id: int, *, admin: bool):
    """Read the places form, save it whole or show it again with each field's message."""
    if admin:
        koer.platsinstallningar(current_user, team_id)  # the admin's page: the admin only
    fel: dict[str, str] = {}
    antal = {}
    for typ_id in request.form.getlist("insatstyp_id", type=int):
        antal[typ_id] = _heltal_eller_tomt(request.form.get(f"antal_{typ_id}", ""), f"antal_{typ_id}", fel)
    dagar = _heltal_eller_tomt(request.form.get("paminnelse_dagar", ""), "paminnelse_dagar", fel)
    if dagar is None and "paminnelse_dagar" not in fel:
        fel["paminnelse_dagar"] = "Ange efter hur många dagar påminnelsen ska gå ut."
    if not fel:
        with utfor(visa=lambda error: fel.update(error.fel if isinstance(error, Valideringsfel)
                                                  else {error.field or "": error.message})) as h:
            koer.spara_platser(current_user, team_id, antal, dagar)
            h.klart("Platserna är sparade.")
        if not h.fel:
            return redirect(url_for("insatser.admin_platser" if admin else "insatser.platser", team_id=team_id),
                            code=303)
    return _platssida(team_id, admin=admin, status=422, fel=fel, varden=request.form)


@bp.route("/insatser/team/<int:team_id>/platser", methods=["POST"])
@policy.regel("projektledare")
def spara_platser(team_id: int):
    return _spara_platser(team_id, admin=False)


@bp.route("/admin/team/<int:team_id>/insatsplatser", methods=["POST"])
@policy.regel("admin")
def admin_spara_platser(team_id: int):
    return _spara_platser(team_id, admin=True)


# --- an ärende's insatser ----------------------------------------------------------------------

def _starta_form(arende, *, post: bool = False) -> forms.StartaInsatsForm:
    form = forms.StartaInsatsForm() if post else forms.StartaInsatsForm(formdata=None)
    form.insatstyp_id.choices = [SelectChoice(0, "Välj insats")] + [
        SelectChoice(t.id, t.namn) for t in services.insatstyper(arende.forbund_id)]
    form.samcoach_id.choices = [SelectChoice(0, "Välj samcoach")] + [
        SelectChoice(m.user_id, m.user.namn) for m in services.samcoacher(arende.team_id)]
    return form


def _arendesida(arende_id: int, form=None, status: int = 200):
    arende, insatser = koer.arendets_insatser(current_user, arende_id)
    kan_starta = policy.may_starta_insats(current_user, arende)
    return granskad_sida("insatser/arende.html", arende=arende, insatser=insatser, kan_starta=kan_starta,
                         form=form or _starta_form(arende), status=status)


@bp.route("/insatser/arende/<int:arende_id>")
@policy.regel("arende_detaljer")
def arende(arende_id: int):
    return _arendesida(arende_id)


@bp.route("/insatser/arende/<int:arende_id>/starta", methods=["POST"])
@policy.regel("arende_handling")
def starta(arende_id: int):
    arende, _ = koer.arendets_insatser(current_user, arende_id)
    form = _starta_form(arende, post=True)
    if not form.validate_on_submit():
        return _arendesida(arende_id, form, 422)
    try:
        vald = InsatsForm(form.form.data)
    except ValueError:
        form.form.errors = [*form.form.errors, "Välj vilken sorts insats."]
        return _arendesida(arende_id, form, 422)
    with utfor(form=form) as h:
        insats = services.starta(current_user, arende_id, vald, samcoach_id=form.samcoach_id.data or None,
                                 insatstyp_id=form.insatstyp_id.data or None)
        h.klart("Insatsen har startat." if insats.status.value == "aktiv"
                else "Det finns ingen ledig plats: ärendet står i kön för insatsen.")
    if h.fel:
        return _arendesida(arende_id, form, h.status)
    return redirect(url_for("insatser.arende", arende_id=arende_id), code=303)


@bp.route("/min-kaseload")
@policy.regel("inloggad")
def min_kaseload():
    insatser = services.min_kaseload(current_user)
    planer = handlingsplan.oppna_for(current_user, [i.arende_id for i in insatser])
    return granskad_sida("insatser/min_kaseload.html", insatser=insatser, planer=planer)
