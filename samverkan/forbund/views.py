"""The förbund admin's pages (parties, teams and their rules, members and roles, the CSV
import) and the first visit's set-up page. (pages)

Thin: look up, call one service in ``forbund.services`` inside ``utfor`` (which commits or
rolls back and puts a refusal beside its field), redirect with 303."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from wtforms import SelectChoice

from samverkan.auth import policy
from samverkan.core.handling import utfor
from samverkan.forbund import forms, services
from samverkan.forbund.models import PART_TYP_LABELS, Medlemskap, TeamRoll, TeamTyp
from samverkan.moten.motesar import MANADER, ORDNINGAR, VECKODAGAR

bp = Blueprint("admin", __name__, url_prefix="/admin")
start_bp = Blueprint("kom_igang", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(start_bp)

    @app.context_processor
    def _admin_globals():
        return {"PART_TYP_LABELS": PART_TYP_LABELS, "ROLL_LABELS": services.ROLL_LABELS}


def _admin():
    policy.require_admin(current_user)
    return current_user._get_current_object()


def _status(form) -> int:
    return 400 if "csrf_token" in form.errors else 422


# --- the first visit: a förbund and its first admin ---------------------------------------


@start_bp.route("/kom-igang", methods=["GET", "POST"])
@policy.regel("offentlig")
def kom_igang():
    """Only while the database holds no förbund: afterwards 404."""
    if services.finns_forbund():
        abort(404)
    form = forms.ForbundForm()
    if not form.validate_on_submit():
        return render_template("admin/kom_igang.html", form=form), (_status(form) if request.method == "POST" else 200)
    with utfor(form=form) as h:
        _, admin = services.skapa_forbund(namn=form.namn.data, kod=form.kod.data, admin_namn=form.admin_namn.data,
                                          admin_epost=form.admin_epost.data, losenord=form.losenord.data)
        h.klart("Förbundet är skapat. Lägg nu upp parter, team och medlemmar.")
    if h.fel:
        return render_template("admin/kom_igang.html", form=form), h.status
    session.clear()
    login_user(admin)
    return redirect(url_for("admin.index"), code=303)


# --- overview ----------------------------------------------------------------------------


@bp.route("/")
@policy.regel("admin")
def index():
    admin = _admin()
    return render_template("admin/index.html", parter=services.list_parter(admin), teams=services.list_teams(admin),
                           anvandare=services.list_anvandare(admin))


# --- parties ------------------------------------------------------------------------------


@bp.route("/parter/", methods=["GET", "POST"])
@policy.regel("admin")
def parter():
    admin = _admin()
    form = forms.PartForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with utfor(form=form) as h:
                part = services.spara_part(admin, typ=form.typ.data, namn=form.namn.data, kortnamn=form.kortnamn.data)
                h.klart(f"Parten {part.namn} är tillagd.")
            if not h.fel:
                return redirect(url_for("admin.parter"), code=303)
            status = h.status
        else:
            status = _status(form)
    return render_template("admin/parter.html", form=form, parter=services.list_parter(admin)), status


@bp.route("/parter/<int:part_id>", methods=["GET", "POST"])
@policy.regel("admin")
def part(part_id: int):
    admin = _admin()
    p = services.get_part(admin, part_id)
    form = forms.PartForm(obj=p) if request.method == "GET" else forms.PartForm()
    if request.method == "GET":
        form.typ.data = p.typ.value
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with utfor(form=form) as h:
                services.spara_part(admin, typ=form.typ.data, namn=form.namn.data, kortnamn=form.kortnamn.data,
                                    part_id=p.id)
                h.klart("Parten är sparad.")
            if not h.fel:
                return redirect(url_for("admin.parter"), code=303)
            status = h.status
            p = services.get_part(admin, part_id)
        else:
            status = _status(form)
    return render_template("admin/part.html", form=form, part=p), status


# --- teams --------------------------------------------------------------------------------


def _team_form(admin, team=None, *, post: bool | None = None) -> forms.TeamForm:
    if request.method == "POST" if post is None else post:
        form = forms.TeamForm()
    elif team is not None:
        form = forms.TeamForm(formdata=None, obj=team)
        form.typ.data = team.typ.value
        form.part_ids.data = [p.id for p in team.parter]
        form.uppehall_manader.data = [int(m) for m in team.uppehall_manader.split(",") if m]
        form.planeringsmanader.data = [int(m) for m in team.planeringsmanader.split(",") if m]
        form.kallelseregel.data = "fredag" if team.kallelse_dagar_fore is None else "dagar"
        if team.kallelse_dagar_fore is None:
            form.kallelse_dagar_fore.data = 7
    else:
        form = forms.TeamForm(formdata=None, motestid=dt.time(13, 0), uppehall_manader=[7])
    form.part_ids.choices = [SelectChoice(p.id, f"{p.namn} ({p.typ.label})") for p in services.list_parter(admin)]
    return form


def _regler(form: forms.TeamForm) -> services.TeamRegler:
    return services.TeamRegler(
        namn=form.namn.data, typ=form.typ.data or TeamTyp.TRISAM.value, part_ids=form.part_ids.data or [],
        motesveckodag=form.motesveckodag.data, motesordning=form.motesordning.data, motestid=form.motestid.data,
        moteslangd_minuter=form.moteslangd_minuter.data, motesplats=form.motesplats.data or "",
        motesplats_video=form.motesplats_video.data or "", uppehall_manader=form.uppehall_manader.data or [],
        planeringsmanader=form.planeringsmanader.data or [], agendakapacitet=form.agendakapacitet.data,
        minuter_per_arende=form.minuter_per_arende.data, kallelseregel=form.kallelseregel.data,
        kallelse_dagar_fore=form.kallelse_dagar_fore.data,
        anmalan_dagar_fore_kallelse=form.anmalan_dagar_fore_kallelse.data,
        paminnelse_dagar_fore_anmalan=form.paminnelse_dagar_fore_anmalan.data,
    )


@bp.route("/team/")
@policy.regel("admin")
def teams():
    admin = _admin()
    return render_template("admin/teams.html", teams=services.list_teams(admin), veckodagar=VECKODAGAR,
                           ordningar=ORDNINGAR)


def _spara_team(admin, team_id: int | None):
    team = services.get_team(admin, team_id) if team_id is not None else None
    form = _team_form(admin, team)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with utfor(form=form) as h:
                sparat = services.spara_team(admin, _regler(form), team_id=team_id)
                h.klart(f"Teamet {sparat.namn} är sparat.")
                ny_id = sparat.id
            if not h.fel:
                return redirect(url_for("admin.team", team_id=ny_id), code=303)
            status = h.status
            team = services.get_team(admin, team_id) if team_id is not None else None
        else:
            status = _status(form)
    return render_template("admin/team.html", form=form, team=team, manader=MANADER,
                           generera_form=forms.GenereraForm(formdata=None), medlemskap=_medlemskap(team)), status


def _medlemskap(team) -> list[Medlemskap]:
    if team is None:
        return []
    ordning = list(TeamRoll)
    return sorted(team.medlemskap, key=lambda m: (ordning.index(m.roll), m.user.namn))


@bp.route("/team/nytt", methods=["GET", "POST"])
@policy.regel("admin")
def nytt_team():
    return _spara_team(_admin(), None)


@bp.route("/team/<int:team_id>", methods=["GET", "POST"])
@policy.regel("admin")
def team(team_id: int):
    return _spara_team(_admin(), team_id)


@bp.route("/team/<int:team_id>/generera", methods=["POST"])
@policy.regel("admin")
def generera(team_id: int):
    admin = _admin()
    team = services.get_team(admin, team_id)
    form = forms.GenereraForm()
    if form.validate_on_submit():
        try:
            ar, manad = (int(d) for d in form.startmanad.data.split("-"))
            start = dt.date(ar, manad, 1)
        except ValueError:
            form.startmanad.errors.append("Ange månaden som ÅÅÅÅ-MM, t.ex. 2027-01.")
        else:
            with utfor(form=form) as h:
                resultat = services.generera_moten(admin, team.id, startmanad=start)
                h.klart(f"{len(resultat.skapade)} möten skapade"
                        + (f", {len(resultat.fanns_redan)} fanns redan" if resultat.fanns_redan else "") + ".")
            if not h.fel:
                return redirect(url_for("admin.team", team_id=team_id), code=303)
    team = services.get_team(admin, team_id)
    return render_template("admin/team.html", form=_team_form(admin, team, post=False), team=team, manader=MANADER,
                           generera_form=form, medlemskap=_medlemskap(team)), 422


# --- members ------------------------------------------------------------------------------


def _part_val(admin, tomt: str = "Ingen part") -> list[SelectChoice]:
    return [SelectChoice(0, tomt)] + [SelectChoice(p.id, p.namn) for p in services.list_parter(admin)]


@bp.route("/medlemmar/", methods=["GET", "POST"])
@policy.regel("admin")
def medlemmar():
    admin = _admin()
    form = forms.InbjudanForm()
    form.part_id.choices = _part_val(admin)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with utfor(form=form) as h:
                user = services.bjud_in(admin, namn=form.namn.data, epost=form.epost.data,
                                        part_id=form.part_id.data or None)
                h.klart(f"{user.namn} är inbjuden. Inbjudan skickas med e-post.")
                ny_id = user.id
            if not h.fel:
                return redirect(url_for("admin.medlem", anvandare_id=ny_id), code=303)
            status = h.status
        else:
            status = _status(form)
    return render_template("admin/medlemmar.html", form=form, anvandare=services.list_anvandare(admin)), status


def _medlem_sida(admin, anvandare_id: int, status: int = 200, **formular):
    user = services.get_anvandare(admin, anvandare_id)
    teams = services.list_teams(admin)
    roll_form = formular.get("roll_form") or forms.RollForm(formdata=None)
    roll_form.team_id.choices = [SelectChoice(0, "Välj …")] + [SelectChoice(t.id, t.namn) for t in teams]
    roll_form.ersatter_id.choices = [SelectChoice(0, "Ingen (inte ersättare)")] + [
        SelectChoice(m.id, f"{m.user.namn} ({m.team.namn})") for t in teams for m in t.medlemskap
        if m.roll == TeamRoll.LEDAMOT and m.user.part_id == user.part_id and m.user_id != user.id]
    part_form = formular.get("part_form") or forms.PartValForm(formdata=None, part_id=user.part_id or 0)
    part_form.part_id.choices = _part_val(admin)
    kollegor = services.kollegor(admin, user)
    overfor_form = formular.get("overfor_form") or forms.OverforForm(formdata=None)
    overfor_form.till_id.choices = [SelectChoice(0, "Välj …")] + [SelectChoice(k.id, k.namn) for k in kollegor]
    samcoach = [m for m in user.medlemskap if m.roll == TeamRoll.SAMCOACH]
    kapacitet_form = formular.get("kapacitet_form") or forms.KapacitetForm(
        formdata=None, kapacitet=samcoach[0].kapacitet if samcoach else None)
    from samverkan.insatser.services import kapacitet_for_coach

    return render_template(
        "admin/medlem.html", anvandare=user, roll_form=roll_form, part_form=part_form, overfor_form=overfor_form,
        kapacitet_form=kapacitet_form, samcoach=samcoach, oppna=services.oppna_arenden(user),
        coachlage=kapacitet_for_coach(user.id) if samcoach else None, kollegor=kollegor,
        inbjudningslank=services.koad_inbjudan(admin, user.id),
        tom_form=forms.FlaskForm(formdata=None),
    ), status


@bp.route("/medlemmar/<int:anvandare_id>")
@policy.regel("admin")
def medlem(anvandare_id: int):
    return _medlem_sida(_admin(), anvandare_id)


@bp.route("/medlemmar/<int:anvandare_id>/roll", methods=["POST"])
@policy.regel("admin")
def lagg_till_roll(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.RollForm()
    if not form.validate_on_submit():
        return _medlem_sida(admin, anvandare_id, _status(form), roll_form=form)
    with utfor(form=form) as h:
        m = services.satt_roll(admin, user_id=anvandare_id, team_id=form.team_id.data or None,
                               roll=form.roll.data or "", ersatter_id=form.ersatter_id.data or None)
        h.klart(f"Rollen {services.ROLL_LABELS[m.roll].lower()} i {m.team.namn} är tillagd.")
    if h.fel:
        return _medlem_sida(admin, anvandare_id, h.status, roll_form=form)
    return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)


@bp.route("/medlemmar/<int:anvandare_id>/roll/<int:medlemskap_id>/ta-bort", methods=["POST"])
@policy.regel("admin")
def ta_bort_roll(anvandare_id: int, medlemskap_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.FlaskForm()
    if form.validate_on_submit():
        with utfor(form=form) as h:
            services.ta_bort_roll(admin, medlemskap_id)
            h.klart("Rollen är borttagen.")
        if h.fel:
            return _medlem_sida(admin, anvandare_id, h.status)
        return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)
    return _medlem_sida(admin, anvandare_id, _status(form))


@bp.route("/medlemmar/<int:anvandare_id>/part", methods=["POST"])
@policy.regel("admin")
def byt_part(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.PartValForm()
    if not form.validate_on_submit():
        return _medlem_sida(admin, anvandare_id, _status(form), part_form=form)
    with utfor(form=form) as h:
        services.andra_part_for(admin, anvandare_id, form.part_id.data or None)
        h.klart("Parten är sparad.")
    if h.fel:
        return _medlem_sida(admin, anvandare_id, h.status, part_form=form)
    return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)


@bp.route("/medlemmar/<int:anvandare_id>/kapacitet", methods=["POST"])
@policy.regel("admin")
def kapacitet(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.KapacitetForm()
    if not form.validate_on_submit():
        return _medlem_sida(admin, anvandare_id, _status(form), kapacitet_form=form)
    with utfor(form=form) as h:
        services.satt_samcoach_kapacitet(admin, anvandare_id, form.kapacitet.data)
        h.klart("Kapaciteten är sparad.")
    if h.fel:
        return _medlem_sida(admin, anvandare_id, h.status, kapacitet_form=form)
    return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)


@bp.route("/medlemmar/<int:anvandare_id>/inbjudan", methods=["POST"])
@policy.regel("admin")
def ny_inbjudan(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.FlaskForm()
    if form.validate_on_submit():
        with utfor(form=form) as h:
            services.skicka_ny_inbjudan(admin, anvandare_id)
            h.klart("En ny inbjudan skickas. Tidigare länkar fungerar inte längre.")
        if h.fel:
            return _medlem_sida(admin, anvandare_id, h.status)
        return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)
    return _medlem_sida(admin, anvandare_id, _status(form))


@bp.route("/medlemmar/<int:anvandare_id>/avsluta", methods=["POST"])
@policy.regel("admin")
def avsluta(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.FlaskForm()
    if form.validate_on_submit():
        with utfor(form=form) as h:
            user = services.avaktivera(admin, anvandare_id)
            h.klart(f"Kontot för {user.namn} är avslutat.")
        if h.fel:
            return _medlem_sida(admin, anvandare_id, h.status)
        return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)
    return _medlem_sida(admin, anvandare_id, _status(form))


@bp.route("/medlemmar/<int:anvandare_id>/overfor", methods=["POST"])
@policy.regel("admin")
def overfor(anvandare_id: int):
    admin = _admin()
    services.get_anvandare(admin, anvandare_id)
    form = forms.OverforForm()
    if not form.validate_on_submit():
        return _medlem_sida(admin, anvandare_id, _status(form), overfor_form=form)
    with utfor(form=form) as h:
        antal = services.overfor_arenden(admin, anvandare_id, form.till_id.data or None)
        h.klart(f"{antal} ärenden är överförda.")
    if h.fel:
        return _medlem_sida(admin, anvandare_id, h.status, overfor_form=form)
    return redirect(url_for("admin.medlem", anvandare_id=anvandare_id), code=303)


# --- CSV import ---------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@policy.regel("admin")
def importera():
    admin = _admin()
    form = forms.ImportForm()
    resultat = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = _status(form)
        elif not form.fil.data:
            form.fil.errors.append("Välj en CSV-fil.")
            status = 422
        else:
            try:
                text = form.fil.data.read(2_000_000).decode("utf-8-sig")
            except UnicodeDecodeError:
                form.fil.errors.append("Filen ska vara sparad som UTF-8 (CSV UTF-8 i Excel).")
                status = 422
            else:
                with utfor(form=form) as h:
                    resultat = services.importera(admin, text, torrkorning=not form.importera.data)
                    if resultat.importerade:
                        h.klart(f"{resultat.importerade} personer är importerade och inbjudna.")
                if h.fel:
                    status = h.status
                elif resultat.importerade:
                    return redirect(url_for("admin.medlemmar"), code=303)
                elif not resultat.ok:
                    form.fil.errors.append("Filen har fel. Inget har importerats; rätta raderna nedan och försök igen.")
                    status = 422
    return render_template("admin/import.html", form=form, resultat=resultat, kolumner=services.CSV_KOLUMNER), status


@bp.app_template_filter("manader")
def _manader(value: str) -> str:
    return ", ".join(MANADER[int(m) - 1] for m in (value or "").split(",") if m) or "inga"

