"""The suppression worked out at night (``samverkan/schemalaggare/jobb.py`` lists it).

A year's kub with its small numbers hidden costs seconds for a förbund of many small
counts; the marks are kept once worked out (``rapporter.markeringar``). This job works
them out for every förbund and every year the styrgrupp can choose, after the gallring
(which may change the counts), so the first look of the day opens at once. A year whose
counts did not change since is a lookup; a request that comes first does the same work
itself, so a missed night costs only time.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.core.db import db
from samverkan.forbund.models import Forbund
from samverkan.rapporter import services

log = logging.getLogger(__name__)


def forbered_kuber(app: Flask, stopp: threading.Event | None = None) -> Counter:
    """The nightly job: ``forbered`` in a job's own app context."""
    with jobbkontext(app):
        return forbered(stopp)


def forbered(stopp: threading.Event | None = None, framsteg: Callable[[str], None] | None = None) -> Counter:
    """Each förbund's kub of every year with an ended period on offer, the whole report's
    and the nyckeltal's, one read each (``transaktion(skriver=False)``: on SQLite no write
    lock while it works; the marks are written apart). Stops between two on shutdown;
    ``framsteg`` hears of each förbund done (the command prints it)."""
    antal: Counter = Counter()
    with transaktion(skriver=False):
        forbund = db.session.execute(select(Forbund.id, Forbund.kod).order_by(Forbund.id)).all()
        aren = sorted({p.fran.year for p in services.periodval(clock.today(), exakt=False)})
    for nr, (forbund_id, kod) in enumerate(forbund, 1):
        for ar in aren:
            for tabeller in (None, services.NYCKELTALENS_TABELLER):
                if stopp is not None and stopp.is_set():
                    return antal
                with transaktion(skriver=False):
                    services.arets_kub(forbund_id, ar, tabeller)
                antal["kuber"] += 1
        if framsteg is not None:
            framsteg(f"{nr}/{len(forbund)} {kod}: {', '.join(map(str, aren))}")
    log.info("rapporter: %d kuber i %d förbund förberedda", antal["kuber"], len(forbund))
    return antal
