"""The insatser's timed job: remind the projektledare of offered places left waiting
(``insatser.paminnelser``). Listed in ``samverkan/schemalaggare/jobb.py``."""

from __future__ import annotations

from collections import Counter

from flask import Flask

from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.insatser import paminnelser


def paminn_om_erbjudanden(app: Flask) -> Counter:
    """Write the due reminders to the outbox; the delivery job sends them."""
    antal: Counter = Counter()
    with jobbkontext(app):
        with transaktion():
            skrivna = paminnelser.skriv(clock.now())
        if skrivna:
            antal["erbjudandepaminnelser"] += skrivna
    return antal
