"""Domain errors: one exception type with a stable code and a Swedish message.

Views turn it into a flash message and an HTTP status, the API into JSON. Services raise
it before anything is flushed, or the caller rolls back, so a refusal changes nothing.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. ``code`` is stable for API clients; ``message`` is Swedish."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "Hittades inte."):
        super().__init__("hittades_inte", message)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "Du har inte behörighet till detta."):
        super().__init__("saknar_behorighet", message)


class Conflict(DomainError):
    status = 409

    def __init__(self, message: str):
        super().__init__("konflikt", message)


class Valideringsfel(DomainError):
    """Several fields refused at once: ``fel`` maps each field to its Swedish message.
    ``field`` and ``message`` are the first, for callers that show one."""

    def __init__(self, fel: dict[str, str], *, code: str = "ogiltiga_uppgifter"):
        falt, meddelande = next(iter(fel.items()))
        super().__init__(code, meddelande, field=falt)
        self.fel = fel
