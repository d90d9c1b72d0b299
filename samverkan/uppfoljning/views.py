"""Uppföljning pages: the förbund admin's ladder and insats types, and återaktualisering
of a closed ärende. Thin: look up, call one service, commit once, flash, redirect 303."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from samverkan.aktualisering import services as aktualisering
from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor
from samverkan.uppfoljning import forlopp, stegoversikt

bp = Blueprint("uppfoljning", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


class StegForm(FlaskForm):
    steg_id = HiddenField()
    namn = StringField("Namn", validators=[Optional()])
    beskrivning = TextAreaField("Beskrivning", validators=[Optional()])


class InsatstypForm(FlaskForm):
    insatstyp_id = HiddenField()
    namn = StringField("Namn", validators=[Optional()])
    aktiv = BooleanField("Aktiv (erbjuds vid beslut)")


def _prefixa(form: FlaskForm, prefix: str) -> FlaskForm:
    """Several forms share one page: ids unique per row, names unchanged."""
    for f in form:
        f.id = f"{prefix}-{f.name}"
        f.label.field_id = f.id
    return form


def _stege_sida(fel: tuple[str, FlaskForm] | None = None, status: int = 200):
    policy.require_admin(current_user)
    stege = forlopp.stege(current_user.forbund_id)
    formular = []
    for s in stege:
        if fel and fel[0] == f"steg-{s.id}":
            form = fel[1]
        else:
            form = StegForm(formdata=None, steg_id=s.id, namn=s.namn, beskrivning=s.beskrivning)
        formular.append((s, _prefixa(form, f"steg-{s.id}")))
    ny = fel[1] if fel and fel[0] == "nytt" else StegForm(formdata=None)
    return render_template("uppfoljning/stege.html", formular=formular, ny=_prefixa(ny, "nytt"),
                           ta_bort=FlaskForm(formdata=None)), status


@bp.route("/admin/stege")
@policy.regel("admin")
def stege():
    return _stege_sida()


@bp.route("/admin/stege", methods=["POST"])
@policy.regel("admin")
def spara_steg():
    policy.require_admin(current_user)
    form = StegForm()
    handling = request.form.get("handling", "andra")
    nyckel = "nytt" if handling == "ny" else f"steg-{form.steg_id.data}"
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _stege_sida(status=400)
    with utfor(form=form) as h:
        if handling == "ny":
            forlopp.lagg_till_steg(current_user, namn=form.namn.data, beskrivning=form.beskrivning.data)
            h.klart("Steget är tillagt överst på stegen.")
        elif handling == "ta_bort":
            forlopp.ta_bort_steg(current_user, _id(form.steg_id.data))
            h.klart("Steget är borttaget.")
        else:
            forlopp.andra_steg(current_user, _id(form.steg_id.data), namn=form.namn.data,
                                beskrivning=form.beskrivning.data)
            h.klart("Steget är sparat.")
    if h.fel:
        return _stege_sida((nyckel, form), status=h.status)
    return redirect(url_for("uppfoljning.stege"), code=303)


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _insatstyper_sida(fel: tuple[str, FlaskForm] | None = None, status: int = 200):
    policy.require_admin(current_user)
    formular = []
    for t in forlopp.insatstyper(current_user.forbund_id):
        if fel and fel[0] == f"typ-{t.id}":
            form = fel[1]
        else:
            form = InsatstypForm(formdata=None, insatstyp_id=t.id, namn=t.namn, aktiv=t.aktiv)
        formular.append((t, _prefixa(form, f"typ-{t.id}")))
    ny = fel[1] if fel and fel[0] == "ny" else InsatstypForm(formdata=None, aktiv=True)
    return render_template("uppfoljning/insatstyper.html", formular=formular,
                           ny=_prefixa(ny, "ny")), status


@bp.route("/admin/insatstyper")
@policy.regel("admin")
def insatstyper():
    return _insatstyper_sida()


@bp.route("/admin/insatstyper", methods=["POST"])
@policy.regel("admin")
def spara_insatstyp():
    policy.require_admin(current_user)
    form = InsatstypForm()
    ny = request.form.get("handling") == "ny"
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _insatstyper_sida(status=400)
    with utfor(form=form) as h:
        if ny:
            forlopp.lagg_till_insatstyp(current_user, namn=form.namn.data)
        else:
            forlopp.andra_insatstyp(current_user, _id(form.insatstyp_id.data), namn=form.namn.data,
                                     aktiv=form.aktiv.data)
        h.klart("Insatstypen är tillagd." if ny else "Insatstypen är sparad.")
    if h.fel:
        return _insatstyper_sida(("ny" if ny else f"typ-{form.insatstyp_id.data}", form), status=h.status)
    return redirect(url_for("uppfoljning.insatstyper"), code=303)


@bp.route("/arenden/<int:arende_id>/ateraktualisera", methods=["POST"])
@policy.regel("arende_detaljer")
def ateraktualisera(arende_id: int):
    if not FlaskForm().validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)
    with utfor() as h:
        nytt = aktualisering.ateraktualisera(current_user, arende_id)
        nytt_id = nytt.id
        h.klart(f"Ärendet är återaktualiserat som {nytt.referens}. Skriv frågeställningen och registrera "
                "ett nytt samtycke innan du skickar det till teamet.")
    if h.fel:
        return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)
    return redirect(url_for("aktualisering.redigera", arende_id=nytt_id), code=303)


@bp.route("/team/<int:team_id>/stegforflyttning")
@policy.regel("team_medlem")
def stegforflyttning(team_id: int):
    """The team's stegförflyttning, for the meeting in ``?mote=`` or up to today."""
    mote_id = request.args.get("mote", type=int)
    oversikt = stegoversikt.oversikt(current_user, team_id, mote_id=mote_id,
                                     sortera_pa=request.args.get("sortera", "referens"),
                                     fallande=request.args.get("ordning") == "fallande")
    return granskad_sida("uppfoljning/stegforflyttning.html", o=oversikt, kolumner=stegoversikt.SORTERINGAR)
