"""The scheduler's jobs: plan what is due into the outbox, then deliver the outbox.

Both are safe to run twice and by two processes at once: planning decides by query under
a row lock (``services.skriv``), delivery claims each message with a compare-and-set
UPDATE that is committed before the SMTP conversation starts, and marks it sent in a new
transaction afterwards. Each run has its own app context and one transaction
(``core.anrop.transaktion``) per meeting and per message, so a crash loses at most the
message being sent (its claim goes stale and is taken over). Logs name ids and counts,
never addresses or content.

Run by ``flask --app samverkan scheduler`` (``cli.py``); never inside the web workers.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import Counter

from flask import Flask
from sqlalchemy.exc import IntegrityError

from samverkan.core import clock
from samverkan.core.anrop import transaktion
from samverkan.core.db import db
from samverkan.kallelser import ledare, mail, services

log = logging.getLogger(__name__)

# Not between 02:00 and 03:00: in Stockholm that hour is skipped one night in spring and
# comes twice one night in autumn, and a cron trigger would then skip or repeat the run.
GALLRING_KLOCKAN = dt.time(3, 30)


def avsandar_id() -> str:
    """Who holds a claim: host and process, plus a random part (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def planera(app: Flask) -> Counter:
    """Write every due kallelse, tillägg, inställelse and påminnelse to the outbox."""
    antal: Counter = Counter()
    with app.app_context():
        try:
            nu = clock.now()
            with transaktion():
                services.planera_saknade(nu)
            with transaktion(skriver=False):
                forfallna = services.forfallna(nu)
            for typ, mote_id in forfallna:
                try:
                    with transaktion():
                        rader = services.skriv(typ, mote_id, nu)
                except IntegrityError:
                    # Another scheduler wrote the same rows first: theirs stand (ours rolled back).
                    log.info("mote %s: %s already written by another scheduler", mote_id, typ.value)
                    continue
                if rader:
                    antal[typ.value] += len(rader)
                    log.info("mote %s: %s queued for %d recipients", mote_id, typ.value, len(rader))
        finally:
            db.session.rollback()
            db.session.remove()
    return antal


def leverera(app: Flask, stopp: threading.Event | None = None) -> Counter:
    """Deliver due messages over SMTP until none is left (or ``stopp`` is set)."""
    antal: Counter = Counter()
    with app.app_context():
        try:
            inst = mail.SmtpInstallning.fran(app.config)
            if inst is None:
                # The local default: mail stays in the outbox and is read in the app.
                return antal
            with transaktion(skriver=False):  # the read ends before the network conversation
                finns = services.finns_att_leverera(clock.now())
            if not finns:
                return antal
            forbindelse = mail.Forbindelse(inst)
            try:
                forbindelse.oppna()
            except mail.Leveransfel as fel:
                with transaktion():
                    antal["vantar"] = services.markera_forfallna_misslyckade(clock.now(), fel.text)
                log.warning("SMTP unavailable; %d queued messages wait for their retry", antal["vantar"])
                return antal
            with forbindelse:
                _leverera_alla(forbindelse, inst, stopp, antal)
        finally:
            db.session.rollback()
            db.session.remove()
    return antal


def _leverera_alla(forbindelse: mail.Forbindelse, inst: mail.SmtpInstallning,
                   stopp: threading.Event | None, antal: Counter) -> None:
    avsandare = avsandar_id()
    while stopp is None or not stopp.is_set():
        with transaktion():  # the claim is durable before anything is sent
            leverans = services.hamta(avsandare, clock.now())
        if leverans is None:
            return
        try:
            forbindelse.skicka(mail.bygg_meddelande(leverans, inst.avsandare))
        except mail.Leveransfel as fel:
            with transaktion():
                status = services.markera_misslyckad(leverans.id, avsandare, clock.now(), fel.text,
                                                     permanent=fel.permanent)
            antal["misslyckade"] += 1
            log.warning("utskick %s not delivered (%s): %s", leverans.id,
                        status.value if status else "claim lost", fel.text)
            if fel.anslutning:
                return
            continue
        except Exception as error:
            # A bug of ours (building the message): keep the row, retry later; the
            # exception's text may quote content, so only its type is logged.
            with transaktion():
                services.markera_misslyckad(leverans.id, avsandare, clock.now(),
                                            "Ett oväntat fel uppstod när meddelandet byggdes.", permanent=False)
            log.error("utskick %s: unexpected %s while building or sending", leverans.id, type(error).__name__)
            antal["misslyckade"] += 1
            continue
        # The at-least-once window: the server has the message; a crash before this
        # commit leaves the claim to go stale, and the message is sent again (same Message-ID).
        fonster = time.perf_counter()
        with transaktion():
            skickad = services.markera_skickad(leverans.id, avsandare, clock.now())
        if skickad:
            antal["skickade"] += 1
        else:
            log.warning("utskick %s sent, but its claim had been taken over", leverans.id)
        # Measured for the README: from the server's "250 accepted" to the mark committed.
        log.debug("utskick %s: crash window %.2f ms", leverans.id, (time.perf_counter() - fonster) * 1000)


def kor(app: Flask, stopp: threading.Event | None = None) -> Counter:
    """One scheduler tick: plan, then deliver. A failed job is logged and counted under
    "fel"; the next tick retries."""
    from samverkan.uppfoljning import jobs as uppfoljning_jobs

    antal: Counter = Counter()
    for jobb in (planera, leverera, uppfoljning_jobs.kalla):
        if stopp is not None and stopp.is_set():
            break
        try:
            antal.update(jobb(app, stopp) if jobb is leverera else jobb(app))
        except Exception:
            antal["fel"] += 1
            log.exception("job %s failed; it runs again at the next tick", jobb.__name__)
    return antal


def _gallring_klockan(app: Flask) -> dt.time:
    """GALLRING_KLOCKAN, or ``SCHEDULER_GALLRING_KLOCKAN`` ("HH:MM" or "HH:MM:SS",
    Stockholm time; the drills set it to a moment away)."""
    varde = app.config.get("SCHEDULER_GALLRING_KLOCKAN")
    return dt.time.fromisoformat(str(varde)) if varde else GALLRING_KLOCKAN


def som_ledare(las: ledare.Ledarlas | None, jobb, *args) -> Counter:
    """Run a job only in the scheduler that holds the lock (``kallelser/ledare.py``)."""
    if las is not None and not las.forsok():
        return Counter()
    return jobb(*args)


def schemalaggare(app: Flask, intervall: int, stopp: threading.Event, las: ledare.Ledarlas | None = None):
    """The scheduler with its two fixed jobs: ``kor`` every ``intervall`` seconds, and the
    gallring every night at GALLRING_KLOCKAN, Stockholm time. With ``las``, each run
    first makes sure this process is the elected one (and otherwise does nothing).

    APScheduler's memory job store holds only these fixed jobs (nothing pickled, nothing to
    lose: all state is in our tables). ``coalesce`` folds missed runs into one,
    ``max_instances=1`` keeps them from overlapping, and a generous grace time keeps a
    late run from being skipped (the default is one second).
    """
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    from samverkan.gallring import jobs as gallring_jobs

    scheduler = BlockingScheduler(
        timezone=dt.UTC,
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    tick_stopp = ledare.Stopp(stopp, las) if las is not None else stopp
    scheduler.add_job(som_ledare, "interval", seconds=intervall, args=(las, kor, app, tick_stopp), id="utskick",
                      name="planera och leverera utskick", next_run_time=dt.datetime.now(dt.UTC))
    # At night, Stockholm time, when nobody is at a meeting; the same single thread, so it
    # never runs beside a tick.
    klockan = _gallring_klockan(app)
    scheduler.add_job(som_ledare, CronTrigger(hour=klockan.hour, minute=klockan.minute, second=klockan.second,
                                              timezone=clock.STOCKHOLM),
                      args=(las, gallring_jobs.natt, app), id="gallring", name="nattlig gallring")
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
