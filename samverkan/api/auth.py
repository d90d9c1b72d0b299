"""Who is calling the API: a personal token in ``Authorization: Bearer …``, nothing else.

The session cookie is never consulted, so a browser cannot be tricked into making API
calls with its login (which is why the blueprint may be exempt from CSRF). Every request
except the public OpenAPI document needs a valid, unrevoked token of an active user; the
user is then ``g.api_user`` and has exactly the access they have in the UI.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, g, request

from samverkan.api import bp
from samverkan.auth import policy
from samverkan.auth import services as auth_services
from samverkan.auth.models import User
from samverkan.core.errors import DomainError

log = logging.getLogger(__name__)

# Endpoints reachable without a token. They must not return data.


class EjAutentiserad(DomainError):
    status = 401

    def __init__(self, message: str):
        super().__init__("ej_autentiserad", message)


def bearer_token() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


@bp.before_request
def _authenticate() -> None:
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and policy.regel_for(view) == "offentlig":
        return
    secret = bearer_token()
    if secret is None:
        raise EjAutentiserad("Inloggning krävs: skicka en API-token i rubriken "
                             "”Authorization: Bearer <token>”.")
    user = auth_services.user_for_token(secret)
    if user is None:
        log.info("API request with an unknown or revoked token")  # never the token itself
        raise EjAutentiserad("API-token är ogiltig eller återkallad.")
    g.api_user = user


@bp.after_request
def _challenge(response: Response) -> Response:
    # RFC 6750: a 401 names the scheme the client should use.
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="samverkan"'
    return response


def api_user() -> User:
    return g.api_user
