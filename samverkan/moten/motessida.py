"""The meeting page's model: the agenda, the requests, the inbox to add from, the user's
own ärenden to ask a place for, and who takes part in each item, in a fixed number of
queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core.db import db
from samverkan.moten.hamta import _mote, _punkter
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus
from samverkan.moten.punktparter import PunktParter, parter_per_punkt
from samverkan.moten.tider import anmalan_oppen, ar_passerat, kapacitet, pagar_idag, punktlangd, standardlangd
from workflows import arende as wf


@dataclass
class MoteSida:
    mote: Mote
    agenda: list[Dagordningspunkt]  # BOKAD, in order
    anmalningar: list[Dagordningspunkt]  # ANMALD: handläggare's requests
    inkorg: list  # arenden.services.InkorgRad not already on this agenda (projektledare only)
    anmalbara: list[Arende]  # the user's own ärenden they may ask a place for
    ar_projektledare: bool
    kapacitet: int
    standardlangd: int
    anmalare: dict[int, str] = field(default_factory=dict)  # who asked, by user id (staff names)
    parter: dict[int, PunktParter] = field(default_factory=dict)  # per item: who takes part

    @property
    def lediga(self) -> int:
        return max(0, self.kapacitet - len(self.agenda))

    @property
    def agenda_kan_andras(self) -> bool:
        return self.ar_projektledare and self.mote.installt is None and not ar_passerat(self.mote)

    @property
    def extra_arende_mojligt(self) -> bool:
        """During the meeting, on its day: an extra ärende can still be added."""
        return self.ar_projektledare and self.mote.typ == MotesTyp.ARENDEDRAGNING and pagar_idag(self.mote)

    @property
    def kan_avslutas(self) -> bool:
        return (self.ar_projektledare and self.mote.installt is None and ar_passerat(self.mote)
                and any(p.utfall is None for p in self.agenda))

    @property
    def anmalan_oppen(self) -> bool:
        return anmalan_oppen(self.mote) and self.mote.typ == MotesTyp.ARENDEDRAGNING

    def langd(self, punkt: Dagordningspunkt) -> int:
        return punktlangd(self.mote, punkt)


def mote_sida(user: User, mote_id: int) -> MoteSida:
    """Everything the meeting page shows, in a fixed number of queries."""
    mote = _mote(user, mote_id)
    punkter = _punkter(mote)
    agenda = [p for p in punkter if p.status == PunktStatus.BOKAD]
    anmalningar = [p for p in punkter if p.status == PunktStatus.ANMALD]
    ar_pl = policy.is_projektledare(user, mote.team_id)
    inkorg = []
    if ar_pl and mote.installt is None and (not ar_passerat(mote) or pagar_idag(mote)) \
            and mote.typ == MotesTyp.ARENDEDRAGNING:
        pa_motet = {p.arende_id for p in punkter}
        inkorg = [r for r in arende_services.inkorg(user, mote.team_id).rader if r.arende.id not in pa_motet]
    anmalbara = []
    if anmalan_oppen(mote) and mote.typ == MotesTyp.ARENDEDRAGNING:
        anmalbara = db.session.execute(
            select(Arende)
            .where(policy.visible_arenden_clause(user), Arende.handlaggare_id == user.id,
                   Arende.team_id == mote.team_id, Arende.status.in_([wf.AKTUALISERAD, wf.UPPFOLJNING]),
                   Arende.id.not_in([p.arende_id for p in punkter] or [0]))
            .order_by(Arende.referens)
        ).scalars().all()
    anmalare = {}
    if anmalningar:
        anmalare = dict(db.session.execute(
            select(User.id, User.namn).where(User.id.in_({p.anmald_av_id for p in anmalningar}))
        ).all())
    return MoteSida(mote=mote, agenda=agenda, anmalningar=anmalningar, inkorg=inkorg, anmalbara=anmalbara,
                    ar_projektledare=ar_pl, kapacitet=kapacitet(mote), standardlangd=standardlangd(mote),
                    anmalare=anmalare, parter=parter_per_punkt(mote, agenda))
