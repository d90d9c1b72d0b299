"""Places and queues: where an insats's place comes from, counted under a lock.

Two kinds of places, one queue rule:

- a **samcoach**'s places: the coach's capacity (``Medlemskap.kapacitet``, None = 10),
  one capacity counted across every team the coach serves; the queue is the team's
  samcoach insatser waiting, and a freed place is offered to the coach whose place it was;
- an **insats type**'s places in a team (``Insatsplatser.antal``); no row means no limit
  and so no queue; the queue is the team's insatser of that type waiting.

An insats holds a place while ``aktiv`` or ``erbjuden``. The count is taken under a row
lock (``SELECT … FOR UPDATE`` on PostgreSQL) on the rows that define the capacity — the
coach's memberships, or the team's places row of the type — so two assignments at once
never exceed it; on SQLite a writing transaction already holds the database's write lock
from ``BEGIN IMMEDIATE`` (``core.db``). The queue's order is ``i_ko_sedan``, then ``id``.

Functions change and flush; the caller commits once.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from samverkan.auth.models import User
from samverkan.besked import services as besked
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.insatser.models import (
    SAMCOACH_STANDARDKAPACITET,
    Insats,
    InsatsForm,
    Insatsplatser,
    InsatsStatus,
    insatsregler,
)

log = logging.getLogger(__name__)

# Insatser that hold a place.
UPPTAR_PLATS = (InsatsStatus.AKTIV, InsatsStatus.ERBJUDEN)


def kapacitet(medlemskap: Medlemskap) -> int:
    return SAMCOACH_STANDARDKAPACITET if medlemskap.kapacitet is None else medlemskap.kapacitet


class Platser:
    """The places of one kind in one team. Subclasses say which rows to lock, the
    capacity, which insatser hold a place and which wait."""

    team_id: int

    def las(self) -> int | None:
        """Lock the rows the capacity is counted under; the capacity (None: no limit)."""
        raise NotImplementedError

    def _haller(self):
        """The insatser (anywhere) that count against the capacity, as a WHERE clause."""
        raise NotImplementedError

    def _i_kon(self):
        """The team's insatser of this kind, as a WHERE clause (the queue adds the status)."""
        raise NotImplementedError

    def _ge_plats(self, insats: Insats) -> None:
        """What an insats given one of these places carries (the samcoach's id)."""

    def upptagna(self) -> int:
        return db.session.execute(
            select(func.count(Insats.id)).where(self._haller(), Insats.status.in_(UPPTAR_PLATS))
        ).scalar_one()

    def lediga(self) -> int | None:
        """Free places now, under the lock (None: no limit)."""
        antal = self.las()
        return None if antal is None else max(0, antal - self.upptagna())

    def har_ledig(self) -> bool:
        lediga = self.lediga()
        return lediga is None or lediga > 0

    def tilldela(self, insats: Insats) -> None:
        """The insats starts on one of these places (the caller checked one is free)."""
        self._ge_plats(insats)

    def ko(self):
        """The team's queue of this kind, first in line first (a Select)."""
        return (select(Insats).where(self._i_kon(), Insats.status == InsatsStatus.KO)
                .order_by(Insats.i_ko_sedan, Insats.id))

    def erbjud_nasta(self, user: User | None) -> list[Insats]:
        """Offer the free places to the first in the queue: ``erbjuden``, with the time."""
        lediga = self.lediga()
        if lediga == 0:
            return []
        # No limit (a type whose places were removed): everyone waiting is offered one.
        ko = self.ko() if lediga is None else self.ko().limit(lediga)
        forst = db.session.execute(
            ko.with_for_update().execution_options(populate_existing=True)
        ).scalars().all()
        for insats in forst:
            insatsregler.byt(insats, InsatsStatus.ERBJUDEN)
            self._ge_plats(insats)
            insats.erbjuden = clock.now()
            db.session.flush()
            audit.record("insats.erbjud", "insats", insats.id, user_id=user.id if user else None,
                         falt=["status", "samcoach_id", "erbjuden"])
            besked.nytt_uppdrag(insats)
            log.info("insats %s offered a place (team %s)", insats.id, self.team_id)
        return forst


class Samcoachplatser(Platser):
    """A samcoach's places: one capacity per coach, counted across teams."""

    def __init__(self, team_id: int, samcoach_id: int):
        self.team_id, self.samcoach_id = team_id, samcoach_id
        self.medlemskap: Medlemskap | None = None

    def las(self) -> int | None:
        # Every samcoach membership of the coach, in id order (two lockers never deadlock):
        # an assignment in one team waits for one in another.
        db.session.execute(select(Medlemskap.id).where(Medlemskap.user_id == self.samcoach_id,
                                                       Medlemskap.roll == TeamRoll.SAMCOACH)
                           .order_by(Medlemskap.id).with_for_update()).all()
        self.medlemskap = db.session.execute(
            select(Medlemskap)
            .where(Medlemskap.team_id == self.team_id, Medlemskap.user_id == self.samcoach_id,
                   Medlemskap.roll == TeamRoll.SAMCOACH)
            .with_for_update().execution_options(populate_existing=True)
        ).scalar_one_or_none()
        # No longer a samcoach of the team: no places to give here.
        return 0 if self.medlemskap is None else kapacitet(self.medlemskap)

    def _haller(self):
        return Insats.samcoach_id == self.samcoach_id

    def _i_kon(self):
        return (Insats.team_id == self.team_id) & (Insats.form == InsatsForm.SAMCOACH)

    def _ge_plats(self, insats: Insats) -> None:
        insats.samcoach_id = self.samcoach_id


class Typplatser(Platser):
    """A team's places of one insats type (no ``Insatsplatser`` row: no limit)."""

    def __init__(self, team_id: int, insatstyp_id: int):
        self.team_id, self.insatstyp_id = team_id, insatstyp_id

    def las(self) -> int | None:
        return db.session.execute(
            select(Insatsplatser.antal).where(Insatsplatser.team_id == self.team_id,
                                              Insatsplatser.insatstyp_id == self.insatstyp_id)
            .with_for_update()
        ).scalar_one_or_none()

    def _haller(self):
        return self._i_kon()

    def _i_kon(self):
        return (Insats.team_id == self.team_id) & (Insats.form == InsatsForm.INSATS) & (
            Insats.insatstyp_id == self.insatstyp_id)


class Obegransat(Platser):
    """Continued support in the parties' ordinary services: always a place, never a queue."""

    def __init__(self, team_id: int):
        self.team_id = team_id

    def las(self) -> int | None:
        return None

    def _haller(self):
        return Insats.id.is_(None)

    _i_kon = _haller


def for_beslut(team_id: int, form: InsatsForm, *, samcoach_id: int | None = None,
               insatstyp_id: int | None = None) -> Platser:
    """The places an insats of ``form`` would take in the team."""
    if form == InsatsForm.SAMCOACH:
        if samcoach_id is None:
            raise DomainError("ingen_samcoach", "Välj en av teamets samcoacher.", field="samcoach_id")
        return Samcoachplatser(team_id, samcoach_id)
    if form == InsatsForm.INSATS and insatstyp_id is not None:
        return Typplatser(team_id, insatstyp_id)
    return Obegransat(team_id)


def for_insats(insats: Insats) -> Platser | None:
    """The places an insats held or waits for; None for a queued samcoach insats (no coach
    yet: it waits in the team's samcoach queue, offered whichever coach frees a place)."""
    if insats.form == InsatsForm.SAMCOACH:
        return Samcoachplatser(insats.team_id, insats.samcoach_id) if insats.samcoach_id else None
    return for_beslut(insats.team_id, insats.form, insatstyp_id=insats.insatstyp_id)
