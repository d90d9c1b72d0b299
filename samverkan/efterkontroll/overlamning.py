"""The handover at avslut and the check it plans, run by the flow (``arenden.flow``) with
the avslut itself, so every entrance — the case page, the API — records them alike.

The handover (next step: who, how, when) is the user's decision and comes in the
avslut's context; it is optional, but all three parts or none. After withdrawn consent
nothing is handed over and nothing is checked later: processing has stopped. Every other
avslut plans an efterkontroll the förbund's number of months later (``Forbund.
efterkontroll_manader``), which the scheduler puts in the projektledare's inbox when due.
"""

from __future__ import annotations

import datetime as dt

from samverkan.arenden.models import Arende
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.efterkontroll.models import Efterkontroll, Overlamning
from samverkan.forbund.models import Forbund, Part
from workflows.arende import GUARD_FIELD_MESSAGES

SAKNAS = GUARD_FIELD_MESSAGES["overlamning_giltig"]  # what to say when a part is missing

# The avslut's context keys that carry the handover (``arenden.flow.KONTEXT``).
FALT = ("overlamning_vem", "overlamning_part_id", "overlamning_hur", "overlamning_nar")
MAX_VEM, MAX_HUR = 200, 500


def _text(context: dict, namn: str) -> str:
    return str(context.get(namn) or "").strip()


def angiven(context: dict) -> bool:
    return any(context.get(f) not in (None, "") for f in FALT)


def kontrollera(context: dict, *, forbund_id: int, aterkallat: bool) -> dict[str, str]:
    """Why the handover in ``context`` cannot be recorded, per field (empty: it can, or
    none was given). Reads the förbund's parties; writes nothing."""
    if not angiven(context):
        return {}
    if aterkallat:
        return {"overlamning_vem": "Samtycket är återkallat: ingen överlämning registreras."}
    fel: dict[str, str] = {}
    vem, hur = _text(context, "overlamning_vem"), _text(context, "overlamning_hur")
    if not vem:
        fel["overlamning_vem"] = SAKNAS["overlamning_vem"]
    elif len(vem) > MAX_VEM:
        fel["overlamning_vem"] = f"Överlämning: högst {MAX_VEM} tecken om vem som tar över."
    part_id = context.get("overlamning_part_id")
    if part_id is not None:
        part = db.session.get(Part, part_id) if isinstance(part_id, int) else None
        if part is None or part.forbund_id != forbund_id:
            fel["overlamning_part_id"] = SAKNAS["overlamning_part_id"]
    if not hur:
        fel["overlamning_hur"] = SAKNAS["overlamning_hur"]
    elif len(hur) > MAX_HUR:
        fel["overlamning_hur"] = f"Överlämning: högst {MAX_HUR} tecken om hur."
    if not isinstance(context.get("overlamning_nar"), dt.date):
        fel["overlamning_nar"] = SAKNAS["overlamning_nar"]
    return fel


def vid_avslut(arende: Arende, aktor_id: int, datum: dt.date, context: dict, *, aterkallat: bool) -> None:
    """The flow's effect of ``avsluta`` (its guard has accepted the context). An ärende
    closed again after an admin's correction keeps one row of each, brought up to date."""
    if aterkallat:
        return
    if angiven(context):
        rad = db.session.execute(db.select(Overlamning).where(Overlamning.arende_id == arende.id)).scalar_one_or_none()
        if rad is None:
            rad = Overlamning(arende_id=arende.id)
            db.session.add(rad)
        rad.part_id, rad.vem, rad.hur = context.get("overlamning_part_id"), _text(context, "overlamning_vem"), \
            _text(context, "overlamning_hur")
        rad.nar, rad.registrerad_av_id = context["overlamning_nar"], aktor_id
        audit.record("arende.overlamning", "arende", arende.id, user_id=aktor_id,
                     falt=["overlamning_vem", "overlamning_hur", "overlamning_nar",
                           *(["overlamning_part"] if rad.part_id else [])])
    manader = db.session.scalar(db.select(Forbund.efterkontroll_manader).where(Forbund.id == arende.forbund_id))
    kontroll = db.session.execute(
        db.select(Efterkontroll).where(Efterkontroll.arende_id == arende.id)).scalar_one_or_none()
    if kontroll is None:
        db.session.add(Efterkontroll(arende_id=arende.id, team_id=arende.team_id,
                                     forfaller=clock.plus_manader(datum, manader)))
    elif kontroll.utfall is None:
        kontroll.forfaller, kontroll.i_inkorg = clock.plus_manader(datum, manader), None
