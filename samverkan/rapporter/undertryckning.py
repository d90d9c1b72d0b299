"""Small numbers hidden across every report a role can get, not one report at a time.

A role that sees hidden figures (styrgrupp, admin) can ask for the whole förbund or any
one team, for an ended year or any of its quarters. Those reports are bound together:
the förbund's cell is the sum of the teams' cells, a year's new or closed cases the sum
of its quarters', the people ongoing at a quarter's end those carried into the next. A
cell hidden in one report could be worked out from the others, by two of them (a year
minus a quarter) or by many (the förbund minus every team but one).

So the reports of one year are suppressed together, as one *kub*: the förbund and every
team, the year and its four quarters (``Underlag`` fetches them in one pass). Whatever
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
   and 3–4 repeat until no hidden cell is fixed (``bestamda``: exact elimination modulo
   a large prime, component by component).
5. Shares and averages follow their counts (``tabell.dolj_sma_tal``).

The flow table's stocks (carried in on a period's first day, ongoing on its last) join
this year's kub to the next: 2025's ongoing at its end is 2026's first quarter's carried
in. So they are settled first, one day at a time, by that day's values alone
(``_dolj_lager``), and the other rules then hide flows rather than stocks: both kubs show
the same stock alike (tests/rapporter/test_lager.py). A stock is hidden by the later rules
only when nothing else in its line can be. Not covered: averages (days) compared across
reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from samverkan.rapporter.tabell import (
    PRIMAR,
    SKYDDAD,
    Cell,
    Rad,
    Tabell,
    _linjer,
    _smal,
    dolj_mot_delperioder,
    dolj_sma_tal,
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
_LAGER = {("flode", 0), ("flode", 3)}
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
    perioder = [0, *kvartal]

    def lager(tabell: str, kol: int) -> bool:
        return (tabell, kol) in _LAGER

    for nr in perioder:
        for tabell, celler in nycklar[(nr, None)].items():
            for (etikett, kol), total in celler.items():
                delar = [nycklar[(nr, t)].get(tabell, {}).get((etikett, kol)) for t in teams]
                delar = [c for c in delar if c is not None]
                linjer.append(Linje([*delar, total], [1] * len(delar) + [-1], [lager(tabell, kol)] * (len(delar) + 1)))
    for team in [None, *teams]:
        for tabell, celler in nycklar[(0, team)].items():
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
        if kvartal:
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
_SAMMA = [(("kon", 1), ("flode", 1)), (("flode", 2), ("utfall", None))]


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


def _kandidat(linje: Linje, ocksa_noll: bool = False) -> Cell | None:
    """The cell to hide in a line that would give a hidden one away: the smallest non-zero
    shown part that is not a stock; in a line with stocks then a zero that is not (a "–"
    may stand for any number); then the total if it is not a stock. A stock only as a last
    resort: the stocks are settled day by day beforehand (``_dolj_lager``), alike in this
    year's kub and the next, and one hidden here alone would differ from the next kub's."""
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
    val = sorted((c for c, lag in delar if not c.dold and c.varde and lag), key=lambda c: c.varde)
    if val:
        return val[0]
    if not total.dold and (total.varde or ocksa_noll):
        return total
    if ocksa_noll:
        return next((c for c in linje.celler if not c.dold), None)
    return None


def _linjeregeln(linjer: list[Linje]) -> None:
    """Rule 3 until no line has exactly one hidden cell: a work list of the lines that
    hold a hidden cell, refilled with the lines of each cell hidden on the way."""
    per_cell: dict[int, list[Linje]] = {}
    for linje in linjer:
        for c in linje.celler:
            per_cell.setdefault(id(c), []).append(linje)
    att_se = [li for li in linjer if any(c.dold for c in li.celler)]
    while att_se:
        linje = att_se.pop()
        if sum(c.dold for c in linje.celler) != 1:
            continue
        c = _kandidat(linje)
        if c is not None:
            c.dolj(SKYDDAD)
            att_se += per_cell[id(c)]


def bestamda(linjer: list[Linje]) -> set[int]:
    """The hidden cells (by ``id``) that the lines fix: x is fixed when the unit vector of x
    lies in the span of the lines' rows restricted to the hidden cells."""
    rader = []
    for linje in linjer:
        rad: dict[int, int] = {}
        for c, k in zip(linje.celler, linje.koef, strict=True):
            if c.dold:
                rad[id(c)] = (rad.get(id(c), 0) + k) % _P
        rad = {v: k for v, k in rad.items() if k}
        if rad:
            rader.append(rad)
    # Reduced row echelon form, sparse: pivot variable → its row (pivot coefficient 1),
    # and for every other variable the pivot rows that hold it, so that neither a new row
    # nor a new pivot has to look at every row.
    pivoter: dict[int, dict[int, int]] = {}
    kolumn: dict[int, set[int]] = {}
    for rad in rader:
        for v in [v for v in rad if v in pivoter]:
            f = rad.pop(v)
            for w, k in pivoter[v].items():
                if w != v:
                    rad[w] = (rad.get(w, 0) - f * k) % _P
        rad = {w: k for w, k in rad.items() if k}
        if not rad:
            continue
        v = min(rad)
        inv = pow(rad[v], _P - 2, _P)
        rad = {w: k * inv % _P for w, k in rad.items()}
        for u in kolumn.pop(v, set()):
            ru = pivoter[u]
            f = ru.pop(v)
            for w, k in rad.items():
                if w == v:
                    continue
                ny = (ru.get(w, 0) - f * k) % _P
                if ny:
                    ru[w] = ny
                    kolumn.setdefault(w, set()).add(u)
                else:
                    ru.pop(w, None)
                    kolumn.get(w, set()).discard(u)
        pivoter[v] = rad
        for w in rad:
            if w != v:
                kolumn.setdefault(w, set()).add(v)
    return {v for v, rad in pivoter.items() if len(rad) == 1}


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
            markering = PRIMAR if any(c.markering == PRIMAR for c in kopior) else (
                SKYDDAD if any(c.dold for c in kopior) else "")
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
                for c in kopior:
                    c.dolj(kanon[nyckel].markering)


def _los(linjer: list[Linje]) -> None:
    """Rules 3 and 4 on ``linjer`` until no hidden cell is given away by them."""
    while True:
        _linjeregeln(linjer)
        fasta = bestamda(linjer)
        if not fasta:
            break
        fore = len(fasta)
        # Lines with a cell that is not a stock first, so a stock is hidden here only when
        # nothing else can be (see ``_kandidat``).
        for linje in sorted(linjer, key=lambda li: all(li.lager)):
            if any(id(c) in fasta for c in linje.celler if c.dold):
                c = _kandidat(linje, ocksa_noll=True)
                if c is not None:
                    c.dolj(SKYDDAD)
                    fasta -= {id(x) for x in linje.celler}
                    if not fasta:
                        break
        if len(fasta) == fore:  # nothing left to hide around them (cannot happen with a total)
            break


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
    for (nr, team), r in rapporter.items():
        delar = [(nr2, team2) for (nr2, team2) in rapporter if (nr2, team2) != (nr, team)
                 and (team is None or team2 == team) and (nr == 0 or nr2 == nr)]
        for t in r.tabeller:
            if t.nyckel == "flode":
                # A stock is a count on one day, not a sum over a period: the year's ongoing
                # at its end holds no quarter's ongoing. Stocks are compared between the
                # förbund and a team of the same period only (the same day).
                for nr2, team2 in delar:
                    dolj_mot_delperioder(t if nr2 == nr else _utan_lager(t), [tabeller[(nr2, team2)][t.nyckel]])
                continue
            dolj_mot_delperioder(t, [tabeller[d][t.nyckel] for d in delar if t.nyckel in tabeller[d]])
    _dolj_lager(rapporter, teams)
    linjer = kubens_linjer(rapporter, teams, kvartal)
    _los(linjer)
    for r in rapporter.values():
        for t in r.tabeller:
            dolj_sma_tal(t)  # shares and averages; counts are settled above
