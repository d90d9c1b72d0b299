"""Ärende pages: the list and the case page with its state changes, consent warnings,
preparation checklist and timeline. Thin: services and the policy decide."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Row
from wtforms.fields.choices import SelectChoice

from samverkan.anteckningar.forms import AnteckningForm
from samverkan.arenden import forberedelse, kodlistor, services, tidslinje
from samverkan.arenden.forms import HandelseForm, SamtyckeForm
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.core.errors import DomainError
from samverkan.core.handling import granskad_sida, utfor
from samverkan.deltagare.models import KON_LABELS, SAMTYCKE_SATT_LABELS
from samverkan.efterkontroll import services as efterkontroll_services
from samverkan.moten import anmalningar, tider
from samverkan.samplanering import handlingsplan, individen
from samverkan.uppfoljning import diagram
from samverkan.uppfoljning import forlopp as uppfoljning
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


# The case page offers only the triggers its entrance may fire (the table's ``via``);
# the meeting's triggers are fired from the agenda and meeting mode, which write the facts
# their guards read. The POST route below is refused them by the flow, like the API.
MOTESTRIGGERS = frozenset(r.trigger for r in wf.TRANSITIONS if wf.ARENDE not in r.via)

# The fields each trigger's form shows besides the date and the comment.
TRIGGER_FALT = {"avsluta": ("avslutsorsak", "forsorjning_slut", "sysselsattning_slut")}
KOMMENTAR_HJALP = {
    "felregistrera": "Krävs: förklara vad som var fel.",
    "aterkalla": "Till exempel hur återkallelsen kom in. Skriv inga känsliga uppgifter.",
}


@bp.route("/<int:arende_id>")
@policy.regel("arende_referens", ladda=services.SIDANS_SATS)
def visa(arende_id: int):
    arende = services.get_arende(current_user, arende_id, detaljer=False)
    if policy.access_to(current_user, arende) < policy.Atkomst.DETALJER:
        # Withdrawn consent stops processing: 403 with the reference code only. A party the
        # consent never covered still sees the ärende by reference, as a team member.
        aterkallat = policy.samtycke_aterkallat(arende)
        services.audit_referensvisning(current_user, arende)
        return granskad_sida("arenden/begransad.html", 403 if aterkallat else 200, arende=arende,
                             aterkallat=aterkallat)
    services.get_arende(current_user, arende_id)  # audits the read of details (notes included)
    return render_case(arende)


def _handelseform(arende: Arende, trigger: str, posted: HandelseForm | None) -> HandelseForm:
    """One small form per offered action, so each shows only its own fields. Ids are
    prefixed with the trigger: several forms share one page."""
    if posted is not None and posted.trigger.data == trigger:
        form = posted
    else:
        form = HandelseForm(formdata=None, version=arende.version)
    form.trigger.data = trigger
    for f in form:
        f.id = f"{trigger}-{f.name}"
        f.label.field_id = f.id
    if trigger in KOMMENTAR_HJALP:
        form.kommentar.description = KOMMENTAR_HJALP[trigger]
    if trigger == "avsluta":
        form.overlamning_part_id.choices = [SelectChoice("", "Ingen av förbundets parter")] + [
            SelectChoice(p.id, p.namn) for p in efterkontroll_services.forbundets_parter(arende.forbund_id)]
    return form


def _hinder(check, *args) -> str | None:
    """The Swedish reason a write would be refused now, or None."""
    try:
        check(*args)
    except DomainError as error:
        return error.message
    return None


def _samtycke_form(arende: Arende, posted: SamtyckeForm | None, parter: dict[int, Row]) -> SamtyckeForm | None:
    if not policy.may_fornya_samtycke(current_user, arende):
        return None
    form = posted or SamtyckeForm(formdata=None, prefix="samtycke")
    form.parter.choices = [SelectChoice(p.id, p.namn) for p in parter.values()]
    if posted is None and arende.samtycke is not None:
        form.parter.data = [p.id for p in arende.samtycke.parter]
    return form


def render_case(arende: Arende, *, handelse_form: HandelseForm | None = None,
                anteckning_form: AnteckningForm | None = None, samtycke_form: SamtyckeForm | None = None,
                status: int = 200, plan_fel: tuple[int, str] | None = None):
    """The case page for a user whose details access has been checked and audited.

    Loads what it shows in a fixed number of queries, however long the history.
    """
    user = current_user
    triggers = [t for t in services.allowed_triggers(user, arende) if t not in MOTESTRIGGERS]
    matningar = uppfoljning.matningar(arende)
    stege = uppfoljning.stege(arende.forbund_id)
    val = forberedelse.motesval(arende)
    part_ids, parter = forberedelse.team_parter(arende.team_id)
    return granskad_sida(
        "arenden/visa.html", status,
        arende=arende,
        samtycke=arende.samtycke,
        varningar=forberedelse.samtyckesvarningar(arende, val, part_ids, parter),
        checklista=forberedelse.checklista(user, arende, val, parter),
        atgarder=[(t, _handelseform(arende, t, handelse_form), TRIGGER_FALT.get(t, ())) for t in triggers],
        oppen_atgard=handelse_form.trigger.data if handelse_form is not None else None,
        tidslinje=tidslinje.for_arende(user, arende, matningar=matningar),
        anteckning_form=anteckning_form or AnteckningForm(formdata=None, prefix="ny"),
        anteckning_hinder=_hinder(policy.require_anteckning, user, arende),
        kodlistor=kodlistor,
        kon_labels=KON_LABELS,
        satt_labels=SAMTYCKE_SATT_LABELS,
        matningar=matningar,
        stege=stege,
        diagram=diagram.bygg(matningar, stege),
        lankade=uppfoljning.lankade_arenden(arende),
        kan_ateraktualisera=uppfoljning.kan_ateraktualisera(user, arende),
        plan=handlingsplan.for_arende(user, arende),
        individen=individen.for_arende(arende.id, matningar, har_narvaro=arende.har_narvaro, har_mal=arende.har_mal),
        # The handover and the later check exist once the ärende is closed.
        efter=efterkontroll_services.for_arende(arende.id) if arende.status == wf.AVSLUTAD else (None, None),
        plan_fel=plan_fel,
        samtycke_form=_samtycke_form(arende, samtycke_form, parter),
        samtycken=services.samtycken(arende),
        moten_for_anmalan=anmalningar.moten_for_anmalan(user, arende),
    )


@bp.route("/<int:arende_id>/atgarder/<int:atgard_id>/klar", methods=["POST"])
@policy.regel("arende_detaljer")
def atgard_klar(arende_id: int, atgard_id: int):
    """Tick a handlingsplan action off from the case page, with a comment."""
    if not FlaskForm().validate_on_submit():
        flash("Formuläret kunde inte skickas. Ladda om sidan och försök igen.", "fel")
        return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor="handlingsplan-rubrik"), code=303)
    with utfor(visa=lambda error: None) as h:
        handlingsplan.markera_klar(current_user, atgard_id, kommentar=request.form.get("kommentar"),
                                   arende_id=arende_id)
        h.klart("Åtgärden är markerad som klar.")
    if h.fel:
        arende = services.get_arende(current_user, arende_id)
        return render_case(arende, plan_fel=(atgard_id, h.fel.message), status=h.status)
    return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor="handlingsplan-rubrik"), code=303)


@bp.route("/<int:arende_id>/handelse", methods=["POST"])
@policy.regel("arende_handling")
def handelse(arende_id: int):
    form = HandelseForm()
    if not form.validate_on_submit():
        arende = services.get_arende(current_user, arende_id)
        flash("Formuläret kunde inte skickas. Kontrollera fälten och försök igen.", "fel")
        return render_case(arende, handelse_form=form, status=422)
    with utfor(form=form, sprid=(404,)) as h:
        services.fire(
            current_user, arende_id, form.trigger.data,
            version=form.version.data,
            datum=form.datum.data,
            kommentar=form.kommentar.data or "",
            avslutsorsak=form.avslutsorsak.data or None,
            forsorjning_slut=form.forsorjning_slut.data or None,
            sysselsattning_slut=form.sysselsattning_slut.data or None,
            **({} if form.trigger.data != "avsluta" else {
                "overlamning_vem": form.overlamning_vem.data or None,
                "overlamning_part_id": form.overlamning_part_id.data,
                "overlamning_hur": form.overlamning_hur.data or None,
                "overlamning_nar": form.overlamning_nar.data}),
        )
        h.klart("Ändringen är sparad.")
    if h.fel:
        arende = services.get_arende(current_user, arende_id)
        return render_case(arende, handelse_form=form, status=h.status)
    return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)


@bp.route("/<int:arende_id>/samtycke", methods=["POST"])
@policy.regel("arende_detaljer")
def samtycke(arende_id: int):
    """A renewed or changed consent on the open ärende."""
    form = SamtyckeForm(prefix="samtycke")
    if form.validate_on_submit():
        with utfor(form=form) as h:
            services.fornya_samtycke(
                current_user, arende_id, givet_den=form.givet_den.data, giltigt_till=form.giltigt_till.data,
                satt=form.satt.data, part_ids=form.parter.data or [],
                dokumentreferens=form.dokumentreferens.data or "")
            h.klart("Det förnyade samtycket är registrerat.")
        if not h.fel:
            return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor="samtycke-rubrik"), code=303)
        status = h.status
    else:
        flash("Samtycket kunde inte registreras. Kontrollera fälten och försök igen.", "fel")
        status = 422
    return render_case(services.get_arende(current_user, arende_id), samtycke_form=form, status=status)


@bp.route("/<int:arende_id>/anmal", methods=["POST"])
@policy.regel("arende_detaljer")
def anmal(arende_id: int):
    """The handläggare asks for a place on a coming meeting from the case page."""
    with utfor() as h:
        punkt = anmalningar.anmal(current_user, request.form.get("mote_id", type=int) or 0, arende_id)
        h.klart(f"{punkt.arende.referens} är anmält till mötet {tider.motesdatum(punkt.mote).isoformat()}.")
    if h.fel:
        return render_case(services.get_arende(current_user, arende_id), status=h.status)
    return redirect(url_for("arenden.visa", arende_id=arende_id), code=303)


@bp.route("/<int:arende_id>/forberedelse", methods=["POST"])
@policy.regel("arende_detaljer")
def forbered(arende_id: int):
    with utfor() as h:
        forberedelse.markera(current_user, arende_id, part_id=request.form.get("part_id", type=int),
                             mote_id=request.form.get("mote_id", type=int))
        h.klart("Förberedelsen är markerad.")
    if h.fel:
        return render_case(services.get_arende(current_user, arende_id), status=h.status)
    return redirect(url_for("arenden.visa", arende_id=arende_id, _anchor="forberedelse-rubrik"), code=303)
