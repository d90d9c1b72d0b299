"""The scheduler's nightly gallring: every förbund with a retention period gets its due
closed ärenden anonymised, in one transaction per night.

Due work is chosen by query (closed, past the period, ``gallrad`` not yet set), so a
missed night is made up by the next and a second run finds nothing left. The log says
how many, never which: reference codes stay in the audit log.
"""

from __future__ import annotations

import logging
from collections import Counter

from flask import Flask

from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.gallring import services

log = logging.getLogger(__name__)


def natt(app: Flask) -> Counter:
    with jobbkontext(app), transaktion():
        rapport = services.gallra(torrkorning=False)
    log.info("gallring: %d ärenden i %d förbund", rapport.antal, len(rapport.per_forbund))
    return Counter(gallrade=rapport.antal)
