"""The JSON API under /api/v1: one blueprint, token auth, one module per resource.

An endpoint is its schemas and one function under ``@endpoint`` (``api/endpoint.py``):
the schemas validate the request, serialise the answer and are the OpenAPI document
(``api/dokument.py``), so nothing is written twice. Handlers are thin like the UI's
views: read the request, call one service, answer. Refusals are DomainErrors, answered as
``{"fel": {"kod", "meddelande", "falt"}}`` with the error's status.
"""

from flask import Blueprint, Flask

from samverkan.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Imported for their routes and hooks on ``bp``; after ``bp`` exists, which they import.
from samverkan.api import (  # noqa: E402, F401
    admin,
    arenden,
    auth,
    besked,
    deltagare,
    dokument,
    efterkontroll,
    individen,
    insatser,
    moten,
    motesarbete,
    rapporter,
    teams,
    tokens,
    uppfoljning,
    utskick,
)


def init_app(app: Flask) -> None:
    # Bearer tokens only, never the session cookie (see api/auth.py): no CSRF exposure.
    csrf.exempt(bp)
    app.register_blueprint(bp)
