"""The förbund admin's gallring page: the retention period, what the next night's run
would anonymise (a dry run, always current), and running it now. (pages)

Thin: the services decide and audit; ``utfor`` commits or rolls back."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from samverkan.auth import policy
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.handling import granskad_sida, utfor
from samverkan.core.svenska import antal
from samverkan.forbund.models import Forbund
from samverkan.gallring import services

bp = Blueprint("gallring", __name__, url_prefix="/admin/gallring")
# The dry run lists this many reference codes; the count is always whole.
VISAS = 200


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


class FristForm(FlaskForm):
    manader = IntegerField(
        "Gallringsfrist i månader efter avslut", validators=[Optional(), NumberRange(1, services.MAX_MANADER)],
        description="Stängda ärenden (avslutade eller återkallade) avidentifieras när så många månader har gått. "
                    "Lämna tomt för ingen gallring.",
    )


class GallraForm(FlaskForm):
    bekrafta = BooleanField(
        "Jag förstår att personnummer, frågeställningar, anteckningar och handlingsplaner i dessa ärenden "
        "tas bort och inte kan återställas.",
        validators=[InputRequired("Bekräfta att du förstår att gallringen inte kan ångras.")],
    )


def _sida(frist_form: FristForm | None = None, gallra_form: GallraForm | None = None, status: int = 200):
    policy.require_admin(current_user)
    forbund = db.session.get(Forbund, current_user.forbund_id)
    forfallna = services.forfallna(forbund_id=forbund.id)
    # Which ärenden are due is a read of the förbund's cases (by reference code): audited.
    audit.record("gallring.torrkorning", "forbund", forbund.id, user_id=current_user.id)
    return granskad_sida(
        "gallring/index.html", status, forbund=forbund, referenser=[rad[1] for rad in forfallna[:VISAS]],
        antal=len(forfallna), frist_form=frist_form or FristForm(formdata=None, manader=forbund.gallringsfrist_manader),
        gallra_form=gallra_form or GallraForm(formdata=None),
    )


@bp.route("/")
@policy.regel("admin")
def index():
    return _sida()


@bp.route("/frist", methods=["POST"])
@policy.regel("admin")
def frist():
    policy.require_admin(current_user)
    form = FristForm()
    if not form.validate_on_submit():
        return _sida(frist_form=form, status=422)
    with utfor(form=form) as h:
        services.satt_frist(current_user.forbund_id, form.manader.data, user_id=current_user.id)
        h.klart("Ingen gallring: stängda ärenden sparas tills vidare." if form.manader.data is None
                else f"Gallringsfristen är {form.manader.data} månader efter avslut.")
    if h.fel:
        return _sida(frist_form=form, status=h.status)
    return redirect(url_for("gallring.index"), code=303)


@bp.route("/kor", methods=["POST"])
@policy.regel("admin")
def kor():
    policy.require_admin(current_user)
    form = GallraForm()
    if not form.validate_on_submit():
        return _sida(gallra_form=form, status=422)
    with utfor(form=form) as h:
        rapport = services.gallra(torrkorning=False, forbund_id=current_user.forbund_id, user_id=current_user.id)
        h.klart(f"Gallringen är klar: {antal(rapport.antal, 'ärende', 'ärenden')} och "
                f"{antal(rapport.deltagare, 'deltagare', 'deltagare')} avidentifierade."
                if rapport.antal else "Det fanns inget att gallra.")
    if h.fel:
        return _sida(gallra_form=form, status=h.status)
    return redirect(url_for("gallring.index"), code=303)
