"""The scheduler's efterkontroll job: a check planned at avslut whose day has come goes
into the team projektledare's inbox (``Efterkontroll.i_inkorg`` set).

Due work is chosen by query and set by one compare-and-set UPDATE (``i_inkorg IS NULL``
in its WHERE), so a second run, or a second scheduler at the same moment, finds nothing
left: each check reaches the inbox exactly once. An ärende anonymised (gallrat) before
its day is not checked. Nothing is mailed; the log says how many, never which.
"""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask
from sqlalchemy import select, update

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.core.db import db
from samverkan.efterkontroll.models import Efterkontroll

log = logging.getLogger(__name__)


def lagg_i_inkorgen() -> Counter:
    """Put every check due today (Stockholm) in its projektledare's inbox."""
    antal: Counter = Counter()
    with transaktion():
        resultat = db.session.execute(
            update(Efterkontroll)
            .where(Efterkontroll.i_inkorg.is_(None), Efterkontroll.forfaller <= clock.today(),
                   Efterkontroll.arende_id.in_(select(Arende.id).where(Arende.gallrad.is_(None))))
            .values(i_inkorg=clock.now()),
            execution_options={"synchronize_session": False},
        )
        if resultat.rowcount:
            antal["efterkontroller"] += resultat.rowcount
    if antal:
        log.info("efterkontroll: %d lagda i projektledarnas inkorg", antal["efterkontroller"])
    return antal


def avisera(app: Flask) -> Counter:
    """The job, in its own app context (listed in ``samverkan.schemalaggare.jobb``)."""
    with jobbkontext(app):
        return lagg_i_inkorgen()
