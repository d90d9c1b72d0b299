"""Who is calling the API: a personal token in ``Authorization: Bearer …``, nothing else.

The session cookie is never consulted, so a browser cannot be tricked into making API
calls with its login (which is why the blueprint may be exempt from CSRF). Every request
except the public OpenAPI document needs a valid, unrevoked, unexpired token of an active
user (401 otherwise, with a message saying which); the user is then ``g.api_user`` and
has exactly the access they have in the UI. A token that may only read is refused (403)
on every request that writes.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, g, request

from samverkan.api import bp
from samverkan.auth import policy
from samverkan.auth import services as auth_services
from samverkan.auth.models import TokenOmfang, User
from samverkan.core import clock
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
    token = auth_services.token_for(secret)
    nu = clock.now()
    if token is None or token.aterkallad is not None or not token.user.aktiv:
        log.info("API request with an unknown or revoked token")  # never the token itself
        raise EjAutentiserad("API-token är ogiltig eller återkallad.")
    if token.utgangen(nu):
        log.info("API request with expired token %s", token.id)
        raise EjAutentiserad(f"API-token har gått ut (den gällde till {clock.local(token.giltig_till):%Y-%m-%d %H:%M}). "
                             "Skapa en ny token under Konto → API-tokens.")
    if _skrivande():
        if token.omfang is not TokenOmfang.SKRIVA:
            log.info("API write refused: token %s may only read", token.id)
        policy.require_skrivande_token(token)
    auth_services.anvand_token(token, nu)
    g.api_user = token.user


# Searches sent by POST so that a personnummer stays out of URLs and logs: they only read.
LASANDE_POST = frozenset({"api.sok_deltagare"})


def _skrivande() -> bool:
    """Does this request change anything? Every method but GET/HEAD/OPTIONS does, except
    the searches in LASANDE_POST."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint is None:
        return False  # (no endpoint: the 404 or 405 follows)
    return request.endpoint not in LASANDE_POST


@bp.after_request
def _challenge(response: Response) -> Response:
    # RFC 6750: a 401 names the scheme the client should use.
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="samverkan"'
    return response


def api_user() -> User:
    return g.api_user
