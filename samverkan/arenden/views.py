"""Ärende pages: the list and the case page with its state changes. Thin: services decide."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.arenden import services
from samverkan.arenden.forms import HandelseForm
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from workflows import arende as wf

bp = Blueprint("arenden", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.route("/")
@policy.regel("inloggad")
def lista():
    status = request.args.get("status") or None
    if status is not None and status not in wf.STATES:
        abort(404)
    sida = services.list_arenden(current_user, status=status, sida=request.args.get("sida", 1, type=int),
                                 per_sida=current_app.config["PAGE_SIZE"])
    return render_template("arenden/lista.html", sida=sida, status=status, states=wf.STATE_LABELS)


@bp.route("/<int:arende_id>")
@policy.regel("arende_referens")
def visa(arende_id: int):
    arende = services.get_arende(current_user, arende_id, detaljer=False)
    if policy.access_to(current_user, arende) < policy.Atkomst.DETALJER:
        return render_template("arenden/begransad.html", arende=arende)
    services.get_arende(current_user, arende_id)  # audits the read of details
    return _render_case(arende, HandelseForm(formdata=None, version=arende.version))


def _render_case(arende, form, status=200):
    html = render_template(
        "arenden/visa.html",
        arende=arende,
        historik=services.history(arende),
        triggers=services.allowed_triggers(current_user, arende),
        form=form,
    )
    # Commit the audit row of this read only after rendering: a commit expires every
    # loaded object, and rendering would then load them again one by one.
    db.session.commit()
    return html, status


@bp.route("/<int:arende_id>/handelse", methods=["POST"])
@policy.regel("arende_handling")
def handelse(arende_id: int):
    form = HandelseForm()
    if not form.validate_on_submit():
        arende = services.get_arende(current_user, arende_id)
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return _render_case(arende, form, 422)
    try:
        services.fire(
            current_user, arende_id, form.trigger.data,
            version=form.version.data,
            datum=form.datum.data,
            kommentar=form.kommentar.data or "",
            avslutsorsak=form.avslutsorsak.data or None,
            forsorjning_slut=form.forsorjning_slut.data or None,
            sysselsattning_slut=form.sysselsattning_slut.data or None,
        )
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        arende = services.get_arende(current_user, arende_id)
        flash(error.message, "fel")
        return _render_case(arende, form, error.status)
    db.session.commit()
    flash("Ändringen är sparad.", "ok")
    return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)
