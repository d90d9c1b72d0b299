"""Samplanering: what the team decides for one agenda item, recorded by the projektledare
in meeting mode, atomically.

One call records the handlingsplan (actions, each owned by a party, with a responsible
person and a due date), when to follow up (also ``arende.nasta_uppfoljning``), the
decision — samcoach, another insats from the förbund's list, continued support in the
parties' ordinary services, or not reached (bordlagd) — the stegförflyttning at a follow-up
item, or the starting step at a new one (``uppfoljning.services``), and the individual's
attendance and goals (``samplanering.individen``). Everything is validated first, every field
with its own Swedish message (``Valideringsfel``), so a refusal saves nothing; the ärende
moves only through the state machine. Meeting mode opens on the meeting day; after the
day a recording is marked as made afterwards; after justering the meeting is locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from samverkan.arenden import services as arende_services
from samverkan.arenden.flow import team_part_ids
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound, Valideringsfel
from samverkan.insatser import services as insats_services
from samverkan.insatser.models import Insats, InsatsForm
from samverkan.moten import hamta, narvaro, punktparter, tider, utfall
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.protokoll.las import ar_justerat, kontrollera_ej_justerat
from samverkan.samplanering import handlingsplan, individen
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning import services as uppfoljning_services
from workflows import arende as wf

BESLUT = {
    "samcoach": "Samcoach",
    "insats": "Annan insats",
    "ordinarie": "Fortsatt stöd i parternas ordinarie verksamhet",
    "bordlagd": "Hanns inte – bordläggs till nästa möte",
}
MAX_ATGARDER = 10
MAX_BESKRIVNING, MAX_ANSVARIG = 500, 200


@dataclass
class AtgardIn:
    """One handlingsplan row as entered; a row left wholly empty is ignored."""

    beskrivning: str = ""
    part_id: int | None = None
    ansvarig: str = ""
    klar_senast: dt.date | None = None

    @property
    def tom(self) -> bool:
        return not (self.beskrivning.strip() or self.part_id or self.ansvarig.strip() or self.klar_senast)


def _punkt_for_registrering(user: User, mote_id: int, punkt_id: int) -> tuple[Mote, Dagordningspunkt]:
    kontrollera_ej_justerat(mote_id)
    mote = hamta._mote(user, mote_id, andra=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.")
    tider.kontrollera_moteslage_oppet(mote)
    punkt = db.session.execute(
        select(Dagordningspunkt).where(Dagordningspunkt.id == punkt_id, Dagordningspunkt.mote_id == mote.id,
                                       Dagordningspunkt.status == PunktStatus.BOKAD)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if punkt is None:
        raise NotFound("Punkten finns inte på mötets dagordning.")
    if punkt.utfall is not None or punkt.arende.status != wf.PA_AGENDA:
        raise DomainError("redan_behandlad", f"{punkt.arende.referens} är redan behandlat på mötet.", status=409)
    return mote, punkt


def _kontrollera_atgarder(atgarder: list[AtgardIn], part_ids: set[int], idag: dt.date,
                          fel: dict[str, str], medverkande: set[int] | None = None) -> list[AtgardIn]:
    rader = [a for a in atgarder if not a.tom]
    if len(rader) > MAX_ATGARDER:
        fel["atgarder"] = f"Högst {MAX_ATGARDER} åtgärder per punkt."
        return rader
    for i, a in enumerate(atgarder):
        if a.tom:
            continue
        nr = f"Åtgärd {i + 1}"
        if not a.beskrivning.strip():
            fel[f"atgard-{i}-beskrivning"] = f"{nr}: beskriv åtgärden."
        elif len(a.beskrivning.strip()) > MAX_BESKRIVNING:
            fel[f"atgard-{i}-beskrivning"] = f"{nr}: högst {MAX_BESKRIVNING} tecken."
        if a.part_id not in part_ids:
            fel[f"atgard-{i}-part_id"] = f"{nr}: välj vilken part som äger åtgärden."
        elif medverkande is not None and a.part_id not in medverkande:
            fel[f"atgard-{i}-part_id"] = (f"{nr}: samtycket omfattar inte den parten; välj en av "
                                          "parterna som deltar i punkten.")
        if not a.ansvarig.strip():
            fel[f"atgard-{i}-ansvarig"] = f"{nr}: ange ansvarig person."
        elif len(a.ansvarig.strip()) > MAX_ANSVARIG:
            fel[f"atgard-{i}-ansvarig"] = f"{nr}: högst {MAX_ANSVARIG} tecken."
        if a.klar_senast is None:
            fel[f"atgard-{i}-klar_senast"] = f"{nr}: ange när den ska vara klar (ÅÅÅÅ-MM-DD)."
        elif a.klar_senast < idag:
            fel[f"atgard-{i}-klar_senast"] = f"{nr}: datumet har redan passerat."
    return rader


def registrera_punkt(
    user: User,
    mote_id: int,
    punkt_id: int,
    *,
    beslut: str | None,
    samcoach_id: int | None = None,
    insatstyp_id: int | None = None,
    folj_upp_den: dt.date | None = None,
    atgarder: Iterable[AtgardIn] = (),
    steg_id: int | None = None,
    sysselsattningsgrad: int | None = None,
    ors: int | None = None,
    individ: individen.IndividIn | None = None,
) -> Dagordningspunkt:
    """Record one agenda item's outcome, or refuse it whole (``Valideringsfel``).

    At a new item a step given is the ärende's starting step; at a follow-up the step is
    required and measured against it."""
    mote, punkt = _punkt_for_registrering(user, mote_id, punkt_id)
    arende = punkt.arende
    ny = arende.forsta_samplanering is None
    idag = clock.today()
    atgarder = list(atgarder)
    fel: dict[str, str] = {}
    if beslut not in BESLUT:
        raise Valideringsfel({"beslut": "Välj teamets beslut för punkten."})

    if beslut == "bordlagd":
        utfall._bordlagg(user, punkt, f"Hanns inte på mötet {tider.motesdatum(mote).isoformat()}; "
                                 "överförs till inkorgen.")
        _markera(user, punkt, beslut)
        return punkt

    form = InsatsForm(beslut)
    if form == InsatsForm.SAMCOACH and samcoach_id not in {m.user_id for m in insats_services.samcoacher(mote.team_id)}:
        fel["samcoach_id"] = "Välj en av teamets samcoacher."
    if form == InsatsForm.INSATS:
        try:
            insats_services.kontrollera_insatstyp(arende.forbund_id, insatstyp_id)
        except DomainError as error:
            fel["insatstyp_id"] = error.message
    if folj_upp_den is None:
        fel["folj_upp_den"] = "Ange när teamet ska följa upp ärendet (ÅÅÅÅ-MM-DD)."
    elif folj_upp_den <= idag:
        fel["folj_upp_den"] = "Uppföljningen ska ligga efter i dag."
    # Actions are owned by the parties that take part: those the consent names.
    samtycke = arende.samtycke
    medverkande = team_part_ids(mote.team_id) & ({p.id for p in samtycke.parter} if samtycke else set())
    rader = _kontrollera_atgarder(atgarder, team_part_ids(mote.team_id), idag, fel, medverkande)
    matning = not ny or any(v is not None for v in (steg_id, sysselsattningsgrad, ors))
    if matning:
        fel.update(uppfoljning_services.kontrollera(arende.forbund_id, steg_id=steg_id,
                                                    sysselsattningsgrad=sysselsattningsgrad, ors=ors))
    individ = individ or individen.IndividIn()
    fel.update(individen.kontrollera(individ))
    if fel:
        raise Valideringsfel(fel)

    kommentar = f"Mötet {tider.motesdatum(mote).isoformat()}: {BESLUT[beslut].lower()}."
    if tider.registreras_i_efterhand(mote):
        kommentar += f" Registrerat i efterhand {idag.isoformat()}."
    trigger = "samplanera" if ny else "folj_upp"
    arende_services.fire(user, arende.id, trigger, version=None, kommentar=kommentar, kanal=wf.MOTE)
    punkt.utfall = utfall.UTFALL[trigger]
    for a in rader:
        db.session.add(Atgard(arende_id=arende.id, punkt_id=punkt.id, beskrivning=a.beskrivning.strip(),
                              part_id=a.part_id, ansvarig=a.ansvarig.strip(), klar_senast=a.klar_senast,
                              skapad_av_id=user.id))
    if matning:
        uppfoljning_services.registrera(user, arende, steg_id=steg_id, sysselsattningsgrad=sysselsattningsgrad,
                                        ors=ors, punkt_id=punkt.id, startsteg=ny)
    individen.registrera(user, arende, punkt, individ)
    arende.nasta_uppfoljning = folj_upp_den
    punkt.folj_upp_den = folj_upp_den
    punkt.insatstyp_id = insatstyp_id if form == InsatsForm.INSATS else None
    try:
        insats_services.besluta(user, arende, form, samcoach_id=samcoach_id, insatstyp_id=insatstyp_id,
                                punkt_id=punkt.id, ny=ny, kommentar=kommentar)
    except DomainError as error:
        if error.field:
            raise Valideringsfel({error.field: error.message}) from None
        raise
    _markera(user, punkt, beslut, atgarder=bool(rader))
    return punkt


def _markera(user: User, punkt: Dagordningspunkt, beslut: str, *, atgarder: bool = False) -> None:
    punkt.beslut = beslut
    punkt.behandlad = clock.now()
    punkt.behandlad_av_id = user.id
    db.session.flush()
    audit.record("samplanering.registrera", "dagordningspunkt", punkt.id, user_id=user.id,
                 falt=["beslut", *(["folj_upp_den", "insats"] if beslut != "bordlagd" else []),
                       *(["handlingsplan"] if atgarder else [])])


def nasta_obehandlade(punkt: Dagordningspunkt) -> Dagordningspunkt | None:
    """The next item still to deal with after ``punkt`` (or before it, when none is after)."""
    kvar = db.session.execute(
        select(Dagordningspunkt).where(Dagordningspunkt.mote_id == punkt.mote_id, Dagordningspunkt.id != punkt.id,
                                       Dagordningspunkt.status == PunktStatus.BOKAD, Dagordningspunkt.utfall.is_(None))
        .order_by(Dagordningspunkt.ordning, Dagordningspunkt.id)
    ).scalars().all()
    return next((p for p in kvar if p.ordning > punkt.ordning), kvar[0] if kvar else None)


# --- the meeting-mode page ------------------------------------------------------------------------


@dataclass
class Moteslage:
    mote: Mote
    punkter: list[Dagordningspunkt]  # booked, in order
    narvaro: list  # moten.narvaro.PartsNarvaro
    parter: list  # the team's parties (owners of actions)
    samcoacher: list  # Medlemskap
    insatstyper: list
    stege: list
    atgarder: dict[int, list[Atgard]]
    fore_motesdagen: bool  # meeting mode opens on the meeting day
    i_efterhand: bool  # recorded after the meeting day
    insatser: dict[int, Insats]  # the insats decided at each item, by punkt id
    justerat: bool
    # A follow-up item's plan from earlier meetings (what was agreed, what was done), by ärende id.
    tidigare_plan: dict[int, list[Atgard]]
    idag: dt.date
    # The individual's attendance at each item (by punkt id), once recorded.
    individen: dict = None  # type: ignore[assignment]

    def planstatus(self, atgard: Atgard) -> str:
        return handlingsplan.STATUS_LABELS[handlingsplan.status(atgard, self.idag)]

    def registrerat_i_efterhand(self, punkt: Dagordningspunkt) -> bool:
        return tider.registrerat_i_efterhand(self.mote, punkt)
    # Per item: the parties that take part (the consent's) and those that step out.
    punktparter: dict = None  # type: ignore[assignment]

    def nasta(self, punkt: Dagordningspunkt) -> Dagordningspunkt | None:
        i = self.punkter.index(punkt)
        return self.punkter[i + 1] if i + 1 < len(self.punkter) else None

    def foregaende(self, punkt: Dagordningspunkt) -> Dagordningspunkt | None:
        i = self.punkter.index(punkt)
        return self.punkter[i - 1] if i > 0 else None


def moteslage(user: User, mote_id: int) -> Moteslage:
    """Everything meeting mode shows, for the team's projektledare. The frågeställning of
    each item is shown, so each ärende's read is audited."""
    mote, alla = hamta.mote_med_punkter(user, mote_id)
    hamta._mote(user, mote_id, andra=True)  # the projektledare's page (403 for others)
    punkter = [p for p in alla if p.status == PunktStatus.BOKAD]
    ids = [p.id for p in punkter]
    insatser = {i.punkt_id: i for i in db.session.execute(
        select(Insats).where(Insats.punkt_id.in_(ids or [0])).options(joinedload(Insats.insatstyp))).scalars()}
    for p in punkter:
        audit.record("arende.visa", "arende", p.arende_id, user_id=user.id)
    parter = narvaro.narvaro_for(mote)
    return Moteslage(
        mote=mote, punkter=punkter, narvaro=parter, parter=[p.part for p in parter],
        samcoacher=insats_services.samcoacher(mote.team_id),
        insatstyper=insats_services.insatstyper(mote.team.forbund_id),
        stege=uppfoljning_services.stege(mote.team.forbund_id),
        atgarder=handlingsplan.atgarder_for(ids), insatser=insatser, justerat=ar_justerat(mote.id),
        tidigare_plan={arende_id: [a for a in plan if a.punkt_id not in ids]
                       for arende_id, plan in handlingsplan.for_arenden(
                           p.arende_id for p in punkter if p.uppfoljning).items()},
        idag=clock.today(),
        fore_motesdagen=tider.fore_motesdagen(mote),
        i_efterhand=tider.registreras_i_efterhand(mote),
        punktparter=punktparter.parter_per_punkt(mote, punkter),
        individen=individen.narvaro_for(ids),
    )
