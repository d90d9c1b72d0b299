"""One transaction per request, job and command: the only place that commits.

Every web request (pages and the API alike) runs in the transaction this module opens
and ends, as Indico's request handler does (``indico/web/rh.py``): the view, and the
``before_request`` hooks before it, change and flush through the services; when the view
has returned, the request commits once. An exception (a ``DomainError`` the error
handler answers, ``abort()``, a bug, a commit that fails) rolls everything back, and the
browser's session cookie is put back as it was before the view ran, so a confirmation
flashed for a change that never reached the database is never shown. A failed commit
is an ordinary exception: the error page (or the API's JSON error) answers 500.

A request that only reads (GET and HEAD, unless the view is marked ``@skriver`` or its
blueprint writes) runs in a deferred transaction: on SQLite a plain ``BEGIN`` that takes
no write lock, so readers run side by side instead of queueing for the one write lock.
The audit rows of such a read (``core.audit.record``) are kept aside and written after
the view has returned, in their own short write transaction, before the response leaves:
nothing is shown unlogged, and the read never upgrades to a write. (On PostgreSQL, where a
read takes no lock, they go in the read's own transaction, just before it commits.) Writing requests begin
with ``BEGIN IMMEDIATE`` (``core.db``), retried a bounded number of times when the
database stays locked. PostgreSQL runs both kinds as it always did (read committed).

Jobs and commands get the same thing as a block::

    with transaktion():                 # commits on a clean exit, rolls back on any error
        services.skriv(typ, mote_id, nu)
    with transaktion(skriver=False):    # a read: no write lock on SQLite
        forfallna = services.forfallna(nu)

``core.handling.utfor`` and ``granskad_sida`` are the form handler's and the audited
page's shapes on top of this; outside a request or block (a test's bare request context)
they commit themselves through ``spara``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask.globals import request_ctx
from sqlalchemy import event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session

from samverkan.core.db import EN_SATS, db, med_skrivlaset

log = logging.getLogger(__name__)

# Methods that read. Anything else writes. The API's reads too: the token's last use,
# the one thing an API read used to write, is written apart (``kor_apart``, issue 19).
LASANDE_METODER = frozenset({"GET", "HEAD", "OPTIONS"})

# State on ``flask.g`` (one app context has one database session, see Flask-SQLAlchemy):
#   g.anrop_agare      "begaran" or "block": who owns this context's transaction
#   g.anrop_laser      the transaction only reads: BEGIN, not BEGIN IMMEDIATE
#   g.anrop_granskning audit rows of a read, written after it
#   g.anrop_kaka       the cookie session as it was before the view ran
_TILLSTAND = ("anrop_agare", "anrop_laser", "anrop_granskning", "anrop_kaka")
# The execution options of a PostgreSQL read's connection (``_borja``).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
# Values that cannot change in place.
_ATOMER = frozenset({str, int, float, bool, type(None)})


# --- declarations on a view --------------------------------------------------------

def skriver(view: Callable) -> Callable:
    """Mark a view that writes although it answers GET (e.g. it stores a new secret)."""
    view.anrop_skriver = True  # type: ignore[attr-defined]
    return view


def laser(view: Callable) -> Callable:
    """Mark a view that only reads although it answers POST (a search form that posts)."""
    view.anrop_laser = True  # type: ignore[attr-defined]
    return view


def _lasande_begaran(app: Flask) -> bool:
    view = app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "anrop_skriver", False):
        return False
    if getattr(view, "anrop_laser", False):
        return True
    return request.method in LASANDE_METODER


# --- state asked by core.db and core.audit -----------------------------------------

def laser_nu() -> bool:
    """Whether the transaction about to begin (or running) only reads. Outside the
    machinery (tests, the shell) every transaction takes the write lock, as before."""
    return has_app_context() and bool(g.get("anrop_laser"))


def granska_efterat(entry: Any) -> bool:
    """Keep an audit row of a read aside, to be written after the read; False when the
    current transaction writes anyway (the row then goes in it)."""
    if not laser_nu() or not g.get("anrop_agare"):
        return False
    g.setdefault("anrop_granskning", []).append(entry)
    return True


def agd() -> bool:
    """Whether a request or a ``transaktion`` block owns this context's transaction."""
    return has_app_context() and bool(g.get("anrop_agare"))


def spara() -> None:
    """Commit, unless a request or block owns the transaction and commits it itself: for
    handler code that may also run outside one (a bare test request context)."""
    if not agd():
        db.session.commit()


# --- the request ----------------------------------------------------------------

class App(Flask):
    """Flask with the request's transaction around the hooks and the view."""

    def ensure_sync(self, func):
        # Flask asks ``inspect`` whether each hook and the view is a coroutine, about ten
        # times a request; every one here is a plain function, so the answer is kept.
        return super().ensure_sync(func) if _asynkron(func) else func

    def preprocess_request(self):
        _borja(self)
        try:
            svar = super().preprocess_request()
            if svar is not None:
                _avsluta()  # a hook answered (e.g. a redirect to the login page)
        except BaseException:
            _avbryt(aterstall_kaka=False)
            raise
        if svar is None:
            # What the browser's session held before the view, put back if it fails. Read
            # without marking the session accessed (that would add "Vary: Cookie").
            # Its values are mostly strings and numbers, shared as they are; only a list or
            # dict (the flashed messages) is copied.
            accessed = session.accessed
            g.anrop_kaka = {k: v if type(v) in _ATOMER else copy.deepcopy(v) for k, v in session.items()}
            session.accessed = accessed
        return svar

    def dispatch_request(self):
        try:
            svar = super().dispatch_request()
            _avsluta()
        except BaseException:
            _avbryt(aterstall_kaka=True)
            raise
        return svar


@functools.lru_cache(maxsize=4096)
def _asynkron(func: Callable) -> bool:
    return inspect.iscoroutinefunction(func)


def init_app(app: Flask) -> None:
    if not isinstance(app, App):
        raise TypeError("create_app must build a samverkan.core.anrop.App")
    app.teardown_request(_stang)


def _borja(app: Flask) -> None:
    if db.session().in_transaction() or _har_andringar(db.session):
        # The session is shared with a caller that has a transaction open (only a test
        # calling its client inside its own app context): join it, writing, as before.
        g.pop("anrop_laser", None)
    else:
        g.anrop_laser = _lasande_begaran(app)
        if g.anrop_laser and request.endpoint != "static" and db.engine.dialect.name == "postgresql":
            # A read on PostgreSQL runs without BEGIN and COMMIT, two round trips of a
            # request that often sends only one statement (issue 19). Under read committed
            # each statement reads its own snapshot either way, so the read sees the same;
            # its audit rows are one INSERT (``_avsluta``), atomic on its own.
            db.session.connection(execution_options=AUTOCOMMIT)
    g.anrop_agare = "begaran"
    g.pop("anrop_granskning", None)
    g.pop("anrop_kaka", None)


def _avsluta() -> None:
    """The view returned: commit once; then the read's audit rows in their own write
    (SQLite), or in the read's own transaction before it commits (PostgreSQL)."""
    session = db.session()
    rader = g.get("anrop_granskning")
    if rader and db.engine.dialect.name != "sqlite":
        # Written apart only so that SQLite's deferred read never takes the write lock;
        # PostgreSQL's read can write them itself, without a second connection (issue 19),
        # on its connection: past the guard below, which is for what the view writes.
        session.connection().execute(*_insert(rader))
        del g.anrop_granskning
    if g.get("anrop_agare") == "begaran" and g.get("anrop_laser") and session.expire_on_commit:
        # A request that only read, after its page is rendered: nothing changed and the
        # session ends with the request, so expiring every row it loaded is wasted work
        # (issue 19). A job's read block keeps its session: it expires as ever.
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    else:
        session.commit()
    rader = g.pop("anrop_granskning", None)
    if rader:
        skriv_apart(rader)


def skriv_apart(rader: list) -> None:
    """One INSERT of the read's audit rows, as a transaction of its own (``kor_apart``)."""
    kor_apart(*_insert(rader))


def _insert(rader: list) -> tuple:
    """The INSERT of ORM rows not added to a session, and its parameters, one per row."""
    sats, kolumner = _insert_for(type(rader[0]))
    varden = [{nyckel: _med_standard(getattr(rad, nyckel), kolumn) for nyckel, kolumn in kolumner}
              for rad in rader]
    return sats, varden


@functools.cache
def _insert_for(modell: type) -> tuple:
    """A model's INSERT and its columns, built once: every audited read writes its rows
    with it, and a statement built anew computes its cache key anew (issue 19). Inline: no
    ``RETURNING`` of ids nobody reads."""
    mapper = sa_inspect(modell)
    # Every row with the same keys (an INSERT of many rows takes the first row's keys): a
    # missing value is the column's default, the primary key left to the database.
    kolumner = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs if not attr.columns[0].primary_key]
    return insert(mapper.local_table).inline(), kolumner


def kor_apart(sats, parametrar=None) -> None:
    """One statement on a connection of its own, as a transaction of its own: on SQLite
    the statement alone (no BEGIN: SQLite makes it one implicit transaction, taking the
    write lock only for the statement), tried as a writer's BEGIN is
    (``db.med_skrivlaset``); on PostgreSQL an ordinary short transaction. For what a read
    writes (its audit rows, a token's last use) without upgrading its own transaction."""
    with db.engine.connect() as conn:
        conn.execution_options(**{EN_SATS: True})
        if conn.dialect.name == "sqlite":
            med_skrivlaset(conn, lambda: conn.execute(sats, parametrar))
        else:
            conn.execute(sats, parametrar)
        conn.commit()


def _med_standard(varde, kolumn):
    if varde is not None or kolumn.default is None or not kolumn.default.is_scalar and not kolumn.default.is_callable:
        return varde
    return kolumn.default.arg(None) if kolumn.default.is_callable else kolumn.default.arg


def _avbryt(*, aterstall_kaka: bool) -> None:
    try:
        db.session.rollback()
    finally:
        g.pop("anrop_granskning", None)
        # What the error page reads afterwards is a read.
        g.anrop_laser = True
        sparad = g.pop("anrop_kaka", None)
        if aterstall_kaka and sparad is not None and has_request_context():
            if sparad.get("_user_id") != session.get("_user_id"):
                g.pop("_login_user", None)  # a login or logout undone: Flask-Login reads it again
            session.clear()
            session.update(sparad)
            request_ctx.flashes = None  # messages already taken out for a rendered page


def _stang(_error=None) -> None:
    if g.pop("anrop_agare", None) is None:
        return
    for nyckel in _TILLSTAND:
        g.pop(nyckel, None)
    # Anything still open was a read (the error page, a hook after the commit).
    db.session.rollback()


# --- jobs and commands -------------------------------------------------------------

@contextmanager
def jobbkontext(app: Flask) -> Iterator[None]:
    """A timed job's own app context: whatever it leaves open is rolled back and its
    session removed, so a failed job holds no connection or lock into the next tick.
    The job commits with ``transaktion()`` inside it."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.rollback()
            db.session.remove()


@contextmanager
def transaktion(*, skriver: bool = True) -> Iterator[None]:
    """One unit of work of a job or command: committed on a clean exit, rolled back on
    any exception (which propagates). ``skriver=False``: a read, deferred on SQLite."""
    if g.get("anrop_agare"):
        raise RuntimeError("transaktion() inside a request or another block: that one commits")
    if db.session().in_transaction() or _har_andringar(db.session):
        # Whatever the caller left open (a test's set-up) is committed first, as a job's
        # own first commit used to.
        db.session.commit()
    g.anrop_agare = "block"
    g.anrop_laser = not skriver
    try:
        yield
        _avsluta()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        for nyckel in _TILLSTAND:
            g.pop(nyckel, None)


@contextmanager
def i_omgangar() -> Iterator[tuple[Any, Callable[[], None]]]:
    """A command that rewrites many rows in batches, each committed (a key rotation, which
    may be stopped and run again): a connection of its own and the function that commits
    one batch; what is left is committed at the end, or rolled back on an error."""
    with db.engine.connect() as conn:
        yield conn, conn.commit
        conn.commit()


# --- the guard: a read never writes --------------------------------------------------

def _har_andringar(s: Session) -> bool:
    return bool(s.new or s.deleted or any(s.is_modified(o) for o in s.dirty))


def _skriver_i_lasning(vad: str) -> None:
    where = f"{request.method} {request.endpoint}" if has_request_context() else "a read block"
    message = (f"{where} {vad} in a read-only transaction; mark the view @anrop.skriver "
               "(on SQLite the write would have to upgrade the read's lock)")
    if current_app.testing or current_app.debug:
        raise RuntimeError(message)
    log.error(message)


@event.listens_for(Session, "before_flush")
def _vakta_flush(s: Session, flush_context, instances) -> None:
    if laser_nu() and g.get("anrop_agare") and _har_andringar(s):
        _skriver_i_lasning("flushes changes")


@event.listens_for(Session, "do_orm_execute")
def _vakta_sats(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and laser_nu() and g.get("anrop_agare"):
        _skriver_i_lasning("executes an INSERT, UPDATE or DELETE")


@event.listens_for(Session, "after_soft_rollback")
def _glom_granskning(s: Session, previous_transaction) -> None:
    # A read rolled back (a refusal the view shows itself) takes its audit rows with it,
    # as when they were in the same transaction.
    if has_app_context():
        g.pop("anrop_granskning", None)
