"""Meeting mode: the projektledare's page during the meeting — attendance per party, then
the agenda item by item, each with its samplanering form. (pages)

Thin: read the form, call one service, commit once, redirect 303 to the next item. A
refusal rolls back and shows the page again with each message beside its field.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_login import current_user

from samverkan.auth import policy
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.core.handling import granskad_sida, utfor
from samverkan.insatser.models import INSATS_FORM_LABELS
from samverkan.moten import narvaro
from samverkan.moten.models import NARVARO_LABELS, NarvaroStatus
from samverkan.samplanering import individen, services
from samverkan.samplanering.models import INDIVID_NARVARO

bp = Blueprint("samplanering", __name__, url_prefix="/moten")

ANTAL_ATGARDSRADER = 3


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.context_processor
def _globals():
    return {"BESLUT": services.BESLUT, "NARVARO_LABELS": NARVARO_LABELS, "NarvaroStatus": NarvaroStatus,
            "INSATS_FORM_LABELS": INSATS_FORM_LABELS, "ANTAL_ATGARDSRADER": ANTAL_ATGARDSRADER,
            "INDIVID_NARVARO": INDIVID_NARVARO}


class _Formular:
    """Reads typed values from the posted form, collecting format errors per field."""

    def __init__(self):
        self.fel: dict[str, str] = {}

    def text(self, name: str) -> str:
        return (request.form.get(name) or "").strip()

    def heltal(self, name: str, meddelande: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not value.lstrip("-").isdigit():
            self.fel[name] = meddelande
            return None
        return int(value)

    def datum(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fel[name] = "Ange datumet som ÅÅÅÅ-MM-DD."
            return None

    def visa(self, error: DomainError) -> None:
        """A refusal (for ``utfor``): field messages beside their fields, others at the top."""
        if isinstance(error, Valideringsfel):
            self.fel = {**error.fel, **self.fel}
        else:
            flash(error.message, "fel")


def _sida(mote_id: int, status: int = 200, *, fel: dict | None = None, fel_punkt: int | None = None,
          narvarofel: bool = False):
    lage = services.moteslage(current_user, mote_id)
    return granskad_sida("samplanering/moteslage.html", status, lage=lage, mote=lage.mote, fel=fel or {},
                         fel_punkt=fel_punkt, narvarofel=narvarofel,
                         inmatat=request.form if status != 200 else {})


@bp.route("/<int:mote_id>/moteslage")
@policy.regel("projektledare")
def moteslage(mote_id: int):
    return _sida(mote_id)


@bp.route("/<int:mote_id>/moteslage/narvaro", methods=["POST"])
@policy.regel("projektledare")
def narvaro_spara(mote_id: int):
    form = _Formular()
    rader = {}
    for key in request.form:
        if key.startswith("narvaro-") and key[8:].isdigit():
            part_id = int(key[8:])
            rader[part_id] = (form.text(key), form.heltal(f"person-{part_id}", "Välj en person från listan."))
    with utfor(visa=form.visa) as h:
        narvaro.registrera(current_user, mote_id, rader)
        if form.fel:
            raise Valideringsfel(form.fel)
        h.klart("Närvaron är sparad.")
    if h.fel:
        return _sida(mote_id, h.status, fel=form.fel, narvarofel=isinstance(h.fel, Valideringsfel))
    return redirect(url_for("samplanering.moteslage", mote_id=mote_id) + "#dagordning-rubrik", code=303)


@bp.route("/<int:mote_id>/moteslage/punkter/<int:punkt_id>", methods=["POST"])
@policy.regel("projektledare")
def punkt_spara(mote_id: int, punkt_id: int):
    form = _Formular()
    atgarder = [
        services.AtgardIn(
            beskrivning=form.text(f"atgard-{i}-beskrivning"),
            part_id=form.heltal(f"atgard-{i}-part_id", f"Åtgärd {i + 1}: välj en part från listan."),
            ansvarig=form.text(f"atgard-{i}-ansvarig"),
            klar_senast=form.datum(f"atgard-{i}-klar_senast"),
        )
        for i in range(ANTAL_ATGARDSRADER)
    ]
    with utfor(visa=form.visa) as h:
        punkt = services.registrera_punkt(
            current_user, mote_id, punkt_id,
            beslut=form.text("beslut") or None,
            samcoach_id=form.heltal("samcoach_id", "Välj en samcoach från listan."),
            insatstyp_id=form.heltal("insatstyp_id", "Välj en insats från listan."),
            folj_upp_den=form.datum("folj_upp_den"),
            atgarder=atgarder,
            steg_id=form.heltal("steg_id", "Välj ett steg från listan."),
            sysselsattningsgrad=form.heltal("sysselsattningsgrad", "Ange sysselsättningsgraden som ett heltal, 0–100."),
            ors=form.heltal("ors", "Ange ORS-poängen som ett heltal, 0–40."),
            individ=individen.IndividIn(
                narvaro=form.text("individ_narvaro") or None,
                narstaende=form.heltal("individ_narstaende", "Ange antalet närstående som ett heltal."),
                tolk=bool(form.text("individ_tolk")),
                annat_stod=form.heltal("individ_annat_stod", "Ange antalet som ett heltal."),
                mal=form.text("individ_mal"),
            ),
        )
        if form.fel:
            raise Valideringsfel(form.fel)
        nasta = services.nasta_obehandlade(punkt)
        ankare = f"punkt-{nasta.id}" if nasta is not None else "dagordning-rubrik"
        h.klart(f"{punkt.arende.referens}: {services.BESLUT[punkt.beslut].lower()} – sparat.")
    if h.fel:
        return _sida(mote_id, h.status, fel=form.fel, fel_punkt=punkt_id)
    return redirect(url_for("samplanering.moteslage", mote_id=mote_id) + f"#{ankare}", code=303)
