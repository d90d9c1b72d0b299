"""The Monday digest as a timed job (``samverkan/schemalaggare/jobb.py`` lists it).

It runs every night at its Stockholm time and writes only on Mondays: the weekly rhythm
fits the nightly list without a kind of its own. Each person's digest is one outbox row
per ISO week, so a second run that Monday (or a second scheduler) writes nothing; the
delivery job sends the rows at its next tick.
"""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask

from samverkan.besked import services
from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion

log = logging.getLogger(__name__)


def veckosammanstallning(app: Flask) -> Counter:
    """Write Monday's digests of handlingsplan actions overdue or due within a week."""
    antal: Counter = Counter()
    with jobbkontext(app):
        with transaktion():
            skrivna = services.veckosammanstallning(clock.now())
        if skrivna:
            antal["veckosammanstallningar"] += skrivna
            log.info("weekly digest queued for %d recipients", skrivna)
    return antal
