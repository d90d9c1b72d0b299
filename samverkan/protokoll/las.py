"""The lock that justering puts on a meeting: after it, what was recorded is final."""

from __future__ import annotations

from sqlalchemy import select

from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.protokoll.models import Protokoll

LAST_MEDDELANDE = (
    "Protokollet för mötet är justerat. Ändringar görs som tillägg till protokollet."
)


def ar_justerat(mote_id: int) -> bool:
    return db.session.scalar(
        select(Protokoll.id).where(Protokoll.mote_id == mote_id, Protokoll.justerat.is_not(None))
    ) is not None


def kontrollera_ej_justerat(mote_id: int) -> None:
    """Every service that records attendance or decisions at a meeting calls this first."""
    if ar_justerat(mote_id):
        raise DomainError("protokoll_justerat", LAST_MEDDELANDE)
