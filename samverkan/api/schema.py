"""The API's building blocks for schemas: the base classes and the fields every resource's
schemas are made of (marshmallow). One schema is the request's validation, the answer's
serialisation and, through apispec, the OpenAPI document.

This is transport, not rules: a field says whether a value has the documented shape
(object, integer, ISO date …). Whether the value is allowed is the services' call. Each
refusal names its stable code (``Felkod``), which the parser (``api/endpoint.py``) turns
into ``{"fel": {"kod", "meddelande", "falt"}}``.
"""

from __future__ import annotations

import datetime as dt
import re

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from samverkan.core.db import ID_MAX

# The database's integer (PostgreSQL int4): a larger number can name no row and would
# overflow the driver, so it is refused as input like any other wrong type.
HELTAL_MAX = 2**31 - 1


class Felkod(str):
    """A refusal's Swedish text (after the field's name) that knows its stable code.
    marshmallow formats messages with ``str.format``; the code survives it."""

    kod: str

    def __new__(cls, kod: str, text: str) -> Felkod:
        self = super().__new__(cls, text)
        self.kod = kod
        return self

    def format(self, *args, **kwargs) -> Felkod:
        return Felkod(self.kod, str.format(self, *args, **kwargs))


SAKNAS = Felkod("falt_saknas", "saknas.")
OKANT = Felkod("okant_falt", "är okänt.")


def _typfel(vad: str) -> dict[str, Felkod]:
    return {"invalid": Felkod("ogiltig_typ", f"ska vara {vad}."), "required": SAKNAS, "null": SAKNAS}


class In(Schema):
    """A request body: unknown fields are refused, since a misspelt optional field would
    otherwise be ignored silently and the request succeed without what the client meant."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": OKANT, "type": Felkod("ogiltig_typ", "ska vara ett objekt.")}


class Fraga(Schema):
    """Query parameters. Parameters the operation does not name are ignored."""

    class Meta:
        unknown = EXCLUDE

    error_messages = {"unknown": OKANT, "type": Felkod("ogiltig_parameter", "är felaktig.")}


class Ut(Schema):
    """An answer. Every field is always present, and so documented (``required``);
    ``allow_none=True`` documents that it may be null."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = True


# --- fields ------------------------------------------------------------------------------

UTAN_NUL = r"^[^\u0000]*$"


class Text(fields.String):
    """A string without NUL (PostgreSQL text cannot hold it; no user means one); documented
    by a pattern unless the field has its own."""

    default_error_messages = {**_typfel("en textsträng"),
                              "nul": Felkod("ogiltigt_tecken", "innehåller ett otillåtet tecken.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not any(isinstance(v, validate.Regexp) for v in self.validators):
            self.metadata = {"pattern": UTAN_NUL, **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise self.make_error("nul")
        return value


class Heltal(fields.Integer):
    """An integer within the database's integer; true/false and "1" are not numbers."""

    default_error_messages = {**_typfel("ett heltal"), "too_large": Felkod("ogiltig_typ", "ska vara ett heltal.")}

    def _validated(self, value):
        # JSON has one number type: 2.0 is the integer 2 (JSON Schema agrees); 2.5 is not.
        if isinstance(value, float) and value.is_integer() and self.strict:
            value = int(value)
        return super()._validated(value)

    def __init__(self, *, minimum: int = -HELTAL_MAX, maximum: int = HELTAL_MAX, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(validate=validate.Range(minimum, maximum, error=Felkod(
            "ogiltig_typ", "ska vara ett heltal" + (f" mellan {minimum} och {maximum}."
                                                     if minimum > -HELTAL_MAX else ".")
        )), **kwargs)


class Id(Heltal):
    """A row's id (1 …)."""

    def __init__(self, **kwargs):
        super().__init__(minimum=1, maximum=ID_MAX, **kwargs)


class Parameter(fields.Integer):
    """An integer query parameter, with its bounds."""

    def __init__(self, *, minimum: int, maximum: int = HELTAL_MAX, **kwargs):
        bound = f"mellan {minimum} och {maximum}" if maximum < HELTAL_MAX else f"minst {minimum}"
        fel = Felkod("ogiltig_parameter", f"ska vara ett heltal {bound}.")
        super().__init__(validate=validate.Range(minimum, maximum, error=fel),
                         error_messages={"invalid": fel, "too_large": fel, "required": SAKNAS, "null": fel}, **kwargs)


class Sant(fields.Boolean):
    """true or false, nothing else ("ja", 1 and "true" are not)."""

    default_error_messages = _typfel("true eller false")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Datum(fields.Date):
    """A calendar date as ÅÅÅÅ-MM-DD (not 20260101, weeks or times)."""

    _MONSTER = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    default_error_messages = {**_typfel("en textsträng"),
                              "invalid": Felkod("ogiltigt_datum", "ska vara ett datum som ÅÅÅÅ-MM-DD.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self._MONSTER.fullmatch(value):
            raise self.make_error("invalid")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None


class Tidpunkt(fields.DateTime):
    """An instant, UTC, ISO 8601 (answers only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "UTC, ISO 8601.")
        super().__init__(**kwargs)


KLOCKSLAG_MONSTER = "^([01][0-9]|2[0-3]):[0-5][0-9]$"


class Klockslag(fields.String):
    """A wall-clock time TT:MM in Europe/Stockholm."""

    default_error_messages = {**_typfel("en textsträng"),
                              "invalid": Felkod("ogiltig_tid", "ska vara ett klockslag som TT:MM.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "Svensk tid (Europe/Stockholm).")
        kwargs["metadata"].setdefault("pattern", KLOCKSLAG_MONSTER)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(KLOCKSLAG_MONSTER[1:-1], value):
            raise self.make_error("invalid")
        return dt.time.fromisoformat(value)


class Lista(fields.List):
    def __init__(self, inner, **kwargs):
        super().__init__(inner, **kwargs)
        self.error_messages = {**self.error_messages, **_typfel("en lista")}


class Objekt(fields.Nested):
    default_error_messages = {**_typfel("ett objekt")}


def val(values, *, kod: str = "ogiltigt_varde") -> validate.OneOf:
    """One of ``values`` (documented as an enum)."""
    values = list(values)
    return validate.OneOf(values, error=Felkod(kod, "har ett värde som inte finns i listan."))


def langd(*, minimum: int | None = None, maximum: int | None = None, kod: str = "ogiltigt_varde"):
    return validate.Length(min=minimum, max=maximum, error=Felkod(kod, "har fel längd."))


class Monster(validate.Regexp):
    """A pattern read as JSON Schema reads it (ECMA-262: found anywhere unless anchored, and
    ``$`` the very end), so the document and the check agree; Python's ``$`` would also
    accept a final newline."""

    def __init__(self, regex: str, *, error: str):
        super().__init__(regex, error=error)
        self._python = re.compile(re.sub(r"\$(\)?)$", r"\\Z\1", regex))

    def __call__(self, value):
        if self._python.search(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def monster(regex: str, *, kod: str = "ogiltigt_varde") -> Monster:
    return Monster(regex, error=Felkod(kod, "har fel form."))


__all__ = ["In", "Ut", "Fraga", "Felkod", "Text", "Heltal", "Id", "Parameter", "Sant", "Datum", "Tidpunkt",
           "Klockslag", "Lista", "Objekt", "val", "langd", "monster", "fields", "HELTAL_MAX"]
