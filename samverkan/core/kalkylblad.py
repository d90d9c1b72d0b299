"""Text bound for a spreadsheet (CSV or XLSX) that people typed: a cell starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return is a formula to Excel (CSV injection),
so it is neutralised here, once, for every export."""

from __future__ import annotations

FORMELTECKEN = ("=", "+", "-", "@", "\t", "\r")


def ser_ut_som_formel(text: str) -> bool:
    return text[:1] in FORMELTECKEN


def csv_text(value) -> str:
    """The cell's text for a CSV file: a leading ``'`` before anything formula-like."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if ser_ut_som_formel(text) else text
