"""One decorator makes an API endpoint: its route, the request schema it reads (webargs),
the answer schema it writes (marshmallow) and the refusals it can give. The same
declaration is the OpenAPI document (``api/dokument.py``), so nothing is written twice.

    @endpoint("POST", "/moten/<int:mote_id>/protokoll/tillagg", body=NyttProtokolltillagg,
              svar=(201, Protokolltillagg), fel=(403,))
    @policy.regel("projektledare")
    def protokolltillagg(mote_id: int, body: dict):
        \"\"\"Skriv ett tillägg till ett justerat protokoll (projektledaren)\"\"\"
        return protokoll.lagg_till(api_user(), mote_id, body["text"])

The function gets the path's ids, then ``body`` (a dict from the body schema) and/or
``fraga`` (the query schema's dict) as keyword arguments; it returns what the answer
schema dumps (an object or a dict), optionally with headers: ``return obj, {"Location": …}``.
Its docstring's first line is the operation's summary, the rest its description.

Every operation documents 400 (not JSON, or a NUL character in the query) and 401 (no
valid token) unless public; an operation with a body or query documents 422; with a path
id 404. Further refusals are named in ``fel`` (403, 404, 409, 422). A refusal is a
``DomainError`` raised anywhere below: answered as ``{"fel": {"kod", "meddelande",
"falt"}}`` (``falt_fel`` as well when several fields were refused at once).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Response, abort, jsonify
from marshmallow import Schema
from webargs.flaskparser import FlaskParser

from samverkan import web
from samverkan.api import bp
from samverkan.api.schema import Felkod
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel


@dataclass
class Operation:
    """What the decorator was told, for the document."""

    method: str
    path: str  # Flask's rule below /api/v1, e.g. /arenden/<int:arende_id>
    view: Callable
    body: type[Schema] | None
    fraga: type[Schema] | None
    status: int
    svar: type[Schema] | dict | None
    fel: set[int] = field(default_factory=set)
    headers: tuple[str, ...] = ()


OPERATIONER: list[Operation] = []


def endpoint(method: str, path: str, *, body: type[Schema] | None = None, fraga: type[Schema] | None = None,
             svar: tuple[int, type[Schema] | dict | None] | type[Schema] | dict | None = None, fel: Iterable[int] = (),
             headers: Iterable[str] = ()):
    status, svarsschema = svar if isinstance(svar, tuple) else (200, svar)

    def decorate(view: Callable) -> Callable:
        names = set(inspect.signature(view).parameters)
        if body is not None and "body" not in names or fraga is not None and "fraga" not in names:
            raise TypeError(f"{view.__name__}: takes body/fraga as keyword arguments")

        # Each schema instantiated once, not on every request: an instance keeps nothing of
        # a call, and building one (with its nested schemas) cost about a third of the
        # serialising of a page of 25 ärenden (issue 19).
        las_body, las_fraga = (schema() if schema is not None else None for schema in (body, fraga))
        dumpa = svarsschema().dump if isinstance(svarsschema, type) else None

        @functools.wraps(view)
        def handler(**path_args):
            kwargs = dict(path_args)
            if las_body is not None:
                kwargs["body"] = parser.parse(las_body, location="json")
            if las_fraga is not None:
                kwargs["fraga"] = parser.parse(las_fraga, location="query")
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            extra = {}
            if isinstance(result, tuple):
                result, extra = result
            if svarsschema is None:
                return "", status, extra
            if isinstance(svarsschema, dict):  # a plain JSON schema: the value as it is
                return jsonify(result), status, extra
            return jsonify(dumpa(result)), status, extra

        bp.add_url_rule(path, view.__name__, handler, methods=[method])
        OPERATIONER.append(Operation(method.lower(), path, handler, body, fraga, status, svarsschema,
                                     set(fel), tuple(headers)))
        return handler

    return decorate


# --- reading the request ---------------------------------------------------------------

class _Parser(FlaskParser):
    def load_json(self, req, schema):
        if req.max_content_length is not None and (req.content_length or 0) > req.max_content_length:
            abort(413)  # get_json(silent=True) would turn the refusal into "not JSON"
        data = req.get_json(silent=True) if req.is_json else None
        if not isinstance(data, dict):
            raise DomainError("ogiltig_json", "Begäran ska ha ett JSON-objekt som innehåll "
                              "(Content-Type: application/json).", status=400)
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        (location, messages), = error.messages.items()
        path, message = _forsta(messages)
        kod = message.kod if isinstance(message, Felkod) else "ogiltigt_varde"
        vad = "Parametern" if location == "query" else "Fältet"
        raise DomainError(kod, f"{vad} ”{path}” {message}", field=path or None)


def _forsta(messages) -> tuple[str, str]:
    """The refused field to name: an unknown field first (a misspelt name explains the
    rest), else the first in the schema's order; and its message."""
    refusals = list(_alla(messages))
    unknown = [(path, m) for path, m in refusals if getattr(m, "kod", None) == "okant_falt"]
    return (unknown or refusals)[0]


def _alla(messages, prefix: str = ""):
    if isinstance(messages, dict):
        for name, inner in messages.items():
            yield from _alla(inner, prefix if name == "_schema" else f"{prefix}{name}.")
    elif isinstance(messages, list):
        for message in messages:
            yield from _alla(message, prefix)
    else:
        yield prefix.rstrip("."), messages


parser = _Parser()


# --- answering refusals -----------------------------------------------------------------

def fel_svar(error: DomainError) -> Response:
    """The one shape of every refusal."""
    fel = {"kod": error.code, "meddelande": error.message, "falt": error.field}
    if isinstance(error, Valideringsfel):
        fel["falt_fel"] = error.fel
    response = jsonify(fel=fel)
    response.status_code = error.status
    return response


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    db.session.rollback()
    web.audit_nekad(error)  # a refused read in the ärende's trail, as on the pages
    return fel_svar(error)
