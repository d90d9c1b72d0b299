"""What a reader can tell of hidden counts from their marks as well as from the sums.

The linear rule (``undertryckning._Nollrum``) treats a hidden cell as any number. A reader
knows more: "<3" is 1 or 2, "–" is at least 0, a shown cell is its number. A line whose
hidden cells sit at the edge of those bounds gives them away without any algebra:
"Kvinna <3, Man <3, Annat 0, Totalt 4" makes both 2, "<3 + <3 = <3" makes the parts 1
and the total 2. ``lasta`` finds such cells by interval propagation over the lines: each
line Σ koef·värde = 0 narrows every hidden cell of it to what the others' bounds leave,
until nothing narrows further. Sound (it never claims a value the cells may not have),
not complete: an integer programme over all lines at once could pin more, and this does
not try.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samverkan.rapporter.tabell import PRIMAR, Cell

if TYPE_CHECKING:
    from samverkan.rapporter.undertryckning import Linje

# A bound that is not there (a "–" has no upper bound).
_INGEN = None
# Narrowings before the propagation gives up (each narrows an integer range that holds the
# truth, so it ends anyway; this only caps a long chain of steps of one).
_STEG_PER_LINJE = 50


def markens_grans(c: Cell) -> tuple[int, int | None]:
    """What a cell's mark says of its count: a shown number itself, "<3" 1 to 2, "–" from 0
    with no greatest value (``None``)."""
    if not c.dold:
        v = int(c.varde or 0)
        return v, v
    if c.markering == PRIMAR:
        return 1, 2
    return 0, _INGEN


def _termer(linje: Linje) -> dict[int, tuple[Cell, int]]:
    """The line's cells by ``id`` with their coefficients summed (a cell twice in a line)."""
    ut: dict[int, tuple[Cell, int]] = {}
    for c, k in zip(linje.celler, linje.koef, strict=True):
        _, f = ut.get(id(c), (c, 0))
        ut[id(c)] = (c, f + k)
    return {x: (c, k) for x, (c, k) in ut.items() if k}


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


class Granser:
    """The bounds the lines and the marks leave each hidden cell, and for each bound the
    line that last set it (``orsak``), so a rule can act where a pinning comes from."""

    def __init__(self, linjer: list[Linje]):
        self.linjer = [li for li in linjer if any(c.dold for c in li.celler)]
        self.termer = [_termer(li) for li in self.linjer]
        self.grans: dict[int, list] = {}
        self.celler: dict[int, Cell] = {}
        # A narrowed cell → [the line (index) that last raised its least value, the one
        # that last lowered its greatest], None where the mark's own bound stands.
        self.orsak: dict[int, list[int | None]] = {}
        per_cell: dict[int, list[int]] = {}
        for i, t in enumerate(self.termer):
            for x, (c, _) in t.items():
                if x not in self.grans:
                    self.grans[x] = list(markens_grans(c))
                    self.celler[x] = c
                if c.dold:
                    per_cell.setdefault(x, []).append(i)
        self.per_cell = per_cell
        # Each line's terms as (cell id, coefficient, hidden) for the propagation's inner loop.
        rader = [[(x, k, c.dold) for x, (c, k) in t.items()] for t in self.termer]
        att_se = list(range(len(self.termer)))
        i_kon = set(att_se)
        steg = _STEG_PER_LINJE * max(len(self.termer), 1)
        while att_se and steg > 0:
            i = att_se.pop()
            i_kon.discard(i)
            for x, sida in _snava(rader[i], self.grans):
                steg -= 1
                self.orsak.setdefault(x, [None, None])[sida] = i
                for j in per_cell.get(x, ()):
                    if j not in i_kon:
                        i_kon.add(j)
                        att_se.append(j)

    def lasta(self) -> list[int]:
        """The hidden cells (by ``id``) pinned to one value, in the order of their lines."""
        return [x for x in self.per_cell if self.grans[x][1] is not _INGEN and self.grans[x][0] == self.grans[x][1]]

    def lossande(self, x: int) -> list[list[tuple[Cell, Linje | None]]]:
        """What loosens the pinned cell ``x``, nearest first: the cells whose reading as
        "–" (hidden, or a "<3" made "–") widens one of its bounds where it was set, with
        the line that set it, or ``x`` itself where its own mark sets it. A bound a line
        set rests on bounds of that line's other cells (``_vagar``): those are followed
        in turn, breadth first, one level a list."""
        nivaer, sett = [], set()
        niva = [(x, 0), (x, 1)]
        while niva:
            hittade, nasta = [], []
            for y, sida in niva:
                if (y, sida) in sett:
                    continue
                sett.add((y, sida))
                i = self.orsak.get(y, [None, None])[sida]
                if i is None:
                    hittade.append((self.celler[y], None))
                    continue
                for z, zsida, vidgar in _vagar(self.termer[i], y, sida, self.grans):
                    if vidgar:
                        hittade.append((self.celler[z], self.linjer[i]))
                    nasta.append((z, zsida))
            nivaer.append(hittade)
            niva = nasta
        return nivaer


def _vagar(termer: dict[int, tuple[Cell, int]], x: int, sida: int, grans: dict[int, list]
           ) -> list[tuple[int, int, bool]]:
    """The other cells of a line Σ k·v = 0 that the bound (``sida`` 0: the least, 1: the
    greatest) the line sets on ``x`` rests on, each with the bound of its own it rests on
    and whether reading the cell as "–" widens it. Solved for x, the line is x = Σ w·v
    with w = −k/kₓ; x's least value is Σ w·(least v if w > 0, else greatest v): it rests
    on a cell's least value where w > 0 (widened if that is above 0), on its greatest
    where w < 0 (widened if the mark gives one); the greatest value the other way round."""
    _, kx = termer[x]
    ut = []
    for y, (c, k) in termer.items():
        if y == x:
            continue
        zsida = 0 if ((-k / kx) > 0) == (sida == 0) else 1
        lo, hi = markens_grans(c)
        ut.append((y, zsida, lo > 0 if zsida == 0 else hi is not _INGEN))
    return ut


def lasta(linjer: list[Linje]) -> set[int]:
    """The hidden cells (by ``id``) that the lines and the marks pin to one value."""
    return set(Granser(linjer).lasta())


def _snava(termer: list[tuple[int, int, bool]], grans: dict[int, list]) -> list[tuple[int, int]]:
    """Narrow each hidden cell of one line Σ k·x = 0 (its terms as (cell id, k, hidden)) to
    what the other cells' bounds leave; the cells narrowed, each with the bound (0 the
    least, 1 the greatest). The sum's least and greatest value are kept as a finite part
    and a count of unbounded terms, so one term can be taken out without ∞ − ∞. This is
    the suppression's innermost loop, hence written out plainly."""
    min_s = max_s = min_oand = max_oand = 0
    bidrag = []
    for x, k, _ in termer:
        lo, hi = grans[x]
        if k > 0:
            a, b = k * lo, (None if hi is _INGEN else k * hi)
        else:
            a, b = (None if hi is _INGEN else k * hi), k * lo
        if a is None:
            min_oand += 1
        else:
            min_s += a
        if b is None:
            max_oand += 1
        else:
            max_s += b
        bidrag.append((a, b))
    if min_oand > 1 and max_oand > 1:
        return []  # every cell's rest is unbounded both ways: nothing narrows
    andrade = []
    for (x, k, dold), (a, b) in zip(termer, bidrag, strict=True):
        if not dold:
            continue
        # The rest of the line (all but x): k·x = −rest, so k·x ∈ [−max(rest), −min(rest)].
        rest_min = None if min_oand - (a is None) else min_s - (a or 0)
        rest_max = None if max_oand - (b is None) else max_s - (b or 0)
        if rest_min is None and rest_max is None:
            continue
        lag = None if rest_max is None else -rest_max  # k·x ≥ lag
        hog = None if rest_min is None else -rest_min  # k·x ≤ hog
        if k < 0:
            lag, hog = (None if hog is None else -hog), (None if lag is None else -lag)
            k = -k
        g = grans[x]
        lo, hi = g
        ny_lo = lo if lag is None else max(lo, _ceil_div(lag, k))
        ny_hi = hi if hog is None else (hog // k if hi is _INGEN else min(hi, hog // k))
        if ny_lo != lo:
            andrade.append((x, 0))
            g[0] = ny_lo
        if ny_hi != hi:
            andrade.append((x, 1))
            g[1] = ny_hi
    return andrade
