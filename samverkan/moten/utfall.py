"""What became of each agenda item at the meeting: its outcome read from the trigger that
took the ärende off the agenda, and closing the agenda afterwards, when items not reached
are marked bordlagd and their ärenden go back to the inbox (through
``arenden.services.fire``, so the flow's history row applies).
"""

from __future__ import annotations

from sqlalchemy import select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import ArendeHandelse
from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.moten.hamta import _mote, _punkter
from samverkan.moten.models import Dagordningspunkt, PunktStatus
from samverkan.moten.tider import ar_passerat, motesdatum
from workflows import arende as wf

# Outcome of an item at the meeting, from the trigger that took the ärende off the agenda.
UTFALL = {"samplanera": "samplanerad", "folj_upp": "foljd_upp", "bordlagg": "bordlagd",
          "avsluta": "avslutad", "aterkalla": "aterkallad", "felregistrera": "felregistrerad"}
UTFALL_LABELS = {"samplanerad": "Samplanerad", "foljd_upp": "Följd upp", "bordlagd": "Bordlagd (ej hunnen)",
                 "avslutad": "Avslutad", "aterkallad": "Samtycke återkallat",
                 "felregistrerad": "Felregistrerad"}


def _bordlagg(user: User, punkt: Dagordningspunkt, kommentar: str) -> None:
    """The ärende goes back to the inbox (aktualiserad or uppföljning) marked not reached."""
    if punkt.arende.status == wf.PA_AGENDA:
        arende_services.fire(user, punkt.arende_id, "bordlagg", version=None, kommentar=kommentar,
                             kanal=wf.MOTE)
    punkt.utfall = UTFALL["bordlagg"]


def avsluta_dagordning(user: User, mote_id: int) -> list[Dagordningspunkt]:
    """After the meeting: record each item's outcome from what happened to its ärende.
    Items still på agenda were not reached: marked bordlagd, and their ärenden go back to
    the inbox (bordlagg), where they show as carried over. Returns the items not reached."""
    mote = _mote(user, mote_id, andra=True, las=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.")
    if not ar_passerat(mote):
        raise DomainError("mote_ej_hallet", "Mötet har inte börjat ännu.")
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD and p.utfall is None]
    ej_hunna = []
    if bokade:
        handelser = _handelser_efter_placering([p.arende_id for p in bokade])
        kommentar = f"Hanns inte på mötet {motesdatum(mote).isoformat()}; överförs till inkorgen."
        for punkt in bokade:
            if punkt.arende.status == wf.PA_AGENDA:
                _bordlagg(user, punkt, kommentar)
                ej_hunna.append(punkt)
            else:
                trigger = handelser.get(punkt.arende_id)
                punkt.utfall = UTFALL.get(trigger, "bordlagd" if trigger is None else trigger[:20])
    db.session.flush()
    audit.record("mote.dagordning.avsluta", "mote", mote.id, user_id=user.id, falt=["utfall"])
    return ej_hunna


def _handelser_efter_placering(arende_ids: list[int]) -> dict[int, str]:
    """Per ärende, the trigger that took it off its latest agenda (one query)."""
    rows = db.session.execute(
        select(ArendeHandelse.arende_id, ArendeHandelse.trigger, ArendeHandelse.fran_status)
        .where(ArendeHandelse.arende_id.in_(arende_ids))
        .order_by(ArendeHandelse.arende_id, ArendeHandelse.id)
    ).all()
    senaste: dict[int, str] = {}
    for arende_id, trigger, fran in rows:
        if fran == wf.PA_AGENDA:
            senaste[arende_id] = trigger
    return senaste
