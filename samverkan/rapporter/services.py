"""Reports as data: who may see which report and how exactly, the period report's tables,
the nyckeltal with targets and trend, and targets' configuration.

Callable without a request (``period_rapport(Urval(...), exakt=True)``), so the bench
and the API use the same code as the pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from samverkan.arenden import kodlistor
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import ID_MAX, db
from samverkan.core.errors import DomainError, NotFound
from samverkan.deltagare.models import KON_LABELS, Kon
from samverkan.efterkontroll import rapport as efterkontroll_rapport
from samverkan.forbund.models import PART_TYP_LABELS, Part, PartTyp, Team
from samverkan.insatser.models import InsatsForm
from samverkan.rapporter import markeringar, queries
from samverkan.rapporter.models import Aldersindelning, NyckeltalMal, TeamBudget
from samverkan.rapporter.queries import Urval
from samverkan.rapporter.tabell import (
    PRIMAR,
    SKYDDAD,
    Cell,
    Rad,
    Tabell,
    andel,
    antal,
    dolj_andelar,
    dolj_mot_delperioder,
    medel,
    tal,
)
from samverkan.rapporter.underlag import Kub, Nod, Underlag, team_parter
from samverkan.rapporter.undertryckning import FLODE_AVSLUTADE, KON_NYA, Linje, dolj_linjer

log = logging.getLogger(__name__)

KONEN = list(Kon)
KON_KOLUMNER = [KON_LABELS[k] for k in KONEN] + ["Totalt"]


# --- who sees what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Behorighet:
    """The report a user asked for and how they may see it."""

    forbund_id: int
    team: Team | None  # None = the whole förbund
    exakt: bool  # exact counts (own team's projektledare) or small numbers hidden

    @property
    def omfattning(self) -> str:
        return self.team.namn if self.team else "Hela förbundet"


def rapport_teams(user: User) -> list[Team]:
    """The teams a user may choose: all of the förbund for styrgrupp and admin, else the
    teams where they are projektledare."""
    teams = db.session.execute(
        select(Team).where(Team.forbund_id == user.forbund_id).order_by(Team.namn)
    ).scalars().all()
    return policy.rapport_teams(user, teams)


def behorighet(user: User, team_id: int | None) -> Behorighet:
    """Decide (in policy terms) what ``user`` sees of the report for ``team_id`` (None = all)."""
    team = None
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.forbund_id != user.forbund_id:
            raise NotFound("Teamet finns inte.")
    exakt = policy.require_rapport(user, team_id)
    return Behorighet(user.forbund_id, team, exakt)


def behorighet_for_val(user: User, team_val: str, *, falt: str = "team") -> Behorighet:
    """``behorighet`` from a form or query value: a team id, "alla" (the whole förbund), or
    empty: the whole förbund for styrgrupp and admin, else the user's own (first) team."""
    team_val = (team_val or "").strip()
    if team_val == "alla" or (team_val == "" and policy.may_see_rapport(user)):
        return behorighet(user, None)
    if team_val == "":
        teams = rapport_teams(user)
        return behorighet(user, teams[0].id if teams else None)
    if not team_val.isdigit() or int(team_val) > ID_MAX:
        raise DomainError("ogiltigt_team", "Okänt team.", field=falt)
    return behorighet(user, int(team_val))


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    fran: dt.date
    till: dt.date
    namn: str
    kod: str  # "2026", "2026-K3" or "egen"


def kvartal(ar: int, k: int) -> Period:
    fran = dt.date(ar, 3 * k - 2, 1)
    till = (dt.date(ar + 1, 1, 1) if k == 4 else dt.date(ar, 3 * k + 1, 1)) - dt.timedelta(days=1)
    return Period(fran, till, f"Kvartal {k} {ar}", f"{ar}-K{k}")


def helar(ar: int) -> Period:
    return Period(dt.date(ar, 1, 1), dt.date(ar, 12, 31), f"Helår {ar}", str(ar))


def manad(ar: int, m: int) -> Period:
    till = dt.date(ar + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(dt.date(ar, m, 1), till, f"{ar}-{m:02d}", f"{ar}-{m:02d}")


def avslutad_kalenderperiod(fran: dt.date, till: dt.date, idag: dt.date) -> bool:
    """Whether ``fran``–``till`` is a whole calendar quarter or year that has ended.

    These are the only periods a role that sees hidden figures may get: they never
    overlap but by one holding the other, and a year's reports (every team and the
    förbund, the year and its quarters) are suppressed together (``arets_kub``), so no
    combination of reports the role can get gives a hidden figure away
    (tests/rapporter/test_differens.py).
    """
    if till >= idag:
        return False
    if (fran, till) == (helar(fran.year).fran, helar(fran.year).till):
        return True
    k = (fran.month - 1) // 3 + 1
    return (fran, till) == (kvartal(fran.year, k).fran, kvartal(fran.year, k).till)


def _kontrollera_period(fran: dt.date, till: dt.date, exakt: bool) -> None:
    if not exakt and not avslutad_kalenderperiod(fran, till, clock.today()):
        raise DomainError("ogiltig_period", "Med dolda små tal kan du välja hela kvartal och hela år som har "
                          "avslutats, så att ingen kan räknas fram genom att jämföra två rapporter.",
                          field="period")


def senast_avslutade_kvartal(idag: dt.date) -> Period:
    ar, k = idag.year, (idag.month - 1) // 3 + 1
    ar, k = (ar - 1, 4) if k == 1 else (ar, k - 1)
    return kvartal(ar, k)


def delperioder(fran: dt.date, till: dt.date) -> list[Period]:
    """The offered periods nested inside ``fran``–``till``: a year's four quarters."""
    if (fran, till) == (helar(fran.year).fran, helar(fran.year).till):
        return [kvartal(fran.year, k) for k in (1, 2, 3, 4)]
    return []


def tolka_period(kod: str | None, fran: str | None = None, till: str | None = None, *,
                 exakt: bool = True) -> Period:
    """A period from the form or the API: "2026", "2026-K2", or "egen" with two dates.
    Default: the current year so far, or (``exakt`` False: small numbers hidden) the last
    quarter that has ended; such a role gets only ended quarters and years."""
    idag = clock.today()
    if not (kod or "").strip() and not exakt:
        return senast_avslutade_kvartal(idag)
    period = _tolka_period(kod, fran, till, idag)
    _kontrollera_period(period.fran, period.till, exakt)
    return period


def _tolka_period(kod: str | None, fran: str | None, till: str | None, idag: dt.date) -> Period:
    kod = (kod or "").strip() or str(idag.year)
    try:
        if kod == "egen":
            f, t = dt.date.fromisoformat(fran or ""), dt.date.fromisoformat(till or "")
        elif "-K" in kod:
            ar, k = kod.split("-K")
            if int(k) not in (1, 2, 3, 4):
                raise ValueError(kod)
            return kvartal(int(ar), int(k))
        else:
            return helar(int(kod))
    except (ValueError, OverflowError) as error:  # OverflowError: a year beyond C's long
        raise DomainError("ogiltig_period", "Ange perioden som ett år, ett kvartal eller två datum "
                          "(ÅÅÅÅ-MM-DD).", field="period") from error
    if t < f:
        raise DomainError("ogiltig_period", "Periodens slut kan inte ligga före dess början.", field="till")
    if (t - f).days > 366 * 5:
        raise DomainError("ogiltig_period", "Välj en period på högst fem år.", field="till")
    return Period(f, t, f"{f.isoformat()} – {t.isoformat()}", "egen")


def periodval(idag: dt.date, exakt: bool = True) -> list[Period]:
    """The choices offered: this and last year, and their quarters so far; with small
    numbers hidden only the years and quarters (of the last three years) that have ended."""
    val = []
    if not exakt:
        for ar in (idag.year, idag.year - 1, idag.year - 2):
            val += [p for p in [helar(ar), *(kvartal(ar, k) for k in (1, 2, 3, 4))] if p.till < idag]
        return val
    for ar in (idag.year, idag.year - 1):
        val.append(helar(ar))
        val += [kvartal(ar, k) for k in (1, 2, 3, 4) if dt.date(ar, 3 * k - 2, 1) <= idag]
    return val


def senaste_kvartal(till: dt.date, antal_kvartal: int = 4) -> list[Period]:
    """The quarters ending with the one that holds ``till``, oldest first (the trend)."""
    ar, k = till.year, (till.month - 1) // 3 + 1
    ut = []
    for _ in range(antal_kvartal):
        ut.append(kvartal(ar, k))
        ar, k = (ar - 1, 4) if k == 1 else (ar, k - 1)
    return list(reversed(ut))


# --- the period report -----------------------------------------------------------------------


@dataclass
class Rapport:
    omfattning: str
    period: Period
    exakt: bool
    tabeller: list[Tabell] = field(default_factory=list)

    def tabell(self, nyckel: str) -> Tabell:
        return next(t for t in self.tabeller if t.nyckel == nyckel)


def _per_kon(rader: list[dict], nyckel, kolumn: str = "antal") -> dict:
    """{row key: {Kon: count}} from grouped rows."""
    ut: dict = {}
    for r in rader:
        ut.setdefault(nyckel(r), {})[r["kon"]] = int(r[kolumn] or 0)
    return ut


def _kon_rad(etikett: str, varden: dict[Kon, int]) -> Rad:
    celler = [antal(varden.get(k, 0)) for k in KONEN]
    return Rad(etikett, [*celler, antal(sum(c.varde for c in celler))])


def _med_totalrad(rader: list[Rad]) -> list[Rad]:
    kolumner = len(rader[0].celler) if rader else len(KON_KOLUMNER)
    summor = [sum(r.celler[k].varde for r in rader if not r.delsumma) for k in range(kolumner)]
    return [*rader, Rad("Totalt", [antal(s) for s in summor], total=True)]


def _kon_tabell(nyckel, rubrik, radrubrik, etiketter: list[tuple], data: dict, forklaring="") -> Tabell:
    rader = [_kon_rad(etikett, data.get(kod, {})) for kod, etikett in etiketter]
    return Tabell(nyckel, rubrik, KON_KOLUMNER, _med_totalrad(rader), forklaring=forklaring,
                  radrubrik=radrubrik, total_kolumn=True, diagram_kolumn=len(KONEN))


def _under_perioden(tp: list[queries.Sammansattning], u: Urval) -> dict[int, set[int]]:
    """Team id → the parties that sat in it at some time during the period."""
    start, slut = queries._tidsgranser(u)
    ut: dict[int, set[int]] = {}
    for s in tp:
        if (s.start is None or s.start < slut) and (s.slut is None or s.slut > start):
            ut.setdefault(s.team_id, set()).update(s.parter)
    return ut


def _part_tabell(nyckel, rubrik, radrubrik, parter: list[Part], visa: set[int], data: dict,
                 forklaring="") -> Tabell:
    """One row per party (grouped under its type), each type's subtotal after its parties."""
    rader = []
    for typ in PartTyp:
        egna = [p for p in parter if p.typ == typ and p.id in visa]
        if not egna:
            continue
        delar = [_kon_rad(p.namn, data.get(p.id, {})) for p in egna]
        for r in delar:
            r.grupp = typ.value
        summor = [antal(sum(r.celler[k].varde for r in delar)) for k in range(len(KON_KOLUMNER))]
        rader += [*delar, Rad(f"{PART_TYP_LABELS[typ]} totalt", summor, grupp=typ.value, delsumma=True)]
    return Tabell(nyckel, rubrik, KON_KOLUMNER, _med_totalrad(rader), forklaring=forklaring,
                  radrubrik=radrubrik, total_kolumn=True, diagram_kolumn=len(KONEN))


def _utan_cykelstadning(fn):
    """Run ``fn`` with Python's cyclic garbage collector paused. A report builds some 10⁵
    small objects (cells, rows, lines); each few hundred allocations set off a collection
    that walks the app's whole heap, which took a third of the year report's Python time.
    Nothing here needs the cycle collector (reference counting frees the report's objects);
    it is switched back on after, by the call that switched it off (so nested or parallel
    calls leave it on)."""
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        pa = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if pa:
                gc.enable()
    return inner


@_utan_cykelstadning
def period_rapport(u: Urval, *, exakt: bool, omfattning: str = "", period: Period | None = None) -> Rapport:
    """Every table of the period report for ``u``, small numbers hidden unless ``exakt``.

    A fixed number of statements whatever the data (``underlag``): one per table for all
    the periods and teams needed, each grouped in the database. With small numbers hidden
    the period must be an ended quarter or year, and the report is cut from the year's
    kub (``arets_kub``): the förbund and every team, the year and its quarters, suppressed
    together so that no combination of them gives a hidden figure away.
    """
    _kontrollera_period(u.fran, u.till, exakt)
    if exakt:
        underlag = Underlag(Kub(u.forbund_id, u.team_id, [(u.fran, u.till)]), aldersband(u.forbund_id))
        return _period_tabeller(underlag.nod(0), exakt=True, omfattning=omfattning, period=period)
    # Hidden figures: the whole kub of the year (the förbund and every team, the year and
    # its quarters) is suppressed together, and the asked report cut from it.
    ar = u.fran.year
    nr = next(i for i, p in enumerate(arets_perioder(ar)) if (p.fran, p.till) == (u.fran, u.till))
    r = arets_kub(u.forbund_id, ar)[(nr, u.team_id)]
    r.omfattning, r.period = omfattning, period or r.period
    for t in r.tabeller:
        if t.nyckel == "kostnad":
            t.rader[0].etikett = omfattning or "Urvalet"
    return r


def arets_perioder(ar: int) -> list[Period]:
    """The periods of a year's kub: the year (node 0) and its quarters (1–4)."""
    return [helar(ar), *(kvartal(ar, k) for k in (1, 2, 3, 4))]


@_utan_cykelstadning
def arets_kub(forbund_id: int, ar: int, tabeller: frozenset[str] | None = None
              ) -> dict[tuple[int, int | None], Rapport]:
    """Every report with hidden figures a role can get for the year, suppressed together
    (``undertryckning``): (period node, team id or None for the förbund) → report.

    ``tabeller``: only these tables (the nyckeltal's, ``NYCKELTALENS_TABELLER``; their rows
    alone are fetched, ``Underlag``'s ``bara_raknade``). The
    suppression joins a table to itself across the kub's reports and to the tables of
    ``undertryckning._SAMMA``, nothing else, so a set closed under those gets the same
    marks as in the whole report, for less work."""
    # Only the periods that have ended: no other is offered with hidden figures, and one
    # still running would tie the marks of the ended ones to counts that change every day
    # (Q1's marks moved with each new ärende of Q2, and no kept marks could be reused).
    # A period joins the kub the day after it ends; the nodes keep their numbers.
    idag = clock.today()
    noder = [(i, p) for i, p in enumerate(arets_perioder(ar)) if p.till < idag]
    if not noder:
        return {}
    underlag = Underlag(Kub(forbund_id, None, [(p.fran, p.till) for _, p in noder], per_team=True),
                        aldersband(forbund_id), bara_raknade=tabeller is not None)
    teams = sorted({s.team_id for s in underlag.sammansattningar})
    rapporter = {(i, t): _period_tabeller(underlag.nod(k, t), exakt=False, period=p, bara=tabeller)
                 for k, (i, p) in enumerate(noder) for t in [None, *teams]}
    # The marks kept for this raw kub where it was suppressed before (``markeringar``).
    urval = "alla" if tabeller is None else ",".join(sorted(tabeller))
    markeringar.dolj(forbund_id, ar, urval, rapporter, teams, [i for i, _ in noder if i > 0])
    for r in rapporter.values():
        _synka_kostnad(r)
    return rapporter


def _period_tabeller(d: Nod, *, exakt: bool, omfattning: str = "", period: Period | None = None,
                     bara: frozenset[str] | None = None) -> Rapport:
    u = d.urval
    period = period or Period(u.fran, u.till, f"{u.fran.isoformat()} – {u.till.isoformat()}", "egen")
    r = Rapport(omfattning, period, exakt)

    kon_rader = d.rader("kon")
    per_kon = {row["kon"]: row for row in kon_rader}
    rader = [Rad(KON_LABELS[k], [antal(per_kon.get(k, {}).get("antal")), antal(per_kon.get(k, {}).get("nya"))])
             for k in KONEN]
    r.tabeller.append(Tabell(
        "kon", "Deltagare efter kön", ["Deltagare under perioden", "Varav nya (aktualiserade)"],
        _med_totalrad(rader), radrubrik="Kön",
        forklaring="Deltagare med ett pågående ärende någon gång under perioden; nya är de som "
                   "aktualiserades under perioden."))

    flode = {row["kon"]: row for row in d.rader("flode")}
    falt = ("inneliggande", "nya", "avslutade", "pagaende")  # columns as undertryckning.FLODE_* name them
    rader = [Rad(KON_LABELS[k], [antal(flode.get(k, {}).get(f)) for f in falt]) for k in KONEN]
    r.tabeller.append(Tabell(
        "flode", "Inflöde och utflöde efter kön",
        ["Inneliggande vid periodens början", "Nya", "Avslutade", "Pågående vid periodens slut"],
        _med_totalrad(rader), radrubrik="Kön",
        # Inneliggande + nya = avslutade + pågående: a row is a line like one with a total.
        total_kolumn=True, diagram_kolumn=1,
        forklaring="Deltagare: inneliggande från tidigare perioder, nya (aktualiserade), avslutade under "
                   "perioden och pågående vid periodens slut."))

    if bara is not None and bara <= NYCKELTALENS_TABELLER:
        # The nyckeltal's tables alone: the others are not built only to be dropped (the
        # kub's 30 reports took 21 ms of the nyckeltal's Python at 10⁵, now 6).
        r.tabeller += [_samcoach_over_tid(d), _utfall_tabell(d)]
    else:
        _ovriga_tabeller(d, r, omfattning)
    if bara is not None:
        r.tabeller = [t for t in r.tabeller if t.nyckel in bara]
    # Not exakt: the kub hides (``arets_kub``). A table's own line rule run here first
    # would hide a stock in one year's kub and not in the next's (``_dolj_lager``).
    return r


def _ovriga_tabeller(d: Nod, r: Rapport, omfattning: str) -> None:
    """The report's tables after the kön and the flow, added to ``r``."""
    u = d.urval
    r.tabeller.append(_kon_tabell(
        "alder", "Deltagare efter ålder och kön", "Ålder",
        [*enumerate(label for _, label in queries.ALDERSBAND), (queries.OKAND, "Okänd ålder")],
        _per_kon(d.rader("alder"), lambda x: x["band"]),
        forklaring=f"Ålder räknad som {u.till.year} minus födelseår; okänd för anonyma utan födelseår."))
    egna_band = d.underlag.egna_band
    if egna_band:
        r.tabeller.append(_kon_tabell(
            "alder_forbund", "Deltagare efter ålder (förbundets indelning) och kön", "Ålder",
            [*((i, f"{lo}–{hi} år") for i, (lo, hi) in enumerate(egna_band)),
             (queries.UTANFOR, "Utanför indelningen"), (queries.OKAND, "Okänd ålder")],
            _per_kon(d.rader("alder_forbund"), lambda x: x["band"]),
            forklaring="Förbundets egen åldersindelning, satt av administratören."))

    parter = d.underlag.parter
    tp = d.sammansattningar
    per_team = _under_perioden(tp, u)
    teamets = set().union(*per_team.values()) if per_team else set()
    per_part = _per_kon(d.rader("part"), lambda x: x["part_id"])
    r.tabeller.append(_part_tabell(
        "part", "Deltagare efter aktualiserande part", "Aktualiserande part", parter,
        teamets | set(per_part), per_part,
        forklaring="Varje part för sig (en kommun kan vara två parter, t.ex. IFO och AMI); "
                   "parttypens summa efter dess parter."))

    moten: dict[int, dict] = {}
    mojliga: dict[int, int] = {}  # party → held meetings of its teams while it sat in them
    for m in d.moten():
        rad = moten.setdefault(m["team_id"], {"team": m["team"], "hallna": 0, "alla_parter": 0, "planering": 0})
        for f in ("hallna", "alla_parter", "planering"):
            rad[f] += int(m[f])
        for p in tp[m["del"]].parter if m["del"] >= 0 else ():
            mojliga[p] = mojliga.get(p, 0) + int(m["hallna"])
    mfalt = ("hallna", "alla_parter", "planering")
    mrader = [Rad(m["team"], [tal(m[f]) for f in mfalt]) for m in moten.values()]
    summa = Rad("Totalt", [tal(sum(m[f] for m in moten.values())) for f in mfalt], total=True)
    r.tabeller.append(Tabell(
        "moten", "Möten", ["Hållna ärendemöten", "Med alla parter närvarande", "Planeringsmöten"],
        [*mrader, summa],
        radrubrik="Team",
        forklaring="Alla parter: var och en av de parter som satt i teamet på mötets dag deltog (på plats, "
                   "per telefon eller genom ersättare)."))

    narvaro: dict[int, int] = {}
    for row in d.narvaro():
        narvaro[row["part_id"]] = narvaro.get(row["part_id"], 0) + int(row["antal"])
    nrader = []
    for typ in PartTyp:
        egna = [p for p in parter if p.typ == typ and (p.id in teamets or p.id in narvaro)]
        if not egna:
            continue
        delar = [Rad(p.namn, [tal(mojliga.get(p.id, 0)), tal(narvaro.get(p.id, 0))], grupp=typ.value)
                 for p in egna]
        nrader += [*delar, Rad(f"{PART_TYP_LABELS[typ]} totalt",
                               [tal(sum(d.celler[k].varde for d in delar)) for k in (0, 1)],
                               grupp=typ.value, delsumma=True)]
    r.tabeller.append(Tabell(
        "narvaro", "Närvaro per part", ["Hållna möten i partens team", "Parten deltog"], nrader,
        radrubrik="Part", diagram_kolumn=1,
        forklaring="Ärendemöten där parten deltog (på plats, per telefon eller genom ersättare)."))

    samtycke = _per_kon(d.rader("samtycke"), lambda x: x["part_id"])
    r.tabeller.append(_part_tabell(
        "samtycke", "Samtycke per part", "Part", parter, teamets | set(samtycke), samtycke,
        forklaring="Deltagare under perioden vars gällande samtycke omfattar parten. En deltagare "
                   "samtycker oftast för flera parter; totalraden räknar samtycken."))

    atgarder = _per_kon(d.rader("atgard"), lambda x: x["part_id"])
    r.tabeller.append(_part_tabell(
        "atgard_part", "Åtgärder i handlingsplanen per ansvarig part", "Part", parter,
        teamets | set(atgarder), atgarder,
        forklaring="Deltagare som under perioden fick en åtgärd som parten ansvarar för; "
                   "totalraden räknar part och deltagare."))

    sc = {row["kon"]: row for row in d.rader("samcoach")}
    rader = [Rad(KON_LABELS[k], [antal(sc.get(k, {}).get("samcoach")), antal(sc.get(k, {}).get("ko"))])
             for k in KONEN]
    r.tabeller.append(Tabell(
        "samcoach", "Deltagare hos samcoach", ["Har haft samcoach", "Har väntat i kö"],
        _med_totalrad(rader), radrubrik="Kön",
        forklaring="Deltagare som hade samcoach eller väntade på plats någon gång under perioden."))

    r.tabeller.append(_samcoach_over_tid(d))

    insats_part = _per_kon(d.rader("insats_part"), lambda x: x["part_id"])
    r.tabeller.append(_part_tabell(
        "insats_part", "Deltagare i insats efter aktualiserande part", "Aktualiserande part", parter,
        teamets | set(insats_part), insats_part,
        forklaring="Deltagare som var i en insats (samcoach eller annan insats, inte ordinarie verksamhet) "
                   "någon gång under perioden, efter den part som aktualiserade ärendet; parttypens summa "
                   "efter dess parter."))

    typer = d.underlag.insatstyper
    it = _per_kon(d.rader("insatstyp"),
                  lambda x: (x["form"], x["insatstyp_id"] if x["form"] == InsatsForm.INSATS else None))
    etiketter = [((InsatsForm.SAMCOACH, None), "Samcoach")]
    etiketter += [((InsatsForm.INSATS, t.id), t.namn) for t in typer]
    etiketter += [((InsatsForm.ORDINARIE, None), "Ordinarie verksamhet")]
    t = _kon_tabell("insatstyp", "Insatstyp efter kön", "Insats", etiketter, it,
                    forklaring="Deltagare med en beslutad insats som pågick någon gång under perioden. "
                               "En deltagare kan ha flera insatser; totalraden räknar insatser.")
    r.tabeller.append(t)

    r.tabeller.append(_utfall_tabell(d))

    r.tabeller.append(_kon_tabell(
        "tid_i_insats", "Avslutade insatser efter tid i insats och kön", "Tid i insats",
        list(enumerate(label for _, label in queries.TIDSBAND)),
        _per_kon(d.rader("tid_i_insats"), lambda x: x["band"]),
        forklaring="Deltagare vars insats (samcoach eller annan insats) avslutades under perioden, efter "
                   "tiden från start till slut. Medeltiden står i tabellen över tider."))

    sf = {row["kon"]: row for row in d.rader("steg")}
    srader = []
    for k in KONEN:
        matta, flyttat = antal(sf.get(k, {}).get("matta")), antal(sf.get(k, {}).get("flyttat"))
        steg = int(sf.get(k, {}).get("steg") or 0)
        srader.append(Rad(KON_LABELS[k], [matta, flyttat, andel(flyttat, int(matta.varde)),
                                          medel(steg / matta.varde if matta.varde else None, int(matta.varde))]))
    tot_m, tot_f = (sum(int(r.celler[i].varde) for r in srader) for i in (0, 1))
    tot_steg = sum(int(sf.get(k, {}).get("steg") or 0) for k in KONEN)
    tm, tf = antal(tot_m), antal(tot_f)
    srader.append(Rad("Totalt", [tm, tf, andel(tf, tot_m), medel(tot_steg / tot_m if tot_m else None, tot_m)],
                      total=True))
    r.tabeller.append(Tabell(
        "stegforflyttning", "Stegförflyttning efter kön",
        ["Med stegmätning", "Minst en stegförflyttning", "Andel med stegförflyttning", "Steg framåt i medel"],
        srader, radrubrik="Kön", diagram_kolumn=1,
        forklaring="Deltagare under perioden med minst en mätning på förbundets steg; förflyttningen är det "
                   "senaste steget vid periodens slut jämfört med den första mätningen."))

    per_arende, i_insats = d.rader("tider"), d.rader("i_insats")
    tider = {row["kon"]: row for row in per_arende}
    ins = {row["kon"]: row for row in i_insats}
    mattet = [("mote", "Aktualisering till första samplanering"), ("insats", "Aktualisering till beslutad insats"),
              ("avslut", "Aktualisering till avslut")]
    trader = []
    for nyckel, etikett in mattet:
        trader.append(Rad(etikett, [medel(tider.get(k, {}).get(nyckel), tider.get(k, {}).get(f"{nyckel}_n", 0))
                                    for k in KONEN] + [_medel_totalt([tider.get(k, {}) for k in KONEN], nyckel)]))
    trader.append(Rad("Tid i insats (avslutad under perioden)",
                      [medel(ins.get(k, {}).get("medel"), ins.get(k, {}).get("n", 0)) for k in KONEN]
                      + [_medel_totalt([{"x": v.get("medel"), "x_n": v.get("n", 0)} for v in ins.values()], "x")]))
    r.tabeller.append(Tabell(
        "tider", "Genomsnittlig tid i dagar efter kön", KON_KOLUMNER, trader, radrubrik="Från – till",
        forklaring="Medeltal i dagar, för ärenden där steget togs under perioden.", diagram=False))

    fe: dict[str, dict] = {}
    fe_kon: dict[tuple, int] = {}
    for row in d.rader("fore_efter"):
        per_kod = fe.setdefault(row["matt"], {})
        per_kod[row["kod"]] = per_kod.get(row["kod"], 0) + int(row["antal"])
        fe_kon[(row["matt"], row["kod"], row["kon"])] = int(row["antal"])
    for matt, rubrik, kodlista in (("forsorjning", "Försörjning före och efter", kodlistor.FORSORJNING),
                                   ("sysselsattning", "Sysselsättning före och efter", kodlistor.SYSSELSATTNING)):
        start, slut = fe.get(f"{matt}_start", {}), fe.get(f"{matt}_slut", {})
        koder = [*kodlista.items(), (None, "Ej angivet")]
        rader = [Rad(etikett, [antal(start.get(kod, 0)), antal(slut.get(kod, 0))]) for kod, etikett in koder]
        r.tabeller.append(Tabell(
            matt, rubrik, ["Vid start", "Vid avslut"], _med_totalrad(rader), radrubrik=rubrik.split()[0],
            forklaring="Deltagare vars ärende avslutades under perioden.", diagram=False))
        kon_rader = [Rad(etikett, [antal(fe_kon.get((f"{matt}_{nar}", kod, k), 0))
                                   for k in KONEN for nar in ("start", "slut")]) for kod, etikett in koder]
        r.tabeller.append(Tabell(
            f"{matt}_kon", f"{rubrik} efter kön",
            [f"{KON_LABELS[k]}, {nar}" for k in KONEN for nar in ("start", "avslut")],
            _med_totalrad(kon_rader), radrubrik=rubrik.split()[0],
            forklaring="Samma deltagare som ovan, efter kön.", diagram=False))

    # Where people stood at the efterkontroll after avslut (samverkan.efterkontroll).
    r.tabeller.append(_kon_tabell(
        efterkontroll_rapport.NYCKEL, efterkontroll_rapport.RUBRIK, efterkontroll_rapport.RADRUBRIK,
        efterkontroll_rapport.ETIKETTER, _per_kon(d.rader("efterkontroll"), lambda x: x["utfall"]),
        forklaring=efterkontroll_rapport.FORKLARING))

    if (u.fran, u.till) == (helar(u.fran.year).fran, helar(u.fran.year).till):
        budget = d.budget()
        if budget is not None:
            deltagare = int(r.tabell("kon").rader[-1].celler[0].varde)
            r.tabeller.append(Tabell(
                "kostnad", "Kostnad per deltagare", ["Budget (kr)", "Deltagare", "Kostnad per deltagare (kr)"],
                [Rad(omfattning or "Urvalet", [tal(budget), antal(deltagare),
                                               medel(budget / deltagare if deltagare else None, deltagare)])],
                radrubrik="", diagram=False,
                forklaring=f"Årets budget för {'teamet' if u.team_id else 'förbundets team'} (angiven av "
                           "förbundets administratör) delad med antalet deltagare under året."))


def _samcoach_over_tid(d: Nod) -> Tabell:
    dagar = queries.manadsslut(d.urval)
    pagaende = d.pagaende_samcoach(dagar)
    return Tabell(
        "samcoach_over_tid", "Pågående hos samcoach över tid", ["Pågående"],
        [Rad(dag.isoformat(), [antal(v)]) for dag, v in zip(dagar, pagaende, strict=True)],
        radrubrik="Vid månadens slut")


def _utfall_tabell(d: Nod) -> Tabell:
    utfall = _per_kon(d.rader("utfall"), lambda x: x["orsak"])
    orsaker = [(k, v) for k, v in kodlistor.AVSLUTSORSAK.items() if k != queries.FELREG]
    ut = _kon_tabell("utfall", "Utfall vid avslut efter kön", "Avslutsorsak", orsaker, utfall,
                     forklaring="Ärenden avslutade under perioden. Andelen är av kolumnens totalt.")
    totalrad = ut.rader[-1]
    for rad in ut.rader:
        rad.celler += [andel(rad.celler[i], int(totalrad.celler[i].varde)) for i in range(len(KON_KOLUMNER))]
    ut.kolumner = KON_KOLUMNER + [f"Andel {k.lower()}" for k in KON_KOLUMNER]
    return ut


def _synka_kostnad(r: Rapport) -> None:
    """The cost per deltagare divides the budget (shown) by the deltagare: it is hidden
    whenever the count of deltagare is hidden anywhere in the report."""
    kostnad = next((t for t in r.tabeller if t.nyckel == "kostnad"), None)
    if kostnad is None:
        return
    if r.tabell("kon").rader[-1].celler[0].dold or kostnad.cell(0, 1).dold:
        kostnad.cell(0, 1).dolj(SKYDDAD)
        kostnad.cell(0, 2).dolj(SKYDDAD)


def _tolka_aldersband(text: str) -> list[tuple[int, int]]:
    """"16-29, 30-44, 45-65" → [(16, 29), (30, 44), (45, 65)]: ascending, not overlapping."""
    band = []
    for del_ in [d.strip() for d in (text or "").replace("–", "-").split(",") if d.strip()]:
        lo, sep, hi = del_.partition("-")
        if not sep or not lo.strip().isdigit() or not hi.strip().isdigit():
            raise DomainError("ogiltiga_aldersband", "Skriv åldersbanden som 16-29, 30-44, 45-65.", field="granser")
        band.append((int(lo), int(hi)))
    if not band or len(band) > 12 or any(not 0 <= lo <= hi <= 120 for lo, hi in band) \
            or any(a[1] >= b[0] for a, b in zip(band, band[1:], strict=False)):
        raise DomainError("ogiltiga_aldersband", "Ange 1–12 band i stigande ordning som inte överlappar, "
                          "t.ex. 16-29, 30-44, 45-65.", field="granser")
    return band


def aldersband(forbund_id: int) -> list[tuple[int, int]]:
    rad = db.session.execute(select(Aldersindelning).where(Aldersindelning.forbund_id == forbund_id)).scalar()
    return _tolka_aldersband(rad.granser) if rad else []


def satt_aldersband(user: User, granser: str) -> Aldersindelning:
    """The förbund's admin sets the förbund's own age bands."""
    policy.require_forbundets_installning(user, "Bara förbundets administratör kan ändra åldersindelningen.")
    band = _tolka_aldersband(granser)
    rad = db.session.execute(
        select(Aldersindelning).where(Aldersindelning.forbund_id == user.forbund_id)).scalar_one_or_none()
    if rad is None:
        rad = Aldersindelning(forbund_id=user.forbund_id)
        db.session.add(rad)
    rad.granser, rad.andrad_av_id = ", ".join(f"{lo}-{hi}" for lo, hi in band), user.id
    db.session.flush()
    return rad


def satt_budget(user: User, team_id: int, ar: int, belopp: int) -> TeamBudget:
    """The förbund's admin enters what a team costs in a year."""
    policy.require_forbundets_installning(user, "Bara förbundets administratör kan ange teamens budget.")
    team = db.session.get(Team, team_id)
    if team is None or team.forbund_id != user.forbund_id:
        raise NotFound("Teamet finns inte.")
    if not 2000 <= ar <= 2100:
        raise DomainError("ogiltigt_ar", "Ange ett år, t.ex. 2026.", field="ar")
    if not 0 <= belopp <= 1_000_000_000:
        raise DomainError("ogiltig_budget", "Ange budgeten i hela kronor, 0 eller mer.", field="belopp")
    rad = db.session.execute(
        select(TeamBudget).where(TeamBudget.team_id == team_id, TeamBudget.ar == ar)).scalar_one_or_none()
    if rad is None:
        rad = TeamBudget(team_id=team_id, ar=ar)
        db.session.add(rad)
    rad.belopp, rad.andrad_av_id = belopp, user.id
    db.session.flush()
    log.info("budget %s set for team %s", ar, team_id)
    return rad


def _medel_totalt(grupper: list[dict], nyckel: str) -> Cell:
    """The average over all kön, weighted by each group's count."""
    n = sum(int(g.get(f"{nyckel}_n") or 0) for g in grupper)
    summa = sum(float(g[nyckel]) * int(g[f"{nyckel}_n"]) for g in grupper if g.get(nyckel) is not None)
    return medel(summa / n if n else None, n)


# --- nyckeltal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NyckeltalDef:
    nyckel: str
    namn: str
    typ: str  # "antal" (individuals), "tal" (meetings), "andel" (percent)
    standardmal: float
    arsmal: bool  # the target is per year: pro-rated for shorter periods
    forklaring: str


NYCKELTAL = [
    NyckeltalDef("aktualiseringar", "Aktualiseringar", "antal", 20, True,
                 "Ärenden aktualiserade under perioden. Målet gäller per år."),
    NyckeltalDef("samcoach_pagaende", "Pågående hos samcoach", "antal", 10, False,
                 "Deltagare med pågående samcoach vid periodens slut."),
    NyckeltalDef("egenforsorjning", "Egenförsörjning efter samcoach", "andel", 30, False,
                 "Andel av de avslutade som haft samcoach som nådde egenförsörjning (lön, studiemedel "
                 "eller stegens högsta steg)."),
    NyckeltalDef("moten_alla_parter", "Möten med alla parter", "tal", 10, True,
                 "Ärendemöten där alla teamets parter deltog. Målet gäller per år."),
    NyckeltalDef("handlingsplan", "Handlingsplan inom N månader", "andel", 80, False,
                 "Andel av de aktualiserade som fick en handlingsplan (första åtgärd) inom N månader."),
    NyckeltalDef("arbete_studier", "Till arbete eller studier", "andel", 25, False,
                 "Andel av de avslutade som gick till arbete eller studier."),
]
NYCKELTAL_PER_NYCKEL = {d.nyckel: d for d in NYCKELTAL}
STANDARD_HANDLINGSPLAN_MANADER = 2


@dataclass
class Nyckeltalsvarde:
    definition: NyckeltalDef
    cell: Cell
    mal: float
    parameter: int | None
    trend: list[tuple[str, Cell]]
    installt_mal: float  # as configured (per year for yearly targets)

    @property
    def namn(self) -> str:
        if self.definition.nyckel == "handlingsplan":
            return f"Handlingsplan inom {self.parameter} månader"
        return self.definition.namn

    @property
    def andel_av_mal(self) -> Cell:
        """The value as a percentage of the target (".." without a value or a target)."""
        if self.cell.dold:
            return Cell(None, "andel", markering=self.cell.markering)
        if self.cell.varde is None or not self.mal:
            return Cell(None, "andel")
        return Cell(100.0 * float(self.cell.varde) / self.mal, "andel")

    @property
    def uppnatt(self) -> bool | None:
        if self.cell.dold or self.cell.varde is None:
            return None
        return self.cell.varde >= self.mal


def mal_for(forbund_id: int, team_id: int | None) -> dict[str, NyckeltalMal]:
    """The targets in force: the team's own, else the förbund's (one query)."""
    rader = db.session.execute(
        select(NyckeltalMal).where(NyckeltalMal.forbund_id == forbund_id,
                                   (NyckeltalMal.team_id.is_(None)) | (NyckeltalMal.team_id == team_id))
    ).scalars().all()
    ut: dict[str, NyckeltalMal] = {}
    for m in sorted(rader, key=lambda m: m.team_id is not None):  # team targets win
        ut[m.nyckel] = m
    return ut


def _nyckeltal_perioder(b: Behorighet, perioder: list[tuple[dt.date, dt.date]], manader: int,
                        koder: list[str], *, per_team: bool = False
                        ) -> list[tuple[dict[int | None, tuple[dict[str, int], dict[str, int]]], int]]:
    """Per period: the raw counts and the closed per outcome code of the report's urval (key
    None) and, with ``per_team``, of the whole förbund (None) and each of its teams with any
    (team id), and the report's meetings with every party; for all the periods in a fixed
    number of statements (two for the counts, one for the outcomes, one per period for the
    meetings, which are few)."""
    if not perioder:
        return []
    team_id = b.team.id if b.team else None
    kub = Kub(b.forbund_id, None if per_team else team_id, perioder, per_team=per_team)
    raw = queries.nyckeltal(kub, handlingsplan_manader=manader)
    utfall: dict[tuple[int, int | None], dict[str, int]] = {}
    if koder:
        for row in queries.utfall_per_kon(kub):
            per = utfall.setdefault((row["nr"], row["team"]), {})
            per[row["orsak"]] = per.get(row["orsak"], 0) + int(row["antal"])
    egen = Kub(b.forbund_id, team_id, perioder)
    tp = team_parter(Urval(b.forbund_id, team_id, perioder[0][0], perioder[0][1]))
    moten = [0] * len(perioder)
    for m in queries.moten_per_team(egen, tp):
        moten[m["nr"]] += int(m["alla_parter"])
    tomt = dict.fromkeys(raw[(0, None)], 0)
    ut = []
    for nr in range(len(perioder)):
        teams = {t for n, t in raw if n == nr} | {t for n, t in utfall if n == nr} | {None}
        ut.append(({t: (raw.get((nr, t), tomt), utfall.get((nr, t), {})) for t in teams}, moten[nr]))
    return ut


# Each share: its numerator and denominator among the raw counts.
_ANDELAR = {"egenforsorjning": ("samcoach_egenforsorjning", "samcoach_avslutade"),
            "handlingsplan": ("handlingsplan_inom", "aktualiseringar"),
            "arbete_studier": ("arbete_studier", "avslutade")}


def _nyckeltal_celler(raw: dict[str, int], utfall: dict[str, int], moten: int, koder: list[str]) -> dict[str, Cell]:
    """The exact nyckeltal cells (the team's own projektledare)."""
    return _rakna_celler(raw, moten, utfall, koder)[0]


def _rakna_celler(raw: dict[str, int], moten: int, utfall: dict[str, int], koder
                  ) -> tuple[dict[str, Cell], dict[str, Cell], list]:
    """The nyckeltal cells, the count cells they rest on (every numerator, denominator and
    the rest of a denominator, by name) and the lines among those counts (numerator + rest
    = denominator) for the suppression."""
    raw = {**raw, "aktualiserade": raw["aktualiseringar"]}  # the same count
    antalen = {k: antal(v) for k, v in raw.items() if k != "aktualiserade"}
    antalen |= {UTFALL_PREFIX + kod: antal(utfall.get(kod, 0)) for kod in koder}
    delar = {**_ANDELAR, **{UTFALL_PREFIX + kod: (UTFALL_PREFIX + kod, "avslutade") for kod in koder}}
    linjer = []
    for nyckel, (taljare, namnare) in delar.items():
        rest = antalen[f"rest:{nyckel}"] = antal(antalen[namnare].varde - antalen[taljare].varde)
        linjer.append(Linje([antalen[taljare], rest, antalen[namnare]], [1, 1, -1], [False] * 3))
    celler = {
        "aktualiseringar": antalen["aktualiseringar"],
        "samcoach_pagaende": antalen["samcoach_pagaende"],
        "moten_alla_parter": tal(moten),
        **{nyckel: andel(antalen[taljare], int(antalen[namnare].varde)) for nyckel, (taljare, namnare) in delar.items()},
    }
    celler = {d: celler[d] for d in ["aktualiseringar", "samcoach_pagaende", "egenforsorjning", "moten_alla_parter",
                                     "handlingsplan", "arbete_studier", *(UTFALL_PREFIX + k for k in koder)]}
    return celler, antalen, linjer


def _dolda_nyckeltal(b: Behorighet, perioder: list[Period], manader: int, koder: list[str]
                     ) -> dict[str, dict[str, Cell]]:
    """The nyckeltal with small numbers hidden for the asked urval, per period (by code).

    The styrgrupp can get the förbund's nyckeltal and each team's for the same period: the
    förbund's count is the sum of its teams'. So each period's counts (and the counts a
    share rests on) are suppressed together for the förbund and every team, like a small
    kub (``undertryckning``): "<3" on 1–2, a count differing by 1–2 from the same count of
    a report nested in it (the förbund and its team, a year and its quarter) hidden, and
    the lines (the teams to the förbund, a share's numerator and rest to its denominator)
    never left with one hidden cell nor a hidden cell the lines fix. A quarter is settled
    by its own figures alone, so it reads the same in every request; a year then against
    its quarters. The asked report is cut out."""
    team_id = b.team.id if b.team else None
    ratt = [p for p in perioder if not delperioder(p.fran, p.till)]
    ratt += [p for p in perioder if p not in ratt]  # quarters first, then a year
    unika = list({p.kod: p for p in ratt}.values())
    data = _nyckeltal_perioder(b, [(p.fran, min(p.till, clock.today())) for p in unika], manader, koder,
                               per_team=True)
    klara: dict[str, dict[int | None, dict[str, Cell]]] = {}
    klara_linjer: dict[str, list[Linje]] = {}
    kubar: dict[int, dict[tuple[int, int | None], Rapport]] = {}
    ut = {}
    for p, (per_team, moten) in zip(unika, data, strict=True):
        noder = {t: _rakna_celler(raw, moten, utf, koder) for t, (raw, utf) in per_team.items()}
        if team_id not in noder:
            tomt = dict.fromkeys(per_team[None][0], 0)
            noder[team_id] = _rakna_celler(tomt, moten, {}, koder)
        for _, antalen, _ in noder.values():
            for c in antalen.values():
                if 0 < int(c.varde or 0) < 3:
                    c.dolj(PRIMAR)
        kanda = _som_rapporten(b.forbund_id, p, {t: a for t, (_, a, _) in noder.items()}, koder, kubar)

        def tabell(antalen: dict[str, Cell]) -> Tabell:
            return Tabell("n", "", ["v"], [Rad(k, [c]) for k, c in antalen.items()])

        # Nested reports: the förbund holds its teams; a year holds its quarters (settled).
        kvartalen = [q for q in unika if q.kod in klara and p.fran <= q.fran and q.till <= p.till and q != p]
        for t, (_, antalen, _) in noder.items():
            delar = [tabell(noder[t2][1]) for t2 in noder if t is None and t2 is not None]
            for q in kvartalen:
                delar += [tabell(a) for t2, a in klara[q.kod].items() if t is None or t2 == t]
            dolj_mot_delperioder(tabell(antalen), delar)
        linjer = [li for _, _, egna in noder.values() for li in egna]
        teams = [t for t in noder if t is not None]
        for nyckel, total in noder[None][1].items():
            celler = [noder[t][1][nyckel] for t in teams]
            linjer.append(Linje([*celler, total], [1] * len(celler) + [-1], [False] * (len(celler) + 1)))
        if len(kvartalen) == 4:
            # The year's counts are its quarters' summed (but for the ongoing at the end): a
            # year shown beside three shown quarters would give the fourth away. The quarters
            # are settled, and read the same in every request: they enter as stocks do in the
            # kub (``_kandidat`` hides the year's cell rather than a quarter's).
            for q in kvartalen:
                linjer += [Linje(li.celler, li.koef, [True] * len(li.celler)) for li in klara_linjer[q.kod]]
            for t, (_, antalen, _) in noder.items():
                for nyckel, total in antalen.items():
                    if nyckel == "samcoach_pagaende":
                        # Ongoing at the year's end: the last quarter's figure, the same day.
                        if t in klara[kvartalen[-1].kod]:
                            linjer.append(Linje([klara[kvartalen[-1].kod][t][nyckel], total], [1, -1], [True, False]))
                        continue
                    delar = [klara[q.kod][t][nyckel] for q in kvartalen if t in klara[q.kod]]
                    linjer.append(Linje([*delar, total], [1] * len(delar) + [-1], [True] * len(delar) + [False]))
            _dolj_aret(linjer, [c for q in kvartalen for a in klara[q.kod].values() for c in a.values()],
                       [c for _, antalen, _ in noder.values() for c in antalen.values()], kanda)
        else:
            dolj_linjer(_utan_kanda(linjer, kanda))
        klara[p.kod] = {t: antalen for t, (_, antalen, _) in noder.items()}
        klara_linjer[p.kod] = linjer
        celler, antalen, _ = noder[team_id]
        # The shares after their counts (the counts are settled: a "<3" made "–" stays so).
        dolj_andelar(Tabell("nyckeltal", "", [], [Rad("", list(celler.values()))]))
        for nyckel, (_, namnare) in {**_ANDELAR, **{UTFALL_PREFIX + k: (None, "avslutade") for k in koder}}.items():
            if antalen[namnare].dold or antalen[f"rest:{nyckel}"].dold:
                celler[nyckel].dolj(SKYDDAD)
        ut[p.kod] = celler
    return ut


# The report's tables that hold the nyckeltal's counts (closed under ``undertryckning._SAMMA``).
NYCKELTALENS_TABELLER = frozenset({"kon", "flode", "utfall", "samcoach_over_tid"})


def _rapportens_celler(r: Rapport, koder: list[str], dag: dt.date) -> dict[str, list[Cell]]:
    """The period report's count cells that are the nyckeltal's counts (by name), or whose
    sum is: the new (the "Varav nya" total), the closed (the flow's), the closed per outcome
    (the outcome table's total column) and the ongoing at samcoach on the period's last day."""
    utfall = r.tabell("utfall")
    orsaker = [k for k in kodlistor.AVSLUTSORSAK if k != queries.FELREG]
    totalt = len(KONEN)

    def orsak(kod: str) -> Cell:
        return utfall.rader[orsaker.index(kod)].celler[totalt]

    def totalt_i(kolumn: tuple[str, int]) -> Cell:
        tabell, k = kolumn
        return r.tabell(tabell).rader[-1].celler[k]

    ut = {"aktualiseringar": [totalt_i(KON_NYA)],
          "avslutade": [totalt_i(FLODE_AVSLUTADE)],
          "arbete_studier": [orsak(k) for k in queries.ARBETE_STUDIER],
          **{UTFALL_PREFIX + k: [orsak(k)] for k in koder if k in orsaker}}
    over_tid = r.tabell("samcoach_over_tid").rader
    if over_tid and over_tid[-1].etikett == dag.isoformat():
        ut["samcoach_pagaende"] = [over_tid[-1].celler[0]]
    return ut


def _som_rapporten(forbund_id: int, p: Period, noder: dict[int | None, dict[str, Cell]], koder: list[str],
                   kubar: dict[int, dict[tuple[int, int | None], Rapport]]) -> set[int]:
    """Tie the nyckeltal's counts to the period report of the same team and period (the
    styrgrupp gets both): a count that is a report cell, or the sum of some, is hidden
    wherever one of them is, and is a known number (by ``id``, returned) wherever all are
    shown, so the nyckeltal's rules never count on hiding it. Otherwise "Varav nya" hidden
    in the report would be the shown aktualiseringar. The report counts deltagare, the
    nyckeltal ärenden: a count that differs (a deltagare with two ärenden) is another
    number and is left to the nyckeltal's own rules."""
    if not avslutad_kalenderperiod(p.fran, p.till, clock.today()):
        return set()
    perioder = arets_perioder(p.fran.year)
    nr = next((i for i, q in enumerate(perioder) if (q.fran, q.till) == (p.fran, p.till)), None)
    if nr is None:
        return set()
    if p.fran.year not in kubar:
        kubar[p.fran.year] = arets_kub(forbund_id, p.fran.year, NYCKELTALENS_TABELLER)
    kub = kubar[p.fran.year]
    kanda: set[int] = set()
    for t, antalen in noder.items():
        if (nr, t) not in kub:
            continue
        for nyckel, celler in _rapportens_celler(kub[(nr, t)], koder, p.till).items():
            c = antalen[nyckel]
            if sum(int(x.varde or 0) for x in celler) != int(c.varde or 0):
                continue
            dolda = [x for x in celler if x.dold]
            if len(celler) == 1 and dolda and dolda[0].markering == SKYDDAD:
                c.nedgradera()  # the report's "–", a "<3" made "–" there too: "<3" here would pin it
            elif dolda:
                c.dolj(PRIMAR if len(celler) == 1 and dolda[0].markering == PRIMAR else SKYDDAD)
            else:
                kanda.add(id(c))
    return kanda


def _utan_kanda(linjer: list[Linje], kanda: set[int]) -> list[Linje]:
    """The lines with the known numbers (cells by ``id``) left out: the rules then hide
    only cells whose value the reader does not already have."""
    kvar = []
    for li in linjer:
        behall = [i for i, c in enumerate(li.celler) if id(c) not in kanda]
        if behall:
            kvar.append(Linje([li.celler[i] for i in behall], [li.koef[i] for i in behall],
                              [li.lager[i] for i in behall]))
    return kvar


def _dolj_aret(linjer: list[Linje], kvartalen: list[Cell], aret: list[Cell], kanda: set[int]) -> None:
    """The lines of a year and its settled quarters: hide year cells only. A quarter reads
    the same in every answer (its own, a trend, its year's). Its shown cells are known
    numbers, so they leave the lines (a year line whose quarters are all shown then asks
    nothing of them); its hidden ones stay as unknowns, and the rules pick only shown
    cells, so only year cells are hidden. Should a quarter's cell change all the same,
    every count of the year is hidden instead, for the förbund and every team: the
    quarters then say all there is. ``kanda``: the year's counts the period report shows."""
    kvar = _utan_kanda(linjer, kanda | {id(c) for c in kvartalen if not c.dold})
    fore = [c.markering for c in kvartalen]
    dolj_linjer(kvar)
    if [c.markering for c in kvartalen] != fore:
        for c, markering in zip(kvartalen, fore, strict=True):
            c.markering = markering
        for c in aret:
            c.dolj(SKYDDAD)


UTFALL_PREFIX = "utfall:"


def _utfallsdef(nyckel: str, mal: float) -> NyckeltalDef | None:
    """A nyckeltal the förbund defines from an outcome code: the share of the ärenden closed
    in the period that closed with it (e.g. "utfall:fortsatt_rehabilitering", target 50 %)."""
    kod = nyckel.removeprefix(UTFALL_PREFIX)
    if not nyckel.startswith(UTFALL_PREFIX) or kod not in kodlistor.AVSLUTSORSAK or kod == queries.FELREG:
        return None
    return NyckeltalDef(nyckel, f"Avslut: {kodlistor.AVSLUTSORSAK[kod].lower()}", "andel", mal, False,
                        f"Andel av de avslutade under perioden med avslutsorsaken "
                        f"”{kodlistor.AVSLUTSORSAK[kod].lower()}”. Förbundets eget nyckeltal.")


def _antal_ar(fran: dt.date, till: dt.date) -> float:
    """Years from ``fran`` to ``till`` (inclusive): whole years counted by the anniversary,
    the rest in days of 365 (0 when ``till`` lies before ``fran``)."""
    ar = 0
    while True:
        try:
            nasta = fran.replace(year=fran.year + 1)
        except ValueError:  # 29 February
            nasta = dt.date(fran.year + 1, 3, 1)
        if nasta - dt.timedelta(days=1) > till:
            return ar + max((till - fran).days + 1, 0) / 365
        ar, fran = ar + 1, nasta


def _har_inte_borjat(p: Period | Urval) -> bool:
    return p.fran > clock.today()


@_utan_cykelstadning
def nyckeltal(b: Behorighet, period: Period) -> list[Nyckeltalsvarde]:
    """The nyckeltal for the period (the six fixed ones and the förbund's own, built from
    outcome codes), with target, share of target and the trend over the last four quarters.

    A period (or a trend quarter) that has not begun has no value (".."). A yearly target
    is judged pro rata: over the part of the period that has passed. With small numbers
    hidden, each period's counts are suppressed together for the förbund and all its teams,
    and a year's against its quarters (``_dolda_nyckeltal``).
    """
    _kontrollera_period(period.fran, period.till, b.exakt)
    team_id = b.team.id if b.team else None
    mal = mal_for(b.forbund_id, team_id)
    manader = (mal["handlingsplan"].parameter if "handlingsplan" in mal and mal["handlingsplan"].parameter
               else STANDARD_HANDLINGSPLAN_MANADER)
    egna = [d for d in (_utfallsdef(n, m.mal) for n, m in sorted(mal.items())) if d is not None]
    definitioner = [*NYCKELTAL, *egna]
    koder = [d.nyckel.removeprefix(UTFALL_PREFIX) for d in egna]

    # The period and its trend quarters, each counted up to today; one that has not begun
    # has no value.
    kvartalen = senaste_kvartal(period.till)
    alla = [period, *kvartalen]
    borjat = [p for p in alla if not _har_inte_borjat(p)]
    if b.exakt:
        data = _nyckeltal_perioder(b, [(p.fran, min(p.till, clock.today())) for p in borjat], manader, koder)
        varden = {p.kod: _nyckeltal_celler(*per_team[None], moten, koder)
                  for p, (per_team, moten) in zip(borjat, data, strict=True)}
    else:
        varden = _dolda_nyckeltal(b, borjat, manader, koder)

    def celler(p: Period) -> dict[str, Cell]:
        if p.kod not in varden:
            return {d.nyckel: Cell(None, d.typ) for d in definitioner}
        return varden[p.kod]

    nu = celler(period)
    trend = [(k.namn, celler(k)) for k in kvartalen]
    # A yearly target over the part of the period that has passed (all of it once it ended):
    # a quarter's share of the year, the year so far, or two years for a period of two.
    ar = _antal_ar(period.fran, min(period.till, clock.today()))
    ut = []
    for d in definitioner:
        installt = mal[d.nyckel].mal if d.nyckel in mal else d.standardmal
        malvarde = round(installt * ar, 1) if d.arsmal else installt
        ut.append(Nyckeltalsvarde(d, nu[d.nyckel], malvarde,
                                  manader if d.nyckel == "handlingsplan" else None,
                                  [(namn, c[d.nyckel]) for namn, c in trend], installt))
    return ut


def satt_mal(user: User, team_id: int | None, nyckel: str, mal: float, parameter: int | None = None) -> NyckeltalMal:
    """Set one target: the team's projektledare for their team, the admin for any team or
    the whole förbund (``team_id`` None)."""
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.forbund_id != user.forbund_id:
            raise NotFound("Teamet finns inte.")
    policy.require_set_mal(user, team_id)
    d = NYCKELTAL_PER_NYCKEL.get(nyckel) or _utfallsdef(nyckel, mal)
    if d is None:
        raise DomainError("okant_nyckeltal", "Okänt nyckeltal.", field="nyckel")
    if mal < 0 or (d.typ == "andel" and mal > 100):
        raise DomainError("ogiltigt_mal", "Målet ska vara ett tal från 0" + (" till 100 (procent)." if d.typ == "andel"
                          else " och uppåt."), field="mal")
    if nyckel == "handlingsplan" and (parameter is None or not 1 <= parameter <= 24):
        raise DomainError("ogiltigt_mal", "Ange antal månader, 1–24.", field="parameter")
    rad = db.session.execute(
        select(NyckeltalMal).where(NyckeltalMal.forbund_id == user.forbund_id, NyckeltalMal.nyckel == nyckel,
                                   NyckeltalMal.team_id.is_(None) if team_id is None
                                   else NyckeltalMal.team_id == team_id)
    ).scalar_one_or_none()
    if rad is None:
        rad = NyckeltalMal(forbund_id=user.forbund_id, team_id=team_id, nyckel=nyckel)
        db.session.add(rad)
    rad.mal, rad.parameter, rad.andrad_av_id = mal, parameter if nyckel == "handlingsplan" else None, user.id
    db.session.flush()
    log.info("nyckeltal target %s set for team %s", nyckel, team_id)
    return rad

