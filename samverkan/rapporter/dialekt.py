"""The one place SQLite and PostgreSQL differ for the reports: whole days between two
dates (or timestamps). PostgreSQL subtracts dates to an integer; SQLite has no date type
and counts with julianday()."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class dagar_mellan(FunctionElement):  # noqa: N801  (used like a SQL function)
    """``dagar_mellan(senare, tidigare)``: whole days from ``tidigare`` to ``senare``.

    Timestamps are cut to their (UTC) date first, so a time of day never adds a fraction.
    """

    type = Integer()
    inherit_cache = True
    name = "dagar_mellan"


@compiles(dagar_mellan)
def _postgresql(element, compiler, **kw):
    senare, tidigare = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({senare} AS DATE) - CAST({tidigare} AS DATE))"


@compiles(dagar_mellan, "sqlite")
def _sqlite(element, compiler, **kw):
    senare, tidigare = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday(date({senare})) - julianday(date({tidigare})) AS INTEGER)"
