"""The database handle, the declarative base and the column types every model shares.

Timestamps are stored as UTC and converted to Europe/Stockholm only for display.
SQLite gets the pragmas it needs for real use (foreign keys, WAL, busy timeout). A
transaction that writes takes the write lock at BEGIN (``BEGIN IMMEDIATE``, retried a
bounded number of times while the database stays locked), so two writers queue instead
of failing half-way; a transaction that only reads (``core.anrop`` says which) begins
deferred and takes no lock, so readers run side by side.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from types import SimpleNamespace

from flask import current_app, has_app_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase

try:
    import psycopg
except ImportError:  # SQLite only
    psycopg = None

log = logging.getLogger(__name__)

# SQLite: how long one attempt to take the write lock waits (and PRAGMA busy_timeout for
# everything else; the app's SQLITE_BUSY_MS overrides it), and how many attempts are made
# before the request fails: 3 × 5 s bounds a writer's wait at about 15 s.
BUSY_MS = 5000
BEGIN_FORSOK = 3
# Within an attempt the lock is tried again after a pause that doubles from the first to
# the last (seconds), not by SQLite's busy handler: that sleeps 1, 2, 5, 10, 15, 20, 25,
# 25, 25, 50, 50, 100 ms between its tries, so a writer that had lost a few times slept on
# for up to 100 ms after the lock was free, the p99 of a meeting's requests (issue 19).
SKRIVLAS_PAUS = (0.0005, 0.004)
# Execution option of a connection that runs one statement as its own transaction (no
# BEGIN on SQLite): core.anrop writes a read's audit rows that way.
EN_SATS = "samverkan_en_sats"
# A pooled connection that lay idle longer than this is pinged before it is handed out
# (the server restarted, a firewall dropped the link); one returned moments ago is not.
# SQLAlchemy's pool_pre_ping pinged at every checkout: a round trip per request (issue 19).
PING_EFTER_VILA_S = 10.0

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC; SQLite keeps no zone, so we normalise here."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The largest id the database holds (PostgreSQL's integer): a larger one can name no row.
ID_MAX = 2**31 - 1

db = SQLAlchemy(model_class=Base)

# Registers the Swedish collation on every SQLite connection (ORDER BY svensk_ordning(...)).
from samverkan.core import svenska as _svenska  # noqa: E402, F401


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    # Only the pysqlite driver: turn off its implicit transaction handling so that
    # SQLAlchemy's BEGIN (below) and SAVEPOINTs behave as documented.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_busy_ms()}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _Kolumner(Sequence):
    """A result's ``cursor.description`` whose columns are built when one is first read.

    psycopg builds a ``Column`` per column on every read of ``description`` (a name
    decoded, a type looked up: ≈0.7 µs each). SQLAlchemy reads it once per statement and,
    for a statement whose compiled form it has cached, only to see that it is not None:
    the case page's access rule alone has 96 columns (issue 19)."""

    __slots__ = ("_kalla", "_antal", "_lista")

    def __init__(self, kalla: SimpleNamespace, antal: int):
        self._kalla, self._antal, self._lista = kalla, antal, None

    def __len__(self) -> int:
        return self._antal

    def __getitem__(self, index):
        if self._lista is None:
            # The columns keep names and types only: the result (``_kalla``) is let go.
            self._lista = [psycopg.Column(self._kalla, i) for i in range(self._antal)]
            self._kalla = None
        return self._lista[index]


if psycopg is not None:
    class _Cursor(psycopg.Cursor):
        """psycopg's cursor with a ``description`` built lazily (``_Kolumner``)."""

        @property
        def description(self):
            res = self.pgresult
            if res is None or not res.nfields:
                return super().description
            # What psycopg's Column reads of its cursor, kept from this result: the cursor
            # may have run another statement by the time a column is read.
            return _Kolumner(SimpleNamespace(pgresult=res, _encoding=self._encoding, adapters=self.adapters),
                             res.nfields)


def pinga_efter_vila(engine: Engine) -> None:
    """Ping a connection at checkout only when it lay idle in the pool (``PING_EFTER_VILA_S``);
    a dead one is replaced, as pool_pre_ping would, before the request sees it."""
    dialekt = engine.dialect

    @event.listens_for(engine, "checkin")
    def _ledig(dbapi_connection, record):
        record.info["ledig_sedan"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _pinga(dbapi_connection, record, proxy):
        ledig = record.info.get("ledig_sedan")
        if ledig is None or time.monotonic() - ledig < PING_EFTER_VILA_S:
            return  # new, or back in the pool a moment ago
        try:
            dialekt.do_ping(dbapi_connection)
        except dialekt.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection did not answer") from error


@event.listens_for(Engine, "connect")
def _psycopg_on_connect(dbapi_connection, connection_record):
    if psycopg is not None and isinstance(dbapi_connection, psycopg.Connection):
        dbapi_connection.cursor_factory = _Cursor


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    from samverkan.core import anrop  # here: anrop imports this module

    if conn.get_execution_options().get(EN_SATS):
        return  # one statement, which SQLite runs as a transaction of its own
    if anrop.laser_nu():
        # A read: a deferred transaction takes no lock until it reads, and only a shared
        # one then; WAL lets it read beside a writer. It never writes (anrop's guard).
        conn.exec_driver_sql("BEGIN")
        return
    # BEGIN IMMEDIATE takes the write lock up front: a read-then-write transaction
    # can then never fail with "database is locked" when it tries to upgrade.
    med_skrivlaset(conn, lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"))


def _busy_ms() -> int:
    return int(current_app.config.get("SQLITE_BUSY_MS", BUSY_MS)) if has_app_context() else BUSY_MS


def med_skrivlaset(conn, forsok):
    """``forsok()``, a statement that takes SQLite's write lock on ``conn`` (a SQLAlchemy
    connection), tried until it gets the lock: again after a short pause
    (``SKRIVLAS_PAUS``), with a warning after each SQLITE_BUSY_MS, and given up (the
    error raised) after ``BEGIN_FORSOK`` of them. SQLite's busy handler is off meanwhile
    (busy_timeout 0) and the connection's own timeout is back after."""
    dbapi = conn.connection.dbapi_connection
    dbapi.execute("PRAGMA busy_timeout=0")
    try:
        period, start = _busy_ms() / 1000, time.monotonic()
        varnade, paus = 0, SKRIVLAS_PAUS[0]
        while True:
            try:
                return forsok()
            except OperationalError as error:
                vantat = int((time.monotonic() - start) / period)  # whole periods waited
                if "locked" not in str(error.orig) or vantat >= BEGIN_FORSOK:
                    raise
            if vantat > varnade:
                varnade = vantat
                log.warning("SQLite write lock still taken after attempt %d of %d; trying again",
                            vantat, BEGIN_FORSOK)
            # Jittered, so that writers who lost together do not try again together.
            time.sleep(random.uniform(paus / 2, paus))  # noqa: S311  # nosec B311  # jitter, not a secret
            paus = min(2 * paus, SKRIVLAS_PAUS[1])
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={_busy_ms()}")


def enum_type(enum_cls, length: int = 40):
    """A portable enum column: stored as its string value with a CHECK constraint.

    Plain ``enum.Enum`` with string values (not StrEnum: transitions and SQLAlchemy
    disagree on it between releases); ``native_enum=False`` keeps PostgreSQL and SQLite
    alike and lets a migration add a value without ALTER TYPE.
    """
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


def utcnow() -> dt.datetime:
    from samverkan.core import clock

    return clock.now()


def rader(sats, parametrar: dict | None = None) -> list:
    """The rows of a Core ``select`` (columns, not entities) on the session's connection:
    for what a page only shows. It skips the ORM's work per statement and per row (an
    entity select of 18 history rows with their authors cost ≈340 µs of CPU, these rows
    ≈100 µs; issue 19). The rows are named tuples: nothing on them loads lazily, is
    tracked or is written back. Pending changes are flushed first, as ``execute`` does."""
    session = db.session()
    session.flush()
    return session.connection().execute(sats, parametrar).all()
