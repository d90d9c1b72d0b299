"""Small numbers hidden across every report a role can get, not one report at a time.

A role that sees hidden figures (styrgrupp, admin) can ask for the whole förbund or any
one team, for an ended year or any of its quarters. Those reports are bound together:
the förbund's cell is the sum of the teams' cells, a year's new or closed cases the sum
of its quarters', the people ongoing at a quarter's end those carried into the next. A
cell hidden in one report could be worked out from the others, by two of them (a year
minus a quarter) or by many (the förbund minus every team but one).

So the reports of one year are suppressed together, as one *kub*: the förbund and every
team, the year and its four quarters (``Underlag`` fetches them in one pass); in a year
still running, its ended quarters alone (``services.arets_kub``). Whatever
is asked for, the same kub is computed and the asked report cut from it, so every
request shows the same figures. The rule:

1. A count of 1–2 people is hidden ("<3") wherever it stands.
2. Two nested reports (a year and its quarter, the förbund and its team) whose cell
   differs by 1–2 people: the larger one's cell is hidden ("–").
3. *Lines*: every sum the reader knows (a table's rows and columns to their totals, the
   teams to the förbund, the quarters to the year where the count adds up over time,
   the ongoing at one quarter's end to the carried-in of the next, the same count in two
   tables: the new, the closed, ``_SAMMA``). A line with exactly
   one hidden cell gives it away, so another of its cells is hidden ("–"), the smallest
   non-zero one, the total only when nothing else is left.
4. The lines together are a system of linear equations in the hidden cells. A hidden
   cell that the system fixes (the classic case: two tables that each hide two cells,
   joined by a line that hides one of each) gets another of its lines' cells hidden,
   and 3–4 repeat until no hidden cell is fixed (``_Nollrum``: exact elimination modulo
   a large prime, kept up to date as each cell is hidden; ``_los``: component by
   component, each round looking only at the lines of the cells it hid).
5. *Bounds*: a reader knows that "<3" is 1 or 2 and "–" at least 0, so a line whose
   hidden cells sit at the edge of those bounds gives them away with no algebra
   ("Kvinna <3, Man <3, Annat 0, Totalt 4" makes both 2; "<3 + <3 = <3" the parts 1).
   A cell so pinned (``granser``) is loosened where the pinning comes from: a "<3" there
   reads "–" (it says nothing of the size, so it is no less true, and hides no number),
   else a shown cell is hidden (``_lossa``). Bounds line by line miss what several lines
   give together over whole numbers ("x + y = 3, x = y + v" makes x 2), so once they pin
   nothing, an integer programme over all of a component's lines checks every small
   hidden count (``heltal``, ``_lossa_exakt``); 3–5 repeat until nothing is fixed or
   pinned.
6. Shares and averages follow their counts (``tabell.dolj_andelar``).

The flow table's stocks (carried in on a period's first day, ongoing on its last) join
this year's kub to the next: 2025's ongoing at its end is 2026's first quarter's carried
in. So they are settled first, one day at a time, by that day's values alone
(``_dolj_lager``), and the other rules then hide flows rather than stocks: both kubs show
the same stock alike (tests/rapporter/test_lager.py). A hidden stock reads "–", a small one
too, so no bound of it ties the two kubs' lines together. A stock is hidden by the later
rules only when no other cell, in its lines or further out (``_narmast``), can be. Not
covered: averages (days) compared across reports.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from dataclasses import dataclass

from samverkan.rapporter import granser, heltal
from samverkan.rapporter.tabell import (
    PRIMAR,
    SKYDDAD,
    Cell,
    Rad,
    Tabell,
    _linjer,
    _smal,
    dolj_andelar,
    dolj_mot_delperioder,
)

# Columns whose count adds up over time (each person counted in the one quarter the
# event fell in): the year's cell is the sum of its quarters'. None: every column.
PERIODSUMMA: dict[str, set[int] | None] = {
    "kon": {1}, "flode": {1, 2}, "utfall": None, "tid_i_insats": None, "forsorjning": None,
    "sysselsattning": None, "forsorjning_kon": None, "sysselsattning_kon": None,
    # Ongoing at each month's end: a quarter's rows are the year's rows of the same date.
    "samcoach_over_tid": None,
    # Each efterkontroll falls due on one day, in one quarter.
    "efterkontroll": None,
}
# The flow table's stock columns: carried in at the first day, ongoing at the last. The
# ongoing at one quarter's end are the next quarter's carried-in (also across a year's
# end, between two kubs): settled day by day first (``_dolj_lager``), then never picked
# as complementary cells while another cell can be.
# The cells the rules below (and the nyckeltal, ``services._rapportens_celler``) pick out
# of a table, as (table, column): one place that knows the kön and flow tables' columns.
KON_NYA = ("kon", 1)  # "Varav nya (aktualiserade)"
FLODE_INNE, FLODE_NYA, FLODE_AVSLUTADE, FLODE_PAGAENDE = (("flode", k) for k in range(4))
_LAGER = {FLODE_INNE, FLODE_PAGAENDE}
_P = (1 << 61) - 1  # a prime: elimination modulo it is exact for these small coefficients


@dataclass
class Linje:
    """Σ koef·värde = 0 over the cells; the last cell is the line's total."""

    celler: list[Cell]
    koef: list[int]
    lager: list[bool]


def _tabellinjer(t: Tabell) -> list[Linje]:
    ut = []
    for i, linje in enumerate(_linjer(t)):
        koef = [1] * (len(linje) - 1) + [-1]
        lager = [False] * len(linje)
        if t.nyckel == "flode" and i < len(t.rader):  # ``_linjer`` gives the rows first
            # A row of the flow: inneliggande + nya − avslutade − pågående = 0; its first and
            # last cells are stocks (the row's "total" is the stock at the end).
            koef, lager = [1, 1, -1, -1], [True, False, False, True]
        elif t.nyckel == "flode" and (t.nyckel, i - len(t.rader)) in _LAGER:  # a stock column
            lager = [True] * len(linje)
        ut.append(Linje(linje, koef, lager))
    return ut


def _celler(t: Tabell) -> dict[tuple[str, int], Cell]:
    return {(r.etikett, k): c for r in t.rader for k, c in enumerate(r.celler) if c.typ == "antal"}


def kubens_linjer(rapporter: dict[tuple[int, int | None], object], teams: list[int],
                  kvartal: list[int]) -> list[Linje]:
    """Every line of the kub: each report's tables, the teams to the förbund, the quarters
    (``kvartal``: the node numbers of the year's quarters, the year is 0) to the year, and
    the ongoing at a quarter's end to the next quarter's carried-in."""
    linjer = [li for r in rapporter.values() for t in r.tabeller for li in _tabellinjer(t)]
    nycklar = {(nr, team): {t.nyckel: _celler(t) for t in r.tabeller} for (nr, team), r in rapporter.items()}
    # The year (node 0) is in the kub once it has ended (``services.arets_kub``); before,
    # only its ended quarters are, and no line runs to it.
    med_aret = (0, None) in nycklar
    perioder = [0, *kvartal] if med_aret else list(kvartal)

    def lager(tabell: str, kol: int) -> bool:
        return (tabell, kol) in _LAGER

    for nr in perioder:
        for tabell, celler in nycklar[(nr, None)].items():
            for (etikett, kol), total in celler.items():
                delar = [nycklar[(nr, t)].get(tabell, {}).get((etikett, kol)) for t in teams]
                delar = [c for c in delar if c is not None]
                linjer.append(Linje([*delar, total], [1] * len(delar) + [-1], [lager(tabell, kol)] * (len(delar) + 1)))
    for team in [None, *teams]:
        for tabell, celler in (nycklar[(0, team)] if med_aret else {}).items():
            if tabell not in PERIODSUMMA:
                continue
            for (etikett, kol), total in celler.items():
                if PERIODSUMMA[tabell] is not None and kol not in PERIODSUMMA[tabell]:
                    continue
                delar = [nycklar[(k, team)].get(tabell, {}).get((etikett, kol)) for k in kvartal]
                delar = [c for c in delar if c is not None]
                linjer.append(Linje([*delar, total], [1] * len(delar) + [-1], [False] * (len(delar) + 1)))
        # Stocks: ongoing at the end of one quarter = carried in at the start of the next;
        # the year's carried-in is its first quarter's, its ongoing its last quarter's.
        flode = {nr: nycklar[(nr, team)].get("flode", {}) for nr in perioder}
        par = [(kvartal[i], 3, kvartal[i + 1], 0) for i in range(len(kvartal) - 1)]
        if kvartal and med_aret:
            par += [(0, 0, kvartal[0], 0), (0, 3, kvartal[-1], 3)]
        for a, ka, b, kb in par:
            for (etikett, kol), c in flode[a].items():
                if kol == ka and (etikett, kb) in flode[b]:
                    linjer.append(Linje([c, flode[b][(etikett, kb)]], [1, -1], [True, True]))
    linjer += _samma_tal(nycklar)
    return linjer


# The same count in two tables of one report (by kön row, the total row too): the new in
# "Deltagare efter kön" and in the flow; the closed in the flow and the outcome table's
# total row. A cell hidden in one and shown in the other would be no secret.
_SAMMA = [(KON_NYA, FLODE_NYA), (FLODE_AVSLUTADE, ("utfall", None))]


def _samma_tal(nycklar: dict[tuple[int, int | None], dict[str, dict[tuple[str, int], Cell]]]) -> list[Linje]:
    """Lines a = b between the cells of ``_SAMMA`` (``None``: the kön's column, the table's
    columns being the kön) where they hold the same number: the report counts deltagare,
    and a deltagare with two ärenden may make the two differ, then they are other numbers."""
    ut = []
    for celler in nycklar.values():
        for (ta, ka), (tb, kb) in _SAMMA:
            a, b = celler.get(ta, {}), celler.get(tb, {})
            rader_a = list(dict.fromkeys(e for e, k in a if k == ka))
            rader_b = list(dict.fromkeys(e for e, _ in b))
            if kb is None:  # a's rows are the kön, b's columns are: b's total row
                if not rader_b:
                    continue
                par = [(a.get((e, ka)), b.get((rader_b[-1], i))) for i, e in enumerate(rader_a)]
            else:
                par = [(a.get((e, ka)), b.get((e, kb))) for e in rader_a]
            for x, y in par:
                if x is not None and y is not None and int(x.varde or 0) == int(y.varde or 0):
                    ut.append(Linje([x, y], [1, -1], [False, False]))
    return ut


def _kandidat(linje: Linje, ocksa_noll: bool = False, lager: bool = True) -> Cell | None:
    """The cell to hide in a line that would give a hidden one away: the smallest non-zero
    shown part that is not a stock; in a line with stocks then a zero that is not (a "–"
    may stand for any number); then the total if it is not a stock. A stock only as a last
    resort (not at all if not ``lager``): the stocks are settled day by day beforehand
    (``_dolj_lager``), alike in this year's kub and the next, and one hidden here alone
    would differ from the next kub's."""
    delar = list(zip(linje.celler[:-1], linje.lager[:-1], strict=True))
    total, total_lager = linje.celler[-1], linje.lager[-1]
    val = sorted((c for c, lag in delar if not c.dold and c.varde and not lag), key=lambda c: c.varde)
    if val:
        return val[0]
    if any(linje.lager):
        nollor = [c for c, lag in zip(linje.celler, linje.lager, strict=True) if not c.dold and not lag]
        if nollor:
            return nollor[0]
    if not total_lager and not total.dold and (total.varde or ocksa_noll):
        return total
    if not lager:
        return next((c for c, lag in zip(linje.celler, linje.lager, strict=True) if not c.dold and not lag),
                    None) if ocksa_noll else None
    val = sorted((c for c, lag in delar if not c.dold and c.varde and lag), key=lambda c: c.varde)
    if val:
        return val[0]
    if not total.dold and (total.varde or ocksa_noll):
        return total
    if ocksa_noll:
        return next((c for c in linje.celler if not c.dold), None)
    return None


def _linjeregeln(linjer: list[Linje], per_cell: dict[int, list[Linje]] | None = None,
                att_se: list[Linje] | None = None) -> list[Cell]:
    """Rule 3 until no line has exactly one hidden cell: a work list of the lines that
    hold a hidden cell (or ``att_se``), refilled with the lines of each cell hidden on the
    way (``per_cell``: each cell's lines). The cells it hid, in order."""
    if per_cell is None:
        per_cell = _per_cell(linjer)
    if att_se is None:
        att_se = [li for li in linjer if any(c.dold for c in li.celler)]
    dolda = []
    while att_se:
        linje = att_se.pop()
        if sum(c.dold for c in linje.celler) != 1:
            continue
        c = _kandidat(linje)
        if c is not None:
            c.dolj(SKYDDAD)
            dolda.append(c)
            att_se += per_cell[id(c)]
    return dolda


def _narmast(x: int, per_cell: dict[int, list[Linje]], primar: bool = False) -> Cell | None:
    """The nearest shown cell that is not a stock (as ``_kandidat`` picks it in its line),
    or (``primar``) the nearest "<3" that is not one, in the lines reached from the hidden
    cell ``x``'s through hidden cells, breadth first: the lines a sum that fixes or bounds
    ``x`` can be made of."""
    sett_linjer, sett, ko = set(), {x}, deque([x])
    while ko:
        for linje in per_cell[ko.popleft()]:
            if id(linje) in sett_linjer:
                continue
            sett_linjer.add(id(linje))
            if primar:
                c = next((d for d, lag in zip(linje.celler, linje.lager, strict=True)
                          if d.markering == PRIMAR and not lag), None)
            else:
                c = _kandidat(linje, ocksa_noll=True, lager=False)
            if c is not None:
                return c
            for d in linje.celler:
                if d.dold and id(d) not in sett:
                    sett.add(id(d))
                    ko.append(id(d))
    return None


def _deras_linjer(celler: list[Cell], per_cell: dict[int, list[Linje]], plats: dict[int, int]) -> list[Linje]:
    """The lines of ``celler``, once each, in their order: the next round's line rule."""
    return sorted({id(li): li for c in celler for li in per_cell[id(c)]}.values(), key=lambda li: plats[id(li)])


def _per_cell(linjer: list[Linje]) -> dict[int, list[Linje]]:
    per_cell: dict[int, list[Linje]] = {}
    for linje in linjer:
        for c in linje.celler:
            per_cell.setdefault(id(c), []).append(linje)
    return per_cell


def _komponenter(linjer: list[Linje], bara_med_dolda: bool = False) -> list[list[Linje]]:
    """The lines split into connected components over the cells they share, every cell
    counted, hidden or not; each component's lines in their given order. No line of one
    component holds a cell of another, so rules 3 and 4 on each alone hide exactly what
    they hide on all the lines together (``_los``). ``bara_med_dolda``: only the
    components with a hidden cell (the others are left as they are by those rules)."""
    # Union-find over the cells' ids, the find inlined (path halving): a year's kub has
    # some 10⁵ cells in its lines, and a call per cell was most of this function's time.
    foralder: dict[int, int] = {}
    hamta = foralder.get
    dolda: list[int] = []
    for linje in linjer:
        a = None
        for c in linje.celler:
            x = id(c)
            if bara_med_dolda and c.markering:
                dolda.append(x)
            p = hamta(x)
            if p is None:
                foralder[x] = p = x
            while p != x:
                g = foralder[p]
                foralder[x] = g
                x, p = g, foralder[g]
            if a is None:
                a = x
            elif x != a:
                foralder[x] = a

    def rot(x: int) -> int:
        p = foralder[x]
        while p != x:
            g = foralder[p]
            foralder[x] = g
            x, p = g, foralder[g]
        return x

    med_dolda = {rot(x) for x in dolda}
    delar: dict[int, list[Linje]] = {}
    for linje in linjer:
        x = rot(id(linje.celler[0]))
        if not bara_med_dolda or x in med_dolda:
            delar.setdefault(x, []).append(linje)
    return list(delar.values())


class _Nollrum:
    """Which hidden cells the lines fix, kept up to date as cells are hidden one by one.

    Think of the hidden cells' values as unknowns, the lines as equations. A hidden cell x
    is *free* when some change of the hidden values that keeps every line's sum, a null
    vector z of the lines restricted to the hidden cells, has z_x ≠ 0: then no line nor
    combination of lines tells x. Otherwise x is fixed: e_x is a combination of the lines.
    Hiding a cell only ever adds null vectors (an old one, 0 on the new cell, still keeps
    every sum), so a free cell stays free, and the null space grows by the one dependency,
    if any, that the new cell's column (its coefficient in each line) has on the columns
    taken in before. So each hidden cell is taken in once (``dolj``): its column reduced
    against a basis of the earlier ones (exactly, modulo the prime ``_P``), tracking which
    cells' columns it combines. If it reduces to zero, that combination is a null vector
    and every cell in it is free; if not, the new cell is fixed (no null vector holds it)
    and its reduced column joins the basis. ``fasta``: the hidden cells not (yet) free;
    the combinations are kept over those only, for the cells already free have nothing
    more to learn (each cell's coefficient in a combination is worked out on its own)."""

    def __init__(self, per_cell: dict[int, list[Linje]], plats: dict[int, int]):
        self.per_cell, self.plats = per_cell, plats  # each cell's lines; each line's number
        # The basis: pivot line → (reduced column with 1 there, the cells it combines), and
        # its number: a basis column holds no entry at an earlier one's pivot line.
        self.bas: dict[int, tuple[dict[int, int], dict[int, int]]] = {}
        self.nummer: dict[int, int] = {}
        self.dolda: set[int] = set()
        self.fasta: set[int] = set()

    def dolj(self, c: Cell) -> None:
        """Take in a cell just hidden."""
        x = id(c)
        if x in self.dolda:
            return
        self.dolda.add(x)
        self.fasta.add(x)  # until a null vector holds it
        kol: dict[int, int] = {}  # the cell's coefficient in each of its lines
        for linje in {id(li): li for li in self.per_cell[x]}.values():
            i = self.plats[id(linje)]
            for d, k in zip(linje.celler, linje.koef, strict=True):
                if d is c:
                    kol[i] = (kol.get(i, 0) + k) % _P
        kol = {i: k for i, k in kol.items() if k}
        komb = {x: 1}
        # Reduce at the basis' pivot lines, the earliest first: a basis column subtracted
        # adds entries only at later pivots, so each pivot is cleared once.
        ko = [(self.nummer[i], i) for i in kol if i in self.bas]
        heapq.heapify(ko)
        while ko:
            _, p = heapq.heappop(ko)
            f = kol.get(p)
            if not f:
                continue
            bkol, bkomb = self.bas[p]
            # The combination's cells each have their own coefficient: those already free
            # are dropped (from the basis' too), as nothing more is to be learnt of them.
            bkomb = {y: k for y, k in bkomb.items() if y in self.fasta}
            self.bas[p] = (bkol, bkomb)
            for i, k in bkol.items():
                ny = (kol.get(i, 0) - f * k) % _P
                if not ny:
                    kol.pop(i, None)
                    continue
                if i not in kol and i in self.bas:
                    heapq.heappush(ko, (self.nummer[i], i))
                kol[i] = ny
            for y, k in bkomb.items():
                ny = (komb.get(y, 0) - f * k) % _P
                if ny:
                    komb[y] = ny
                else:
                    komb.pop(y, None)
        if not kol:  # a null vector: every cell in it can change, the sums kept
            self.fasta -= komb.keys()
            return
        p = min(kol)
        inv = pow(kol[p], _P - 2, _P)
        self.bas[p] = ({i: k * inv % _P for i, k in kol.items()}, {y: k * inv % _P for y, k in komb.items()})
        self.nummer[p] = len(self.nummer)


def bestamda(linjer: list[Linje]) -> set[int]:
    """The hidden cells (by ``id``) that the lines fix (``_Nollrum``)."""
    nollrum = _Nollrum(_per_cell(linjer), {id(li): i for i, li in enumerate(linjer)})
    for linje in linjer:
        for c in linje.celler:
            if c.dold:
                nollrum.dolj(c)
    return nollrum.fasta


def _utan_lager(t: Tabell) -> Tabell:
    """The flow table with its stock cells replaced by placeholders that match nothing."""
    rader = [Rad(r.etikett, [Cell(None, "lager") if (t.nyckel, k) in _LAGER else c for k, c in enumerate(r.celler)])
             for r in t.rader]
    return Tabell(t.nyckel, t.rubrik, t.kolumner, rader)


def _dolj_lager(rapporter: dict[tuple[int, int | None], object], teams: list[int]) -> None:
    """Settle the flow table's stocks one day at a time, before any other cell: a day's
    stocks (per team and the förbund, by kön) are the same numbers in every report that
    shows them, this year's kub or the next's (a year's ongoing at its end is the next
    year's first quarter's carried-in). Hidden on that day's own lines only (kön to total,
    teams to the förbund), by values alone, so both kubs hide the same; the other lines
    then hide flows, not stocks (``_kandidat``)."""
    dagar: dict[dt.date, dict[tuple[int | None, str], list[Cell]]] = {}
    for (_, team), r in rapporter.items():
        flode = next((t for t in r.tabeller if t.nyckel == "flode"), None)
        if flode is None:
            continue
        for rad in flode.rader:
            for kol, dag in ((0, r.period.fran), (3, r.period.till + dt.timedelta(days=1))):
                dagar.setdefault(dag, {}).setdefault((team, rad.etikett), []).append(rad.celler[kol])
    for celler in dagar.values():
        kanon = {}
        for nyckel, kopior in celler.items():
            # A hidden stock reads "–", a small one too: a "<3" would bound it, and the
            # bound would tie this kub's lines to the other kub's, which neither sees
            # (rule 5 then could not loosen it alike in both).
            markering = SKYDDAD if any(c.dold for c in kopior) else ""
            kanon[nyckel] = Cell(kopior[0].varde, "antal", markering=markering)
        etiketter = list(dict.fromkeys(e for _, e in kanon))
        linjer = []
        for team in [None, *teams]:
            rad = [kanon[(team, e)] for e in etiketter if (team, e) in kanon]
            if len(rad) > 1:  # the kön rows, the total last
                linjer.append(Linje(rad, [1] * (len(rad) - 1) + [-1], [False] * len(rad)))
        for e in etiketter:
            delar = [kanon[(t, e)] for t in teams if (t, e) in kanon]
            if delar and (None, e) in kanon:
                linjer.append(Linje([*delar, kanon[(None, e)]], [1] * len(delar) + [-1], [False] * (len(delar) + 1)))
        _los(linjer)
        for nyckel, kopior in celler.items():
            if kanon[nyckel].dold:
                for c in kopior:  # one number on one day: every copy as the canon reads (also "<3" made "–")
                    c.markering = kanon[nyckel].markering


def _los(linjer: list[Linje]) -> None:
    """Rules 3 and 4 on ``linjer`` until no hidden cell is given away by them: component by
    component (``_komponenter``), so that a round looks again only at what it changed."""
    # Rules 3 and 4 act on hidden cells only: a component without one stays as it is
    # (most of a small förbund's kub, whose cells are zeros).
    for delar in _komponenter(linjer, bara_med_dolda=True):
        _los_komponent(delar)


def _los_komponent(linjer: list[Linje]) -> None:
    """Rules 3 and 4 on one component's lines, in rounds: the line rule, then every hidden
    cell the lines fix gets a cell of one of its lines hidden. Each round looks only at the
    lines of the cells hidden since the last (a line without one has the count of hidden
    cells it had, which the line rule left at 0 or ≥2, or at 1 with nothing to hide), and
    the fixed cells are kept up to date cell by cell (``_Nollrum``) rather than worked out
    again: the cells hidden are the same as with the whole rule on every line each round."""
    per_cell = _per_cell(linjer)
    plats = {id(li): i for i, li in enumerate(linjer)}
    nollrum = _Nollrum(per_cell, plats)
    for linje in linjer:
        for c in linje.celler:
            if c.dold:
                nollrum.dolj(c)
    att_se = [li for li in linjer if any(c.dold for c in li.celler)]
    fria: set[int] = set()  # small counts the exact check found free (``heltal.lasta_sma``)
    # Rules 3 and 4 read no mark (a hidden cell is any number to them), so many "<3" can
    # read "–" here, before them, as well as when rule 5 first runs.
    _manga_sma(linjer)

    def ordning(x: int) -> tuple[int, int]:  # where the cell first stands: the same in every request
        linje = per_cell[x][0]
        return plats[id(linje)], next(i for i, c in enumerate(linje.celler) if id(c) == x)

    while True:
        for c in _linjeregeln(linjer, per_cell, att_se):
            nollrum.dolj(c)
        fasta = set(nollrum.fasta)
        if not fasta:
            # The sums fix nothing: now what the marks' bounds pin (rule 5).
            nya = []
            if not _lossa(linjer, per_cell, nollrum, nya) and not _lossa_exakt(linjer, per_cell, nollrum, nya,
                                                                               fria):
                break
            att_se = _deras_linjer(nya, per_cell, plats)
            continue
        # Lines with a cell that is not a stock first, so a stock is hidden here only when
        # nothing else can be (see ``_kandidat``); in their given order otherwise.
        med_fasta = sorted({id(li): li for x in fasta for li in per_cell[x]}.values(),
                           key=lambda li: (all(li.lager), plats[id(li)]))
        nya = []
        for linje in med_fasta:
            if fasta and any(id(c) in fasta for c in linje.celler if c.dold):
                c = _kandidat(linje, ocksa_noll=True, lager=False)
                if c is not None:
                    _dolj(c, nollrum, nya)
                    fasta -= {id(x) for x in linje.celler}
        # A cell with nothing but stocks left to hide in its lines: the nearest cell that
        # is not a stock further out (``_narmast``), and a stock only when there is none.
        for x in sorted(fasta, key=ordning):
            c = _narmast(x, per_cell)
            if c is None:
                c = next((k for li in per_cell[x] if (k := _kandidat(li, ocksa_noll=True)) is not None), None)
            if c is not None:
                _dolj(c, nollrum, nya)
                break
        if not nya:  # nothing left to hide around them (cannot happen with a total)
            break
        # The next round's line rule: the lines of the cells just hidden, in their order.
        att_se = _deras_linjer(nya, per_cell, plats)


# A component with more "<3" than this has them all read "–" before rule 5 (``_manga_sma``).
MANGA_SMA = 50


def _manga_sma(linjer: list[Linje]) -> None:
    """Rule 5 on a component of many small counts (a small förbund's kub with several teams:
    a thousand hidden cells, hundreds of them "<3"): every "<3" reads "–" at once. The
    marks' upper bounds are what pins a small count, and with hundreds of them the rounds of
    rule 5 pinned and loosened them a few at a time, each round an integer programme over
    the whole component: 10–20 s for one year's report. "–" hides no number, and where
    most counts are small anyway "<3" says little more; fewer shown cells need hiding."""
    primara = {id(c): c for li in linjer for c in li.celler if c.markering == PRIMAR}
    if len(primara) > MANGA_SMA:
        for c in primara.values():
            c.nedgradera()


def _lossa(linjer: list[Linje], per_cell: dict[int, list[Linje]], nollrum: _Nollrum, nya: list[Cell]) -> bool:
    """Rule 5: a hidden cell the marks' bounds pin (``granser``) is loosened where the
    pinning comes from: one cell read as "–" that widens one of its bounds where it was
    set, or a bound of a cell it was set from, the nearest first (``Granser.lossande``),
    in ``_rangordna``'s order among the cells that are not stocks; else the nearest such
    cell further out (``_narmast``). A stock only where nothing else would do: stocks are
    settled day by day, bounds too (``_dolj_lager``), and one changed here would differ
    from the next year's kub. A pinned cell whose way
    passes a cell already changed in this call waits for the bounds to be worked out
    again (the caller calls again), so one change does not get company it did not need.
    The cells hidden are added to ``nya``; whether anything changed."""
    g = granser.Granser(linjer)
    lasta = g.lasta()
    if not lasta:
        return False
    lager = _lagerceller(linjer)
    andrade: set[int] = set()
    for x in lasta:
        nivaer = g.lossande(x)
        if any(id(c) in andrade for niva in nivaer for c, _ in niva):
            continue
        atgarder = _forsta(nivaer, lager, stock=False)
        if not atgarder:
            c = _narmast(x, per_cell)
            atgarder = [(c, True)] if c is not None else _forsta(nivaer, lager, stock=True)
        if not atgarder:
            continue
        c, dolj = atgarder[0]
        andrade.add(id(c))
        if dolj:
            _dolj(c, nollrum, nya)
        else:
            c.nedgradera()
    return bool(andrade)


def _lossa_exakt(linjer: list[Linje], per_cell: dict[int, list[Linje]], nollrum: _Nollrum,
                 nya: list[Cell], fria: set[int]) -> bool:
    """Rule 5's last word, once the bounds line by line pin nothing: the small counts all
    lines at once pin over whole numbers (``heltal``). Each reads "–" if it is a "<3";
    else (a "–" already, pinned through others) the nearest "<3" that is not a stock
    reads "–", or, with none, the nearest shown cell that is not a stock is hidden (both
    ``_narmast``). The caller runs rules 3–5 again, then this, until nothing is pinned;
    ``fria`` carries the cells found free from one call to the next."""
    lager = _lagerceller(linjer)
    andrade: set[int] = set()
    for x in heltal.lasta_sma(linjer, fria):
        if any(id(c) in andrade for li in per_cell[id(x)] for c in li.celler):
            continue  # a change beside it this call may have freed it: seen again next call
        if x.markering == PRIMAR and id(x) not in lager:
            c = x
        elif (c := _narmast(id(x), per_cell, primar=True)) is None:
            if (c := _narmast(id(x), per_cell)) is not None:
                _dolj(c, nollrum, nya)
                andrade.add(id(c))
            continue
        c.nedgradera()
        andrade.add(id(c))
    return bool(andrade)


def _lagerceller(linjer: list[Linje]) -> set[int]:
    """The stocks among the lines' cells (by ``id``)."""
    return {id(c) for li in linjer for c, lag in zip(li.celler, li.lager, strict=True) if lag}


def _forsta(nivaer: list[list[tuple[Cell, Linje | None]]], lager: set[int], stock: bool
            ) -> list[tuple[Cell, bool]] | None:
    """Rule 5's changes on the nearest level that has one, of the stocks or of the other
    cells: a "<3" made "–" on any level before a shown cell hidden on the nearest, as it
    hides no number, while a cell newly hidden sets rules 3 and 4 off again."""
    for dolj in (False, True):
        for niva in nivaer:
            val = [a for a in _rangordna([(c, li) for c, li in niva if (id(c) in lager) == stock]) if a[1] == dolj]
            if val:
                return val
    return None


def _dolj(c: Cell, nollrum: _Nollrum, nya: list[Cell]) -> None:
    """Hide ``c`` as a complementary cell, taken into the fixed cells' account and the
    round's list."""
    c.dolj(SKYDDAD)
    nollrum.dolj(c)
    nya.append(c)


def _rangordna(celler: list[tuple[Cell, Linje | None]]) -> list[tuple[Cell, bool]]:
    """The changes to ``celler`` (each with the line it was found in) in rule 5's order:
    (a "<3", False) to read "–", a line's total first; then (a shown cell, True) to
    hide, the smallest non-zero first, a line's total after the other non-zero ones,
    zeros last. A "<3" made "–" first: it hides no number, and a cell newly hidden sets
    rules 3 and 4 off again."""
    def total(c: Cell, li: Linje | None) -> bool:
        return li is not None and c is li.celler[-1]

    unika = list({id(c): (c, li) for c, li in celler}.values())
    primara = sorted((p for p in unika if p[0].markering == PRIMAR), key=lambda p: not total(*p))
    visade = sorted((p for p in unika if not p[0].dold), key=lambda p: (not p[0].varde, total(*p), p[0].varde or 0))
    return [(c, False) for c, _ in primara] + [(c, True) for c, _ in visade]


def dolj_linjer(linjer: list[Linje]) -> None:
    """Rules 3 and 4 on lines built elsewhere (the nyckeltal's small kub), their cells'
    primary and nested hiding already done."""
    _los(linjer)


def dolj_kub(rapporter: dict[tuple[int, int | None], object], teams: list[int], kvartal: list[int]) -> None:
    """Apply the rule of the module's docstring to the kub's reports, in place."""
    for r in rapporter.values():
        for t in r.tabeller:
            for rad in t.rader:
                for c in rad.celler:
                    if c.typ == "antal" and _smal(int(c.varde or 0)):
                        c.dolj(PRIMAR)
    # 2. Nested reports: (scope, period) holds (scope', period') when the scope is the
    # förbund or the same team, and the period the year or the same quarter.
    tabeller = {nod: {t.nyckel: t for t in r.tabeller} for nod, r in rapporter.items()}
    etiketter: dict[int, tuple] = {}  # each table's rows by label, built once (``dolj_mot_delperioder``)
    for (nr, team), r in rapporter.items():
        delar = [(nr2, team2) for (nr2, team2) in rapporter if (nr2, team2) != (nr, team)
                 and (team is None or team2 == team) and (nr == 0 or nr2 == nr)]
        for t in r.tabeller:
            if t.nyckel == "flode":
                # A stock is a count on one day, not a sum over a period: the year's ongoing
                # at its end holds no quarter's ongoing. Stocks are compared between the
                # förbund and a team of the same period only (the same day).
                utan_lager = None
                for nr2, team2 in delar:
                    if nr2 != nr and utan_lager is None:
                        utan_lager = _utan_lager(t)
                    dolj_mot_delperioder(t if nr2 == nr else utan_lager, [tabeller[(nr2, team2)][t.nyckel]],
                                         etiketter)
                continue
            dolj_mot_delperioder(t, [tabeller[d][t.nyckel] for d in delar if t.nyckel in tabeller[d]], etiketter)
    _dolj_lager(rapporter, teams)
    linjer = kubens_linjer(rapporter, teams, kvartal)
    _los(linjer)
    # Shares and averages. The counts are settled: every table line is among the kub's, and
    # ``_los`` leaves none with exactly one hidden cell unless ``_kandidat`` finds nothing to
    # hide there (no shown non-zero cell), when no rule of one table alone would hide one either.
    for r in rapporter.values():
        for t in r.tabeller:
            dolj_andelar(t)
