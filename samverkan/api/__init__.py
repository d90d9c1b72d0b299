"""The JSON API under /api/v1: one blueprint, token auth, one module per resource.

Handlers are thin like the UI's views: read the request, call one service, commit once,
answer JSON. Refusals are DomainErrors, which ``samverkan.web`` turns into
``{"fel": {"kod", "meddelande", "falt"}}`` with the error's status. Every route is
described in ``openapi.py``; a test fails if one is not.
"""

from flask import Blueprint, Flask

from samverkan.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Imported for their routes and hooks on ``bp``; after ``bp`` exists, which they import.
from samverkan.api import arenden, auth, deltagare, moten, openapi, teams, tokens, uppfoljning  # noqa: E402, F401


def init_app(app: Flask) -> None:
    # Bearer tokens only, never the session cookie (see api/auth.py): no CSRF exposure.
    csrf.exempt(bp)
    app.register_blueprint(bp)


# Report aggregates (samverkan.rapporter).
import samverkan.api.rapporter  # noqa: E402, F401, I001
from samverkan.api import utskick  # noqa: E402, F401  (a meeting's outbox, samverkan.kallelser)

# isort: split
from samverkan.api import motesarbete  # noqa: E402, F401  (meeting mode, samcoach queue: samverkan.samplanering)
