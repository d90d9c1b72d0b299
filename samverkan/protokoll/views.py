"""Protokoll pages: read (team members), print, PDF, justering and addenda (projektledare).
Thin: the services decide, audit and freeze."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Optional

from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor
from samverkan.protokoll import pdf, services

bp = Blueprint("protokoll", __name__, url_prefix="/moten")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


class TillaggForm(FlaskForm):
    text = TextAreaField("Tillägg", validators=[Optional()],
                         description="Vanlig text. Skriv bara referenskoder, inga namn eller personnummer.")


class JusteraForm(FlaskForm):
    pass


def _visa(mote_id: int, *, form: TillaggForm | None = None, status: int = 200):
    sida = services.visa(current_user, mote_id)
    return granskad_sida(
        "protokoll/visa.html", status, sida=sida, inn=sida.innehall,
        ar_projektledare=policy.is_projektledare(current_user, sida.mote.team_id),
        form=form or TillaggForm(formdata=None), justera_form=JusteraForm(formdata=None),
    )


@bp.route("/<int:mote_id>/protokoll")
@policy.regel("team_medlem")
def visa(mote_id: int):
    return _visa(mote_id)


@bp.route("/<int:mote_id>/protokoll.pdf")
@policy.regel("team_medlem")
def som_pdf(mote_id: int):
    sida = services.visa(current_user, mote_id, handling="protokoll.pdf")
    data = pdf.bygg(sida)
    namn = f"protokoll-{sida.innehall['mote']['datum']}.pdf"
    return data, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f'inline; filename="{namn}"'}


@bp.route("/<int:mote_id>/protokoll/justera", methods=["POST"])
@policy.regel("projektledare")
def justera(mote_id: int):
    if not JusteraForm().validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return _visa(mote_id, status=400)
    with utfor() as h:
        services.justera(current_user, mote_id)
        h.klart("Protokollet är justerat och låst. Ändringar görs som tillägg.")
    if h.fel:
        return _visa(mote_id, status=h.status)
    return redirect(url_for("protokoll.visa", mote_id=mote_id), code=303)


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
