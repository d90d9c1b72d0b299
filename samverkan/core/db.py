"""The database handle, the declarative base and the column types every model shares.

Timestamps are stored as UTC and converted to Europe/Stockholm only for display.
SQLite gets the pragmas it needs for real use (foreign keys, WAL, busy timeout) and
takes the write lock at BEGIN so two writers queue instead of failing half-way.
"""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    # BEGIN IMMEDIATE takes the write lock up front: a read-then-write transaction
    # can then never fail with "database is locked" when it tries to upgrade.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
