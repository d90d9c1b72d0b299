"""Meetings: the team's calendar, generating a year of meetings, editing, moving and
cancelling one, the meeting page with its agenda builder, handläggare's requests for a
place, closing the agenda after the meeting, and the invitation letter. (pages)

Thin: look up, call one service, commit once, flash, redirect with 303. A refusal
(DomainError) rolls back and shows the page again with the Swedish reason where it
belongs: beside the form field, or beside the agenda item it concerns.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.svenska import antal
from samverkan.moten import services
from samverkan.moten.forms import GenereraForm, MoteForm

bp = Blueprint("moten", __name__, url_prefix="/moten")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _veckodag(value: dt.datetime) -> str:
    return services.VECKODAGAR[clock.local(value).weekday()]


def _slut(mote) -> dt.datetime:
    return mote.starttid + dt.timedelta(minutes=mote.langd_minuter)


@bp.context_processor
def _moten_globals():
    return {"TYP_LABELS": services.TYP_LABELS, "UTFALL_LABELS": services.UTFALL_LABELS,
            "veckodag": _veckodag, "slut": _slut}


def _form_fel(form, error: DomainError) -> None:
    """Put a refusal beside its form field, or at the top of the page."""
    falt = getattr(form, error.field, None) if error.field else None
    if falt is not None:
        falt.errors = [*falt.errors, error.message]
    flash(error.message, "fel")


def _int(name: str) -> int:
    value = request.form.get(name, type=int)
    if value is None:
        abort(400)
    return value


# --- the calendar -------------------------------------------------------------------------


@bp.route("/")
@policy.regel("inloggad")
def index():
    teams = services.teams_for(current_user)
    if len(teams) == 1:
        return redirect(url_for("moten.kalender", team_id=teams[0].id), code=303)
    return render_template("moten/index.html", teams=teams)


@bp.route("/team/<int:team_id>")
@policy.regel("team_medlem")
def kalender(team_id: int):
    kal = services.kalender(current_user, team_id, passerade_sida=request.args.get("sida", 1, type=int))
    return render_template("moten/kalender.html", kal=kal, visa_passerade="sida" in request.args)


@bp.route("/team/<int:team_id>/generera", methods=["GET", "POST"])
@policy.regel("projektledare")
def generera(team_id: int):
    team = services.get_team(current_user, team_id, andra=True)
    if request.method == "GET":
        idag = clock.today()
        form = GenereraForm(
            formdata=None, veckodag=team.motesveckodag, ordning=team.motesordning, klockslag=team.motestid,
            uppehall=[int(m) for m in team.uppehall_manader.split(",") if m.strip().isdigit()],
            startmanad=dt.date(idag.year, idag.month, 1), plats=team.motesplats, videolank=team.motesplats_video,
        )
        return render_template("moten/generera.html", team=team, form=form)
    form = GenereraForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return render_template("moten/generera.html", team=team, form=form), 422
    try:
        resultat = services.generera_ar(
            current_user, team_id, veckodag=form.veckodag.data, ordning=form.ordning.data,
            klockslag=form.klockslag.data, uppehall=set(form.uppehall.data or []),
            startmanad=form.startmanad.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, langd_minuter=form.langd_minuter.data,
        )
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        _form_fel(form, error)
        return render_template("moten/generera.html", team=team, form=form), error.status
    db.session.commit()
    delar = [f"{antal(len(resultat.skapade), 'möte', 'möten')} skapade"]
    if resultat.fanns_redan:
        delar.append(f"{len(resultat.fanns_redan)} datum hade redan ett möte")
    if resultat.passerade:
        delar.append(f"{len(resultat.passerade)} datum har redan passerat")
    flash(", ".join(delar) + ".", "ok")
    return redirect(url_for("moten.kalender", team_id=team_id), code=303)


@bp.route("/team/<int:team_id>/nytt", methods=["GET", "POST"])
@policy.regel("projektledare")
def nytt(team_id: int):
    team = services.get_team(current_user, team_id, andra=True)
    if request.method == "GET":
        form = MoteForm(formdata=None, klockslag=team.motestid, plats=team.motesplats,
                        videolank=team.motesplats_video)
        return render_template("moten/mote_form.html", team=team, mote=None, form=form)
    form = MoteForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return render_template("moten/mote_form.html", team=team, mote=None, form=form), 422
    try:
        mote = services.skapa_mote(
            current_user, team_id, datum=form.datum.data, klockslag=form.klockslag.data,
            langd_minuter=form.langd_minuter.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, kapacitet_=form.kapacitet.data,
        )
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        _form_fel(form, error)
        return render_template("moten/mote_form.html", team=team, mote=None, form=form), error.status
    db.session.commit()
    flash("Mötet är skapat.", "ok")
    return redirect(url_for("moten.visa", mote_id=mote.id), code=303)


# --- one meeting ----------------------------------------------------------------------------


def _render_mote(mote_id: int, status: int = 200, *, fel_arende: dict | None = None,
                 fel_punkt: dict | None = None, fel_anmalan: str | None = None):
    sida = services.mote_sida(current_user, mote_id)
    return render_template("moten/visa.html", sida=sida, mote=sida.mote, fel_arende=fel_arende or {},
                           fel_punkt=fel_punkt or {}, fel_anmalan=fel_anmalan), status


def _vagrad(mote_id: int, error: DomainError, *, arende_id: int | None = None, punkt_id: int | None = None,
            anmalan: bool = False):
    """A refused agenda action: nothing saved; the page again with the reason beside the
    item (or the request form) it concerns."""
    db.session.rollback()
    if error.status in (403, 404):
        raise error  # web.py answers with the error page: no meeting page to show them
    flash(error.message, "fel")
    return _render_mote(
        mote_id, error.status,
        fel_arende={arende_id: error.message} if arende_id is not None and not anmalan else None,
        fel_punkt={punkt_id: error.message} if punkt_id is not None else None,
        fel_anmalan=error.message if anmalan else None,
    )


def _till_motet(mote_id: int, ankare: str | None = None):
    url = url_for("moten.visa", mote_id=mote_id)
    return redirect(f"{url}#{ankare}" if ankare else url, code=303)


@bp.route("/<int:mote_id>")
@policy.regel("team_medlem")
def visa(mote_id: int):
    return _render_mote(mote_id)


@bp.route("/<int:mote_id>/andra", methods=["GET", "POST"])
@policy.regel("projektledare")
def andra(mote_id: int):
    mote = services.get_mote(current_user, mote_id)
    policy.require_projektledare(current_user, mote.team)
    if request.method == "GET":
        lokal = clock.local(mote.starttid)
        form = MoteForm(formdata=None, datum=lokal.date(), klockslag=lokal.time().replace(tzinfo=None),
                        langd_minuter=mote.langd_minuter, plats=mote.plats, videolank=mote.videolank,
                        typ=mote.typ.value, kapacitet=mote.kapacitet)
        return render_template("moten/mote_form.html", team=mote.team, mote=mote, form=form)
    form = MoteForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return render_template("moten/mote_form.html", team=mote.team, mote=mote, form=form), 422
    try:
        services.andra_mote(
            current_user, mote_id, datum=form.datum.data, klockslag=form.klockslag.data,
            langd_minuter=form.langd_minuter.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, kapacitet_=form.kapacitet.data,
        )
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        mote = services.get_mote(current_user, mote_id)
        _form_fel(form, error)
        return render_template("moten/mote_form.html", team=mote.team, mote=mote, form=form), error.status
    db.session.commit()
    flash("Mötet är ändrat.", "ok")
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/installa", methods=["GET", "POST"])
@policy.regel("projektledare")
def installa(mote_id: int):
    if request.method == "GET":
        sida = services.mote_sida(current_user, mote_id)
        policy.require_projektledare(current_user, sida.mote.team)
        return render_template("moten/installa.html", sida=sida, mote=sida.mote)
    try:
        services.installa_mote(current_user, mote_id)
    except DomainError as error:
        return _vagrad(mote_id, error)
    db.session.commit()
    flash("Mötet är inställt. Ärendena på dagordningen är tillbaka i inkorgen.", "ok")
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/dagordning", methods=["POST"])
@policy.regel("projektledare")
def lagg_till(mote_id: int):
    arende_id = _int("arende_id")
    try:
        punkt = services.lagg_till(current_user, mote_id, arende_id)
    except DomainError as error:
        return _vagrad(mote_id, error, arende_id=arende_id)
    referens = punkt.arende.referens
    db.session.commit()
    flash(f"{referens} är lagt på dagordningen.", "ok")
    return _till_motet(mote_id, "dagordning-rubrik")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/ta-bort", methods=["POST"])
@policy.regel("projektledare")
def ta_bort(mote_id: int, punkt_id: int):
    try:
        services.ta_bort(current_user, mote_id, punkt_id)
    except DomainError as error:
        return _vagrad(mote_id, error, punkt_id=punkt_id)
    db.session.commit()
    flash("Punkten är borttagen. Ärendet är tillbaka i inkorgen.", "ok")
    return _till_motet(mote_id, "dagordning-rubrik")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/flytta", methods=["POST"])
@policy.regel("projektledare")
def flytta(mote_id: int, punkt_id: int):
    try:
        services.flytta(current_user, mote_id, punkt_id, request.form.get("riktning", ""))
    except DomainError as error:
        return _vagrad(mote_id, error, punkt_id=punkt_id)
    db.session.commit()
    flash("Ordningen är ändrad.", "ok")
    return _till_motet(mote_id, f"punkt-{punkt_id}")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>", methods=["POST"])
@policy.regel("projektledare")
def andra_punkt(mote_id: int, punkt_id: int):
    langd = (request.form.get("langd_minuter") or "").strip()
    if langd and not langd.isdigit():
        return _vagrad(mote_id, DomainError("ogiltig_langd", "Ange längden i hela minuter.",
                                            field="langd_minuter"), punkt_id=punkt_id)
    try:
        services.andra_punkt(current_user, mote_id, punkt_id, langd_minuter=int(langd) if langd else None,
                             individen_medverkar=request.form.get("individen_medverkar") == "ja")
    except DomainError as error:
        return _vagrad(mote_id, error, punkt_id=punkt_id)
    db.session.commit()
    flash("Punkten är sparad.", "ok")
    return _till_motet(mote_id, f"punkt-{punkt_id}")


@bp.route("/<int:mote_id>/anmal", methods=["POST"])
@policy.regel("handlaggare")
def anmal(mote_id: int):
    arende_id = _int("arende_id")
    try:
        punkt = services.anmal(current_user, mote_id, arende_id)
    except DomainError as error:
        return _vagrad(mote_id, error, arende_id=arende_id, anmalan=True)
    referens = punkt.arende.referens
    db.session.commit()
    flash(f"{referens} är anmält till mötet. Projektledaren lägger det på dagordningen.", "ok")
    return _till_motet(mote_id, "anmalan-rubrik")


@bp.route("/<int:mote_id>/avsluta-dagordning", methods=["POST"])
@policy.regel("projektledare")
def avsluta(mote_id: int):
    try:
        ej_hunna = services.avsluta_dagordning(current_user, mote_id)
    except DomainError as error:
        return _vagrad(mote_id, error)
    db.session.commit()
    if ej_hunna:
        flash(f"Dagordningen är avslutad. {antal(len(ej_hunna), 'ärende', 'ärenden')} hann inte behandlas och är tillbaka "
              "i inkorgen som överförda.", "ok")
    else:
        flash("Dagordningen är avslutad.", "ok")
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/inbjudan")
@policy.regel("team_medlem")
def inbjudan(mote_id: int, punkt_id: int):
    brev = services.inbjudan(current_user, mote_id, punkt_id)
    html = render_template("moten/inbjudan.html", brev=brev, mote=brev.mote)
    db.session.commit()  # the audit row of the print
    return html
