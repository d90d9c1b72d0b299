"""JSON in and out for the API: reading request bodies and query parameters with their
types checked, and writing dates as ISO strings.

This is transport, not rules: it only says whether a value has the shape the endpoint
documents (object, integer, ISO date …). Whether the value is allowed is the services'
call. Every refusal is a DomainError with a stable code, so a malformed request gets a
400/422 JSON answer and never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from flask import request

from samverkan.core.errors import DomainError

# ISO 8601 calendar dates only; date.fromisoformat would also take "20260101" and weeks.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _invalid_type(name: str, what: str) -> DomainError:
    return DomainError("ogiltig_typ", f"Fältet ”{name}” ska vara {what}.", field=name)


class Payload:
    """One JSON object, read field by field. A field that is absent or null is ``None``."""

    def __init__(self, data: dict, *, prefix: str = ""):
        self.data = data
        self.prefix = prefix

    def _get(self, name: str, required: bool):
        value = self.data.get(name)
        if value is None and required:
            raise DomainError("falt_saknas", f"Fältet ”{self.prefix}{name}” saknas.",
                              field=self.prefix + name)
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, str):
            raise _invalid_type(self.prefix + name, "en textsträng")
        if value is not None and "\x00" in value:
            # PostgreSQL text cannot hold NUL; no user means one.
            raise DomainError("ogiltigt_tecken", f"Fältet ”{self.prefix}{name}” innehåller ett otillåtet tecken.",
                              field=self.prefix + name)
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self._get(name, required)
        # bool is an int subclass in Python, but true is not a number in JSON.
        if value is not None and not _heltal(value):
            raise _invalid_type(self.prefix + name, "ett heltal")
        return value

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, bool):
            raise _invalid_type(self.prefix + name, "true eller false")
        return value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise DomainError("ogiltigt_datum",
                              f"Fältet ”{self.prefix}{name}” ska vara ett datum som ÅÅÅÅ-MM-DD.",
                              field=self.prefix + name) from None

    def integer_list(self, name: str, *, required: bool = False) -> list[int] | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, list) or not all(_heltal(v) for v in value):
            raise _invalid_type(self.prefix + name, "en lista med heltal")
        return value

    def mapping(self, name: str, *, allowed: Iterable[str]) -> Payload | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _invalid_type(self.prefix + name, "ett objekt")
        return _checked(value, allowed, prefix=f"{self.prefix}{name}.")


def _checked(data: dict, allowed: Iterable[str], *, prefix: str = "") -> Payload:
    # Unknown fields are refused: a misspelt optional field would otherwise be ignored
    # silently and the request would succeed without what the client meant to send.
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError("okant_falt", f"Okänt fält: ”{prefix}{unknown[0]}”.", field=prefix + unknown[0])
    return Payload(data, prefix=prefix)


def json_body(allowed: Iterable[str]) -> Payload:
    """The request body as a JSON object with only the ``allowed`` fields, or 400/422."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise DomainError("ogiltig_json", "Begäran ska ha ett JSON-objekt som innehåll "
                          "(Content-Type: application/json).", status=400)
    return _checked(data, allowed)


# The database's integer (PostgreSQL int4): a larger number can name no row and would
# overflow the driver, so it is refused as input like any other wrong type.
HELTAL_MAX = 2**31 - 1


def _heltal(value) -> bool:
    # bool is an int subclass in Python, but true is not a number in JSON.
    return isinstance(value, int) and not isinstance(value, bool) and -HELTAL_MAX <= value <= HELTAL_MAX


def query_int(name: str, default: int, *, minimum: int, maximum: int = HELTAL_MAX) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or value > maximum:
        bound = f"mellan {minimum} och {maximum}" if maximum < HELTAL_MAX else f"minst {minimum}"
        raise DomainError("ogiltig_parameter", f"Parametern ”{name}” ska vara ett heltal {bound}.",
                          field=name)
    return value


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """Dates as YYYY-MM-DD, instants as UTC ISO 8601 (…+00:00)."""
    return value.isoformat() if value is not None else None
