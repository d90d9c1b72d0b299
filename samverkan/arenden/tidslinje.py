"""The case page's timeline: everything that happened in an ärende, oldest first.

Each kind of entry is a typed ``Post`` built by one source function in ``KALLOR``; the
timeline merges them by time. Each source loads its rows in a fixed number of queries
(so the page costs the same whatever the history's length), and each post's ``slag``
names the macro that shows it (in ``templates/arenden/_tidslinje.html``).

To add a kind (e.g. meeting decisions, "beslut"): write a ``Post`` subclass with its
``slag``, a source ``def _beslut(user, arende) -> Iterable[Post]`` and the macro, and
append the source to ``KALLOR``. Nothing else changes.

The rows are read as columns (``core.db.rader``), not entities: the page only shows them,
and building entities cost more CPU than the rest of the timeline (issue 19).

Order: by the moment each entry was recorded (``ArendeHandelse.registrerad``,
``Anteckning.skapad``), as stored in UTC and shown in Stockholm time; the effective date
of a back-dated state change is shown with it. Ties keep ``KALLOR`` order, then id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

from sqlalchemy import Row, bindparam, select

from samverkan.anteckningar import services as anteckningar
from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import rader
from samverkan.uppfoljning.models import Stegmatning


@dataclass(kw_only=True)
class Post:
    """One entry: when, by whom; subclasses carry what they show."""

    slag: ClassVar[str] = ""
    tid: dt.datetime  # UTC, aware
    forfattare: str  # the author's name
    id: int

    @property
    def anchor(self) -> str:
        return f"{self.slag}-{self.id}"


@dataclass(kw_only=True)
class HandelsePost(Post):
    slag: ClassVar[str] = "handelse"
    handelse: Row  # arende_handelse's columns


@dataclass(kw_only=True)
class AnteckningPost(Post):
    slag: ClassVar[str] = "anteckning"
    anteckning: Row  # anteckning's columns
    # The note this one adds to (for an addendum) and the addenda written to this one.
    tillagg_till: Row | None = None
    tillagg: list[Row] = field(default_factory=list)
    kan_rattas: bool = False  # the author, within the window, while the ärende takes notes
    kan_skriva_tillagg: bool = False


@dataclass(kw_only=True)
class MatningPost(Post):
    slag: ClassVar[str] = "matning"
    matning: Stegmatning


Kalla = Callable[[User, Arende], Iterable[Post]]


def _med_forfattare(tabell, forfattare_id, *sortering):
    """A source's rows: the table's columns and the author's name, the ärende bound per
    call; built once (issue 19)."""
    return (select(*tabell.c, User.namn.label("forfattarens_namn"))
            .join(User, User.id == forfattare_id)
            .where(tabell.c.arende_id == bindparam("arende_id"))
            .order_by(*sortering))


_HANDELSER = _med_forfattare(ArendeHandelse.__table__, ArendeHandelse.aktor_id, ArendeHandelse.id)
_ANTECKNINGAR = _med_forfattare(Anteckning.__table__, Anteckning.forfattare_id, Anteckning.skapad, Anteckning.id)


def _handelser(user: User, arende: Arende) -> Iterable[Post]:
    for h in rader(_HANDELSER, {"arende_id": arende.id}):
        yield HandelsePost(tid=h.registrerad, forfattare=h.forfattarens_namn, id=h.id, handelse=h)


def _anteckningar(user: User, arende: Arende) -> Iterable[Post]:
    if arende.har_anteckningar is False:
        return  # the case page's load found none (``Arende.har_anteckningar``)
    notes = rader(_ANTECKNINGAR, {"arende_id": arende.id})
    by_id = {n.id: n for n in notes}
    tillagg: dict[int, list[Row]] = {}
    for n in notes:
        if n.tillagg_till_id is not None:
            tillagg.setdefault(n.tillagg_till_id, []).append(n)
    skrivbart = policy.may_write_anteckning(user, arende)
    nu = clock.now()
    for n in notes:
        rattbar = skrivbart and anteckningar.kan_rattas(n, user, nu=nu)
        yield AnteckningPost(
            tid=n.skapad, forfattare=n.forfattarens_namn, id=n.id, anteckning=n,
            tillagg_till=by_id.get(n.tillagg_till_id) if n.tillagg_till_id else None,
            tillagg=tillagg.get(n.id, []),
            kan_rattas=rattbar,
            kan_skriva_tillagg=skrivbart and not rattbar,
        )


def _matningar(user: User, arende: Arende, matningar: list[Stegmatning] | None = None) -> Iterable[Post]:
    from samverkan.uppfoljning import forlopp as uppfoljning

    if matningar is None:
        matningar = uppfoljning.matningar(arende)
    for m in matningar:
        yield MatningPost(tid=m.registrerad, forfattare=m.registrerad_av.namn, id=m.id, matning=m)


# The timeline's sources, in tie-break order. Meeting decisions plug in here.
KALLOR: list[Kalla] = [_handelser, _anteckningar, _matningar]


def for_arende(user: User, arende: Arende, *, matningar: list[Stegmatning] | None = None) -> list[Post]:
    """The merged timeline, oldest first (newest last). The caller has checked and
    audited the read of the ärende's details; this refuses anyone without them.
    ``matningar``: the ärende's measurements when the caller has loaded them already (the
    case page draws them too), so they are not read twice."""
    policy.require(user, arende, policy.Atkomst.DETALJER)
    kallor = [partial(_matningar, matningar=matningar) if kalla is _matningar and matningar is not None
              else kalla for kalla in KALLOR]
    poster = [(i, p) for i, kalla in enumerate(kallor) for p in kalla(user, arende)]
    poster.sort(key=lambda ip: (ip[1].tid, ip[0], ip[1].id))
    return [p for _, p in poster]
