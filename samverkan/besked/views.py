"""The user's own notice settings: ``/konto/epost`` (Mitt konto → E-post). Thin: ``val``
decides and audits."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from samverkan.auth import policy
from samverkan.besked import val
from samverkan.core.handling import utfor

bp = Blueprint("besked", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


class BeskedForm(FlaskForm):
    """One checkbox per kind of notice (``val.SLAG``), labelled and described from it."""


for _slag in val.SLAG:
    setattr(BeskedForm, _slag.falt, BooleanField(_slag.rubrik, description=_slag.beskrivning))


@bp.route("/konto/epost", methods=["GET", "POST"])
@policy.regel("inloggad")
def installningar():
    form = BeskedForm(data=val.installningar(current_user))
    if form.validate_on_submit():
        with utfor(form=form) as h:
            val.spara(current_user, {s.falt: form[s.falt].data for s in val.SLAG})
            h.klart("Dina val för e-post är sparade.")
        if not h.fel:
            return redirect(url_for("besked.installningar"), code=303)
    return render_template("besked/installningar.html", form=form, slag=val.SLAG)
