"""The lists a new förbund starts with: insats types and the stegförflyttning ladder.

Each förbund owns its copy and may change it; migration 0005 gave existing förbund the
same defaults.
"""

from __future__ import annotations

from samverkan.core.db import db
from samverkan.forbund.models import Forbund
from samverkan.insatser.models import STANDARD_INSATSTYPER, Insatstyp
from samverkan.uppfoljning.models import STANDARDSTEGE, Steg


def skapa_standardlistor(forbund: Forbund) -> None:
    """Add the default lists to a new förbund (flushes; the caller commits)."""
    db.session.flush()  # the förbund needs its id
    for ordning, (kod, namn) in enumerate(STANDARD_INSATSTYPER.items()):
        db.session.add(Insatstyp(forbund_id=forbund.id, kod=kod, namn=namn, ordning=ordning))
    for nummer, namn, beskrivning in STANDARDSTEGE:
        db.session.add(Steg(forbund_id=forbund.id, nummer=nummer, namn=namn,
                            beskrivning=beskrivning))
    db.session.flush()
