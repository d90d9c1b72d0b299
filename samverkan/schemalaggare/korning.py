"""Running the jobs of ``jobb.JOBB``: one tick in-process (``kor``), or the long-running
APScheduler process (``starta``) with a tick every ``intervall`` seconds and each nightly
job at its Stockholm time.

APScheduler's memory job store holds only these fixed jobs (nothing pickled, nothing to
lose: all state is in our tables). ``coalesce`` folds missed runs into one,
``max_instances=1`` keeps them from overlapping, a generous grace time keeps a late run
from being skipped (the default is one second), and a single worker thread keeps a
nightly job from running beside a tick.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections import Counter

from flask import Flask

from samverkan.core import clock
from samverkan.kallelser.jobs import avsandar_id
from samverkan.schemalaggare import jobb as jobblista
from samverkan.schemalaggare import ledare

log = logging.getLogger(__name__)


def kor(app: Flask, stopp: threading.Event | None = None) -> Counter:
    """One scheduler tick: every TICK job in order. A failed job is logged and counted
    under "fel"; the next tick retries it, and the jobs after it still run."""
    antal: Counter = Counter()
    for jobb in jobblista.tick_jobb():
        if stopp is not None and stopp.is_set():
            break
        try:
            antal.update(jobb(app, stopp))
        except Exception:
            antal["fel"] += 1
            log.exception("job %s failed; it runs again at the next tick", jobb.id)
    return antal


def som_ledare(las: ledare.Ledarlas | None, jobb, *args) -> Counter:
    """Run a job only in the scheduler that holds the lock (``ledare.py``)."""
    if las is not None and not las.forsok():
        return Counter()
    return jobb(*args)


def schemalaggare(app: Flask, intervall: int, stopp: threading.Event, las: ledare.Ledarlas | None = None):
    """The scheduler: ``kor`` every ``intervall`` seconds, and each NATT job every night
    at its time, Stockholm time. With ``las``, each run first makes sure this process is
    the elected one (and otherwise does nothing)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(
        timezone=dt.UTC,
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    tick_stopp = ledare.Stopp(stopp, las) if las is not None else stopp
    scheduler.add_job(som_ledare, "interval", seconds=intervall, args=(las, kor, app, tick_stopp), id="utskick",
                      name="varje tick: " + ", ".join(j.id for j in jobblista.tick_jobb()),
                      next_run_time=dt.datetime.now(dt.UTC))
    # At night, Stockholm time, when nobody is at a meeting.
    for jobb in jobblista.natt_jobb():
        klockan = jobblista.klockan(jobb, app)
        scheduler.add_job(som_ledare, CronTrigger(hour=klockan.hour, minute=klockan.minute, second=klockan.second,
                                                  timezone=clock.STOCKHOLM),
                          args=(las, jobb, app), id=jobb.id, name=jobb.namn)
    return scheduler


def starta(app: Flask, intervall: int) -> None:
    """Run the scheduler until SIGTERM or SIGINT; on a signal the running tick finishes
    the message it is sending and stops."""
    stopp = threading.Event()
    las = ledare.Ledarlas(app, avsandar_id())
    las.starta_hjarta()
    scheduler = schemalaggare(app, intervall, stopp, las)

    def _stoppa(signum, frame):
        log.info("signal %s: stopping after the current message", signum)
        stopp.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stoppa)
    # A shell starts background processes with SIGINT ignored (dev/run stops this one
    # with SIGTERM instead): respect that, so Ctrl+C reaches only the foreground.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _stoppa)
    log.info("scheduler started: every %d s", intervall)
    try:
        scheduler.start()  # blocks until _stoppa; the running tick's thread is joined at exit
    finally:
        las.slapp()
    log.info("scheduler stopped")
