"""Swedish as people read it: numbers (Babel, sv_SE), plural forms, and alphabetical
order with å, ä, ö after z — in Python (``sorteringsnyckel``) and in SQL
(``svensk_ordning(kolumn)`` in an ORDER BY, on PostgreSQL and SQLite alike).

Dates and times are formatted in ``samverkan.web`` (2026-11-23, 13:00).
"""

from __future__ import annotations

import unicodedata

from babel.numbers import format_decimal, format_percent
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

LOCALE = "sv_SE"
# CLDR gives Swedish a no-break space (U+00A0) between thousands; the Swedish typographic
# norm (Språkrådet, TNC) is the narrow one, which also keeps a number on one line.
_TUSENTAL = str.maketrans({"\u00a0": "\u202f"})

# --- numbers ------------------------------------------------------------------------------


def tal(value: float | int | None, decimaler: int | None = None) -> str:
    """12 345,6: a narrow no-break space between thousands, a decimal comma."""
    if value is None:
        return ""
    if type(value) is int and value >= 0 and not decimaler:
        # What Babel gives a whole number (groups of three, no decimals), without its
        # pattern parsing: pages show dozens of counts, and this is their common case.
        return f"{value:,}".replace(",", "\u202f")
    monster = None if decimaler is None else (f"#,##0.{'0' * decimaler}" if decimaler else "#,##0")
    return format_decimal(value, format=monster, locale=LOCALE).translate(_TUSENTAL)


def procent(value: float | None, decimaler: int = 0) -> str:
    """A share 0–1 as per cent: 0.125 → "13 %" (or "12,5 %" with one decimal)."""
    if value is None:
        return ""
    # A space before the sign, a no-break one, so "13 %" never breaks over two lines.
    monster = (f"#,##0.{'0' * decimaler}" if decimaler else "#,##0") + "\u00a0%"
    return format_percent(value, format=monster, locale=LOCALE).translate(_TUSENTAL)


def antal(n: int, singular: str, plural: str) -> str:
    """"1 ärende", "2 ärenden", "0 ärenden": the number and the word in the right form."""
    return f"{tal(n)} {singular if n == 1 else plural}"


# --- alphabetical order -------------------------------------------------------------------

# The Swedish alphabet ends …x y z å ä ö. Letters of other languages sort with the
# Swedish letter they are read as (SAOL): é as e, ü as y, æ as ä, ø as ö.
# ("{", "|", "}" are the code points right after "z".)
_EFTER_Z = {"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y"}


def _primar(text: str) -> str:
    ut = []
    for tecken in text.casefold():
        if tecken in _EFTER_Z:
            ut.append(_EFTER_Z[tecken])
            continue
        # Other accents away: é → e, à → a.
        bas = unicodedata.normalize("NFD", tecken)
        ut.append("".join(c for c in bas if not unicodedata.combining(c)))
    return "".join(ut)


def sorteringsnyckel(text: str | None) -> tuple[str, str, str]:
    """For ``sorted(…, key=…)``: letters first, then case-insensitive, then exactly."""
    text = text or ""
    return _primar(text), text.casefold(), text


def sortera(rader, key=lambda rad: rad):
    """``rader`` sorted by the Swedish alphabet on ``key(rad)`` (a string)."""
    return sorted(rader, key=lambda rad: sorteringsnyckel(key(rad)))


def jamfor(a: str | None, b: str | None) -> int:
    """-1, 0 or 1: the SQLite collation (``COLLATE svenska``)."""
    ka, kb = sorteringsnyckel(a), sorteringsnyckel(b)
    return (ka > kb) - (ka < kb)


# PostgreSQL: ICU's Swedish collation (in every PostgreSQL built with ICU, as Debian's
# and the official images are: ``SELECT collname FROM pg_collation WHERE collname ILIKE 'sv%'``).
# SQLite: our own collation, registered on every connection.
PG_KOLLATION = "sv-SE-x-icu"
SQLITE_KOLLATION = "svenska"


@event.listens_for(Engine, "connect")
def _registrera_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ == "sqlite3":
        dbapi_connection.create_collation(SQLITE_KOLLATION, jamfor)


class svensk_ordning(ColumnElement):  # noqa: N801  (used like a SQL function)
    """``ORDER BY svensk_ordning(User.namn)``: the column in Swedish alphabetical order.

    Not with SELECT DISTINCT: PostgreSQL wants a DISTINCT query's ORDER BY expressions in
    its select list. Narrow with ``WHERE id IN (subquery)`` instead of join + distinct."""

    inherit_cache = True
    _traverse_internals = [("kolumn", InternalTraversal.dp_clauseelement)]

    def __init__(self, kolumn):
        self.kolumn = kolumn
        self.type = kolumn.type


@compiles(svensk_ordning)
def _standard(element, compiler, **kw):
    return compiler.process(element.kolumn, **kw)


@compiles(svensk_ordning, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"{compiler.process(element.kolumn, **kw)} COLLATE {SQLITE_KOLLATION}"


@compiles(svensk_ordning, "postgresql")
def _postgresql(element, compiler, **kw):
    return f'{compiler.process(element.kolumn, **kw)} COLLATE "{PG_KOLLATION}"'
