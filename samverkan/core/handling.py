"""One user action, one transaction: the shape every form handler shares.

A handler runs its service call inside ``with utfor(...) as h:``. A clean exit flashes
the confirmation given with ``h.klart(...)``; the request commits when the view returns
(``core.anrop``), and if that commit fails the request answers 500 with the browser's
session as it was, so the confirmation is never shown for a change that was not saved.
A ``DomainError`` rolls the whole request back, so nothing is half-saved, and is answered
where the user looks: beside its field when the form has one (the page's error summary
lists it), else at the top of the page. 403 and 404 are not form errors: they propagate to
the error pages, as does anything unexpected (the request machinery rolls back). After
the block, ``h.fel`` tells the handler whether to show the page again (with
``h.status``) or to redirect.

    with utfor(form=form) as h:
        punkt = services.lagg_till(current_user, mote_id, arende_id)
        h.klart(f"{punkt.arende.referens} är lagt på dagordningen.")
    if h.fel:
        return sidan_igen(status=h.status)
    return redirect(..., code=303)

The confirmation is composed inside the block. Outside a request (a test's bare request
context) the block commits itself.
"""

from __future__ import annotations

from flask import flash, render_template

from samverkan.core import anrop
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel

# Refusals that are not about the form: the error page answers them.
SPRIDS = (403, 404)


def visa_fel(form, error: DomainError) -> None:
    """Each refused field's message beside that field of ``form`` (a WTForms form); what
    has no field there goes to the page's messages."""
    fel = error.fel if isinstance(error, Valideringsfel) else {error.field: error.message}
    for namn, meddelande in fel.items():
        falt = form[namn] if form is not None and namn and namn in form else None
        if falt is not None:
            falt.errors = [*falt.errors, meddelande]
        else:
            flash(meddelande, "fel")


class utfor:  # noqa: N801  (reads as a verb at the call site: ``with utfor() as h``)
    def __init__(self, *, form=None, visa=None, sprid: tuple[int, ...] = SPRIDS):
        # ``visa``: a form's own way of placing a refusal, when it has one.
        self.visa = visa or (lambda error: visa_fel(form, error))
        self.sprid = sprid
        self.fel: DomainError | None = None
        self._klart: str | None = None

    def klart(self, meddelande: str) -> None:
        """The confirmation to show once the action is committed."""
        self._klart = meddelande

    @property
    def status(self) -> int:
        return self.fel.status if self.fel is not None else 200

    def __enter__(self) -> utfor:
        return self

    def __exit__(self, typ, error, traceback) -> bool:
        if error is None:
            anrop.spara()
            if self._klart:
                flash(self._klart, "ok")
            return False
        if not isinstance(error, DomainError):
            return False
        db.session.rollback()
        if error.status in self.sprid:
            return False
        self.fel = error
        self.visa(error)
        return True


def granskad_sida(mall: str, status: int = 200, **kontext):
    """A page whose read was audited. The request writes the audit row once the view has
    returned, before the response leaves (in a read, in its own short write transaction on
    SQLite, in the read's own on PostgreSQL: ``core.anrop``); rendering comes first either way, since a commit expires every loaded
    object and rendering would then load each one again."""
    html = render_template(mall, **kontext)
    anrop.spara()
    return html, status
