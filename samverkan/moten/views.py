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
from samverkan.core.errors import DomainError
from samverkan.core.handling import granskad_sida, utfor
from samverkan.core.svenska import antal
from samverkan.moten import (
    anmalningar,
    dagordning,
    hamta,
    inbjudningsbrev,
    motesar,
    motessida,
    redigering,
    teamkalender,
    utfall,
)
from samverkan.moten.forms import GenereraForm, MoteForm

bp = Blueprint("moten", __name__, url_prefix="/moten")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _veckodag(value: dt.datetime) -> str:
    return motesar.VECKODAGAR[clock.local(value).weekday()]


def _slut(mote) -> dt.datetime:
    return mote.starttid + dt.timedelta(minutes=mote.langd_minuter)


@bp.context_processor
def _moten_globals():
    return {"TYP_LABELS": redigering.TYP_LABELS, "UTFALL_LABELS": utfall.UTFALL_LABELS,
            "veckodag": _veckodag, "slut": _slut}


def _int(name: str) -> int:
    value = request.form.get(name, type=int)
    if value is None:
        abort(400)
    return value


# --- the calendar -------------------------------------------------------------------------


@bp.route("/")
@policy.regel("inloggad")
def index():
    teams = teamkalender.teams_for(current_user)
    if len(teams) == 1:
        return redirect(url_for("moten.kalender", team_id=teams[0].id), code=303)
    return render_template("moten/index.html", teams=teams)


@bp.route("/team/<int:team_id>")
@policy.regel("team_medlem")
def kalender(team_id: int):
    kal = teamkalender.kalender(current_user, team_id, passerade_sida=request.args.get("sida", 1, type=int))
    return render_template("moten/kalender.html", kal=kal, visa_passerade="sida" in request.args)


@bp.route("/team/<int:team_id>/generera", methods=["GET", "POST"])
@policy.regel("projektledare")
def generera(team_id: int):
    team = hamta.get_team(current_user, team_id, andra=True)
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
    with utfor(form=form) as h:
        resultat = motesar.generera_ar(
            current_user, team_id, veckodag=form.veckodag.data, ordning=form.ordning.data,
            klockslag=form.klockslag.data, uppehall=set(form.uppehall.data or []),
            startmanad=form.startmanad.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, langd_minuter=form.langd_minuter.data,
        )
        delar = [f"{antal(len(resultat.skapade), 'möte', 'möten')} skapade"]
        if resultat.fanns_redan:
            delar.append(f"{len(resultat.fanns_redan)} datum hade redan ett möte")
        if resultat.passerade:
            delar.append(f"{len(resultat.passerade)} datum har redan passerat")
        h.klart(", ".join(delar) + ".")
    if h.fel:
        return render_template("moten/generera.html", team=team, form=form), h.status
    return redirect(url_for("moten.kalender", team_id=team_id), code=303)


@bp.route("/team/<int:team_id>/nytt", methods=["GET", "POST"])
@policy.regel("projektledare")
def nytt(team_id: int):
    team = hamta.get_team(current_user, team_id, andra=True)
    if request.method == "GET":
        form = MoteForm(formdata=None, klockslag=team.motestid, plats=team.motesplats,
                        videolank=team.motesplats_video)
        return render_template("moten/mote_form.html", team=team, mote=None, form=form)
    form = MoteForm()
    if not form.validate_on_submit():
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return render_template("moten/mote_form.html", team=team, mote=None, form=form), 422
    with utfor(form=form) as h:
        mote_id = redigering.skapa_mote(
            current_user, team_id, datum=form.datum.data, klockslag=form.klockslag.data,
            langd_minuter=form.langd_minuter.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, kapacitet_=form.kapacitet.data,
        ).id
        h.klart("Mötet är skapat.")
    if h.fel:
        return render_template("moten/mote_form.html", team=team, mote=None, form=form), h.status
    return redirect(url_for("moten.visa", mote_id=mote_id), code=303)


# --- one meeting ----------------------------------------------------------------------------


def _render_mote(mote_id: int, status: int = 200, *, fel_arende: dict | None = None,
                 fel_punkt: dict | None = None, fel_anmalan: str | None = None):
    sida = motessida.mote_sida(current_user, mote_id)
    return render_template("moten/visa.html", sida=sida, mote=sida.mote, fel_arende=fel_arende or {},
                           fel_punkt=fel_punkt or {}, fel_anmalan=fel_anmalan), status


def _vagrad(mote_id: int, error: DomainError, *, arende_id: int | None = None, punkt_id: int | None = None,
            anmalan: bool = False):
    """A refused agenda action (``utfor`` has rolled back and said why at the top): the
    page again with the reason beside the item (or the request form) it concerns."""
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
    mote = hamta.get_mote(current_user, mote_id)
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
    with utfor(form=form) as h:
        redigering.andra_mote(
            current_user, mote_id, datum=form.datum.data, klockslag=form.klockslag.data,
            langd_minuter=form.langd_minuter.data, plats=form.plats.data, videolank=form.videolank.data,
            typ=form.typ.data, kapacitet_=form.kapacitet.data,
        )
        h.klart("Mötet är ändrat.")
    if h.fel:
        mote = hamta.get_mote(current_user, mote_id)
        return render_template("moten/mote_form.html", team=mote.team, mote=mote, form=form), h.status
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/installa", methods=["GET", "POST"])
@policy.regel("projektledare")
def installa(mote_id: int):
    if request.method == "GET":
        sida = motessida.mote_sida(current_user, mote_id)
        policy.require_projektledare(current_user, sida.mote.team)
        return render_template("moten/installa.html", sida=sida, mote=sida.mote)
    with utfor() as h:
        redigering.installa_mote(current_user, mote_id)
        h.klart("Mötet är inställt. Ärendena på dagordningen är tillbaka i inkorgen.")
    if h.fel:
        return _vagrad(mote_id, h.fel)
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/dagordning", methods=["POST"])
@policy.regel("projektledare")
def lagg_till(mote_id: int):
    arende_id = _int("arende_id")
    with utfor() as h:
        punkt = dagordning.lagg_till(current_user, mote_id, arende_id)
        h.klart(f"{punkt.arende.referens} är lagt på dagordningen.")
    if h.fel:
        return _vagrad(mote_id, h.fel, arende_id=arende_id)
    return _till_motet(mote_id, "dagordning-rubrik")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/ta-bort", methods=["POST"])
@policy.regel("projektledare")
def ta_bort(mote_id: int, punkt_id: int):
    with utfor() as h:
        dagordning.ta_bort(current_user, mote_id, punkt_id)
        h.klart("Punkten är borttagen. Ärendet är tillbaka i inkorgen.")
    if h.fel:
        return _vagrad(mote_id, h.fel, punkt_id=punkt_id)
    return _till_motet(mote_id, "dagordning-rubrik")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/flytta", methods=["POST"])
@policy.regel("projektledare")
def flytta(mote_id: int, punkt_id: int):
    with utfor() as h:
        dagordning.flytta(current_user, mote_id, punkt_id, request.form.get("riktning", ""))
        h.klart("Ordningen är ändrad.")
    if h.fel:
        return _vagrad(mote_id, h.fel, punkt_id=punkt_id)
    return _till_motet(mote_id, f"punkt-{punkt_id}")


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>", methods=["POST"])
@policy.regel("projektledare")
def andra_punkt(mote_id: int, punkt_id: int):
    langd = (request.form.get("langd_minuter") or "").strip()
    with utfor() as h:
        if langd and not langd.isdigit():
            raise DomainError("ogiltig_langd", "Ange längden i hela minuter.", field="langd_minuter")
        dagordning.andra_punkt(current_user, mote_id, punkt_id, langd_minuter=int(langd) if langd else None,
                             individen_medverkar=request.form.get("individen_medverkar") == "ja")
        h.klart("Punkten är sparad.")
    if h.fel:
        return _vagrad(mote_id, h.fel, punkt_id=punkt_id)
    return _till_motet(mote_id, f"punkt-{punkt_id}")


@bp.route("/<int:mote_id>/anmal", methods=["POST"])
@policy.regel("handlaggare")
def anmal(mote_id: int):
    arende_id = _int("arende_id")
    with utfor() as h:
        punkt = anmalningar.anmal(current_user, mote_id, arende_id)
        h.klart(f"{punkt.arende.referens} är anmält till mötet. Projektledaren lägger det på dagordningen.")
    if h.fel:
        return _vagrad(mote_id, h.fel, arende_id=arende_id, anmalan=True)
    return _till_motet(mote_id, "anmalan-rubrik")


@bp.route("/<int:mote_id>/avsluta-dagordning", methods=["POST"])
@policy.regel("projektledare")
def avsluta(mote_id: int):
    with utfor() as h:
        ej_hunna = utfall.avsluta_dagordning(current_user, mote_id)
        h.klart(f"Dagordningen är avslutad. {antal(len(ej_hunna), 'ärende', 'ärenden')} hann inte behandlas och är "
                "tillbaka i inkorgen som överförda." if ej_hunna else "Dagordningen är avslutad.")
    if h.fel:
        return _vagrad(mote_id, h.fel)
    return _till_motet(mote_id)


@bp.route("/<int:mote_id>/punkter/<int:punkt_id>/inbjudan")
@policy.regel("team_medlem")
def inbjudan(mote_id: int, punkt_id: int):
    brev = inbjudningsbrev.inbjudan(current_user, mote_id, punkt_id)
    return granskad_sida("moten/inbjudan.html", brev=brev, mote=brev.mote)  # the print is audited
