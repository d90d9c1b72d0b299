"""The efterkontroll: what waits in the projektledare's inbox, recording its outcome, and
the förbund's number of months before it. Reading an ärende's handover belongs here too.

The rows are planned by the flow at avslut (``overlamning.vid_avslut``) and put in the
inbox by the scheduler (``jobs.py``). Lists show reference codes only, like the inbox of
ärenden; recording an outcome is a write on the closed ärende, audited (field names,
never values). Changes flush; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from samverkan.arenden.kodlistor import EFTERKONTROLL_UTFALL
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import DomainError, NotFound
from samverkan.efterkontroll.models import Efterkontroll, Overlamning
from samverkan.forbund.models import Forbund, Part, Team

MIN_MANADER, MAX_MANADER = 1, 36


@dataclass
class Rad:
    """One check in the inbox (or done), by reference code."""

    kontroll: Efterkontroll
    referens: str
    team: str
    avslutad_den: dt.date | None

    @property
    def utfall_text(self) -> str | None:
        return EFTERKONTROLL_UTFALL.get(self.kontroll.utfall) if self.kontroll.utfall else None


def _ledda_team(user: User, team_id: int | None) -> list[int]:
    """The teams whose checks the user handles: those they lead (one, if named: 404
    outside the team, 403 for its other members)."""
    if team_id is None:
        return policy.ledda_team_ids(user)
    policy.require_projektledare(user, db.session.get(Team, team_id))
    return [team_id]


def inkorg(user: User, team_id: int | None = None, *, gjorda: bool = False) -> list[Rad]:
    """The checks the scheduler has put in the inbox of the teams the user leads, not yet
    recorded, oldest first (``gjorda``: the recorded ones instead, latest first). Two
    statements; no details of the ärenden are read."""
    team_ids = _ledda_team(user, team_id)
    if not team_ids:
        return []
    stmt = (select(Efterkontroll, Arende.referens, Team.namn, Arende.avslutad_den)
            .join(Arende, Arende.id == Efterkontroll.arende_id).join(Team, Team.id == Efterkontroll.team_id)
            .where(Efterkontroll.team_id.in_(team_ids), Efterkontroll.i_inkorg.is_not(None),
                   Arende.gallrad.is_(None)))
    if gjorda:
        stmt = stmt.where(Efterkontroll.utfall.is_not(None)).order_by(Efterkontroll.kontrollerad_den.desc(),
                                                                      Efterkontroll.id.desc())
    else:
        stmt = stmt.where(Efterkontroll.utfall.is_(None)).order_by(Efterkontroll.forfaller, Efterkontroll.id)
    return [Rad(k, referens, team, avslutad) for k, referens, team, avslutad in db.session.execute(stmt)]


def registrera(user: User, team_id: int, arende_id: int, utfall: str | None) -> Efterkontroll:
    """Record where the person stands now (``EFTERKONTROLL_UTFALL``), once the check is
    in the inbox; a second recording corrects the first (it is audited again)."""
    arende = db.session.get(Arende, arende_id)
    if arende is None or arende.team_id != team_id:
        raise NotFound("Ärendet finns inte.")
    policy.require_efterkontroll(user, arende)
    kontroll = db.session.execute(
        select(Efterkontroll).where(Efterkontroll.arende_id == arende.id).with_for_update()).scalar_one_or_none()
    if kontroll is None or kontroll.i_inkorg is None:
        raise DomainError("ingen_efterkontroll", f"{arende.referens} har ingen efterkontroll att registrera ännu.",
                          status=409)
    if utfall not in EFTERKONTROLL_UTFALL:
        raise DomainError("ogiltigt_utfall", "Välj var personen står nu.", field="utfall")
    kontroll.utfall, kontroll.kontrollerad_den, kontroll.registrerad_av_id = utfall, clock.today(), user.id
    db.session.flush()
    audit.record("efterkontroll.registrera", "arende", arende.id, user_id=user.id, falt=["efterkontroll_utfall"])
    return kontroll


def for_arende(arende_id: int) -> tuple[OverlamningRad | None, EfterkontrollRad | None]:
    """The ärende's handover (with its party's name, ``part_namn``) and check as named
    tuples of their columns, for a reader whose details access is checked and audited (the
    case page, the API). One statement: each is unique per ärende, so both hang off the
    ärende's row by outer joins (two statements cost ≈100 µs more, issue 19)."""
    rad = next(iter(rader(_EFTER, {"arende_id": arende_id})), None)
    if rad is None:
        return None, None
    overlamning, kontroll = rad[:len(OverlamningRad._fields)], rad[len(OverlamningRad._fields):]
    return (OverlamningRad._make(overlamning) if overlamning[0] is not None else None,
            EfterkontrollRad._make(kontroll) if kontroll[0] is not None else None)


OverlamningRad = namedtuple("OverlamningRad", [*Overlamning.__table__.c.keys(), "part_namn"])
EfterkontrollRad = namedtuple("EfterkontrollRad", Efterkontroll.__table__.c.keys())

# Built once, the ärende bound per call: the case page of a closed ärende reads it (issue 19).
_EFTER = (select(*Overlamning.__table__.c, Part.namn.label("part_namn"),
                 *(c.label(f"efterkontroll_{c.key}") for c in Efterkontroll.__table__.c))
          .select_from(Arende)
          .outerjoin(Overlamning, Overlamning.arende_id == Arende.id)
          .outerjoin(Part, Part.id == Overlamning.part_id)
          .outerjoin(Efterkontroll, Efterkontroll.arende_id == Arende.id)
          .where(Arende.id == bindparam("arende_id")))


def forbundets_parter(forbund_id: int) -> list[Part]:
    """The parties a handover may name (the avslut form's choices)."""
    return list(db.session.execute(select(Part).where(Part.forbund_id == forbund_id).order_by(Part.namn)).scalars())


# --- the förbund's setting -------------------------------------------------------------------


def forbund(user: User) -> Forbund:
    policy.require_admin(user)
    return db.session.get(Forbund, user.forbund_id)


def satt_manader(user: User, manader: int | None) -> Forbund:
    """The förbund's months from avslut to the check (the admin). Checks already planned
    and not yet in the inbox move with it, so the setting means the same for every
    ärende not yet checked."""
    policy.require_admin(user)
    if manader is None or not MIN_MANADER <= manader <= MAX_MANADER:
        raise DomainError("ogiltigt_antal", f"Ange antalet månader efter avslut, {MIN_MANADER}–{MAX_MANADER}.",
                          field="efterkontroll_manader")
    forbund = db.session.get(Forbund, user.forbund_id)
    forbund.efterkontroll_manader = manader
    planerade = db.session.execute(
        select(Efterkontroll, Arende.avslutad_den).join(Arende, Arende.id == Efterkontroll.arende_id)
        .where(Arende.forbund_id == forbund.id, Efterkontroll.i_inkorg.is_(None))).all()
    for kontroll, avslutad in planerade:
        kontroll.forfaller = clock.plus_manader(avslutad, manader)
    db.session.flush()
    audit.record("forbund.efterkontroll_manader", "forbund", forbund.id, user_id=user.id,
                 falt=["efterkontroll_manader"])
    return forbund
