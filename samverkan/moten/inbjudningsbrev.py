"""The invitation letter to the individual for one agenda item: when, where, what the
meeting is and which parties take part. Nothing from the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.svenska import svensk_ordning
from samverkan.forbund.models import Medlemskap, Part, PartTyp, TeamRoll
from samverkan.moten.hamta import _mote, _punkt, _punkter
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.moten.tider import punktlangd


@dataclass
class Inbjudan:
    mote: Mote
    punkt: Dagordningspunkt
    parter: list[tuple[str, list[str]]]  # (kind of party, its units on the team)
    handlaggare: User
    aktualiserande_part: Part

    @property
    def klockan(self) -> dt.time:
        return self.punkt.tidslucka or clock.local(self.mote.starttid).time()

    @property
    def langd(self) -> int:
        return punktlangd(self.mote, self.punkt)


def inbjudan(user: User, mote_id: int, punkt_id: int) -> Inbjudan:
    """What the letter to the individual says: when, where, what the meeting is and which
    parties take part. Nothing from the case: the individual knows their own matter."""
    mote = _mote(user, mote_id)
    punkt = _punkt(mote, punkt_id, [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD])
    policy.require_print_inbjudan(user, punkt.arende)
    if not punkt.individen_medverkar:
        raise DomainError("ej_inbjuden", "Individen är inte inbjuden till mötet för den här punkten. "
                          "Markera ”Individen medverkar” på dagordningen först.", status=409)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.", status=409)
    rows = db.session.execute(
        select(Part)
        .where(Part.id.in_(select(User.part_id).join(Medlemskap, Medlemskap.user_id == User.id)
                           .where(Medlemskap.team_id == mote.team_id, Medlemskap.roll == TeamRoll.LEDAMOT)))
        .order_by(Part.typ, svensk_ordning(Part.namn))
    ).scalars().all()
    per_typ: dict[PartTyp, list[str]] = {}
    for part in rows:
        per_typ.setdefault(part.typ, []).append(part.namn)
    parter = [(typ.label, namn) for typ, namn in sorted(per_typ.items(), key=lambda kv: list(PartTyp).index(kv[0]))]
    audit.record("mote.inbjudan", "dagordningspunkt", punkt.id, user_id=user.id, falt=["inbjudan"])
    return Inbjudan(mote=mote, punkt=punkt, parter=parter, handlaggare=punkt.arende.handlaggare,
                    aktualiserande_part=punkt.arende.aktualiserande_part)
