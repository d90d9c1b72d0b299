"""Uppföljning: the förbund's ladder and insats types (admin), an ärende's measurements
(stegförflyttning over time), and which ärenden in insats are due for follow-up.

Recording a measurement belongs to meeting mode (samverkan.samplanering); this module
reads those rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import DomainError, NotFound
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.insatser.models import Insatstyp
from samverkan.moten.models import Mote
from samverkan.uppfoljning.models import Steg, Stegmatning
from samverkan.uppfoljning.services import stege  # noqa: F401  (re-exported: one ladder query for both modules)
from workflows import arende as wf

NAMN_MAX = 100
BESKRIVNING_MAX = 1000


def _namn(value: str | None, max_langd: int = NAMN_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("namn_saknas", "Skriv ett namn.", field="namn")
    if len(value) > max_langd:
        raise DomainError("for_lang", f"Namnet får vara högst {max_langd} tecken.", field="namn")
    return value


def _beskrivning(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > BESKRIVNING_MAX:
        raise DomainError("for_lang", f"Beskrivningen får vara högst {BESKRIVNING_MAX} tecken.",
                          field="beskrivning")
    return value


# --- the ladder (per förbund) -----------------------------------------------------------


def _eget_steg(user: User, steg_id: int | None) -> Steg:
    policy.require_admin(user)
    steg = db.session.get(Steg, steg_id) if steg_id else None
    if steg is None or steg.forbund_id != user.forbund_id:
        raise NotFound("Steget finns inte.")
    return steg


def andra_steg(user: User, steg_id: int | None, *, namn: str | None, beskrivning: str | None) -> Steg:
    steg = _eget_steg(user, steg_id)
    steg.namn = _namn(namn)
    steg.beskrivning = _beskrivning(beskrivning)
    db.session.flush()
    audit.record("steg.andra", "steg", steg.id, user_id=user.id, falt=["namn", "beskrivning"])
    return steg


def lagg_till_steg(user: User, *, namn: str | None, beskrivning: str | None) -> Steg:
    """A new step at the top of the ladder (the highest number plus one)."""
    policy.require_admin(user)
    hogsta = db.session.scalar(select(func.max(Steg.nummer)).where(Steg.forbund_id == user.forbund_id))
    steg = Steg(forbund_id=user.forbund_id, nummer=(hogsta or 0) + 1, namn=_namn(namn),
                beskrivning=_beskrivning(beskrivning))
    db.session.add(steg)
    db.session.flush()
    audit.record("steg.skapa", "steg", steg.id, user_id=user.id, falt=["namn", "beskrivning"])
    return steg


def ta_bort_steg(user: User, steg_id: int | None) -> None:
    """Remove a step no measurement uses; the steps above move down one, so the ladder
    stays numbered 1, 2, 3 … without gaps."""
    steg = _eget_steg(user, steg_id)
    anvant = db.session.scalar(select(func.count(Stegmatning.id)).where(Stegmatning.steg_id == steg.id))
    if anvant:
        raise DomainError(
            "steg_anvands",
            f"Steget ”{steg.namn}” används i {anvant} "
            f"{'mätning' if anvant == 1 else 'mätningar'} och kan inte tas bort. Byt namn på det i stället.",
        )
    nummer = steg.nummer
    db.session.delete(steg)
    db.session.flush()
    # One by one from the bottom, so the unique (forbund_id, nummer) holds at every step.
    for ovre in db.session.execute(
        select(Steg).where(Steg.forbund_id == user.forbund_id, Steg.nummer > nummer).order_by(Steg.nummer)
    ).scalars():
        ovre.nummer -= 1
        db.session.flush()
    audit.record("steg.ta_bort", "steg", steg_id, user_id=user.id)


# --- insats types (per förbund) ------------------------------------------------------------


def insatstyper(forbund_id: int, *, bara_aktiva: bool = False) -> list[Insatstyp]:
    stmt = select(Insatstyp).where(Insatstyp.forbund_id == forbund_id)
    if bara_aktiva:
        stmt = stmt.where(Insatstyp.aktiv.is_(True))
    return db.session.execute(stmt.order_by(Insatstyp.ordning, Insatstyp.id)).scalars().all()


def andra_insatstyp(user: User, insatstyp_id: int | None, *, namn: str | None, aktiv: bool) -> Insatstyp:
    """Rename or (de)activate a type. A deactivated type stays on earlier decisions and
    is no longer offered in meeting mode; types are never deleted."""
    policy.require_admin(user)
    typ = db.session.get(Insatstyp, insatstyp_id) if insatstyp_id else None
    if typ is None or typ.forbund_id != user.forbund_id:
        raise NotFound("Insatstypen finns inte.")
    typ.namn = _namn(namn, 200)
    typ.aktiv = aktiv
    db.session.flush()
    audit.record("insatstyp.andra", "insatstyp", typ.id, user_id=user.id, falt=["namn", "aktiv"])
    return typ


def lagg_till_insatstyp(user: User, *, namn: str | None) -> Insatstyp:
    policy.require_admin(user)
    namn = _namn(namn, 200)
    finns = db.session.scalar(select(Insatstyp.id).where(Insatstyp.forbund_id == user.forbund_id,
                                                         func.lower(Insatstyp.namn) == namn.lower()))
    if finns is not None:
        raise DomainError("finns_redan", "Det finns redan en insatstyp med det namnet.", field="namn")
    antal = db.session.scalar(select(func.count(Insatstyp.id)).where(Insatstyp.forbund_id == user.forbund_id))
    typ = Insatstyp(forbund_id=user.forbund_id, kod=f"egen-{antal + 1}", namn=namn, ordning=antal)
    db.session.add(typ)
    db.session.flush()
    audit.record("insatstyp.skapa", "insatstyp", typ.id, user_id=user.id, falt=["namn"])
    return typ


# --- an ärende's measurements -----------------------------------------------------------


def matningar(arende: Arende) -> list[Stegmatning]:
    """The ärende's measurements, oldest first. The caller has checked and audited the
    read of the ärende's details."""
    return db.session.execute(_MATNINGAR, {"arende_id": arende.id}).scalars().all()


# Built once, the ärende bound per call: the case page reads it on every request (issue 19).
# Of who registered each, the timeline shows the name: not the account's dozen columns.
_MATNINGAR = (select(Stegmatning).where(Stegmatning.arende_id == bindparam("arende_id"))
              .options(joinedload(Stegmatning.steg),
                       joinedload(Stegmatning.registrerad_av).load_only(User.id, User.namn))
              .order_by(Stegmatning.datum, Stegmatning.id))


# --- due for uppföljning ---------------------------------------------------------------------


def nasta_motesdagar(team_ids: list[int] | None = None) -> dict[int, dt.date]:
    """Each team's next meeting day (Stockholm), for teams that have one planned."""
    stmt = (select(Mote.team_id, func.min(Mote.starttid))
            .where(Mote.installt.is_(None), Mote.starttid > clock.now()).group_by(Mote.team_id))
    if team_ids is not None:
        stmt = stmt.where(Mote.team_id.in_(team_ids))
    return {tid: clock.local(start).date() for tid, start in db.session.execute(stmt).all()}


def forfallen_clause(nasta: dict[int, dt.date]):
    """ärenden in insats whose follow-up date has come: on or before today, or on or
    before their team's next meeting (so they can be put on that agenda)."""
    idag = clock.today()
    villkor = [Arende.nasta_uppfoljning <= idag]
    villkor += [and_(Arende.team_id == tid, Arende.nasta_uppfoljning <= dag)
                for tid, dag in sorted(nasta.items()) if dag > idag]
    return and_(Arende.status == wf.I_INSATS, Arende.nasta_uppfoljning.is_not(None), or_(*villkor))


def forfallna_arenden() -> list[Arende]:
    """Every due ärende, all förbund (the scheduler's query)."""
    return db.session.execute(
        select(Arende).where(forfallen_clause(nasta_motesdagar())).order_by(Arende.id)
    ).scalars().all()


def projektledare_for(team_id: int) -> User | None:
    return db.session.execute(
        select(User).join(Medlemskap, Medlemskap.user_id == User.id)
        .where(Medlemskap.team_id == team_id, Medlemskap.roll == TeamRoll.PROJEKTLEDARE, User.aktiv.is_(True))
        .order_by(Medlemskap.id).limit(1)
    ).scalar_one_or_none()


# --- återaktualisering: the links between an ärende and the one it came back as -------------


@dataclass
class Lankade:
    foregaende: Row | None  # the earlier ärende this one återaktualiserar (id, referens)
    senare: Row | None  # the ärende this one was återaktualiserat as (id, referens)


def lankade_arenden(arende: Arende) -> Lankade:
    """Both links in one statement, as rows: the case page shows their reference codes.
    None when the ärende has neither (its load asked, ``Arende.har_senare``)."""
    if arende.foregaende_arende_id is None and arende.har_senare is False:
        return Lankade(foregaende=None, senare=None)
    lankar = rader(_LANKADE, {"arende_id": arende.id, "foregaende_id": arende.foregaende_arende_id})
    return Lankade(foregaende=next((r for r in lankar if r.id == arende.foregaende_arende_id), None),
                   senare=next((r for r in lankar if r.foregaende_arende_id == arende.id), None))


# Built once: the case page reads it on every request (issue 19). Each side has its index.
_LANKADE = (select(Arende.id, Arende.referens, Arende.foregaende_arende_id)
            .where(or_(Arende.id == bindparam("foregaende_id"),
                       Arende.foregaende_arende_id == bindparam("arende_id")))
            .order_by(Arende.id))


def kan_ateraktualisera(user: User, arende: Arende) -> bool:
    """Whether the case page offers "Återaktualisera" (the service decides again on POST)."""
    return (arende.status == wf.AVSLUTAD and arende.avslutsorsak != "felregistrering"
            and user.part_id is not None
            and arende.team_id in policy.aktualiserande_team_ids(user))
