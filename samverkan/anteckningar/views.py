"""Notes on an ärende (pages): write a note from the case page, correct one's own note
within the window, add an addendum. There is deliberately no delete route. Thin: the
services and the policy decide; a refused note re-shows its page with the reason.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.anteckningar import services
from samverkan.anteckningar.forms import AnteckningForm
from samverkan.arenden import services as arende_services
from samverkan.arenden.views import render_case
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.core.errors import DomainError

bp = Blueprint("anteckningar", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _form_status(form: AnteckningForm) -> int:
    return 400 if "csrf_token" in form.errors else 422


def _field_error(form: AnteckningForm, error: DomainError) -> None:
    """Show a refusal beside the field it is about; others go to the page's messages."""
    if error.field == "text":
        form.text.errors = [*form.text.errors, error.message]
    else:
        flash(error.message, "fel")


@bp.route("/<int:arende_id>/anteckningar", methods=["POST"])
@policy.regel("arende_detaljer")
def skapa(arende_id: int):
    form = AnteckningForm(prefix="ny")
    status = None
    if form.validate_on_submit():
        try:
            anteckning = services.create(current_user, arende_id, form.text.data)
        except DomainError as error:
            db.session.rollback()
            if error.status in (403, 404):
                raise
            _field_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash("Anteckningen är sparad.", "ok")
            return redirect(url_for("arenden.visa", arende_id=arende_id,
                                    _anchor=f"anteckning-{anteckning.id}"), code=303)
    arende = arende_services.get_arende(current_user, arende_id)
    return render_case(arende, anteckning_form=form, status=status or _form_status(form))


def _note_page(template: str, arende_id: int, anteckning_id: int, form: AnteckningForm,
               status: int = 200, *, prefill: bool = False):
    arende, anteckning = services.get_anteckning(current_user, arende_id, anteckning_id)
    if prefill and request.method == "GET":
        form.text.data = anteckning.text
    html = render_template(
        template, arende=arende, anteckning=anteckning, form=form,
        rattningshinder=services.rattningshinder(current_user, arende, anteckning),
        skrivhinder=services.skrivhinder(current_user, arende),
    )
    db.session.commit()  # the audit row of this read
    return html, status


@bp.route("/<int:arende_id>/anteckningar/<int:anteckning_id>/ratta", methods=["GET", "POST"])
@policy.regel("arende_detaljer")
def ratta(arende_id: int, anteckning_id: int):
    form = AnteckningForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.correct(current_user, arende_id, anteckning_id, form.text.data)
            except DomainError as error:
                db.session.rollback()
                if error.status == 404:
                    raise
                _field_error(form, error)
                status = error.status
            else:
                db.session.commit()
                flash("Rättelsen är sparad.", "ok")
                return redirect(url_for("arenden.visa", arende_id=arende_id,
                                        _anchor=f"anteckning-{anteckning_id}"), code=303)
        else:
            status = _form_status(form)
    return _note_page("anteckningar/ratta.html", arende_id, anteckning_id, form, status, prefill=True)


@bp.route("/<int:arende_id>/anteckningar/<int:anteckning_id>/tillagg", methods=["GET", "POST"])
@policy.regel("arende_detaljer")
def tillagg(arende_id: int, anteckning_id: int):
    form = AnteckningForm()
    form.text.label.text = "Tillägg"
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ny = services.create(current_user, arende_id, form.text.data, tillagg_till_id=anteckning_id)
            except DomainError as error:
                db.session.rollback()
                if error.status == 404:
                    raise
                _field_error(form, error)
                status = error.status
            else:
                db.session.commit()
                flash("Tillägget är sparat.", "ok")
                return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor=f"anteckning-{ny.id}"),
                                code=303)
        else:
            status = _form_status(form)
    return _note_page("anteckningar/tillagg.html", arende_id, anteckning_id, form, status)
