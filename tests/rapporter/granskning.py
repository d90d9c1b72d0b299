"""What a reader can work out of one suppressed table by itself, by brute force: every
value each hidden count can take that keeps every line of the table ("<3" is 1 or 2, "–"
any number from 0). Independent of the suppression's own bounds reasoning, for tables
small enough to enumerate."""

from __future__ import annotations

import math

from samverkan.rapporter.tabell import PRIMAR, Tabell, _smal, dolj_andelar
from samverkan.rapporter.undertryckning import _tabellinjer, dolj_linjer


def dolj_tabell(t: Tabell) -> Tabell:
    """The kub's rules on one table alone, in place: each small count "<3", then rules 3–5
    on the table's own lines, then the shares and averages."""
    for r in t.rader:
        for c in r.celler:
            if c.typ == "antal" and _smal(int(c.varde or 0)):
                c.dolj(PRIMAR)
    dolj_linjer(_tabellinjer(t))
    dolj_andelar(t)
    return t


def mojliga_varden(t: Tabell, tak: int | None = None) -> dict[int, set[int]]:
    """Hidden count cell (by ``id``) → the values it can take. A "–" is tried from 0 to
    ``tak`` (the largest shown count of the table plus 4 if not given)."""
    linjer = _tabellinjer(t)
    celler = {id(c): c for li in linjer for c in li.celler}
    dolda = [x for x, c in celler.items() if c.dold]
    visade = [int(c.varde or 0) for c in celler.values() if not c.dold]
    tak = tak if tak is not None else max(visade, default=0) + 4
    doman = {x: ([1, 2] if celler[x].markering == PRIMAR else list(range(tak + 1))) for x in dolda}
    # Each line as (hidden cells with coefficients, the shown part of its sum).
    ekv = []
    for li in linjer:
        delar, konst = [], 0
        for c, k in zip(li.celler, li.koef, strict=True):
            if c.dold:
                delar.append((id(c), k))
            else:
                konst += k * int(c.varde or 0)
        ekv.append((delar, konst))
    ordning = sorted(dolda, key=lambda x: -sum(any(y == x for y, _ in d) for d, _ in ekv))
    mojliga: dict[int, set[int]] = {x: set() for x in dolda}
    varden: dict[int, int] = {}

    def haller() -> bool:
        for delar, konst in ekv:
            if all(y in varden for y, _ in delar) and konst + sum(k * varden[y] for y, k in delar) != 0:
                return False
        return True

    def sok(i: int) -> None:
        if i == len(ordning):
            for x, v in varden.items():
                mojliga[x].add(v)
            return
        x = ordning[i]
        for v in doman[x]:
            varden[x] = v
            if haller():
                sok(i + 1)
            del varden[x]

    sok(0)
    return mojliga


def inget_givet(t: Tabell, tak: int | None = None) -> list[str]:
    """The hidden counts of ``t`` its own lines pin to one value (empty: none), as text."""
    mojliga = mojliga_varden(t, tak)
    namn = {id(c): f"{r.etikett}/{t.kolumner[k] if k < len(t.kolumner) else k}"
            for r in t.rader for k, c in enumerate(r.celler)}
    return [f"{namn[x]} = {next(iter(v))}" for x, v in mojliga.items() if len(v) == 1]


def bundna(ekv: list[dict], grans: dict, dolda: set) -> set:
    """The hidden variables (``dolda``) that the sums pin to one value with their bounds:
    ``ekv`` forms {variable: coefficient} that are zero, ``grans`` each variable's [least,
    greatest] (``math.inf`` for none; a shown figure is [v, v]). Interval propagation: each
    sum narrows each of its hidden variables to what the others' bounds leave, until
    nothing narrows. Written apart from ``samverkan.rapporter.granser``."""
    bounds = {v: list(grans[v]) for e in ekv for v in e}
    andrat = True
    while andrat:
        andrat = False
        for e in ekv:
            for v, f in e.items():
                if v not in dolda or not f:
                    continue
                lo = sum(min(g * bounds[w][0], g * bounds[w][1]) for w, g in e.items() if w != v)
                hi = sum(max(g * bounds[w][0], g * bounds[w][1]) for w, g in e.items() if w != v)
                a, b = sorted([-hi / f, -lo / f])
                ny = [max(bounds[v][0], math.ceil(a) if a != -math.inf else -math.inf),
                      min(bounds[v][1], math.floor(b) if b != math.inf else math.inf)]
                if ny != bounds[v]:
                    bounds[v], andrat = ny, True
    return {v for v, (lo, hi) in bounds.items() if v in dolda and lo == hi}


def markens_grans(c) -> list:
    """What a cell's text says of its count: a shown number itself, "<3" 1 or 2, "–" (or
    any hidden cell) at least 0."""
    if not c.dold:
        v = int(c.varde or 0)
        return [v, v]
    return [1, 2] if c.markering == PRIMAR else [0, math.inf]

