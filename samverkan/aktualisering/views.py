"""Aktualisering: a handläggare brings an ärende to the team, with consent. (pages)

New ärende, editing one's own draft, and the printable consent form. Thin: the form
checks shape, ``samverkan.aktualisering.services`` decides; one commit per request, and
on a refusal a rollback and the form again with the message beside its field.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.aktualisering import services
from samverkan.aktualisering.forms import AktualiseringForm, data_fran_arende
from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor

bp = Blueprint("aktualisering", __name__, url_prefix="/aktualisering")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _team_id(default: int | None = None) -> int | None:
    if request.method == "POST":
        return request.form.get("team_id", type=int)
    return request.args.get("team", type=int) or default


def _render(form, underlag, *, arende=None, status=200):
    return render_template("aktualisering/formular.html", form=form, underlag=underlag,
                           arende=arende), status


def _spara(form, underlag, spara, *, arende=None):
    """Validate, call the service, and answer: redirect on success, the form with its
    errors (and nothing saved) on refusal."""
    if form.byt_team.data:
        # Another team chosen: show its parties, all ticked, and save nothing.
        form.anpassa(underlag, alla_parter=True)
        return _render(form, underlag, arende=arende)
    if not form.validate_on_submit():
        return _render(form, underlag, arende=arende, status=422)
    skicka = bool(form.skicka.data)
    with utfor(visa=form.lagg_till_fel, sprid=(404,)) as h:
        arende_id = spara(form.uppgifter(), skicka).id
        h.klart("Ärendet är skickat till teamet." if skicka else "Utkastet är sparat.")
    if h.fel:
        return _render(form, underlag, arende=arende, status=h.status)
    if skicka:
        return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)
    return redirect(url_for("aktualisering.redigera", arende_id=arende_id), code=303)


@bp.route("/ny", methods=["GET", "POST"])
@policy.regel("handlaggare")
def ny():
    underlag = services.underlag(current_user, _team_id())
    form = AktualiseringForm()
    form.anpassa(underlag, alla_parter=request.method == "GET")
    if request.method == "GET":
        return _render(form, underlag)
    return _spara(form, underlag,
                  lambda uppgifter, skicka: services.skapa(current_user, uppgifter, skicka=skicka))


@bp.route("/<int:arende_id>/redigera", methods=["GET", "POST"])
@policy.regel("handlaggare")
def redigera(arende_id: int):
    if request.method == "GET":
        arende = services.hamta_utkast(current_user, arende_id)
        underlag = services.underlag(current_user, _team_id(arende.team_id))
        form = AktualiseringForm(formdata=None, data=data_fran_arende(arende))
        form.anpassa(underlag, alla_parter=arende.samtycke is None)
        return granskad_sida("aktualisering/formular.html", form=form, underlag=underlag,
                             arende={"id": arende.id, "referens": arende.referens})
    arende = services.hamta_utkast(current_user, arende_id, granska=False)
    underlag = services.underlag(current_user, _team_id())
    form = AktualiseringForm()
    form.anpassa(underlag)
    referens = arende.referens
    return _spara(
        form, underlag,
        lambda uppgifter, skicka: services.andra(current_user, arende_id, uppgifter,
                                                 version=form.version_nummer, skicka=skicka),
        arende={"id": arende_id, "referens": referens},
    )


@bp.route("/samtyckesblankett")
@policy.regel("handlaggare")
def samtyckesblankett():
    underlag = services.samtyckesblankett(current_user, request.args.get("team", type=int))
    return render_template("aktualisering/samtyckesblankett.html", underlag=underlag)
