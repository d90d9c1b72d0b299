"""Every timed job, in one list: what it does, when it runs, which function runs it.

``TICK`` jobs run at every tick of the scheduler (``SCHEDULER_INTERVALL`` seconds, in this
order); ``NATT`` jobs once a night at their Stockholm time. Each job is safe to run twice
and by two processes at once (it picks due work by query), so a missed or repeated run
does no harm. Each function opens its own app context (``core.anrop.jobbkontext``) and
transactions, returns a ``Counter`` of what it did, and takes ``stopp`` (an event set on
shutdown) only if it can stop part-way.

A new timed job is one line here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from samverkan.besked import jobs as besked_jobs
from samverkan.efterkontroll import jobs as efterkontroll_jobs
from samverkan.gallring import jobs as gallring_jobs
from samverkan.insatser import jobs as insatser_jobs
from samverkan.kallelser import jobs as kallelser_jobs
from samverkan.rapporter import jobs as rapporter_jobs
from samverkan.uppfoljning import jobs as uppfoljning_jobs

TICK = "tick"
NATT = "natt"

# Not between 02:00 and 03:00: in Stockholm that hour is skipped one night in spring and
# comes twice one night in autumn, and a cron trigger would then skip or repeat the run.
GALLRING_KLOCKAN = dt.time(3, 30)
# After the gallring (which may change the counts), before anyone opens a report.
RAPPORT_KLOCKAN = dt.time(4, 15)
# Before the working day, so Monday's digest is in the inbox when it starts.
VECKOSAMMANSTALLNING_KLOCKAN = dt.time(6, 30)


@dataclass(frozen=True)
class Jobb:
    id: str
    namn: str  # Swedish: shown in the scheduler's log and by ``flask scheduler --lista``
    nar: str  # TICK or NATT
    kor: Callable[..., Counter]
    tar_stopp: bool = False  # whether ``kor`` takes the shutdown event
    klockan: dt.time | None = None  # NATT: the default Stockholm time
    klockan_nyckel: str | None = None  # NATT: a config key that may set another time

    def __call__(self, app: Flask, stopp=None) -> Counter:
        return self.kor(app, stopp) if self.tar_stopp else self.kor(app)


JOBB: tuple[Jobb, ...] = (
    Jobb("kallelser", "skriv förfallna kallelser, tillägg, inställelser och påminnelser till utkorgen",
         TICK, kallelser_jobs.planera),
    Jobb("leverans", "leverera utkorgen över SMTP", TICK, kallelser_jobs.leverera, tar_stopp=True),
    Jobb("uppfoljning", "kalla ärenden vars uppföljningsdatum har kommit till uppföljning",
         TICK, uppfoljning_jobs.kalla),
    Jobb("samtycke", "påminn innan ett samtycke går ut", TICK, kallelser_jobs.paminn_om_samtycke),
    Jobb("efterkontroll", "lägg förfallna efterkontroller i projektledarens inkorg", TICK, efterkontroll_jobs.avisera),
    Jobb("erbjudanden", "påminn projektledaren om erbjudna insatsplatser som väntat länge", TICK,
         insatser_jobs.paminn_om_erbjudanden),
    Jobb("gallring", "nattlig gallring", NATT, gallring_jobs.natt,
         klockan=GALLRING_KLOCKAN, klockan_nyckel="SCHEDULER_GALLRING_KLOCKAN"),
    Jobb("rapporter", "räkna fram rapporternas dolda tal för årets och de två förra årens kuber",
         NATT, rapporter_jobs.forbered_kuber, tar_stopp=True, klockan=RAPPORT_KLOCKAN),
    # Nightly, but writes only on Mondays, once per person and ISO week (besked/jobs.py).
    Jobb("veckosammanstallning", "måndagens sammanställning av åtgärder som är försenade eller snart ska vara klara",
         NATT, besked_jobs.veckosammanstallning, klockan=VECKOSAMMANSTALLNING_KLOCKAN),
)


def tick_jobb() -> tuple[Jobb, ...]:
    return tuple(j for j in JOBB if j.nar == TICK)


def natt_jobb() -> tuple[Jobb, ...]:
    return tuple(j for j in JOBB if j.nar == NATT)


def klockan(jobb: Jobb, app: Flask) -> dt.time:
    """A nightly job's Stockholm time: its default, or its config key ("HH:MM" or
    "HH:MM:SS"; the drills set it to a moment away)."""
    varde = app.config.get(jobb.klockan_nyckel) if jobb.klockan_nyckel else None
    return dt.time.fromisoformat(str(varde)) if varde else jobb.klockan
