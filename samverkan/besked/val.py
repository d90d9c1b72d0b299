"""Which notices a user wants: one switch per kind on the user's own row, each on until
the user turns it off (the page ``/konto/epost`` and ``/api/v1/konto/besked``). Only the
user changes their own; the change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.kallelser.models import UtskickTyp


@dataclass(frozen=True)
class Slag:
    """One kind of notice: its switch on the user, its outbox type and how it is named."""

    falt: str  # the column on ``anvandare``, and the API's field name
    typ: UtskickTyp
    rubrik: str
    beskrivning: str


SLAG: tuple[Slag, ...] = (
    Slag("besked_beslut", UtskickTyp.BESLUT, "Beslut efter mötet",
         "När protokollet är justerat: hur många av de ärenden du aktualiserat teamet har beslutat om, "
         "med en länk till protokollet."),
    Slag("besked_vecka", UtskickTyp.VECKOSAMMANSTALLNING, "Veckosammanställning",
         "Måndag morgon: hur många åtgärder din part ansvarar för som är försenade eller ska vara klara "
         "inom en vecka."),
    Slag("besked_uppdrag", UtskickTyp.UPPDRAG, "Nytt uppdrag som samcoach",
         "När du får, eller erbjuds, ett nytt ärende som samcoach."),
    Slag("besked_protokoll", UtskickTyp.PROTOKOLL, "Protokollet är justerat",
         "När protokollet från ett möte i ditt team är justerat, med en länk till det."),
)
PER_TYP = {s.typ: s for s in SLAG}


def vill_ha(user: User, typ: UtskickTyp) -> bool:
    """Whether ``user`` gets notices of ``typ`` (an inactive account gets none)."""
    return user.aktiv and bool(getattr(user, PER_TYP[typ].falt))


def installningar(user: User) -> dict[str, bool]:
    return {s.falt: bool(getattr(user, s.falt)) for s in SLAG}


def spara(user: User, val: dict[str, bool]) -> dict[str, bool]:
    """Set the user's own switches; a kind not named keeps its value. Audited when
    anything changed."""
    andrade = []
    for s in SLAG:
        if s.falt in val and bool(val[s.falt]) != bool(getattr(user, s.falt)):
            setattr(user, s.falt, bool(val[s.falt]))
            andrade.append(s.falt)
    if andrade:
        db.session.flush()
        audit.record("anvandare.besked", "anvandare", user.id, user_id=user.id, falt=andrade)
    return installningar(user)
