"""The database layer's own behaviour (``core.db``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from samverkan.core.db import db


def test_a_postgresql_description_still_reads_after_the_cursor_has_moved_on(ctx):
    """psycopg's ``description`` is built lazily (``core.db._Kolumner``): the columns must
    be those of the statement it was asked about, whatever the cursor ran since."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's cursor")
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    cursor.execute("SELECT 1 AS a, 'x'::text AS b")
    beskrivning = cursor.description
    cursor.execute("SELECT 2 AS c")
    assert [(k.name, k.type_code) for k in beskrivning] == [("a", 23), ("b", 25)] and len(beskrivning) == 2
    assert [k.name for k in cursor.description] == ["c"]
    cursor.execute("SET LOCAL statement_timeout = 0")
    assert cursor.description is None  # no result columns: psycopg's own answer
    assert list(db.session.execute(text("SELECT 3 AS d")).keys()) == ["d"]  # SQLAlchemy reads the names
