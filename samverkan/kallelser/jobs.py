"""Kallelser's timed jobs: plan what is due into the outbox, deliver the outbox, and write
the reminders before a consent expires. ``samverkan/schemalaggare/jobb.py`` lists and runs them.

Both are safe to run twice and by two processes at once: planning decides by query under
a row lock (``services.skriv``), delivery claims each message with a compare-and-set
UPDATE that is committed before the SMTP conversation starts, and marks it sent in a new
transaction afterwards. Each run has its own app context and one transaction
(``core.anrop.transaktion``) per meeting and per message, so a crash loses at most the
message being sent (its claim goes stale and is taken over). Logs name ids and counts,
never addresses or content.

Run by ``flask --app samverkan scheduler`` (``schemalaggare/cli.py``); never inside the web workers.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter

from flask import Flask
from sqlalchemy.exc import IntegrityError

from samverkan.core import clock
from samverkan.core.anrop import jobbkontext, transaktion
from samverkan.kallelser import mail, services

log = logging.getLogger(__name__)

def avsandar_id() -> str:
    """Who holds a claim: host and process, plus a random part (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def planera(app: Flask) -> Counter:
    """Write every due kallelse, tillägg, inställelse and påminnelse to the outbox."""
    antal: Counter = Counter()
    with jobbkontext(app):
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
    return antal


def leverera(app: Flask, stopp: threading.Event | None = None) -> Counter:
    """Deliver due messages over SMTP until none is left (or ``stopp`` is set)."""
    antal: Counter = Counter()
    with jobbkontext(app):
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


def paminn_om_samtycke(app: Flask) -> Counter:
    """Reminders before a consent expires: written to the outbox here, delivered by the
    next delivery run like every message."""
    antal: Counter = Counter()
    with jobbkontext(app):
        with transaktion():
            skrivna = services.samtyckespaminnelser(clock.now())
        if skrivna:
            antal["samtyckespaminnelser"] += skrivna
    return antal
