"""Uppföljning: recording where a person stands on the förbund's ladder (Stegmatning).

Validates and flushes and audits; the caller commits once. The ladder itself is
configured elsewhere; this module only reads it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Row, bindparam, select

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import DomainError
from samverkan.uppfoljning.models import Steg, Stegmatning

MAX_ORS = 40


def stege(forbund_id: int) -> list[Row]:
    """The förbund's ladder, lowest step first, as rows of steg's columns (read only)."""
    return rader(_STEGE, {"forbund_id": forbund_id})


# Built once: the case page reads the ladder on every request (issue 19).
_STEGE = select(*Steg.__table__.c).where(Steg.forbund_id == bindparam("forbund_id")).order_by(Steg.nummer)


def kontrollera(forbund_id: int, *, steg_id: int | None, sysselsattningsgrad: int | None,
                ors: int | None) -> dict[str, str]:
    """The refusals per field (empty when everything holds); nothing is written."""
    fel: dict[str, str] = {}
    steg = db.session.get(Steg, steg_id) if steg_id is not None else None
    if steg is None or steg.forbund_id != forbund_id:
        fel["steg_id"] = "Välj ett steg på förbundets stege."
    if sysselsattningsgrad is None or not 0 <= sysselsattningsgrad <= 100:
        fel["sysselsattningsgrad"] = "Ange sysselsättningsgraden i procent, 0–100."
    if ors is not None and not 0 <= ors <= MAX_ORS:
        fel["ors"] = f"ORS-poängen ska vara mellan 0 och {MAX_ORS}, eller lämnas tom."
    return fel


def registrera(user: User, arende: Arende, *, steg_id: int, sysselsattningsgrad: int, ors: int | None,
               punkt_id: int | None = None, datum: dt.date | None = None, startsteg: bool = False) -> Stegmatning:
    """One measurement; ``startsteg``: the one recorded at samplanering, which
    stegförflyttning is measured from."""
    fel = kontrollera(arende.forbund_id, steg_id=steg_id, sysselsattningsgrad=sysselsattningsgrad, ors=ors)
    if fel:
        falt, meddelande = next(iter(fel.items()))
        raise DomainError("ogiltig_stegmatning", meddelande, field=falt)
    matning = Stegmatning(arende_id=arende.id, punkt_id=punkt_id, datum=datum or clock.today(), steg_id=steg_id,
                          sysselsattningsgrad=sysselsattningsgrad, ors=ors, registrerad_av_id=user.id,
                          startsteg=startsteg)
    db.session.add(matning)
    db.session.flush()
    audit.record("uppfoljning.stegmatning", "arende", arende.id, user_id=user.id,
                 falt=["steg", "sysselsattningsgrad", *(["ors"] if ors is not None else []),
                       *(["startsteg"] if startsteg else [])])
    return matning
