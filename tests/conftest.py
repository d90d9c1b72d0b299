"""Test harness: every database test runs once on SQLite and once on PostgreSQL.

PostgreSQL is 127.0.0.1:5432 (trust auth) unless SAMVERKAN_TEST_POSTGRES_URL says
otherwise. Under CI=true (or SAMVERKAN_TEST_REQUIRE_POSTGRES=1) an unreachable server
fails the run; locally it is skipped with a reason. The schema is built by the Alembic
migrations, so every run also proves they work. Each test's rows are removed after it.
"""

from __future__ import annotations

import gc
import os
import uuid

import psycopg
import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import event, text

from samverkan import create_app
from samverkan.core import clock
from samverkan.core.db import db
from tests import factories

PG_ADMIN_URL = os.environ.get("SAMVERKAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CI") == "true" or os.environ.get("SAMVERKAN_TEST_REQUIRE_POSTGRES") == "1"
BACKENDS = os.environ.get("SAMVERKAN_TEST_DATABASES", "sqlite,postgresql").split(",")

# Property tests: modest example counts so the suite stays fast; HYPOTHESIS_PROFILE=grundlig
# for a long local hunt. A test's own @settings still wins.
settings.register_profile("snabb", max_examples=40, deadline=None)
settings.register_profile("grundlig", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "snabb"))


# The long tests first (measured December 2026: the browser tests, the process drills, the
# access matrix, schemathesis, the demo, the query budgets and the report properties).
# With --dist worksteal the worker that runs out takes the other's last tests: when those
# are short, both workers finish together instead of one waiting on a long test at the end.
LANGA = ("tests/browser/", "tests/kallelser/test_ledare.py", "tests/kallelser/test_processer.py",
         "tests/test_atkomstmatris.py", "tests/api/test_schemathesis.py", "tests/api/test_admin.py",
         "tests/test_demo.py", "tests/test_fragebudget.py", "tests/rapporter/test_undertryckning.py",
         "tests/rapporter/test_differens.py", "tests/rapporter/test_demo_rapport.py", "tests/test_migrations.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(LANGA))  # stable: otherwise in order


def pytest_collection_finish(session):
    # The cycle collector walked every imported module's objects again and again (about 5 %
    # of a worker's CPU): what collection loaded stays, so it is set aside, and the young
    # generation is collected less often (the tests make many short-lived ORM objects).
    gc.freeze()
    gc.set_threshold(7000, 20, 20)


def _pg_database(worker: str) -> str:
    """Create a fresh database for this worker and return its SQLAlchemy URL."""
    name = f"samverkan_test_{worker}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            # A commit does not wait for its WAL to reach the disk (about 2.5 ms each here,
            # far more when the machine's other work writes too): what other sessions see
            # is the same, only a crash of the server could lose the last commits, and
            # this database is thrown away at the end of the run.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except psycopg.OperationalError as error:
        message = f"PostgreSQL på {PG_ADMIN_URL} går inte att nå: {error}"
        if REQUIRE_PG:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}", name


def _drop_pg(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bygg_app(backend: str, tmp_path_factory):
    """The app on a new database of ``backend``, its schema built by the migrations."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    pg_name = None
    if backend == "postgresql":
        url, pg_name = _pg_database(worker)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-nyckel",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "samverkan.test",
    })
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
        db.session.remove()
    app.config["BACKEND"] = backend
    return app, pg_name


@pytest.fixture(scope="session")
def _appar():
    """Each database's app, built the first time a test asks for it and kept to the end of
    the session. pytest ends a parametrised session fixture whenever the next test has the
    other parameter, and with --dist worksteal a worker's tests alternate between the
    databases after every steal: without this, each switch rebuilt the schema (3–7 s)."""
    appar: dict[str, tuple] = {}
    yield appar
    for app, pg_name in appar.values():
        with app.app_context():
            db.engine.dispose()
        if pg_name:
            _drop_pg(pg_name)


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory, _appar):
    if request.param not in _appar:
        _appar[request.param] = _bygg_app(request.param, tmp_path_factory)
        gc.freeze()  # the app, its migrations' modules and compiled statements stay
    return _appar[request.param][0]


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # The audit log refuses DELETE by trigger (migration 0004); between tests, and
        # only here, this superuser session skips ordinary triggers (and so the foreign
        # keys' checks: the order does not matter). DELETE, not TRUNCATE: TRUNCATE of
        # every table costs ~0.9 s a test here, DELETE of a test's few rows ~20 ms.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        # All in one round trip (psycopg runs several statements given without parameters):
        # a round trip per table cost 5 ms of CPU and 10-20 ms of waiting in each test.
        db.session.execute(text("".join(f"DELETE FROM {table};" for table in tables)))
        # Ids start at 1 again in every test, as on SQLite (TRUNCATE's RESTART IDENTITY).
        db.session.execute(text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context with an empty database; rows are removed after the test."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            clock.set_clock(None)
            _empty_all_tables()
            db.session.remove()


@pytest.fixture
def world(ctx):
    w = factories.standardvarld()
    db.session.commit()
    return w


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own ``g``, own database session), as in
    production; the test's objects do not leak into the request or back."""

    def open(self, *args, **kwargs):
        # Commit what the test set up and end its transaction: the request must see the
        # data, and on SQLite (BEGIN IMMEDIATE) an open test transaction would block it.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(ctx):
    ctx.test_client_class = IsolatedClient
    return ctx.test_client()


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in through the real login form."""

    def _login(user):
        response = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return _login


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(ctx):
    """``with count_queries() as q: ...`` then ``q.count``."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return _count
