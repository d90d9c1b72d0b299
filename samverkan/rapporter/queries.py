"""The report's aggregate queries: each one statement with GROUP BY (or conditional
aggregation), never one row per ärende into Python, so a year over 100 000 ärenden costs
the same number of round trips as a quarter over ten.

Each statement answers for a whole *kub* at once (``Kub``): several periods (a year and
its quarters, or a period and its trend quarters) joined as a small table of first and
last days, and optionally the förbund and each of its teams (a UNION ALL of the same
grouping with and without the team). Rows carry ``nr`` (the period's index) and ``team``
(None: the kub's own urval). So the year report with its quarters, as the suppression
needs them, costs one pass per table instead of one per table and period. On PostgreSQL
the heavy counts do not even pair each row with each period: a row's dates become their
stretch between the periods' bounds (``Kub.index``), the rows are grouped once by those
few numbers, and only the groups are paired with the periods (``_personer_per_mangd``,
``_medel_per_period``).

Who counts (decided once, here):
- The population is the förbund's (or one team's) ärenden that were aktualiserade and not
  felregistrerade. An ärende is *in the period* when it was aktualiserat on or before the
  last day and not closed before the first.
- Individuals are counted as distinct deltagare, so a person with two ärenden in the
  period counts once in each group.
- Age is the period's last year minus the birth year (only the year is stored), which is
  plain integer arithmetic on both databases.
- A meeting was *held* when it is a case meeting, not cancelled and started before now;
  *every party present* means every party that sat in that team on the meeting's date
  (``forbund.services.team_part_perioder``: a team may lack Försäkringskassan, a kommun
  may send IFO and AMI as two parties, a party may join or leave) attended in person, by
  phone or through an ersättare.
- Parties are reported one by one (remitterande part, attendance, consent, actions),
  the party type being a subtotal in the services.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import UTCDateTime, db
from samverkan.deltagare.models import Deltagare, Samtycke, samtycke_part
from samverkan.forbund.models import Team
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
from samverkan.moten.models import Mote, MotesTyp, Narvaro, NarvaroStatus
from samverkan.rapporter.dialekt import dagar_mellan
from samverkan.rapporter.models import TeamBudget
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning.models import Steg, Stegmatning

FELREG = "felregistrering"
# Age bands as in the seeds' tables (lower bound inclusive, label).
ALDERSBAND = [(0, "Under 25 år"), (25, "25–29 år"), (30, "30–39 år"), (40, "40–49 år"),
              (50, "50–59 år"), (60, "60 år och äldre")]
ARBETE_STUDIER = ("arbete", "studier")
# Income at avslut that counts as egenförsörjning (pay, study grant), besides the ladder's top.
EGENFORSORJNING_SLUT = ("lon", "csn")


@dataclass(frozen=True)
class Urval:
    """What a report covers: a förbund or one of its teams, first and last day (inclusive)."""

    forbund_id: int
    team_id: int | None
    fran: dt.date
    till: dt.date


class Kub:
    """The periods (and teams) one pass of statements answers for: a förbund or one team
    (``team_id``), the periods as first and last days, and with ``per_team`` each of the
    förbund's teams as well. ``fran``, ``till`` (dates), ``start``, ``slut`` (the period's
    UTC instants) and ``ar`` (its last year, for ages) are columns of the period table,
    so a condition written for one period holds for each."""

    def __init__(self, forbund_id: int, team_id: int | None, perioder: list[tuple[dt.date, dt.date]],
                 *, per_team: bool = False):
        self.forbund_id, self.team_id, self.perioder = forbund_id, team_id, list(perioder)
        self.per_team = per_team and team_id is None
        # Every period's first day and the day after its last, in order (``index``).
        self.granser = sorted({f for f, _ in self.perioder} | {t + dt.timedelta(days=1) for _, t in self.perioder})
        rader, tider = [], []
        for nr, (fran, till) in enumerate(self.perioder):
            start, slut = _tidsgranser(Urval(forbund_id, team_id, fran, till))
            tider.append((fran, till, start, slut))
            i, j = self.granser.index(fran), self.granser.index(till + dt.timedelta(days=1))
            rader.append(select(literal(nr, Integer).label("nr"), literal(fran, Date).label("fran"),
                                literal(till, Date).label("till"), literal(start, UTCDateTime).label("start"),
                                literal(slut, UTCDateTime).label("slut"), literal(till.year, Integer).label("ar"),
                                literal(i, Integer).label("i"), literal(j, Integer).label("j")))
        self.p = (union_all(*rader) if len(rader) > 1 else rader[0]).cte("period")
        self.nr, self.fran, self.till = self.p.c.nr, self.p.c.fran, self.p.c.till
        self.start, self.slut, self.ar = self.p.c.start, self.p.c.slut, self.p.c.ar
        self.i, self.j = self.p.c.i, self.p.c.j
        self.forsta = min(f for f, _ in self.perioder)
        self.sista = max(t for _, t in self.perioder)
        # Everything a statement built for this kub holds (the period table's instants
        # depend on the clock for a period not yet ended): ``_sparad``'s key.
        self.nyckel = (forbund_id, team_id, self.per_team, tuple(tider))

    @classmethod
    def av(cls, u: Urval) -> Kub:
        return cls(u.forbund_id, u.team_id, [(u.fran, u.till)])

    def index(self, datum):
        """Which stretch between the kub's ``granser`` a date column falls in, as a number:
        how many of them lie on or before it (NULL, as an open end: after them all). A
        period runs from ``granser[i]`` to the day before ``granser[j]`` (its columns ``i``,
        ``j``), so "on or after the first day" is ``index > i`` and "on or before the last"
        ``index <= j``: a row's dates become two small numbers that are grouped once and
        compared with each period afterwards, instead of pairing every row with every
        period."""
        return case(*[(datum < g, n) for n, g in enumerate(self.granser)], else_=len(self.granser))

    def har(self, start, slut):
        """A row whose span runs from index ``start`` to index ``slut`` (``index``) meets the
        period: it began by the last day and had not ended before the first."""
        return and_(start <= self.j, slut > self.i)


def _grupperat(k: Kub, stmt, team=None) -> list[dict]:
    """``stmt`` (a grouped select over the period table) per period, for the kub's urval
    (``team`` None) and, with ``per_team``, per team as well: one statement."""
    team = Arende.team_id if team is None else team
    if k.per_team and db.session.get_bind().dialect.name == "postgresql":
        # One scan for both groupings: the team's rows and the urval's (team NULL, which
        # no ärende has). SQLite has no GROUPING SETS and runs the UNION ALL below.
        grupper = list(stmt._group_by_clauses)
        return _rader(stmt.add_columns(k.nr.label("nr"), team.label("team")).group_by(None).group_by(
            k.nr, func.grouping_sets(tuple_(team, *grupper), tuple_(*grupper))))
    delar = [stmt.add_columns(k.nr.label("nr"), literal(None, Integer).label("team")).group_by(k.nr)]
    if k.per_team:
        delar.append(stmt.add_columns(k.nr.label("nr"), team.label("team")).group_by(k.nr, team))
    return _rader(union_all(*delar) if len(delar) > 1 else delar[0])


def _population(u: Urval | Kub):
    villkor = [Arende.forbund_id == u.forbund_id, Arende.aktualiserad_den.is_not(None),
               or_(Arende.avslutsorsak.is_(None), Arende.avslutsorsak != FELREG)]
    if u.team_id is not None:
        villkor.append(Arende.team_id == u.team_id)
    return and_(*villkor)


def _forbundets_insatser(u: Urval):
    """Insats has no förbund of its own, its team has. Joined to the population this adds
    nothing logically, but it lets the planner read only this förbund's insatser through
    the team index instead of every förbund's: without it each insats statement scanned
    the whole installation's insatser and grew with it."""
    return Insats.team_id.in_(select(Team.id).where(Team.forbund_id == u.forbund_id))


def _insatspopulation(u: Urval):
    return and_(_population(u), _forbundets_insatser(u))


def _deltagaren(u: Urval):
    """The ärende's deltagare, who is always of the same förbund: saying so lets the
    planner read the förbund's deltagare by index rather than hash every förbund's."""
    return and_(Deltagare.id == Arende.deltagare_id, Deltagare.forbund_id == u.forbund_id)


def _i_perioden(u: Kub):
    # The kub's whole span first, as constants: lets the planner drop the ärenden of other
    # years before it pairs the rest with the periods.
    return and_(Arende.aktualiserad_den <= u.sista,
                or_(Arende.avslutad_den.is_(None), Arende.avslutad_den >= u.forsta),
                Arende.aktualiserad_den <= u.till,
                or_(Arende.avslutad_den.is_(None), Arende.avslutad_den >= u.fran))


def _mellan(kolumn, u: Kub):
    return kolumn.between(u.fran, u.till)


def _personer():
    return func.count(func.distinct(Arende.deltagare_id))


# Built statements (``_sparad``), by what they are built from; bounded, emptied when full.
_SATSER: dict[tuple, object] = {}
_SATSER_HOGST = 64


def _sparad(nyckel: tuple, bygg):
    """What ``bygg()`` builds (a statement, with what reading its rows needs), built once per
    ``nyckel`` and database dialect: putting a year's kub's statements together took some
    30 ms of Python each time, a sixth of the report's Python. Only statements are kept,
    never rows or figures; ``nyckel`` names all they are built from (``Kub.nyckel`` and the
    function's own arguments), so a statement kept is the one ``bygg()`` would build now."""
    nyckel = (db.session.get_bind().dialect.name, *nyckel)
    sats = _SATSER.get(nyckel)
    if sats is None:
        if len(_SATSER) >= _SATSER_HOGST:
            _SATSER.clear()
        sats = _SATSER[nyckel] = bygg()
    return sats


def _rader(stmt) -> list[dict]:
    # The column names once, not a mapping per row (a kub's statements give thousands).
    resultat = db.session.execute(stmt)
    namn = list(resultat.keys())
    return [dict(zip(namn, r, strict=True)) for r in resultat.all()]


# --- deltagare -------------------------------------------------------------------------------


def deltagare_per_kon(u: Kub) -> list[dict]:
    return _grupperat(u,
        select(Deltagare.kon.label("kon"), _personer().label("antal"),
               _distinkta(_mellan(Arende.aktualiserad_den, u)).label("nya"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _i_perioden(u))
        .group_by(Deltagare.kon)
    )


def _flodet(u: Kub) -> dict:
    """The flow's four counts, as conditions on an ärende: carried in (open at the first
    day), new, closed, and ongoing at the last day."""
    return {"inneliggande": Arende.aktualiserad_den < u.fran, "nya": _mellan(Arende.aktualiserad_den, u),
            "avslutade": _mellan(Arende.avslutad_den, u),
            "pagaende": or_(Arende.avslutad_den.is_(None), Arende.avslutad_den > u.till)}


def _distinkta(villkor):
    """Distinct deltagare of the ärenden that meet ``villkor``."""
    return func.count(func.distinct(case((villkor, Arende.deltagare_id))))


def flode_per_kon(u: Kub) -> list[dict]:
    """The period's flow by kön, as the förbund's tables write it (``_flodet``), in
    distinct deltagare."""
    return _grupperat(u,
        select(Deltagare.kon.label("kon"), *(_distinkta(v).label(k) for k, v in _flodet(u).items()))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _i_perioden(u))
        .group_by(Deltagare.kon)
    )


def deltagare_och_flode_per_kon(u: Kub) -> list[dict]:
    """``deltagare_per_kon`` and ``flode_per_kon`` in one statement (they read the same rows,
    and their ``nya`` is the same count): per kön ``antal``, ``nya``, ``inneliggande``,
    ``avslutade`` and ``pagaende``. On PostgreSQL ``deltagare_i_perioden``."""
    if _postgresql():
        return deltagare_i_perioden(u)["kon"]
    return _grupperat(u,
        select(Deltagare.kon.label("kon"), _personer().label("antal"),
               *(_distinkta(v).label(k) for k, v in _flodet(u).items()))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _i_perioden(u))
        .group_by(Deltagare.kon)
    )


# Time in insats at its end, in days: under 6 months, 6–12 months, over 12 months.
TIDSBAND = [(0, "Under 6 månader"), (183, "6–12 månader"), (366, "Över 12 månader")]


def _tidsband():
    dagar = dagar_mellan(Insats.avslutad, Insats.startad)
    return case(*[(dagar >= lo, i) for i, (lo, _) in reversed(list(enumerate(TIDSBAND)))], else_=0)


def tid_i_insats_per_band(u: Kub) -> list[dict]:
    """Deltagare whose insats (samcoach or insats) ended in the period, by its length
    (``insatser_per_kon`` on PostgreSQL)."""
    band = _tidsband()
    return _grupperat(u,
        select(band.label("band"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Insats)
        .join(Arende, Arende.id == Insats.arende_id)
        .join(Deltagare, _deltagaren(u))
        .where(_insatspopulation(u), Insats.startad.is_not(None), Insats.form != InsatsForm.ORDINARIE,
               _mellan(Insats.avslutad, u))
        .group_by(band, Deltagare.kon)
    )


OKAND = -1  # band of a deltagare without a birth year (anonymous)
UTANFOR = -2  # outside the förbund's own bands


def _aldersband(u: Kub, band_granser: list[tuple[int, int]] | None = None, ar=None):
    """The age band (``ar``: the year the age is counted at; the period's last by default)."""
    alder = (u.ar if ar is None else ar) - Deltagare.fodelsear
    if band_granser is None:
        return case((Deltagare.fodelsear.is_(None), OKAND),
                    *[(alder >= lo, i) for i, (lo, _) in reversed(list(enumerate(ALDERSBAND)))], else_=0)
    return case((Deltagare.fodelsear.is_(None), OKAND),
                *[(alder.between(lo, hi), i) for i, (lo, hi) in enumerate(band_granser)], else_=UTANFOR)


def deltagare_per_alder(u: Kub, band_granser: list[tuple[int, int]] | None = None) -> list[dict]:
    """Deltagare by age band and kön: the fixed bands, or (``band_granser``: inclusive
    (from, to) ages) the förbund's own, with UTANFOR for an age in none of them. A missing
    birth year is OKAND in both."""
    band = _aldersband(u, band_granser)
    return _grupperat(u,
        select(band.label("band"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _i_perioden(u))
        .group_by(band, Deltagare.kon)
    )


def deltagare_per_part(u: Kub) -> list[dict]:
    """Deltagare by the party that brought the ärende (aktualiserande part), one row per party."""
    return _grupperat(u,
        select(Arende.aktualiserande_part_id.label("part_id"), Deltagare.kon.label("kon"),
               _personer().label("antal"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _i_perioden(u))
        .group_by(Arende.aktualiserande_part_id, Deltagare.kon)
    )


def samtycke_per_part(u: Kub) -> list[dict]:
    """Deltagare in the period whose consent (not withdrawn) names the party."""
    return _grupperat(u,
        select(samtycke_part.c.part_id.label("part_id"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .join(Samtycke, Samtycke.arende_id == Arende.id)
        .join(samtycke_part, samtycke_part.c.samtycke_id == Samtycke.id)
        .where(_population(u), _i_perioden(u), Samtycke.aterkallat.is_(None),
               Samtycke.givet_den <= u.till, Samtycke.giltigt_till >= u.fran)
        .group_by(samtycke_part.c.part_id, Deltagare.kon)
    )


def atgard_per_part(u: Kub) -> list[dict]:
    """Deltagare with an action of their handlingsplan owned by the party, set in the period."""
    start, slut = u.start, u.slut
    return _grupperat(u,
        select(Atgard.part_id.label("part_id"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Atgard)
        .join(Arende, Arende.id == Atgard.arende_id)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), Atgard.skapad >= start, Atgard.skapad < slut)
        .group_by(Atgard.part_id, Deltagare.kon)
    )


def narvaro_per_part(u: Kub, sammansattningar: list[Sammansattning]) -> list[dict]:
    """Held case meetings each party attended (in person, by phone or by ersättare) while
    it sat in the meeting's team: per period, party and team. A guest at another team's
    meeting, or at its own former team's, is not attendance."""
    start, slut = u.start, u.slut
    egen = [and_(_i_sammansattning(s), Narvaro.part_id.in_(sorted(s.parter)))
            for s in sammansattningar if s.parter]
    villkor = [Team.forbund_id == u.forbund_id, Mote.installt.is_(None), Mote.typ == MotesTyp.ARENDEDRAGNING,
               Mote.starttid >= start, Mote.starttid < slut, Narvaro.status != NarvaroStatus.FRANVARANDE,
               or_(*egen) if egen else literal(False)]
    if u.team_id is not None:
        villkor.append(Mote.team_id == u.team_id)
    return _rader(
        select(u.nr.label("nr"), Narvaro.part_id.label("part_id"), Mote.team_id.label("team_id"),
               func.count(func.distinct(Mote.id)).label("antal"))
        .select_from(Narvaro)
        .join(Mote, Mote.id == Narvaro.mote_id)
        .join(Team, Team.id == Mote.team_id)
        .where(*villkor)
        .group_by(u.nr, Narvaro.part_id, Mote.team_id)
    )


# --- meetings --------------------------------------------------------------------------------


def _tidsgranser(u: Urval) -> tuple[dt.datetime, dt.datetime]:
    """The period in UTC instants: Stockholm midnight of the first day to that after the last."""
    start = dt.datetime.combine(u.fran, dt.time(0), tzinfo=clock.STOCKHOLM)
    slut = dt.datetime.combine(u.till + dt.timedelta(days=1), dt.time(0), tzinfo=clock.STOCKHOLM)
    return start, min(slut, clock.now())


@dataclass(frozen=True)
class Sammansattning:
    """The parties that sat in a team from ``start`` (None: always) to before ``slut``
    (None: still), as UTC instants of Stockholm midnights."""

    team_id: int
    start: dt.datetime | None
    slut: dt.datetime | None
    parter: frozenset[int]


def sammansattningar(perioder: dict[int, list[tuple[int, dt.date | None, dt.date | None]]]) -> list[Sammansattning]:
    """Cut each team's party periods (``forbund.services.team_part_perioder``) where a party
    joined or left: within one piece the team's parties do not change."""
    def midnatt(d: dt.date | None) -> dt.datetime | None:
        return None if d is None else dt.datetime.combine(d, dt.time(0), tzinfo=clock.STOCKHOLM)

    ut = []
    for team_id, rader in perioder.items():
        granser = sorted({d for _, fran, till in rader for d in (fran, till) if d is not None})
        for fran, till in zip([None, *granser], [*granser, None], strict=True):
            parter = frozenset(p for p, f, t in rader
                               if (f is None or (fran is not None and f <= fran)) and (t is None or (till is not None
                                                                                        and till <= t)))
            ut.append(Sammansattning(team_id, midnatt(fran), midnatt(till), parter))
    return ut


def _i_sammansattning(s: Sammansattning):
    villkor = [Mote.team_id == s.team_id]
    if s.start is not None:
        villkor.append(Mote.starttid >= s.start)
    if s.slut is not None:
        villkor.append(Mote.starttid < s.slut)
    return and_(*villkor)


def moten_per_team(u: Kub, sammansattningar: list[Sammansattning]) -> list[dict]:
    """Held case meetings per period, team and piece of its composition (``sammansattningar``, by
    index ``del``; -1 outside them all), and those where every party that sat in the team
    on the meeting's date was there. A team with no parties never has every party present."""
    start, slut = u.start, u.slut
    delar = [(i, s) for i, s in enumerate(sammansattningar) if s.parter]
    del_ = case(*[(_i_sammansattning(s), i) for i, s in enumerate(sammansattningar)], else_=-1) \
        if sammansattningar else literal(-1)
    egna = [and_(_i_sammansattning(s), Narvaro.part_id.in_(sorted(s.parter))) for _, s in delar]
    parter_narvarande = (
        select(func.count(func.distinct(Narvaro.part_id)))
        .where(Narvaro.mote_id == Mote.id, Narvaro.status != NarvaroStatus.FRANVARANDE,
               or_(*egna) if egna else literal(False))
        .correlate(Mote)
        .scalar_subquery()
    )
    behov = case(*[(_i_sammansattning(s), len(s.parter)) for _, s in delar], else_=-1) if delar else literal(-1)
    villkor = [Team.forbund_id == u.forbund_id, Mote.installt.is_(None),
               Mote.starttid >= start, Mote.starttid < slut]
    if u.team_id is not None:
        villkor.append(Mote.team_id == u.team_id)
    arende = Mote.typ == MotesTyp.ARENDEDRAGNING
    return _rader(
        select(u.nr.label("nr"), Team.id.label("team_id"), Team.namn.label("team"), del_.label("del"),
               func.coalesce(func.sum(case((arende, 1), else_=0)), 0).label("hallna"),
               func.coalesce(func.sum(case((and_(arende, parter_narvarande == behov), 1), else_=0)), 0)
               .label("alla_parter"),
               func.coalesce(func.sum(case((Mote.typ == MotesTyp.PLANERING, 1), else_=0)), 0).label("planering"))
        .select_from(Mote)
        .join(Team, Team.id == Mote.team_id)
        .where(*villkor)
        .group_by(u.nr, Team.id, Team.namn, del_)
        .order_by(Team.namn)
    )


# --- insatser --------------------------------------------------------------------------------


def _insats_i_perioden(u: Kub):
    return and_(Insats.beslutad <= u.till, or_(Insats.avslutad.is_(None), Insats.avslutad >= u.fran))


def samcoach_per_kon(u: Kub) -> list[dict]:
    """Deltagare who had a samcoach during the period, and who waited for one
    (``insatser_per_kon`` on PostgreSQL)."""
    hade = and_(Insats.startad.is_not(None), Insats.startad <= u.till)
    vantade = and_(Insats.i_ko_sedan.is_not(None),
                   or_(Insats.startad.is_(None), Insats.startad >= u.fran))
    return _grupperat(u,
        select(Deltagare.kon.label("kon"),
               func.count(func.distinct(case((hade, Arende.deltagare_id)))).label("samcoach"),
               func.count(func.distinct(case((vantade, Arende.deltagare_id)))).label("ko"))
        .select_from(Insats)
        .join(Arende, Arende.id == Insats.arende_id)
        .join(Deltagare, _deltagaren(u))
        .where(_insatspopulation(u), Insats.form == InsatsForm.SAMCOACH, _insats_i_perioden(u))
        .group_by(Deltagare.kon)
    )


def manadsslut(u: Urval) -> list[dt.date]:
    """The last day of each month in the period (the period's last day for a cut month)."""
    dagar, ar, manad = [], u.fran.year, u.fran.month
    while (ar, manad) <= (u.till.year, u.till.month):
        nasta = dt.date(ar + manad // 12, manad % 12 + 1, 1)
        dagar.append(min(nasta - dt.timedelta(days=1), u.till))
        ar, manad = nasta.year, nasta.month
    return dagar


def pagaende_samcoach(u: Kub, dagar: list[dt.date]) -> list[dict]:
    """Ongoing samcoach insatser at the end of each given day (``d0``, ``d1``, …), in one
    statement for the whole kub (the days are the same whatever the period)."""
    if not dagar:
        return []
    return _pagaende_rader(u, _rader(_pagaende_sats(u, dagar)), dagar)


def _pagar(dag):
    """An insats ongoing on ``dag``: started by it, not ended before it ends."""
    return and_(Insats.startad <= dag, or_(Insats.avslutad.is_(None), Insats.avslutad > dag))


def _pagaende_sats(u: Kub, dagar: list[dt.date], delad: _Delad | None = None):
    """``pagaende_samcoach``'s statement; with ``delad``, on its rows (``_insatsrader``, which
    hold every insats ongoing at one of the kub's days)."""
    kolumner = [
        func.coalesce(func.sum(case((_pagar(d), 1), else_=0)), 0).label(f"d{i}")
        for i, d in enumerate(dagar)
    ]
    villkor = [Insats.form == InsatsForm.SAMCOACH, Insats.startad.is_not(None)]
    stmt = (select().select_from(Insats).join(Arende, Arende.id == Insats.arende_id)
            .where(_insatspopulation(u), *villkor) if delad is None else delad.rader(*villkor)).add_columns(*kolumner)
    # Each insats is in one team: the urval's sums are the teams' (no second scan).
    stmt = stmt.add_columns(Arende.team_id.label("team")).group_by(Arende.team_id) if u.per_team \
        else stmt.add_columns(literal(None, Integer).label("team"))
    return stmt if delad is None else delad.las(stmt)


def _pagaende_rader(u: Kub, rader: list[dict], dagar: list[dt.date]) -> list[dict]:
    if not u.per_team:
        return rader
    return [*rader, {"team": None, **{f"d{i}": sum(r[f"d{i}"] for r in rader) for i in range(len(dagar))}}]


def _insatserna(u: Kub, *villkor):
    """The population's insatser that meet ``villkor`` (constants only) with their ärende and
    deltagare."""
    return (select().select_from(Insats).join(Arende, Arende.id == Insats.arende_id)
            .join(Deltagare, _deltagaren(u)).where(_insatspopulation(u), *villkor))


def insatstyp_per_kon(u: Kub) -> list[dict]:
    """Deltagare by the form and type of an insats beslutad by the period's end and not
    ended before it began (``insatser_per_kon`` on PostgreSQL)."""
    return _grupperat(u,
        select(Insats.form.label("form"), Insats.insatstyp_id.label("insatstyp_id"), Deltagare.kon.label("kon"),
               _personer().label("antal"))
        .select_from(Insats)
        .join(Arende, Arende.id == Insats.arende_id)
        .join(Deltagare, _deltagaren(u))
        .where(_insatspopulation(u), _insats_i_perioden(u))
        .group_by(Insats.form, Insats.insatstyp_id, Deltagare.kon)
    )


def insats_per_part(u: Kub) -> list[dict]:
    """Deltagare in an insats of the team (samcoach or another insats, not the parties'
    ordinary services) at some time in the period, by the party that brought the ärende
    (aktualiserande part): the seeds report insatser per referring party
    (``insatser_per_kon`` on PostgreSQL)."""
    stmt = _insatserna(u, Insats.form != InsatsForm.ORDINARIE, Insats.startad.is_not(None),
                          Insats.startad <= u.till, or_(Insats.avslutad.is_(None), Insats.avslutad >= u.fran))
    return _grupperat(u, stmt.add_columns(Arende.aktualiserande_part_id.label("part_id"),
                                          Deltagare.kon.label("kon"), _personer().label("antal"))
                      .group_by(Arende.aktualiserande_part_id, Deltagare.kon))


def insatser_per_kon(u: Kub) -> dict[str, list[dict]]:
    """The four insats tables' rows: ``"samcoach"`` (``samcoach_per_kon``), ``"insatstyp"``
    (``insatstyp_per_kon``), ``"insats_part"`` (``insats_per_part``) and ``"tid_i_insats"``
    (``tid_i_insats_per_band``). On PostgreSQL one statement (``_personer_per_mangd``) where
    the four took one each, each scanning and joining the förbund's insatser (and, for a
    kub of several periods, finding its deltagare with several rows) again; also for one
    period, where the four count(DISTINCT) statements took a quarter more.

    The rows are the insatser each table could count (ended by the kub's first day or
    later, begun by its last: their earliest date of beslut, start and end), each paired
    with the periods its earliest date to its end meets; every table's own rule is a
    condition on the few dates' indexes (``Kub.index``), its count the deltagare with a row
    that meets it, and a group no row meets is left out as the table's own statement
    would have no row for it."""
    if not _postgresql():
        return {"samcoach": samcoach_per_kon(u), "insatstyp": insatstyp_per_kon(u),
                "insats_part": insats_per_part(u), "tid_i_insats": tid_i_insats_per_band(u)}
    return _insatsraderna(_personer_summerade(_sparad(("insatser", u.nyckel), lambda: _insatssats(u))))


def _insatsraderna(rader: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``_insatssats``'s rows summed (``_personer_summerade``) as ``insatser_per_kon`` gives them."""
    ut = {"samcoach": [r for r in rader["samcoach"] if r["form"] == InsatsForm.SAMCOACH and r["samcoach"] + r["ko"]]}
    for namn in ("insatstyp", "insats_part", "tid_i_insats"):
        ut[namn] = [{**r, "antal": r[namn]} for r in rader[namn] if r[namn]]
    return ut


def _insatsspannet(u: Kub):
    """The insatser any insats table of the kub could count: ended by its first day or later,
    begun (their earliest date of beslut, start and end) by its last."""
    return and_(func.least(Insats.beslutad, Insats.startad, Insats.avslutad) <= u.sista,
                or_(Insats.avslutad.is_(None), Insats.avslutad >= u.forsta))


def _insatssats(u: Kub, delad: _Delad | None = None) -> _PersonSats:
    """``insatser_per_kon``'s statement (PostgreSQL); with ``delad``, on its rows
    (``_insatsrader``)."""
    forst = func.least(Insats.beslutad, Insats.startad, Insats.avslutad)
    stmt = _insatserna(u, _insatsspannet(u)) if delad is None else delad.rader()
    kon, form = Deltagare.kon.label("kon"), Insats.form.label("form")

    def beslutad(e):  # by the period's last day
        return e["beslutad"] <= u.j

    return _personer_per_mangd(u, stmt, {
        "insatstyp": [form, Insats.insatstyp_id.label("insatstyp_id"), kon],
        "samcoach": [form, kon],
        "insats_part": [Arende.aktualiserande_part_id.label("part_id"), kon],
        "tid_i_insats": [_tidsband().label("band"), kon],
    }, (forst, Insats.avslutad), {
        "insatstyp": beslutad,
        "samcoach": lambda e: and_(beslutad(e), e["startad"] <= u.j),
        "ko": lambda e: and_(beslutad(e), e["ko"], e["startad"] > u.i),
        # Begun (a NULL start's index is after every period's end) and not ended before.
        "insats_part": lambda e: and_(e["insats"], e["startad"] <= u.j),
        "tid_i_insats": lambda e: and_(e["insats"], e["startad_finns"], e["slut"] <= u.j),
    }, extra={"beslutad": u.index(Insats.beslutad), "startad": u.index(Insats.startad),
                           "ko": Insats.i_ko_sedan.is_not(None), "insats": Insats.form != InsatsForm.ORDINARIE,
                           "startad_finns": Insats.startad.is_not(None)}, delad=delad)


def stegforflyttning_per_kon(u: Kub) -> list[dict]:
    """Per kön, for the ärenden in the period: how many have a step measurement by the
    period's end, how many of them moved at least one step up the förbund's ladder (the
    latest measurement by the end against the first ever), and the steps moved in sum.

    First and last dates per ärende and period in one grouping, their steps by joining back
    (on a tie the lower step first, the higher last): no per-row subquery, which cost
    seconds at 10⁵."""
    return _rader(_sparad(("steg", u.nyckel), lambda: _stegsats(u)))


def _stegsats(u: Kub):
    """``stegforflyttning_per_kon``'s statement."""
    m1, m2, s1, s2 = aliased(Stegmatning), aliased(Stegmatning), aliased(Steg), aliased(Steg)
    datum = (
        select(u.nr.label("nr"), Stegmatning.arende_id.label("arende_id"),
               func.min(Stegmatning.datum).label("forsta"), func.max(Stegmatning.datum).label("sista"))
        .join(Arende, Arende.id == Stegmatning.arende_id)
        .where(_population(u), _i_perioden(u), Stegmatning.datum <= u.till)
        .group_by(u.nr, Stegmatning.arende_id)
        .subquery()
    )
    per = (
        select(datum.c.nr, datum.c.arende_id, func.min(s1.nummer).label("forsta"), func.max(s2.nummer).label("sista"))
        .select_from(datum)
        .join(m1, and_(m1.arende_id == datum.c.arende_id, m1.datum == datum.c.forsta))
        .join(s1, s1.id == m1.steg_id)
        .join(m2, and_(m2.arende_id == datum.c.arende_id, m2.datum == datum.c.sista))
        .join(s2, s2.id == m2.steg_id)
        .group_by(datum.c.nr, datum.c.arende_id)
        # A CTE, read by both groupings below: both databases work it out once where it is
        # used twice (a subquery was worked out for each, half of the statement's time).
        .cte("steg_per_arende")
    )
    framat = per.c.sista - per.c.forsta
    stmt = (
        select(Deltagare.kon.label("kon"),
               func.count(func.distinct(Arende.deltagare_id)).label("matta"),
               func.count(func.distinct(case((framat > 0, Arende.deltagare_id)))).label("flyttat"),
               func.coalesce(func.sum(case((framat > 0, framat), else_=0)), 0).label("steg"))
        .select_from(Arende)
        .join(per, per.c.arende_id == Arende.id)
        .join(Deltagare, _deltagaren(u))
        .group_by(Deltagare.kon)
    )
    delar = [stmt.add_columns(per.c.nr.label("nr"), literal(None, Integer).label("team")).group_by(per.c.nr)]
    if u.per_team:
        delar.append(stmt.add_columns(per.c.nr.label("nr"), Arende.team_id.label("team"))
                     .group_by(per.c.nr, Arende.team_id))
    return union_all(*delar) if len(delar) > 1 else delar[0]


# --- avslut and times ----------------------------------------------------------------------


def utfall_per_kon(u: Kub) -> list[dict]:
    return _grupperat(u,
        select(Arende.avslutsorsak.label("orsak"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .where(_population(u), _mellan(Arende.avslutad_den, u))
        .group_by(Arende.avslutsorsak, Deltagare.kon)
    )


def fore_efter(u: Kub) -> list[dict]:
    """Försörjning and sysselsättning at start and at avslut, for the ärenden closed in the
    period, by kön: four groupings in one statement (UNION ALL)."""
    delar = []
    for matt, kolumn in (("forsorjning_start", Arende.forsorjning_start),
                         ("forsorjning_slut", Arende.forsorjning_slut),
                         ("sysselsattning_start", Arende.sysselsattning_start),
                         ("sysselsattning_slut", Arende.sysselsattning_slut)):
        stmt = (
            select(literal(matt).label("matt"), kolumn.label("kod"), Deltagare.kon.label("kon"),
                   _personer().label("antal"), u.nr.label("nr"))
            .select_from(Arende)
            .join(Deltagare, _deltagaren(u))
            .where(_population(u), _mellan(Arende.avslutad_den, u))
            .group_by(kolumn, Deltagare.kon, u.nr)
        )
        delar.append(stmt.add_columns(literal(None, Integer).label("team")))
        if u.per_team:
            delar.append(stmt.add_columns(Arende.team_id.label("team")).group_by(Arende.team_id))
    return _rader(union_all(*delar))


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _perioder_pa_postgresql(u: Kub) -> bool:
    """Whether the times (``tider_per_kon``) sum by the stretch index (``Kub.index``): on
    PostgreSQL, for a kub of several periods (for one there is no pairing to save)."""
    return _postgresql() and len(u.perioder) > 1


@contextmanager
def rakneminne():
    """Let the statements inside hash and sort in memory (PostgreSQL): the kub's statements
    group ~10⁵ rows, which at the default 4 MB went to disk in several passes and took twice
    the time. Set for this transaction only, and back to the default after (later
    statements in the same transaction keep their usual plans)."""
    if not _postgresql():
        yield
        return
    # A page's read runs without a transaction block (core.anrop), where SET LOCAL does
    # nothing: there the setting is the session's, and reset after.
    lokal = "" if db.session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT" else "LOCAL "
    db.session.execute(text(f"SET {lokal}work_mem = '32MB'"))
    try:
        yield
    finally:
        db.session.execute(text(f"SET {lokal}work_mem TO DEFAULT"))


def _flera(stmt, deltagare, namn: str = "flera"):
    """The deltagare with several of ``stmt``'s rows (``deltagare``: its column of their ids),
    as a select of ids from a CTE: each id that equals the one before it, the ids sorted (a
    deltagare with n rows is there n − 1 times). Sorting the ids took a quarter less CPU
    than grouping them by id and counting, most deltagare having one row (10⁵ groups)."""
    ids = stmt.add_columns(deltagare.label("deltagare_id"),
                           func.lag(deltagare).over(order_by=deltagare).label("foregaende")).subquery()
    return select(select(ids.c.deltagare_id).where(ids.c.deltagare_id == ids.c.foregaende).cte(namn).c.deltagare_id)


class _Delad:
    """Rows several statements read (``cte``: a CTE of the model columns they use, under
    their own names), selected and joined once when the statements run as one
    (``_samlade``): PostgreSQL computes a CTE read more than once a single time. ``las``
    rewrites a statement written on the models to read the CTE; ``flera`` (``_flera``):
    the deltagare with several of its rows."""

    def __init__(self, stmt, namn: str):
        self.cte = stmt.cte(namn)
        self.flera = _flera(select().select_from(self.cte), self.cte.c.deltagare_id, f"flera_{namn}")
        self._adapter = ClauseAdapter(self.cte)

    def las(self, stmt):
        return self._adapter.traverse(stmt)

    def rader(self, *villkor):
        """A select of the CTE's rows that meet ``villkor`` (on the models), no columns yet."""
        return select().select_from(self.cte).where(*(self.las(v) for v in villkor))


@dataclass(frozen=True)
class _Samlad:
    """Several statements as one (``_samla``): the statement, the parts' names, and per part
    its columns' names with their place in a row."""

    stmt: object
    namn: tuple[str, ...]
    falt: tuple[tuple[tuple[str, int], ...], ...]


def _samla(satser: dict[str, object]) -> _Samlad:
    """``satser`` as one statement (UNION ALL), each part with its own columns: a column of
    one is NULL in the others' rows (or shared with a column of the same name and type), and
    the first says whose a row is. Parts that read one CTE (``_Delad``) read it once."""
    delar = [s.subquery(f"del_{namn}") for namn, s in satser.items()]
    kolumner: dict[tuple[str, str], object] = {}  # (name, type) → the first column of it
    for d in delar:
        for c in d.c:
            kolumner.setdefault((c.key, repr(c.type)), c)
    plats = {k: i + 1 for i, k in enumerate(kolumner)}
    stmt = union_all(*(
        select(literal(nr, Integer).label("del_"), *(
            (egna[k] if k in egna else cast(null(), c.type)).label(f"k{plats[k]}") for k, c in kolumner.items()))
        for nr, d in enumerate(delar) for egna in [{(c.key, repr(c.type)): c for c in d.c}]))
    return _Samlad(stmt, tuple(satser), tuple(tuple((c.key, plats[(c.key, repr(c.type))]) for c in d.c)
                                              for d in delar))


def _kor(s: _Samlad) -> dict[str, list[dict]]:
    """``_samla``'s statement run: each part's rows, by its name."""
    ut: dict[str, list[dict]] = {namn: [] for namn in s.namn}
    for rad in db.session.execute(s.stmt).all():
        ut[s.namn[rad[0]]].append({k: rad[i] for k, i in s.falt[rad[0]]})
    return ut


@dataclass(frozen=True)
class _PersonSats:
    """``_personer_per_mangd``'s statement and the names its rows are summed by."""

    stmt: object
    nycklar: tuple[str, ...]
    villkor: tuple[str, ...]
    mangder: tuple[str, ...]
    mangd_av: dict[int, tuple[str, bool]]


def _personer_per_mangd(u: Kub, stmt, mangder: dict[str, list], spann: tuple, villkor: dict | None = None,
                        rader=None, extra: dict | None = None, *, delad: _Delad | None = None) -> _PersonSats:
    """Distinct deltagare in several groupings of one row set, for every period of the kub,
    in one statement (PostgreSQL's GROUPING SETS). ``stmt`` selects from and filters the
    rows (no columns) by constants only: the kub's whole span, no period column. A row is in
    a period when its span ``spann`` (first and last date column; NULL last: still open)
    meets it (``Kub.har``). ``mangder`` names each grouping's labelled key columns,
    ``villkor`` names conditions: functions of a mapping of the row's indexes (``Kub.index``)
    of its first and last date (``"start"``, ``"slut"``) and of ``extra`` (name → a column
    of few values, such as another date's index). The statement, which
    ``_personer_summerade`` runs: per name the rows as ``_grupperat`` gives them (per period,
    for the kub's urval and with ``per_team`` per team), with that grouping's keys, ``antal``
    (distinct deltagare) and per condition the distinct deltagare with a row that meets it.

    Counted without count(DISTINCT) and without pairing each row with each period: a
    deltagare with a single row in the span is one row per period, so the rows are grouped
    once by their two indexes (a few dozen pairs) and the groups, not the rows, are paired
    with the periods and summed. Only the deltagare with several rows (``flera``) are
    paired row by row, made one row per period and group (with a flag per condition), and
    counted. The two parts' counts are added in Python. ``rader`` selects rows to find those
    deltagare in more cheaply than ``stmt`` (without joins ``stmt`` needs for its columns
    only): any that gives every deltagare with several rows in ``stmt``, and maybe more,
    who are then counted the exact way. Without it ``stmt``'s rows are selected and joined
    once, a CTE the three parts read, rather than three times (worth it when the joins
    cost more than writing the rows down: the insatser with their ärenden and deltagare).
    With ``delad`` (``_Delad``) ``stmt`` selects from that CTE, shared with other statements
    run as one (``_samlade``), and the deltagare with several rows are its own.
    """
    villkor, extra = villkor or {}, extra or {}
    nycklar: dict[str, object] = {}
    for kolumner in mangder.values():
        for k in kolumner:
            nycklar.setdefault(k.key, k)
    start = u.index(spann[0])
    slut = start if spann[1] is spann[0] else u.index(spann[1])
    kalla = stmt.add_columns(Arende.deltagare_id.label("deltagare_id"), start.label("a"), slut.label("b"),
                             *(x.label(f"x_{n}") for n, x in extra.items()), *nycklar.values(),
                             Arende.team_id.label("team"))
    if delad is not None:
        kalla = delad.las(kalla)
    # A subquery is planned into each part that reads it; a CTE read twice is computed once.
    radmangd = kalla.subquery() if rader is not None or delad is not None else kalla.cte("rader")
    r = radmangd.c
    x = [r[f"x_{n}"] for n in extra]
    nyckel = [r[n] for n in nycklar]
    team = r.team
    # GROUPING() takes only columns of some grouping set: the team when grouped per team.
    alla = [*nyckel, *([team] if u.per_team else [])]
    bit = {n: 1 << (len(alla) - 1 - i) for i, n in enumerate(nycklar)}
    hela = (1 << len(alla)) - 1
    mangd_av: dict[int, tuple[str, bool]] = {}
    grupper = []
    for namn, kolumner in mangder.items():
        g = hela & ~sum(bit[k.key] for k in kolumner)
        grupper.append(tuple_(*(r[k.key] for k in kolumner)))
        mangd_av[g] = (namn, False)
        if u.per_team:
            grupper.append(tuple_(team, *(r[k.key] for k in kolumner)))
            mangd_av[g & ~1] = (namn, True)
    var_team = (team if u.per_team else literal(None, Integer)).label("team")
    # The deltagare with several rows (``_flera``).
    if delad is not None:
        flera = delad.flera
    else:
        deltagare = Arende.deltagare_id if rader is not None else r.deltagare_id
        flera = _flera((rader if rader is not None else select().select_from(radmangd)), deltagare)
    # Each of these deltagare is in one team: the urval's counts are the sum of the teams',
    # taken from the few grouped rows afterwards rather than by grouping every row twice.
    # Grouped by every column first (one hash per row), the groupings then over those few
    # groups: GROUPING SETS straight over the rows hashed each row once per grouping.
    fin = (select(r.a, r.b, *x, *nyckel, var_team, func.count().label("n"))
           .where(r.deltagare_id.not_in(flera))
           .group_by(r.a, r.b, *x, *nyckel, *([team] if u.per_team else []))
           .subquery())
    f = fin.c
    enkla = (select(f.a, f.b, *(f[f"x_{n}"] for n in extra), *(f[n] for n in nycklar), f.team,
                    func.grouping(*(f[n] for n in nycklar)).label("g"), func.sum(f.n).label("n"))
             .group_by(f.a, f.b, *(f[f"x_{n}"] for n in extra), f.team,
                       func.grouping_sets(*(tuple_(*(f[k.key] for k in kol)) for kol in mangder.values())))
             .subquery())
    e = enkla.c
    rad = {"start": e.a, "slut": e.b, **{n: e[f"x_{n}"] for n in extra}}
    grupp = [u.nr, *(e[n] for n in nycklar), e.g]
    summa = [cast(func.sum(e.n), Integer).label("antal"),
             *(cast(func.sum(case((v(rad), e.n), else_=0)), Integer).label(n) for n, v in villkor.items())]
    if u.per_team:
        # ``g`` as ``func.grouping(*alla)`` below has it: the team the lowest bit.
        enkla_per_period = (
            select(*grupp[:-1], e.team, (e.g * 2 + func.grouping(e.team)).label("g"), *summa)
            .select_from(enkla).join(u.p, u.har(e.a, e.b))
            .group_by(func.grouping_sets(tuple_(*grupp, e.team), tuple_(*grupp))))
    else:
        enkla_per_period = (select(*grupp[:-1], e.team, e.g, *summa)
                            .select_from(enkla).join(u.p, u.har(e.a, e.b))
                            .group_by(*grupp, e.team))
    rad = {"start": r.a, "slut": r.b, **{n: r[f"x_{n}"] for n in extra}}
    per_deltagare = (select(u.nr.label("nr"), *nyckel, var_team, func.grouping(*alla).label("g"),
                            *(func.max(case((v(rad), 1))).label(n) for n, v in villkor.items()))
                     .select_from(radmangd).join(u.p, u.har(r.a, r.b))
                     .where(r.deltagare_id.in_(flera))
                     .group_by(u.nr, r.deltagare_id, func.grouping_sets(*grupper))
                     .subquery())
    c = per_deltagare.c
    grupp = [c.nr, *(c[n] for n in nycklar), c.team, c.g]
    dubbla = select(*grupp, func.count().label("antal"), *(func.count(c[n]).label(n) for n in villkor)).group_by(*grupp)
    return _PersonSats(union_all(enkla_per_period, dubbla), tuple(nycklar), tuple(villkor), tuple(mangder), mangd_av)


def _personer_summerade(s: _PersonSats, rader: list[dict] | None = None) -> dict[str, list[dict]]:
    """``_personer_per_mangd``'s statement run (or its ``rader``, run with others): the two
    parts' counts added, per grouping."""
    summor: dict[tuple, dict] = {}
    for rad in _rader(s.stmt) if rader is None else rader:
        nyckel = (rad["g"], rad["nr"], rad["team"], *(rad[n] for n in s.nycklar))
        if nyckel in summor:
            for n in ("antal", *s.villkor):
                summor[nyckel][n] += rad[n]
        else:
            summor[nyckel] = rad
    ut: dict[str, list[dict]] = {namn: [] for namn in s.mangder}
    for rad in summor.values():
        namn, per_team = s.mangd_av[rad.pop("g")]
        if not per_team:
            rad["team"] = None
        ut[namn].append(rad)
    return ut


def _i_spannet(u: Kub):
    """The ärenden that meet some period of the kub, by constants (no period column)."""
    return and_(Arende.aktualiserad_den <= u.sista,
                or_(Arende.avslutad_den.is_(None), Arende.avslutad_den >= u.forsta))


def _flodet_index(u: Kub) -> dict:
    """``_flodet`` on the indexes (``Kub.index``) of aktualiserad_den (``"start"``) and
    avslutad_den (``"slut"``): the same four conditions."""
    return {"inneliggande": lambda e: e["start"] <= u.i,
            "nya": lambda e: and_(e["start"] > u.i, e["start"] <= u.j),
            "avslutade": lambda e: and_(e["slut"] > u.i, e["slut"] <= u.j),
            "pagaende": lambda e: e["slut"] > u.j}


def deltagare_i_perioden(u: Kub, band_granser: list[tuple[int, int]] | None = None) -> dict[str, list[dict]]:
    """The deltagare of the ärenden in each period, by kön with the flow (``"kon"``: the rows
    of ``deltagare_och_flode_per_kon``), by age band (``"alder"``, and ``"alder_forbund"``
    with ``band_granser``: ``deltagare_per_alder``) and by aktualiserande part (``"part"``:
    ``deltagare_per_part``). On PostgreSQL one statement (``_personer_per_mangd``) when
    every period ends in the same year (the age is counted at it); else one per table."""
    if not _postgresql() or len({t.year for _, t in u.perioder}) > 1:
        alder, egna, part = (deltagare_per_alder(u), deltagare_per_alder(u, band_granser) if band_granser else [],
                             deltagare_per_part(u))
        return {"kon": deltagare_och_flode_per_kon(u), "alder": alder, "alder_forbund": egna, "part": part}

    return _deltagarraderna(_personer_summerade(_sparad(("deltagare", u.nyckel, tuple(band_granser or ())),
                                                        lambda: _deltagarsats(u, band_granser))))


def _deltagarsats(u: Kub, band_granser: list[tuple[int, int]] | None, delad: _Delad | None = None) -> _PersonSats:
    """``deltagare_i_perioden``'s statement (PostgreSQL); with ``delad``, on its rows
    (``_arenderader``)."""
    ar = literal(u.sista.year, Integer)
    kon = Deltagare.kon.label("kon")
    mangder = {"kon": [kon], "alder": [_aldersband(u, ar=ar).label("band"), kon],
               "part": [Arende.aktualiserande_part_id.label("part_id"), kon]}
    if band_granser:
        mangder["alder_forbund"] = [_aldersband(u, band_granser, ar=ar).label("eget_band"), kon]
    spann = (Arende.aktualiserad_den, Arende.avslutad_den)
    if delad is not None:
        return _personer_per_mangd(u, delad.rader(_i_spannet(u)), mangder, spann, _flodet_index(u), delad=delad)
    return _personer_per_mangd(u, _arendena(u), mangder, spann, _flodet_index(u),
                               select().where(_population(u), _i_spannet(u)))


def _deltagarraderna(rader: dict[str, list[dict]]) -> dict[str, list[dict]]:
    rader.setdefault("alder_forbund", [])
    for r in rader["alder_forbund"]:
        r["band"] = r.pop("eget_band")
    return rader


def _arendena(u: Kub):
    return select().select_from(Arende).join(Deltagare, _deltagaren(u)).where(_population(u), _i_spannet(u))


def avslut_per_kon(u: Kub) -> tuple[list[dict], list[dict]]:
    """``utfall_per_kon`` and ``fore_efter`` together: the ärenden closed in the period, by
    avslutsorsak and by each of the four codes at start and at avslut. On PostgreSQL one
    scan (``_personer_per_mangd``) where the two functions take ten for a kub per team; SQLite has no
    GROUPING SETS and runs the two functions."""
    if not _postgresql():
        return utfall_per_kon(u), fore_efter(u)
    return _avslutsraderna(_personer_summerade(_sparad(("avslut", u.nyckel), lambda: _avslutssats(u))))


_AVSLUTSKODER = {"orsak": Arende.avslutsorsak, "forsorjning_start": Arende.forsorjning_start,
                 "forsorjning_slut": Arende.forsorjning_slut, "sysselsattning_start": Arende.sysselsattning_start,
                 "sysselsattning_slut": Arende.sysselsattning_slut}


def _avslutssats(u: Kub, delad: _Delad | None = None) -> _PersonSats:
    """``avslut_per_kon``'s statement (PostgreSQL); with ``delad``, on its rows (``_arenderader``)."""
    kon = Deltagare.kon.label("kon")
    avslutad = Arende.avslutad_den.between(u.forsta, u.sista)
    mangder = {namn: [kolumn.label(namn), kon] for namn, kolumn in _AVSLUTSKODER.items()}
    spann = (Arende.avslutad_den, Arende.avslutad_den)
    if delad is not None:
        return _personer_per_mangd(u, delad.rader(avslutad), mangder, spann, delad=delad)
    return _personer_per_mangd(u, select().select_from(Arende).join(Deltagare, _deltagaren(u))
                               .where(_population(u), avslutad), mangder, spann,
                               rader=select().where(_population(u), avslutad))


def _avslutsraderna(rader: dict[str, list[dict]]) -> tuple[list[dict], list[dict]]:
    fore = [{"matt": namn, "kod": r.pop(namn), **r} for namn in _AVSLUTSKODER if namn != "orsak" for r in rader[namn]]
    return rader["orsak"], fore


def kon_och_utfall(u: Kub) -> tuple[list[dict], list[dict]]:
    """What the nyckeltal read of the report: ``deltagare_och_flode_per_kon``'s rows and
    ``utfall_per_kon``'s. On PostgreSQL one statement (``_personer_per_mangd``) over the
    ärenden either counts: each row paired with the periods from its earlier date (the
    aktualisering, or an avslut dated before it) to its avslut, and each table's rule a
    condition on the dates' indexes; a group no row meets is left out."""
    if not _postgresql():
        return deltagare_och_flode_per_kon(u), utfall_per_kon(u)
    rader = _personer_summerade(_sparad(("kon_och_utfall", u.nyckel), lambda: _kon_och_utfall_sats(u)))
    kon_rader = [{**r, "antal": r["i_perioden"]} for r in rader["kon"] if r["i_perioden"]]
    utfall = [{**r, "antal": r["avslutad"]} for r in rader["utfall"] if r["avslutad"]]
    return kon_rader, utfall


def _kon_och_utfall_sats(u: Kub) -> _PersonSats:
    """``kon_och_utfall``'s statement (PostgreSQL)."""
    span = and_(or_(Arende.avslutad_den.is_(None), Arende.avslutad_den >= u.forsta),
                or_(Arende.aktualiserad_den <= u.sista, Arende.avslutad_den <= u.sista))
    kon = Deltagare.kon.label("kon")

    def aktualiserad(e):  # by the period's last day: the deltagare table's rows
        return e["akt"] <= u.j

    def i_tabellen(villkor):  # a flow condition (``_flodet_index``) on those rows
        return lambda e: and_(aktualiserad(e), villkor({**e, "start": e["akt"]}))

    return _personer_per_mangd(
        u, select().select_from(Arende).join(Deltagare, _deltagaren(u)).where(_population(u), span),
        {"kon": [kon], "utfall": [Arende.avslutsorsak.label("orsak"), kon]},
        (func.least(Arende.aktualiserad_den, Arende.avslutad_den), Arende.avslutad_den),
        {"i_perioden": aktualiserad, **{n: i_tabellen(v) for n, v in _flodet_index(u).items()},
         "avslutad": lambda e: e["slut"] <= u.j},
        select().where(_population(u), span), extra={"akt": u.index(Arende.aktualiserad_den)})


def deltagare_per_alder_och_part(u: Kub, band_granser: list[tuple[int, int]] | None = None
                                 ) -> tuple[list[dict], list[dict], list[dict]]:
    """``deltagare_per_alder`` (the fixed bands, and ``band_granser`` if given: else no rows)
    and ``deltagare_per_part`` together (``deltagare_i_perioden``)."""
    rader = deltagare_i_perioden(u, band_granser)
    return rader["alder"], rader["alder_forbund"], rader["part"]


def tider_per_kon(u: Kub) -> tuple[list[dict], list[dict]]:
    """Average days from aktualisering to the first samplanering, to the first insats and to
    avslut, for the ärenden where that step fell in the period; and the average time in an
    insats that ended in the period."""
    if _perioder_pa_postgresql(u):
        return _tidsraderna(*(_rader(s) for s in _sparad(("tider", u.nyckel), lambda: _tidssatser(u))))
    forsta_insats = _forsta_insats(u)

    def medel(slut, nar):
        dagar = dagar_mellan(slut, Arende.aktualiserad_den)
        return func.avg(case((nar, dagar))), func.count(case((nar, Arende.id)))

    mote_medel, mote_n = medel(Arende.forsta_samplanering, _mellan(Arende.forsta_samplanering, u))
    insats_medel, insats_n = medel(forsta_insats.c.beslutad, _mellan(forsta_insats.c.beslutad, u))
    avslut_medel, avslut_n = medel(Arende.avslutad_den, _mellan(Arende.avslutad_den, u))
    per_arende = _grupperat(u,
        select(Deltagare.kon.label("kon"),
               mote_medel.label("mote"), mote_n.label("mote_n"),
               insats_medel.label("insats"), insats_n.label("insats_n"),
               avslut_medel.label("avslut"), avslut_n.label("avslut_n"))
        .select_from(Arende)
        .join(Deltagare, _deltagaren(u))
        .outerjoin(forsta_insats, forsta_insats.c.arende_id == Arende.id)
        .where(_population(u), or_(_mellan(Arende.forsta_samplanering, u), _mellan(forsta_insats.c.beslutad, u),
                                   _mellan(Arende.avslutad_den, u)))
        .group_by(Deltagare.kon)
    )
    i_insats = _grupperat(u,
        select(Deltagare.kon.label("kon"), func.avg(dagar_mellan(Insats.avslutad, Insats.startad)).label("medel"),
               func.count(Insats.id).label("n"))
        .select_from(Insats)
        .join(Arende, Arende.id == Insats.arende_id)
        .join(Deltagare, _deltagaren(u))
        .where(_insatspopulation(u), Insats.startad.is_not(None), Insats.form != InsatsForm.ORDINARIE,
               _mellan(Insats.avslutad, u))
        .group_by(Deltagare.kon)
    )
    return per_arende, i_insats


def _forsta_insats(u: Kub):
    """The first insats of each ärende of the förbund that began by the kub's last day; an
    ärende counts in a period when that first insats falls in it (HAVING keeps the join
    small)."""
    return (
        select(Insats.arende_id, func.min(Insats.beslutad).label("beslutad"))
        .where(_forbundets_insatser(u), Insats.form != InsatsForm.ORDINARIE)
        .group_by(Insats.arende_id)
        .having(func.min(Insats.beslutad).between(u.forsta, u.sista))
        .subquery()
    )


def _tidssatser(u: Kub) -> tuple:
    """``tider_per_kon``'s two statements on PostgreSQL (``_medel_per_period``)."""
    return _tid_per_arende(u), _tid_i_insats(u)


def _tidernas_steg(forsta_insats) -> dict:
    return {"mote": Arende.forsta_samplanering, "insats": forsta_insats.c.beslutad, "avslut": Arende.avslutad_den}


def _tidernas_villkor(u: Kub, forsta_insats):
    """An ärende ``tider_per_kon`` counts: one of its steps in the kub's span."""
    return or_(*(d.between(u.forsta, u.sista) for d in _tidernas_steg(forsta_insats).values()))


def _tid_per_arende(u: Kub, delad: _Delad | None = None, forsta_insats=None):
    """``tider_per_kon``'s first statement on PostgreSQL; with ``delad``, on its rows
    (``_arenderader``, built with ``forsta_insats``)."""
    if delad is None:
        forsta_insats = _forsta_insats(u)
        stmt = (select().select_from(Arende).join(Deltagare, _deltagaren(u))
                .outerjoin(forsta_insats, forsta_insats.c.arende_id == Arende.id)
                .where(_population(u), _tidernas_villkor(u, forsta_insats)))
    else:
        stmt = delad.rader(_tidernas_villkor(u, forsta_insats))
    return _medel_per_period(u, stmt, _tidernas_steg(forsta_insats), Arende.aktualiserad_den, delad)


def _tid_i_insats(u: Kub, delad: _Delad | None = None):
    """``tider_per_kon``'s second statement on PostgreSQL; with ``delad``, on its rows
    (``_insatsrader``)."""
    villkor = [Insats.startad.is_not(None), Insats.form != InsatsForm.ORDINARIE,
               Insats.avslutad.between(u.forsta, u.sista)]
    stmt = _insatserna(u, *villkor) if delad is None else delad.rader(*villkor)
    return _medel_per_period(u, stmt, {"medel": Insats.avslutad}, Insats.startad, delad)


def _tidsraderna(per_arende: list[dict], i_insats: list[dict]) -> tuple[list[dict], list[dict]]:
    for r in i_insats:
        r["n"] = r.pop("medel_n")
    return per_arende, i_insats


def _medel_per_period(u: Kub, stmt, matt: dict[str, object], fran, delad: _Delad | None = None):
    """Per period and kön (for the kub's urval, team None, and with ``per_team`` per team):
    for each measure (name → date column) the average of the days from ``fran`` to that
    date over the rows whose date falls in the period (``<name>``), and how many they are
    (``<name>_n``), as ``avg`` and ``count`` give them. PostgreSQL: ``stmt`` selects from
    and filters the rows (no columns) by constants only; they are grouped once by their
    dates' indexes (``Kub.index``), and the groups' sums paired with the periods. The
    statement; its rows are those. With ``delad`` ``stmt`` reads its rows (``_Delad``)."""
    index = {n: u.index(d) for n, d in matt.items()}
    summor = (stmt.add_columns(*(e.label(f"e_{n}") for n, e in index.items()), Deltagare.kon.label("kon"),
                               (Arende.team_id if u.per_team else literal(None, Integer)).label("team"),
                               *(func.sum(dagar_mellan(d, fran)).label(f"s_{n}") for n, d in matt.items()),
                               *(func.count(dagar_mellan(d, fran)).label(f"n_{n}") for n, d in matt.items()))
              .group_by(*index.values(), Deltagare.kon, *([Arende.team_id] if u.per_team else [])))
    summor = (summor if delad is None else delad.las(summor)).subquery()
    c = summor.c

    def i_perioden(n: str):
        return and_(c[f"e_{n}"] > u.i, c[f"e_{n}"] <= u.j)

    kolumner = []
    for n in matt:
        antal = func.sum(case((i_perioden(n), c[f"n_{n}"]), else_=0))
        # sum / count as numerics: the very value avg() gives over the rows.
        kolumner += [(cast(func.sum(case((i_perioden(n), c[f"s_{n}"]))), Numeric)
                      / func.nullif(cast(antal, Numeric), 0)).label(n), cast(antal, Integer).label(f"{n}_n")]
    # The urval's sums are its teams' (grouped per team in the statement's small end).
    return (select(u.nr.label("nr"), c.kon, c.team, *kolumner)
            .select_from(summor).join(u.p, true())
            .group_by(func.grouping_sets(tuple_(u.nr, c.kon, c.team), tuple_(u.nr, c.kon))
                      if u.per_team else tuple_(u.nr, c.kon, c.team)))


# --- the kub's heavy tables together --------------------------------------------------------


def kubens_tabeller(u: Kub, band_granser: list[tuple[int, int]] | None, dagar: list[dt.date]) -> dict[str, list[dict]]:
    """The rows of the report's tables over the ärenden and the insatser, by name: the
    deltagare (``deltagare_i_perioden``: ``kon``, ``alder``, ``alder_forbund``, ``part``),
    the closed (``avslut_per_kon``: ``utfall``, ``fore_efter``), the times (``tider_per_kon``:
    ``tider``, ``i_insats``), the insats tables (``insatser_per_kon``) and the ongoing at
    samcoach on ``dagar`` (``pagaende_samcoach``: ``pagaende``).

    On PostgreSQL, for a kub of several periods ending in one year, two statements: the
    ärenden with their deltagare (and first insats) are selected and joined once for the
    three ärende tables (``_arenderader``), the insatser with their ärenden and deltagare
    once for the three insats tables (``_insatsrader``), each a CTE the parts read
    (``_samla``). Apart, the six joined the same rows six times."""
    if not _perioder_pa_postgresql(u) or len({t.year for _, t in u.perioder}) > 1 or not dagar:
        utfall, fore = avslut_per_kon(u)
        tider, i_insats = tider_per_kon(u)
        return {**deltagare_i_perioden(u, band_granser), "utfall": utfall, "fore_efter": fore, "tider": tider,
                "i_insats": i_insats, **insatser_per_kon(u), "pagaende": pagaende_samcoach(u, dagar)}
    personer, arendena, insatserna = _sparad(("kuben", u.nyckel, tuple(band_granser or ()), tuple(dagar)),
                                             lambda: _kubens_satser(u, band_granser, dagar))
    a, i = _kor(arendena), _kor(insatserna)
    utfall, fore = _avslutsraderna(_personer_summerade(personer["avslut"], a["avslut"]))
    tider, i_insats = _tidsraderna(a["tider"], i["i_insats"])
    return {**_deltagarraderna(_personer_summerade(personer["deltagare"], a["deltagare"])),
            "utfall": utfall, "fore_efter": fore, "tider": tider, "i_insats": i_insats,
            **_insatsraderna(_personer_summerade(personer["insatser"], i["insatser"])),
            "pagaende": _pagaende_rader(u, i["pagaende"], dagar)}


def _kubens_satser(u: Kub, band_granser: list[tuple[int, int]] | None, dagar: list[dt.date]) -> tuple:
    """``kubens_tabeller``'s two statements (``_Samlad``) and the person statements' sums."""
    forsta_insats = _forsta_insats(u)
    arenden, insatser = _arenderader(u, forsta_insats), _insatsrader(u)
    personer = {"avslut": _avslutssats(u, arenden), "deltagare": _deltagarsats(u, band_granser, arenden),
                "insatser": _insatssats(u, insatser)}
    return (personer,
            _samla({"avslut": personer["avslut"].stmt, "deltagare": personer["deltagare"].stmt,
                    "tider": _tid_per_arende(u, arenden, forsta_insats)}),
            _samla({"insatser": personer["insatser"].stmt, "i_insats": _tid_i_insats(u, insatser),
                    "pagaende": _pagaende_sats(u, dagar, insatser)}))


def _arenderader(u: Kub, forsta_insats) -> _Delad:
    """The ärenden the three ärende tables read, with their deltagare and first insats: in
    the kub's span (the deltagare), closed in it (the avslut) or with a step in it (the
    times, ``_tidernas_villkor``)."""
    return _Delad(
        select(Arende.deltagare_id, Arende.team_id, Arende.aktualiserande_part_id, Arende.aktualiserad_den,
               Arende.avslutad_den, Arende.forsta_samplanering, *_AVSLUTSKODER.values(), Deltagare.kon,
               Deltagare.fodelsear, forsta_insats.c.beslutad.label("forsta_insats"))
        .select_from(Arende).join(Deltagare, _deltagaren(u))
        .outerjoin(forsta_insats, forsta_insats.c.arende_id == Arende.id)
        .where(_population(u), or_(_i_spannet(u), _tidernas_villkor(u, forsta_insats))), "arenderader")


def _insatsrader(u: Kub) -> _Delad:
    """The insatser the three insats tables read (``_insatsspannet``), with their ärende's and
    deltagare's columns."""
    return _Delad(_insatserna(u, _insatsspannet(u)).add_columns(
        Arende.deltagare_id, Arende.team_id, Arende.aktualiserande_part_id, Deltagare.kon, Insats.form,
        Insats.insatstyp_id, Insats.beslutad, Insats.startad, Insats.avslutad, Insats.i_ko_sedan), "insatsrader")


# --- nyckeltal -------------------------------------------------------------------------------


def nyckeltal(u: Kub, *, handlingsplan_manader: int) -> dict[tuple[int, int | None], dict[str, int]]:
    """The raw counts behind the six nyckeltal, per period of the kub and, with ``per_team``,
    per team as well (``(nr, team)`` → counts, team None for the kub's urval): one grouped
    statement over the ärenden (what each ärende had is joined once, not asked per row) and
    one over the ongoing samcoach insatser. Every ärende has one team and the counts are of
    distinct ärenden, so the urval's counts are the sum of its teams'."""
    rader, pagaende = (db.session.execute(s).all() for s in _sparad(
        ("nyckeltal", u.nyckel, handlingsplan_manader), lambda: _nyckeltalssatser(u, handlingsplan_manader)))
    falt = ("aktualiseringar", "samcoach_avslutade", "samcoach_egenforsorjning", "aktualiserade",
            "handlingsplan_inom", "avslutade", "arbete_studier", "samcoach_pagaende")
    ut: dict[tuple[int, int | None], dict[str, int]] = {
        (nr, None): dict.fromkeys(falt, 0) for nr in range(len(u.perioder))}

    def lagg_till(nr: int, team_id: int | None, varden: dict[str, int]) -> None:
        for nyckel in ([None, team_id] if team_id is not None else [None]):
            rad = ut.setdefault((nr, nyckel), dict.fromkeys(falt, 0))
            for f, v in varden.items():
                rad[f] += v

    for rad in rader:
        lagg_till(rad.nr, rad.team if u.per_team else None, {f: int(getattr(rad, f) or 0) for f in falt[:-1]})
    for rad in pagaende:
        for nr in range(len(u.perioder)):
            if n := getattr(rad, f"n{nr}"):  # as a group with no row: no key of its own
                lagg_till(nr, rad.team if u.per_team else None, {"samcoach_pagaende": int(n)})
    return ut


def _nyckeltalssatser(u: Kub, handlingsplan_manader: int) -> tuple:
    """``nyckeltal``'s two statements."""
    # Whether an ärende had a samcoach, or reached the ladder's top, as a hashed IN: one hash
    # of the ids, where grouping them per ärende and joining took a third more.
    samcoach = (select(Insats.arende_id)
                .where(_forbundets_insatser(u), Insats.form == InsatsForm.SAMCOACH, Insats.startad.is_not(None)))
    hogsta_steg = select(func.max(Steg.nummer)).where(Steg.forbund_id == u.forbund_id).scalar_subquery()
    toppen = (select(Stegmatning.arende_id).join(Steg, Steg.id == Stegmatning.steg_id)
              .where(Steg.forbund_id == u.forbund_id, Steg.nummer == hogsta_steg))
    atgarder = (select(Atgard.arende_id, func.min(Atgard.skapad).label("forsta"))
                .join(Arende, Arende.id == Atgard.arende_id).where(Arende.forbund_id == u.forbund_id)
                .group_by(Atgard.arende_id).subquery())
    hade_samcoach = Arende.id.in_(samcoach)
    egenforsorjning = or_(Arende.forsorjning_slut.in_(EGENFORSORJNING_SLUT), Arende.id.in_(toppen))
    inom_n = dagar_mellan(atgarder.c.forsta, Arende.aktualiserad_den) <= handlingsplan_manader * 30
    team = [Arende.team_id] if u.per_team else []
    # Each ärende is one row (what it had is grouped per ärende before the join), so the
    # counts of distinct ärenden are counts of rows: the rows are grouped once by their two
    # dates' indexes (``Kub.index``) and what they had, and the few groups paired with the
    # periods (each ärende with each period cost a sort of some 10⁵ rows at 10⁵).
    flaggor = {n: case((v, 1), else_=0) for n, v in {
        "samcoach": hade_samcoach, "egen": egenforsorjning, "inom": inom_n,
        "arbete": Arende.avslutsorsak.in_(ARBETE_STUDIER)}.items()}
    akt, avsl = u.index(Arende.aktualiserad_den), u.index(Arende.avslutad_den)
    grupper = (
        select(akt.label("a"), avsl.label("b"), *(t.label("team") for t in team),
               *(v.label(n) for n, v in flaggor.items()), func.count().label("n"))
        .select_from(Arende)
        .outerjoin(atgarder, atgarder.c.arende_id == Arende.id)
        .where(_population(u),
               or_(Arende.aktualiserad_den.between(u.forsta, u.sista), Arende.avslutad_den.between(u.forsta, u.sista)))
        .group_by(akt, avsl, *team, *flaggor.values())
        .subquery())
    g = grupper.c
    aktualiserad = and_(g.a > u.i, g.a <= u.j)
    avslutad = and_(g.b > u.i, g.b <= u.j)

    def antal(*villkor):
        return func.coalesce(func.sum(case((and_(*villkor), g.n), else_=0)), 0)

    lag = [g.team.label("team")] if u.per_team else []
    rader = (
        select(u.nr.label("nr"), *lag,
               antal(aktualiserad).label("aktualiseringar"),
               antal(avslutad, g.samcoach == 1).label("samcoach_avslutade"),
               antal(avslutad, g.samcoach == 1, g.egen == 1).label("samcoach_egenforsorjning"),
               antal(aktualiserad).label("aktualiserade"),
               antal(aktualiserad, g.inom == 1).label("handlingsplan_inom"),
               antal(avslutad).label("avslutade"),
               antal(avslutad, g.arbete == 1).label("arbete_studier"))
        .select_from(grupper).join(u.p, or_(aktualiserad, avslutad))
        .group_by(u.nr, *(c.element for c in lag))
    )
    # Ongoing at each period's last day, a column per period (the days are constants): one
    # scan of the insatser, where pairing them with the period table scanned them per period.
    tider = [till for _, till in u.perioder]
    pagaende = (
        select(*(t.label("team") for t in team),
               *(func.count(case((_pagar(d), 1))).label(f"n{i}")
                 for i, d in enumerate(tider)))
        .select_from(Insats).join(Arende, Arende.id == Insats.arende_id)
        .where(_insatspopulation(u), Insats.form == InsatsForm.SAMCOACH, Insats.status != InsatsStatus.KO,
               Insats.startad <= max(tider), or_(Insats.avslutad.is_(None), Insats.avslutad > min(tider)))
        .group_by(*team)
    )
    return rader, pagaende


# --- budget ----------------------------------------------------------------------------------


def budget(u: Urval, *, per_team: bool = False) -> dict[int | None, int]:
    """The year's budget per team (``per_team``) and for the urval (key None): the team's,
    or the sum of all the förbund's teams'. No key: none entered."""
    villkor = [TeamBudget.ar == u.fran.year,
               TeamBudget.team_id.in_(select(Team.id).where(Team.forbund_id == u.forbund_id))]
    if u.team_id is not None:
        villkor.append(TeamBudget.team_id == u.team_id)
    ut: dict[int | None, int] = {}
    for team_id, belopp in db.session.execute(select(TeamBudget.team_id, TeamBudget.belopp).where(*villkor)):
        ut[None] = ut.get(None, 0) + int(belopp)
        if per_team:
            ut[team_id] = int(belopp)
    return ut


# --- insatser per part -----------------------------------------------------------------------
