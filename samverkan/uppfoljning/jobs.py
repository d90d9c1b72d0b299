"""The scheduler's follow-up job: ärenden in insats whose ``nasta_uppfoljning`` has come
are called to uppföljning (``kalla_till_uppfoljning``), so they reach the projektledare's
inbox and can be put on the next agenda.

Due work is chosen by query (state i_insats and the date reached), so a second run, or a
second scheduler, finds nothing left to do; two at once are kept apart by the ärende's
optimistic version lock (the loser gets a Conflict and skips it).

The actor is the team's projektledare. The history row needs a real user (``aktor_id``),
the trigger is one only the projektledare may fire, and the inbox it fills is theirs: the
history then reads as what they would have done by hand, with a comment saying the
scheduler did it. A made-up system user would need a row per förbund that then shows up
in member lists and access decisions.
"""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.uppfoljning import forlopp
from workflows import arende as wf

log = logging.getLogger(__name__)

KOMMENTAR = "Automatiskt: datumet för nästa uppföljning har kommit (schemalagt jobb)."


def kalla_forfallna() -> Counter:
    """Fire ``kalla_till_uppfoljning`` for every due ärende; one transaction each."""
    antal: Counter = Counter()
    with transaktion(skriver=False):
        ids = [(a.id, a.team_id) for a in forlopp.forfallna_arenden()]
    for arende_id, team_id in ids:
        try:
            with transaktion():
                aktor = forlopp.projektledare_for(team_id)
                if aktor is None:
                    log.warning("arende %s due for uppföljning but team %s has no projektledare",
                                arende_id, team_id)
                    antal["utan_projektledare"] += 1
                    continue
                arende = db.session.get(Arende, arende_id)
                arende_services.fire(aktor, arende_id, "kalla_till_uppfoljning", version=arende.version,
                                     datum=clock.today(), kommentar=KOMMENTAR, kanal=wf.SCHEMA)
        except DomainError as error:
            # Another scheduler, or a person, changed it first (rolled back): nothing to do here.
            log.info("arende %s not called to uppföljning: %s", arende_id, error.code)
            continue
        antal["kallade_till_uppfoljning"] += 1
    return antal


def kalla(app: Flask) -> Counter:
    """The job, in its own app context (listed in ``samverkan.schemalaggare.jobb``)."""
    with jobbkontext(app):
        return kalla_forfallna()
