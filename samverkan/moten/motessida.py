"""The meeting page's model: the agenda, the requests, the inbox to add from, the user's
own ärenden to ask a place for, and who takes part in each item, in a fixed number of
queries. The page only shows them: its items, inbox and ärenden are read as rows of
columns (``core.db.rader``), not entities (issue 19); the agenda's changes read the items
as entities (``hamta._punkter``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.arenden.services import InkorgsPlats
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core.db import rader
from samverkan.deltagare.models import Samtycke, samtycke_part
from samverkan.forbund.models import Part
from samverkan.moten.hamta import _mote
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus
from samverkan.moten.punktparter import PunktParter, parter_per_samtycke
from samverkan.moten.tider import anmalan_oppen, ar_passerat, kapacitet, pagar_idag, standardlangd
from workflows import arende as wf


@dataclass
class MoteSida:
    mote: Mote
    agenda: list[Punktrad]  # BOKAD, in order
    anmalningar: list[Punktrad]  # ANMALD: handläggare's requests
    inkorg: list[InkorgsPlats]  # the team's inbox not already on this agenda (projektledare only)
    anmalbara: list[Anmalbart]  # the user's own ärenden they may ask a place for
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


@dataclass(frozen=True, slots=True)
class Punktrad:
    """One agenda item as the page shows it, with its ärende's reference code, handläggare
    and aktualiserande part."""

    id: int
    arende_id: int
    ordning: int
    uppfoljning: bool
    utfall: str | None
    status: PunktStatus
    anmald_av_id: int | None
    tidslucka: dt.time | None
    langd_minuter: int | None
    individen_medverkar: bool
    overford_fran_id: int | None
    referens: str
    handlaggare_id: int | None
    part: str  # the aktualiserande part's name


@dataclass(frozen=True, slots=True)
class Anmalbart:
    id: int
    referens: str
    status_label: str


_P = Dagordningspunkt
_SENASTE = aliased(Samtycke)

# Built once, the meeting bound per call. One row per item and party its current
# consent (the latest registered, if not withdrawn) names, with who asked for the item.
_SIDANS_PUNKTER = (
    select(_P.id, _P.arende_id, _P.ordning, _P.uppfoljning, _P.utfall, _P.status, _P.anmald_av_id,
           _P.tidslucka, _P.langd_minuter, _P.individen_medverkar, _P.overford_fran_id,
           Arende.referens, Arende.handlaggare_id, Part.namn, User.namn, samtycke_part.c.part_id)
    .join(Arende, Arende.id == _P.arende_id)
    .join(Part, Part.id == Arende.aktualiserande_part_id)
    .outerjoin(User, User.id == _P.anmald_av_id)
    .outerjoin(Samtycke, and_(
        Samtycke.id == select(func.max(_SENASTE.id)).where(_SENASTE.arende_id == Arende.id).scalar_subquery(),
        Samtycke.aterkallat.is_(None)))
    .outerjoin(samtycke_part, samtycke_part.c.samtycke_id == Samtycke.id)
    .where(_P.mote_id == bindparam("mote_id"))
    .order_by(_P.ordning, _P.id)
)

_ANMALBARA = (
    select(Arende.id, Arende.referens, Arende.status)
    .where(policy.SYNLIGA_ARENDEN, Arende.handlaggare_id == bindparam("synlig_user_id"),
           Arende.team_id == bindparam("team_id"),
           or_(Arende.status == wf.AKTUALISERAD, Arende.status == wf.UPPFOLJNING),  # no IN list (see _inkorgens_platser)
           Arende.id.not_in(select(_P.arende_id).where(_P.mote_id == bindparam("mote_id"))))
    .order_by(Arende.referens)
)


def mote_sida(user: User, mote_id: int) -> MoteSida:
    """Everything the meeting page shows, in a fixed number of queries."""
    mote = _mote(user, mote_id)
    punkter: dict[int, Punktrad] = {}
    samtyckta: dict[int, set[int]] = {}
    anmalare: dict[int, str] = {}
    for *kolumner, anmald_av, part_id in rader(_SIDANS_PUNKTER, {"mote_id": mote.id}):
        punkt = punkter.get(kolumner[0])
        if punkt is None:
            punkt = punkter[kolumner[0]] = Punktrad(*kolumner)
            samtyckta[punkt.id] = set()
            if punkt.status == PunktStatus.ANMALD and anmald_av is not None:
                anmalare[punkt.anmald_av_id] = anmald_av
        if part_id is not None:
            samtyckta[punkt.id].add(part_id)
    agenda = [p for p in punkter.values() if p.status == PunktStatus.BOKAD]
    anmalningar = [p for p in punkter.values() if p.status == PunktStatus.ANMALD]
    ar_pl = policy.is_projektledare(user, mote.team_id)
    inkorg = []
    if ar_pl and mote.installt is None and (not ar_passerat(mote) or pagar_idag(mote)) \
            and mote.typ == MotesTyp.ARENDEDRAGNING:
        pa_motet = {p.arende_id for p in punkter.values()}
        inkorg = [r for r in arende_services.inkorg_for_motet(user, mote.team_id) if r.id not in pa_motet]
    anmalbara = []
    if anmalan_oppen(mote) and mote.typ == MotesTyp.ARENDEDRAGNING:
        anmalbara = [Anmalbart(id=i, referens=r, status_label=wf.STATE_LABELS[st]) for i, r, st in rader(
            _ANMALBARA, {**policy.synliga_parametrar(user), "team_id": mote.team_id, "mote_id": mote.id})]
    return MoteSida(mote=mote, agenda=agenda, anmalningar=anmalningar, inkorg=inkorg, anmalbara=anmalbara,
                    ar_projektledare=ar_pl, kapacitet=kapacitet(mote), standardlangd=standardlangd(mote),
                    anmalare=anmalare, parter=parter_per_samtycke(mote.team_id, {p.id: samtyckta[p.id] for p in agenda}))
