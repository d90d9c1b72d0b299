"""The individual at the meeting: their own attendance at an agenda item and whom they
brought (närstående, tolk, other support, counted by role, never named), their goals in
their own words on the handlingsplan, and the starting step recorded at samplanering.

Meeting mode records attendance and goals with the item (``samplanering.services``
calls ``kontrollera`` before anything is written and ``registrera`` after), so a refusal
saves nothing. Goals may also be revised between meetings (``nytt_mal``). Goals are
plain text, length-limited, never changed in place: each revision is a row, the latest
is the plan's wording and the rest its history. Changes flush and audit (field names,
never values); the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import joinedload

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.db import db, rader
from samverkan.core.errors import DomainError
from samverkan.moten.models import Dagordningspunkt, Mote
from samverkan.samplanering.models import INDIVID_NARVARO, MAX_MEDFOLJANDE, IndividensMal, IndividensNarvaro
from samverkan.uppfoljning.models import Steg, Stegmatning

MAX_MAL = 1000


@dataclass
class IndividIn:
    """What meeting mode (or the API) tells about the individual at one item; nothing
    given means nothing recorded."""

    narvaro: str | None = None  # a key of INDIVID_NARVARO
    narstaende: int | None = None
    tolk: bool = False
    annat_stod: int | None = None
    mal: str = ""

    @property
    def medfoljande(self) -> bool:
        return bool(self.narstaende or self.tolk or self.annat_stod)


def kontrollera(individ: IndividIn) -> dict[str, str]:
    """The refusals per form field (empty when everything holds); nothing is written."""
    fel: dict[str, str] = {}
    if individ.narvaro is not None and individ.narvaro not in INDIVID_NARVARO:
        fel["individ_narvaro"] = "Välj om individen var närvarande, deltog på distans eller inte var närvarande."
    elif individ.narvaro is None and individ.medfoljande:
        fel["individ_narvaro"] = "Ange individens närvaro när du anger vem som följde med."
    for namn, varde in (("narstaende", individ.narstaende), ("annat_stod", individ.annat_stod)):
        if varde is not None and not 0 <= varde <= MAX_MEDFOLJANDE:
            fel[f"individ_{namn}"] = f"Ange ett antal mellan 0 och {MAX_MEDFOLJANDE}."
    if len(individ.mal.strip()) > MAX_MAL:
        fel["individ_mal"] = f"Individens mål får vara högst {MAX_MAL} tecken."
    return fel


def registrera(user: User, arende: Arende, punkt: Dagordningspunkt, individ: IndividIn) -> None:
    """Write what ``kontrollera`` accepted, at the item (meeting mode's caller has checked
    the projektledare's right to record the item)."""
    if individ.narvaro is not None:
        db.session.add(IndividensNarvaro(
            arende_id=arende.id, punkt_id=punkt.id, status=individ.narvaro, narstaende=individ.narstaende or 0,
            tolk=individ.tolk, annat_stod=individ.annat_stod or 0, registrerad_av_id=user.id))
        db.session.flush()
        audit.record("individ.narvaro", "arende", arende.id, user_id=user.id, falt=["individ_narvaro"])
    if individ.mal.strip():
        _spara_mal(user, arende, individ.mal, punkt_id=punkt.id)


def nytt_mal(user: User, arende_id: int | None, text: str | None) -> IndividensMal:
    """Revise the individual's goals between meetings (``policy.require_individens_mal``)."""
    arende = policy.require_individens_mal(user, db.session.get(Arende, arende_id) if arende_id else None)
    text = (text or "").strip()
    if not text:
        raise DomainError("mal_saknas", "Skriv individens mål med individens egna ord.", field="mal")
    if len(text) > MAX_MAL:
        raise DomainError("for_lang", f"Individens mål får vara högst {MAX_MAL} tecken.", field="mal")
    return _spara_mal(user, arende, text)


def _spara_mal(user: User, arende: Arende, text: str, *, punkt_id: int | None = None) -> IndividensMal:
    mal = IndividensMal(arende_id=arende.id, punkt_id=punkt_id, text=text.strip(), skapad_av_id=user.id)
    db.session.add(mal)
    db.session.flush()
    audit.record("individ.mal", "arende", arende.id, user_id=user.id, falt=["individens_mal"])
    return mal


# --- reading (the case page and the API; the caller has checked and audited the read) -------


@dataclass
class Individen:
    narvaro: list[IndividensNarvaro] = field(default_factory=list)  # oldest first, with the item's meeting
    mal: list[Row] = field(default_factory=list)  # individ_mal's columns, latest first: [0] is the plan's wording
    startsteg: Stegmatning | None = None

    @property
    def aktuellt_mal(self) -> Row | None:
        return self.mal[0] if self.mal else None


def for_arende(arende_id: int, matningar: list[Stegmatning] | None = None, *,
               har_narvaro: bool | None = None, har_mal: bool | None = None) -> Individen:
    """Two statements, however long the ärende's history; a third for the starting step
    unless the caller has the ärende's measurements (``matningar``) loaded already.
    ``har_narvaro``, ``har_mal`` False: the caller knows the list is empty (the case page's
    load asks, ``Arende.har_narvaro``), and its statement is skipped."""
    narvaro = [] if har_narvaro is False else db.session.execute(_NARVARO, {"arende_id": arende_id}).scalars().all()
    mal = [] if har_mal is False else rader(_MAL, {"arende_id": arende_id})
    start = (next((m for m in matningar if m.startsteg), None) if matningar is not None
             else startsteg(arende_id))
    return Individen(list(narvaro), list(mal), start)


# Built once, the ärende bound per call: the case page reads them on every request (issue 19).
# Of the item and its meeting, the page and the API show the meeting's day: not their
# forty columns.
_NARVARO = (select(IndividensNarvaro).where(IndividensNarvaro.arende_id == bindparam("arende_id"))
            .options(joinedload(IndividensNarvaro.punkt).load_only(Dagordningspunkt.id, Dagordningspunkt.mote_id)
                     .joinedload(Dagordningspunkt.mote).load_only(Mote.id, Mote.starttid))
            .order_by(IndividensNarvaro.id))
_MAL = (select(*IndividensMal.__table__.c).where(IndividensMal.arende_id == bindparam("arende_id"))
        .order_by(IndividensMal.id.desc()))


def startsteg(arende_id: int) -> Stegmatning | None:
    return db.session.execute(
        select(Stegmatning).where(Stegmatning.arende_id == arende_id, Stegmatning.startsteg.is_(True))
        .options(joinedload(Stegmatning.steg)).order_by(Stegmatning.id).limit(1)).scalar_one_or_none()


def narvaro_for(punkt_ids: list[int]) -> dict[int, IndividensNarvaro]:
    """The individual's attendance at each item (meeting mode and the protokoll; one query)."""
    if not punkt_ids:
        return {}
    return {n.punkt_id: n for n in db.session.execute(
        select(IndividensNarvaro).where(IndividensNarvaro.punkt_id.in_(punkt_ids))).scalars()}


def startsteg_for(punkt_ids: list[int]) -> dict[int, str]:
    """The starting step recorded at each item, as "2. Motivation och kartläggning" (the
    protokoll; one query)."""
    if not punkt_ids:
        return {}
    return {punkt_id: f"{nummer}. {namn}" for punkt_id, nummer, namn in db.session.execute(
        select(Stegmatning.punkt_id, Steg.nummer, Steg.namn).join(Steg, Steg.id == Stegmatning.steg_id)
        .where(Stegmatning.punkt_id.in_(punkt_ids), Stegmatning.startsteg.is_(True)))}
