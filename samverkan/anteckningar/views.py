"""Notes on an ärende (pages): write a note from the case page, correct one's own note
within the window, add an addendum. There is deliberately no delete route. Thin: the
services and the policy decide; a refused note re-shows its page with the reason.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user

from samverkan.anteckningar import services
from samverkan.anteckningar.forms import AnteckningForm
from samverkan.arenden import services as arende_services
from samverkan.arenden.views import render_case
from samverkan.auth import policy
from samverkan.core.handling import granskad_sida, utfor

bp = Blueprint("anteckningar", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _form_status(form: AnteckningForm) -> int:
    return 400 if "csrf_token" in form.errors else 422


@bp.route("/<int:arende_id>/anteckningar", methods=["POST"])
@policy.regel("arende_detaljer")
def skapa(arende_id: int):
    form = AnteckningForm(prefix="ny")
    if not form.validate_on_submit():
        return _case_again(arende_id, form, _form_status(form))
    with utfor(form=form) as h:
        ankare = f"anteckning-{services.create(current_user, arende_id, form.text.data).id}"
        h.klart("Anteckningen är sparad.")
    if h.fel:
        return _case_again(arende_id, form, h.status)
    return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor=ankare), code=303)


def _case_again(arende_id: int, form: AnteckningForm, status: int):
    arende = arende_services.get_arende(current_user, arende_id)
    return render_case(arende, anteckning_form=form, status=status)


def _note_page(template: str, arende_id: int, anteckning_id: int, form: AnteckningForm,
               status: int = 200, *, prefill: bool = False):
    arende, anteckning = services.get_anteckning(current_user, arende_id, anteckning_id)
    if prefill and request.method == "GET":
        form.text.data = anteckning.text
    return granskad_sida(
        template, status, arende=arende, anteckning=anteckning, form=form,
        rattningshinder=services.rattningshinder(current_user, arende, anteckning),
        skrivhinder=services.skrivhinder(current_user, arende),
    )


@bp.route("/<int:arende_id>/anteckningar/<int:anteckning_id>/ratta", methods=["GET", "POST"])
@policy.regel("arende_detaljer")
def ratta(arende_id: int, anteckning_id: int):
    form = AnteckningForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = _form_status(form)
        else:
            with utfor(form=form, sprid=(404,)) as h:
                services.correct(current_user, arende_id, anteckning_id, form.text.data)
                h.klart("Rättelsen är sparad.")
            if not h.fel:
                return redirect(url_for("arenden.visa", arende_id=arende_id,
                                        _anchor=f"anteckning-{anteckning_id}"), code=303)
            status = h.status
    return _note_page("anteckningar/ratta.html", arende_id, anteckning_id, form, status, prefill=True)


@bp.route("/<int:arende_id>/anteckningar/<int:anteckning_id>/tillagg", methods=["GET", "POST"])
@policy.regel("arende_detaljer")
def tillagg(arende_id: int, anteckning_id: int):
    form = AnteckningForm()
    form.text.label.text = "Tillägg"
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = _form_status(form)
        else:
            with utfor(form=form, sprid=(404,)) as h:
                ny = services.create(current_user, arende_id, form.text.data, tillagg_till_id=anteckning_id)
                ankare = f"anteckning-{ny.id}"
                h.klart("Tillägget är sparat.")
            if not h.fel:
                return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor=ankare), code=303)
            status = h.status
    return _note_page("anteckningar/tillagg.html", arende_id, anteckning_id, form, status)
