"""Helpers for the hand-written Alembic migrations (``migrations/versions``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


@contextmanager
def sqlite_utan_fk(bind: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change a column or a constraint (batch mode), and
    dropping the old copy of a table other rows point at fails while foreign keys are on;
    the pragma can only change outside a transaction. So: commit, turn them off, rebuild,
    check every reference (``foreign_key_check``), commit, turn them on again. Other
    databases: nothing to do."""
    if bind.dialect.name != 'sqlite':
        yield
        return
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys = OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    try:
        yield
        trasiga = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if trasiga:
            raise RuntimeError(f'Migreringen lämnade trasiga referenser: {trasiga[:5]}')
        bind.exec_driver_sql('COMMIT')
    except BaseException:
        bind.exec_driver_sql('ROLLBACK')
        raise
    finally:
        bind.exec_driver_sql('PRAGMA foreign_keys = ON')
        bind.exec_driver_sql('BEGIN IMMEDIATE')  # alembic's own transaction goes on
