"""One scheduler at a time: a lock in the database elects the process that does the work.

Two scheduler processes (say on two hosts) may run for availability; only the one holding
the lock runs the jobs, the other checks at every tick and takes over when the lock is
free. So the nightly gallring runs once, and the outbox has one sender.

- **PostgreSQL**: a session advisory lock (``pg_try_advisory_lock``) held by a connection
  of the scheduler's own, kept open for the process's life. It goes when the process or
  its connection dies (the server ends the session), so the standby takes over at its
  next tick. A heartbeat checks the connection; a lost connection is a lost lock.
- **SQLite** (and any other database): a row in ``schemalaggare_las`` with the holder and
  a lease (``SCHEDULER_LAS_SEKUNDER``, default 60). The holder renews it from a heartbeat
  thread every third of the lease; another process takes the row once the lease has run
  out (a SIGKILLed holder renews nothing), or at once when the holder is a process on
  the same host that no longer exists.

Losing the lock mid-tick stops the tick after the message being sent (``stopp`` below);
the outbox's own claims keep that message from going out twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import zlib

from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser.models import SchemalaggareLas

log = logging.getLogger(__name__)

LAS_NAMN = "schemalaggare"
# A fixed 63-bit key for the advisory lock: the same in every process of one database
# (advisory locks are per database, so test databases beside each other do not collide).
PG_NYCKEL = zlib.crc32(b"samverkan.schemalaggare") << 16


class Ledarlas:
    """``forsok()`` takes or keeps the lock and says whether this process holds it."""

    def __init__(self, app: Flask, innehavare: str):
        self.app = app
        self.innehavare = innehavare
        self.lease = dt.timedelta(seconds=int(app.config.get("SCHEDULER_LAS_SEKUNDER", 60)))
        self.forlorad = threading.Event()  # set when a held lock is lost
        self._haller = False
        self._pg_conn = None
        self._mutex = threading.Lock()
        self._hjarta: threading.Thread | None = None
        self._stang = threading.Event()

    # --- public -----------------------------------------------------------------------

    def forsok(self) -> bool:
        with self._mutex, self.app.app_context():
            haller = self._pg_forsok() if self._postgresql() else self._rad_forsok()
        if haller and not self._haller:
            log.info("this scheduler is now the active one (%s)", self.innehavare)
            self.forlorad.clear()
        elif not haller and self._haller:
            log.warning("the scheduler lock was lost; another scheduler is active")
            self.forlorad.set()
        elif not haller:
            log.debug("another scheduler is active; standing by")
        self._haller = haller
        return haller

    @property
    def haller(self) -> bool:
        return self._haller

    def starta_hjarta(self) -> None:
        """Renew (SQLite) or check (PostgreSQL) the lock in the background."""
        intervall = max(self.lease.total_seconds() / 3, 0.2)

        def slag():
            while not self._stang.wait(intervall):
                if self._haller:
                    try:
                        self.forsok()
                    except Exception:
                        log.exception("scheduler lock heartbeat failed")
                        self._haller = False
                        self.forlorad.set()

        self._hjarta = threading.Thread(target=slag, name="schemalaggare-las", daemon=True)
        self._hjarta.start()

    def slapp(self) -> None:
        """Let the lock go (a clean stop): the standby need not wait for the lease."""
        self._stang.set()
        with self._mutex, self.app.app_context():
            try:
                if self._pg_conn is not None:
                    # Closed, not returned to the pool (a pooled session would keep the lock).
                    self._pg_stang()
                elif self._haller:
                    with db.engine.begin() as conn:
                        conn.execute(update(SchemalaggareLas).where(
                            SchemalaggareLas.namn == LAS_NAMN, SchemalaggareLas.innehavare == self.innehavare,
                        ).values(giltig_till=clock.now()))
            except Exception:
                log.exception("could not release the scheduler lock; it runs out by itself")
        self._haller = False

    # --- PostgreSQL ---------------------------------------------------------------------

    def _postgresql(self) -> bool:
        return db.engine.dialect.name == "postgresql"

    def _pg_forsok(self) -> bool:
        if self._pg_conn is not None:
            try:
                self._pg_conn.execute(text("SELECT 1"))
                if self._haller:
                    return True
            except SQLAlchemyError:
                log.warning("the scheduler lock's connection is gone")
                self._pg_stang()
        if self._pg_conn is None:
            # Outside the pool's transaction handling: autocommit, so no transaction is left
            # open for the process's life; the lock belongs to the session, not a transaction.
            self._pg_conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            return bool(self._pg_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_NYCKEL}).scalar())
        except SQLAlchemyError:
            self._pg_stang()
            raise

    def _pg_stang(self) -> None:
        """End the lock's session: ``invalidate`` closes the driver connection instead of
        returning it to the pool, where its session, and the lock, would live on."""
        try:
            self._pg_conn.invalidate()
            self._pg_conn.close()
        except Exception:  # noqa: S110  # nosec B110  # already broken; nothing more to do
            pass
        self._pg_conn = None

    # --- a lock row with a lease ------------------------------------------------------------

    def _rad_forsok(self) -> bool:
        nu = clock.now()
        with db.engine.begin() as conn:  # on SQLite BEGIN IMMEDIATE: one process at a time
            rad = conn.execute(select(SchemalaggareLas.innehavare, SchemalaggareLas.giltig_till)
                               .where(SchemalaggareLas.namn == LAS_NAMN)).first()
            if rad is None:
                try:
                    conn.execute(SchemalaggareLas.__table__.insert().values(
                        namn=LAS_NAMN, innehavare=self.innehavare, giltig_till=nu + self.lease, tagen=nu))
                except IntegrityError:
                    return False
                return True
            if rad.innehavare != self.innehavare and rad.giltig_till > nu and not _dod_har(rad.innehavare):
                return False
            andrad = {"innehavare": self.innehavare, "giltig_till": nu + self.lease}
            if rad.innehavare != self.innehavare:
                andrad["tagen"] = nu
            return conn.execute(update(SchemalaggareLas).where(
                SchemalaggareLas.namn == LAS_NAMN, SchemalaggareLas.innehavare == rad.innehavare,
            ).values(**andrad)).rowcount == 1


def _dod_har(innehavare: str) -> bool:
    """Is the holder a process on this host that no longer exists? Then its lease need not
    run out (a scheduler restarted after a crash, or cron's next --once, goes on at once)."""
    vard, _, rest = innehavare.partition(":")
    pid = rest.partition(":")[0]
    if vard != socket.gethostname()[:60] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Stopp:
    """The tick's stop signal: a requested stop, or the lock lost (duck-types the
    ``threading.Event`` the jobs check)."""

    def __init__(self, stopp: threading.Event, las: Ledarlas):
        self.stopp, self.las = stopp, las

    def is_set(self) -> bool:
        return self.stopp.is_set() or self.las.forlorad.is_set()
