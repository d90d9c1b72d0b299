"""Kallelser pages: the projektledare's outbox (messages of their teams' meetings), one
message as it was (or will be) sent, and sending a failed one again. Thin: services decide.

Also the template helper behind ``kallelser/_utskick.html``, the outbox section the
meeting page includes: ``utskick_for_mote(mote)`` gives that meeting's messages to its
projektledare and ``None`` to anyone else (the section is then left out).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core.handling import utfor
from samverkan.kallelser import services
from samverkan.kallelser.models import UtskickStatus

bp = Blueprint("kallelser", __name__, url_prefix="/kallelser")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        utskick_for_mote=utskick_for_mote,
        UTSKICK_TYP=services.TYP_ETIKETT,
        UTSKICK_STATUS=services.STATUS_ETIKETT,
    )


def utskick_for_mote(mote):
    """The meeting's outbox section (``services.Oversikt``), or None if the viewer may not see it."""
    if mote is None or not current_user.is_authenticated or not services.kan_se_utskick(current_user, mote):
        return None
    return services.oversikt(current_user, mote, som_rader=True)


def _smtp_konfigurerad() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


@bp.route("/")
@policy.regel("projektledare", dold=True)
def lista():
    status_arg = request.args.get("status") or None
    status = None
    if status_arg is not None:
        try:
            status = UtskickStatus(status_arg)
        except ValueError:
            abort(404)
    sida = services.list_utskick(current_user, status=status, sida=request.args.get("sida", 1, type=int),
                                 per_sida=current_app.config["PAGE_SIZE"])
    return render_template("kallelser/lista.html", sida=sida, status=status,
                           smtp_konfigurerad=_smtp_konfigurerad())


@bp.route("/<int:utskick_id>")
@policy.regel("projektledare", dold=True)
def visa(utskick_id: int):
    utskick = services.get_utskick(current_user, utskick_id)
    return render_template("kallelser/visa.html", utskick=utskick, smtp_konfigurerad=_smtp_konfigurerad())


@bp.route("/<int:utskick_id>/skicka-igen", methods=["POST"])
@policy.regel("projektledare", dold=True)
def skicka_igen(utskick_id: int):
    with utfor(sprid=(404,)) as h:
        services.forsok_igen(current_user, utskick_id)
        h.klart("Utskicket ligger i kön igen och skickas vid nästa körning.")
    return redirect(url_for("kallelser.visa", utskick_id=utskick_id), code=303)
