"""core.anrop: one transaction per request, job and command.

What the request commits and when, what it rolls back (a refusal, a bug, a commit that
fails, and then no confirmation is shown), that only the machinery commits (a scan of the
source), that a read on SQLite takes no write lock while its audit row is still written
before the response, and the bounded retry of a writer that finds the database locked.

The routes under /prov/ live in an app of their own, built over the test database, so the
real app's route table (and its access matrix) stays as it is.
"""

from __future__ import annotations

import ast
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from flask import get_flashed_messages, jsonify, redirect
from sqlalchemy import event, func, select, text

from samverkan import create_app
from samverkan.auth import policy
from samverkan.auth.models import ApiToken
from samverkan.auth.services import create_token
from samverkan.core import anrop, audit
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.handling import utfor
from samverkan.forbund.models import Forbund
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MASKINERIET = {"samverkan/core/anrop.py"}


# --- only the machinery commits ------------------------------------------------------

def commits_in(source: str) -> list[int]:
    """Lines that name ``.commit`` on anything: ``db.session.commit()``,
    ``session.commit()``, ``conn.commit()``, or ``spara = db.session.commit`` to call later.
    Comments and strings do not count (the source is parsed, not grepped)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "commit"]


@pytest.mark.parametrize("planted", [
    "def lagg_till(x):\n    db.session.add(x)\n    db.session.commit()\n",
    "with app.app_context():\n    db.session().commit()\n",
    "klart = db.session.commit\nklart()\n",
    "def f(conn):\n    conn.commit()\n",
])
def test_the_scan_catches_a_planted_commit(planted):
    """Plant-proof: each of these, put in e.g. samverkan/moten/views.py, is reported by
    the test below as ``samverkan/moten/views.py:<line>``."""
    assert commits_in(planted)
    assert not commits_in("# db.session.commit() in a comment\nx = 'db.session.commit()'\n")


def test_no_module_outside_the_request_machinery_commits():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "samverkan").rglob("*.py"))
        if str(path.relative_to(ROOT)) not in MASKINERIET
        for line in commits_in(path.read_text(encoding="utf-8"))
    ]
    assert not found, ("commit() outside core/anrop.py (the request, a job's or a command's "
                       "transaktion() block commits): " + ", ".join(found))


# --- an app with test routes over the same database ------------------------------------

@pytest.fixture
def prov(ctx):
    """An app of its own over the test database, with routes that do what a view may do."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-nyckel", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"],
        "SERVER_NAME": "samverkan.test",
        "PROPAGATE_EXCEPTIONS": False,  # as in production: the error page answers
        "SQLITE_BUSY_MS": 100,  # the retry test waits a tenth of a second per attempt
    })
    app.config["BACKEND"] = ctx.config["BACKEND"]
    ny = _ny_forbund

    def route(path, methods=("POST",)):
        def dekorera(view):
            app.add_url_rule(path, view.__name__, policy.regel("offentlig")(view), methods=list(methods))
            return view
        return dekorera

    @route("/prov/spara")
    def spara():
        with utfor() as h:
            ny("PRA")
            h.klart("Förbundet är sparat.")
        return redirect("/prov/meddelanden", code=303)

    @route("/prov/spara-dubblett")
    def spara_dubblett():
        # Nothing flushed in the block: the unique key is first checked by the request's
        # own commit, which then fails.
        with utfor() as h:
            db.session.add(Forbund(namn="Samordningsförbundet Dubblett", kod="PRA"))
            h.klart("Förbundet är sparat.")
        return redirect("/prov/meddelanden", code=303)

    @route("/prov/vagra-i-utfor")
    def vagra_i_utfor():
        with utfor() as h:
            ny("PRB")
            raise DomainError("upptaget", "Koden används redan.")
        return ("vägrad", h.status) if h.fel else ("sparad", 200)

    @route("/prov/vagra")
    def vagra():
        ny("PRC")
        raise DomainError("upptaget", "Koden används redan.", status=409)

    @route("/prov/krasch")
    def krasch():
        ny("PRD")
        return str(1 / 0)

    @route("/prov/meddelanden", methods=("GET",))
    def meddelanden():
        return jsonify(get_flashed_messages())

    @route("/prov/las-granskad/<int:status>", methods=("GET",))
    def las_granskad(status):
        audit.record("prov.las", "forbund", status, user_id=None)
        if status == 500:
            raise RuntimeError("after the audit, before the answer")
        return "läst", status

    @route("/prov/las-granskad-ogiltig", methods=("GET",))
    def las_granskad_ogiltig():
        # An id no integer column takes: the audit row's INSERT fails after the view.
        audit.record("prov.las", "forbund", 2**70, user_id=None)
        return "läst"

    @route("/prov/las-som-skriver", methods=("GET",))
    def las_som_skriver():
        ny("PRE")
        return "skrev"

    @route("/prov/skriv-via-get", methods=("GET",))
    @anrop.skriver
    def skriv_via_get():
        ny("PRF")
        return "skrev"

    yield app
    with app.app_context():
        db.engine.dispose()


def _ny_forbund(kod: str) -> Forbund:
    forbund = Forbund(namn=f"Samordningsförbundet {kod}", kod=kod)
    db.session.add(forbund)
    db.session.flush()
    return forbund


def _koder() -> list[str]:
    """What is committed. The test's own read ends at once: on SQLite it holds the lock."""
    db.session.rollback()
    koder = list(db.session.scalars(select(Forbund.kod).where(Forbund.kod.like("PR%")).order_by(Forbund.kod)))
    db.session.rollback()
    return koder


def _granskat(objekt_id: int) -> int:
    db.session.rollback()
    antal = db.session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.handling == "prov.las", AuditEntry.objekt_id == objekt_id))
    db.session.rollback()
    return antal


# --- the request's transaction -------------------------------------------------------

def test_the_request_commits_once_the_view_has_returned(prov):
    klient = prov.test_client()
    svar = klient.post("/prov/spara")
    assert svar.status_code == 303
    assert _koder() == ["PRA"]
    assert klient.get("/prov/meddelanden").get_json() == ["Förbundet är sparat."]


def test_a_refusal_in_a_handler_saves_nothing_and_the_page_answers(prov):
    svar = prov.test_client().post("/prov/vagra-i-utfor")
    assert (svar.status_code, svar.get_data(as_text=True)) == (422, "vägrad")
    assert _koder() == []


def test_a_refusal_from_the_view_rolls_back_and_the_error_page_answers(prov):
    svar = prov.test_client().post("/prov/vagra")
    assert svar.status_code == 409 and "Koden används redan." in svar.get_data(as_text=True)
    assert _koder() == []


def test_a_bug_rolls_back_and_the_swedish_error_page_answers(prov):
    svar = prov.test_client().post("/prov/krasch")
    html = svar.get_data(as_text=True)
    assert svar.status_code == 500 and "Något gick fel hos oss. Inget sparades." in html
    assert "ZeroDivisionError" not in html
    assert _koder() == []


def test_a_commit_that_fails_shows_the_error_page_and_no_confirmation(prov):
    klient = prov.test_client()
    assert klient.post("/prov/spara").status_code == 303
    assert klient.get("/prov/meddelanden").get_json() == ["Förbundet är sparat."]

    svar = klient.post("/prov/spara-dubblett")
    html = svar.get_data(as_text=True)
    assert svar.status_code == 500 and "Inget sparades." in html and "är sparat" not in html
    # Not on the next page either: the session went back to what it was before the view.
    assert klient.get("/prov/meddelanden").get_json() == []
    assert _koder() == ["PRA"]
    assert db.session.scalar(select(func.count()).select_from(Forbund)
                             .where(Forbund.namn == "Samordningsförbundet Dubblett")) == 0


def test_a_read_that_writes_is_stopped_unless_the_view_says_it_writes(prov):
    # Under test and debug a read-only request that writes fails loudly (in production it
    # is logged): on SQLite its write would have to upgrade the read's lock.
    assert prov.test_client().get("/prov/las-som-skriver").status_code == 500
    assert _koder() == []
    assert prov.test_client().get("/prov/skriv-via-get").status_code == 200
    assert _koder() == ["PRF"]


@pytest.mark.parametrize("status", [200, 403])
def test_an_audited_read_is_written_even_when_it_answers_a_refusal(prov, status):
    assert prov.test_client().get(f"/prov/las-granskad/{status}").status_code == status
    assert _granskat(status) == 1


def test_an_audited_read_that_fails_leaves_no_row(prov):
    assert prov.test_client().get("/prov/las-granskad/500").status_code == 500
    assert _granskat(500) == 0


def test_an_audited_read_whose_audit_row_fails_is_not_shown(prov):
    svar = prov.test_client().get("/prov/las-granskad-ogiltig")
    assert svar.status_code == 500 and "läst" not in svar.get_data(as_text=True)


# --- jobs and commands ---------------------------------------------------------------

def test_a_block_commits_on_a_clean_exit_and_rolls_back_on_any_error(ctx):
    with anrop.transaktion():
        _ny_forbund("PRG")
    with pytest.raises(ZeroDivisionError), anrop.transaktion():
        _ny_forbund("PRH")
        1 / 0  # noqa: B018
    with pytest.raises(DomainError), anrop.transaktion():
        _ny_forbund("PRI")
        raise DomainError("nej", "Nej.")
    assert _koder() == ["PRG"]


def test_a_read_block_refuses_to_write_and_a_block_cannot_nest(ctx):
    with pytest.raises(RuntimeError, match="read-only"), anrop.transaktion(skriver=False):
        _ny_forbund("PRJ")
    with pytest.raises(RuntimeError, match="inside"), anrop.transaktion(), anrop.transaktion():
        pass
    assert _koder() == []


# --- SQLite: reads in parallel -------------------------------------------------------

def _sqlite_path(app) -> str:
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the write lock at BEGIN is SQLite's")
    with app.app_context():
        return db.engine.url.database


def test_a_read_on_sqlite_takes_no_write_lock_and_its_audit_row_is_written_before_the_answer(
        app, world, login):
    """Another connection holds the write lock (BEGIN IMMEDIATE). The ärende list and the
    audited case page still read; the case page then waits for the lock to insert its
    audit row, and answers only after it is written."""
    sokvag = _sqlite_path(app)
    arende = factories.create_arende(world)
    klient = login(world.users["ledamot_af"])
    kaka = klient.get_cookie("samverkan_session", domain="samverkan.test")
    arende_id, referens, user_id = arende.id, arende.referens, world.users["ledamot_af"].id
    db.session.commit()  # and touch nothing after: the test's own session would take the lock

    satser: list[str] = []
    lyssnare = lambda conn, cursor, statement, *rest: satser.append(statement)  # noqa: E731
    laset = sqlite3.connect(sokvag, isolation_level=None, timeout=0)
    laset.execute("BEGIN IMMEDIATE")
    event.listen(db.engine, "before_cursor_execute", lyssnare)
    try:
        start = time.monotonic()
        lista = klient.get("/arenden/")
        assert lista.status_code == 200 and referens in lista.get_data(as_text=True)
        # Had it waited for the lock it would have taken the busy timeout (5 s) three times.
        assert time.monotonic() - start < 10, "the list waited for the write lock"
        assert "BEGIN IMMEDIATE" not in satser

        svar = {}

        def las_arendet():
            c = app.test_client()
            c.set_cookie(kaka.key, kaka.value, domain=kaka.domain)
            with app.app_context():
                try:
                    svar["arende"] = c.get(f"/arenden/{arende_id}")
                finally:
                    db.session.remove()

        satser.clear()
        trad = threading.Thread(target=las_arendet)
        trad.start()

        def skrivning() -> int | None:
            return next((i for i, s in enumerate(satser)
                         if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE"))),
                        None)

        grans = time.monotonic() + 10
        while skrivning() is None and time.monotonic() < grans:
            time.sleep(0.01)
        fore, forsta_skrivning = satser[:skrivning()], satser[skrivning()]
        # The whole page was read, deferred, while the lock was held; then the audit row
        # (the page reads in nine statements here: the lists it finds empty cost none).
        assert fore[0] == "BEGIN" and sum(s.lstrip().upper().startswith("SELECT") for s in fore) >= 8
        assert "INSERT INTO granskningslogg" in forsta_skrivning
        time.sleep(0.2)
        assert trad.is_alive(), "the page answered before its read was logged"
        assert "arende" not in svar
    finally:
        laset.execute("COMMIT")
        laset.close()
        event.remove(db.engine, "before_cursor_execute", lyssnare)
    trad.join(20)
    assert svar["arende"].status_code == 200
    db.session.rollback()
    rader = db.session.scalars(select(AuditEntry).where(
        AuditEntry.handling == "arende.visa", AuditEntry.objekt_id == arende_id)).all()
    assert [(r.user_id, r.kanal) for r in rader] == [(user_id, "webb")]


def test_an_api_read_on_sqlite_takes_no_write_lock_and_writes_the_tokens_last_use_apart(app, world):
    """A read by API token begins deferred like a page's: it answers while another
    connection holds the write lock. The token's last use (at most once a minute) is one
    UPDATE of its own, never a write lock taken by the read (issue 19)."""
    sokvag = _sqlite_path(app)
    _, secret = create_token(world.users["projektledare"], "läsare")
    db.session.commit()
    klient = app.test_client()
    rubrik = {"Authorization": f"Bearer {secret}"}

    satser: list[str] = []
    lyssnare = lambda conn, cursor, statement, *rest: satser.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", lyssnare)
    try:
        assert klient.get("/api/v1/teams", headers=rubrik).status_code == 200  # the first use: written
        skrivningar = [s for s in satser if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE"))]
        assert [s.split()[0:3] for s in skrivningar] == [["UPDATE", "api_token", "SET"]], satser
        assert "BEGIN" in satser

        satser.clear()
        laset = sqlite3.connect(sokvag, isolation_level=None, timeout=0)
        laset.execute("BEGIN IMMEDIATE")
        try:
            start = time.monotonic()
            svar = klient.get("/api/v1/teams", headers=rubrik)  # within the minute: nothing to write
            assert svar.status_code == 200
            assert time.monotonic() - start < 10, "the API read waited for the write lock"
        finally:
            laset.execute("COMMIT")
            laset.close()
        assert "BEGIN IMMEDIATE" not in satser
        assert not [s for s in satser if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    finally:
        event.remove(db.engine, "before_cursor_execute", lyssnare)
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.senast_anvand)) is not None


def test_a_writer_retries_a_locked_database_a_bounded_number_of_times(prov):
    sokvag = _sqlite_path(prov)
    laset = sqlite3.connect(sokvag, isolation_level=None, timeout=0, check_same_thread=False)
    laset.execute("BEGIN IMMEDIATE")
    try:
        # Held throughout: three attempts of 0.1 s each, then the error page; nothing saved.
        start = time.monotonic()
        svar = prov.test_client().post("/prov/spara")
        assert svar.status_code == 500 and "Inget sparades." in svar.get_data(as_text=True)
        assert 0.3 <= time.monotonic() - start < 10
    finally:
        laset.execute("COMMIT")
    # Released when the first attempt has failed (not after a fixed pause, which a busy
    # machine may overrun): a later attempt takes the lock.
    laset.execute("BEGIN IMMEDIATE")

    class SlappEfterForstaForsoket(logging.Handler):
        def emit(self, record):
            if "attempt 1 of" in record.getMessage() and laset.in_transaction:
                laset.execute("COMMIT")

    hanterare = SlappEfterForstaForsoket()
    logging.getLogger("samverkan.core.db").addHandler(hanterare)
    try:
        assert prov.test_client().post("/prov/spara").status_code == 303
    finally:
        logging.getLogger("samverkan.core.db").removeHandler(hanterare)
        if laset.in_transaction:
            laset.execute("COMMIT")
        laset.close()
    assert _koder() == ["PRA"]



@pytest.mark.parametrize("metod, sokvag, sats", [
    ("post", "/prov/spara", "BEGIN IMMEDIATE"),  # a writer's transaction
    ("get", "/prov/las-granskad/200", "INSERT INTO granskningslogg"),  # a read's audit row, written apart
])
def test_a_request_waiting_for_the_write_lock_tries_again_every_few_milliseconds(prov, metod, sokvag, sats):
    """SQLite's busy handler sleeps up to 100 ms between its tries, long after the lock is
    free (the p99 of a meeting's requests, issue 19): the wait is the app's own, a try every
    few milliseconds. Held until the request has tried ten times, which SQLite's handler
    would take seconds for (a condition, not a pause a busy machine may overrun)."""
    laset = sqlite3.connect(_sqlite_path(prov), isolation_level=None, timeout=0, check_same_thread=False)
    prov.config["SQLITE_BUSY_MS"] = 5000
    forsok: list[float] = []

    def lyssnare(conn, cursor, statement, *rest):
        if statement.startswith(sats):
            forsok.append(time.monotonic())

    with prov.app_context():
        motor = db.engine
    event.listen(motor, "before_cursor_execute", lyssnare)
    svar = {}
    laset.execute("BEGIN IMMEDIATE")
    try:
        trad = threading.Thread(target=lambda: svar.setdefault("s", getattr(prov.test_client(), metod)(sokvag)))
        trad.start()
        grans = time.monotonic() + 20
        while len(forsok) < 10 and trad.is_alive() and time.monotonic() < grans:
            time.sleep(0.005)
        assert len(forsok) >= 10, f"{len(forsok)} tries in {time.monotonic() - grans + 20:.1f} s"
        assert trad.is_alive(), "the request gave up while the lock was held"
    finally:
        laset.execute("COMMIT")
        laset.close()
        trad.join(20)
        event.remove(motor, "before_cursor_execute", lyssnare)
    assert svar["s"].status_code in (200, 303)
    if metod == "post":
        assert _koder() == ["PRA"]
    else:
        assert _granskat(200) == 1

# --- PostgreSQL: a read without BEGIN and COMMIT -------------------------------------

def _postgresql(app) -> None:
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("the transaction block is PostgreSQL's; SQLite's read is a deferred BEGIN")


def test_a_read_on_postgresql_holds_no_transaction_open_and_a_write_does(app, world, login):
    """A page that only reads runs its statements without BEGIN and COMMIT (two round
    trips saved, issue 19): after each one the connection is idle, not in a transaction.
    Its audit row is still written before the answer; a write runs in one transaction."""
    _postgresql(app)
    arende = factories.create_arende(world)
    klient = login(world.users["projektledare"])
    arende_id = arende.id
    db.session.commit()

    status: list[tuple[str, str]] = []

    def efter(conn, cursor, statement, *rest):
        status.append((statement.split()[0].upper(), conn.connection.dbapi_connection.info.transaction_status.name))

    event.listen(db.engine, "after_cursor_execute", efter)
    try:
        assert klient.get(f"/arenden/{arende_id}").status_code == 200
        las = list(status)
        status.clear()
        assert klient.post(f"/arenden/{arende_id}/anteckningar",
                           data={"ny-text": "<p>Ny anteckning</p>"}).status_code in (302, 303)
        skriv = list(status)
    finally:
        event.remove(db.engine, "after_cursor_execute", efter)
    assert ("INSERT", "IDLE") in las and {s for _, s in las} == {"IDLE"}, las
    assert skriv and {s for _, s in skriv} == {"INTRANS"}, skriv
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.objekt_typ == "arende", AuditEntry.objekt_id == arende_id, AuditEntry.handling == "arende.visa")) == 1


def test_the_reports_working_memory_is_set_for_the_report_only_in_a_read_and_in_a_block(ctx, app):
    """rakneminne raises work_mem for the report's statements: SET LOCAL in a transaction,
    the session's setting (reset after) on a read's connection, where SET LOCAL does nothing."""
    _postgresql(app)
    from samverkan.rapporter.queries import rakneminne

    def work_mem() -> str:
        return db.session.execute(text("SHOW work_mem")).scalar_one()

    fore = work_mem()
    db.session.rollback()
    db.session.connection(execution_options=anrop.AUTOCOMMIT)
    with rakneminne():
        assert work_mem() == "32MB"
    assert work_mem() == fore
    db.session.rollback()
    with anrop.transaktion(skriver=False), rakneminne():
        assert work_mem() == "32MB"
    assert work_mem() == fore
