"""Protokoll pages: read (team members; an aktualiserande handläggare outside the team
their own items), print, PDF, naming the second justerare and addenda (projektledare),
justering (projektledare and the second justerare). Thin: the services decide, audit
and freeze."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor
from samverkan.protokoll import services

bp = Blueprint("protokoll", __name__, url_prefix="/moten")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


class TillaggForm(FlaskForm):
    text = TextAreaField("Tillägg", validators=[Optional()],
                         description="Vanlig text. Skriv bara referenskoder, inga namn eller personnummer.")


class JusteraForm(FlaskForm):
    pass


class JusterareForm(FlaskForm):
    justerare_id = SelectField("Andra justerare", coerce=str, validate_choice=False,
                               description="En ledamot eller ersättare i teamet som justerar protokollet "
                                           "tillsammans med dig. Protokollet låses när båda har justerat.")


def _justerare_form(sida, form: JusterareForm | None) -> JusterareForm | None:
    if not (sida.kan_justeras and policy.is_projektledare(current_user, sida.mote.team_id)):
        return None
    form = form or JusterareForm(formdata=None, justerare_id=str(sida.protokoll.justerare_id or "")
                                 if sida.protokoll else "")
    form.justerare_id.choices = [("", "Ingen andra justerare")] + [
        (str(u.id), u.namn) for u in services.justerare_att_valja(current_user, sida.mote.id)]
    return form


def _visa(mote_id: int, *, form: TillaggForm | None = None, justerare_form: JusterareForm | None = None,
          status: int = 200):
    sida = services.visa(current_user, mote_id)
    return granskad_sida(
        "protokoll/visa.html", status, sida=sida, inn=sida.innehall,
        ar_projektledare=policy.is_projektledare(current_user, sida.mote.team_id),
        form=form or TillaggForm(formdata=None), justera_form=JusteraForm(formdata=None),
        justerare_form=_justerare_form(sida, justerare_form),
    )


@bp.route("/<int:mote_id>/protokoll")
@policy.regel("protokoll")
def visa(mote_id: int):
    return _visa(mote_id)


@bp.route("/<int:mote_id>/protokoll.pdf")
@policy.regel("protokoll")
def som_pdf(mote_id: int):
    # Imported on first use: fpdf2 costs about a second of CPU at import, paid by every
    # process that builds the app (the scheduler, each CLI command) and never makes a PDF.
    from samverkan.protokoll import pdf

    sida = services.visa(current_user, mote_id, handling="protokoll.pdf")
    data = pdf.bygg(sida)
    namn = f"protokoll-{sida.innehall['mote']['datum']}.pdf"
    return data, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f'inline; filename="{namn}"'}


@bp.route("/<int:mote_id>/protokoll/justera", methods=["POST"])
@policy.regel("team_medlem")  # the projektledare or the named second justerare (the service decides)
def justera(mote_id: int):
    if not JusteraForm().validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _visa(mote_id, status=400)
    with utfor() as h:
        justering = services.justera(current_user, mote_id)
        h.klart(justering.meddelande)
    if h.fel:
        return _visa(mote_id, status=h.status)
    return redirect(url_for("protokoll.visa", mote_id=mote_id), code=303)


@bp.route("/<int:mote_id>/protokoll/justerare", methods=["POST"])
@policy.regel("projektledare")
def justerare(mote_id: int):
    form = JusterareForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _visa(mote_id, status=400)
    val = (form.justerare_id.data or "").strip()
    with utfor(form=form) as h:
        protokoll = services.utse_justerare(current_user, mote_id, int(val) if val.isdigit() else (0 if val else None))
        h.klart("Andra justerare är utsedd." if protokoll.justerare_id else "Protokollet har ingen andra justerare.")
    if h.fel:
        return _visa(mote_id, justerare_form=form, status=h.status)
    return redirect(url_for("protokoll.visa", mote_id=mote_id, _anchor="justera-rubrik"), code=303)


@bp.route("/<int:mote_id>/protokoll/tillagg", methods=["POST"])
@policy.regel("projektledare")
def tillagg(mote_id: int):
    form = TillaggForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _visa(mote_id, form=form, status=400)
    with utfor(form=form) as h:
        services.lagg_till(current_user, mote_id, form.text.data or "")
        h.klart("Tillägget är sparat.")
    if h.fel:
        return _visa(mote_id, form=form, status=h.status)
    return redirect(url_for("protokoll.visa", mote_id=mote_id, _anchor="tillagg-rubrik"), code=303)
