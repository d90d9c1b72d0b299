"""Loggkontroll: the förbund admin (or the data protection officer with that role) reads
the audit log, filters it and exports it as CSV. Thin: the services decide and audit."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.errors import DomainError
from samverkan.core.handling import granskad_sida
from samverkan.loggkontroll import services
from samverkan.loggkontroll.forms import UrvalForm

bp = Blueprint("loggkontroll", __name__, url_prefix="/loggkontroll")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _form() -> UrvalForm:
    form = UrvalForm(request.args)
    # Also the access check: a non-admin is refused (403) before anything is read.
    form.set_choices(services.anvandare_val(current_user))
    return form


def _show_error(form: UrvalForm, error: DomainError) -> None:
    field = getattr(form, error.field or "", None)
    if field is None:
        raise error
    field.errors = [*field.errors, error.message]


@bp.route("/")
@policy.regel("admin")
def lista():
    form = _form()
    sida, status = None, 422
    if form.validate():
        try:
            sida = services.lista(current_user, form.urval(), sida=request.args.get("sida", 1, type=int),
                                  per_sida=current_app.config["PAGE_SIZE"])
            status = 200
        except DomainError as error:
            _show_error(form, error)
    filter_args = {k: v for k, v in request.args.items() if k != "sida" and v}
    return granskad_sida("loggkontroll/lista.html", status, form=form, sida=sida, filter_args=filter_args)


@bp.route("/export.csv")
@policy.regel("admin")
def export():
    form = _form()
    if not form.validate():
        raise DomainError("ogiltigt_urval", "Urvalet gick inte att använda. Gå tillbaka och rätta filtret.")
    rader = services.export(current_user, form.urval())
    body = "\ufeff" + services.till_csv(rader)  # the BOM tells Excel it is UTF-8
    filename = f"granskningslogg-{clock.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
