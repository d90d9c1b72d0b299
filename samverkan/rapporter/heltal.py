"""The exact check behind rule 5: which small hidden counts the lines and the marks pin,
over whole numbers, with every line at once.

``granser`` propagates bounds one line at a time; that misses a pinning that only two or
more lines together give (two flow rows and a column, say), which a reader with an integer
programme finds. Here the lines restricted to the hidden cells (the shown cells put in)
are an integer programme with each mark's bounds ("<3" 1 to 2, "–" from 0), solved by
HiGHS (``highspy``). A small count is free when some solution gives it another value.
Rather than two solves per cell, each solve pushes every cell not yet seen free away from
its true value at once (a witness frees all the cells it moves); only cells that no such
push moves are tried one at a time, up and down.

The programme is built once per call and only its objective changes between solves, so
HiGHS starts each linear solve from the last one's basis: a solve of a year's kub costs
tenths of a millisecond, where a fresh ``scipy.optimize.linprog`` cost five.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from samverkan.rapporter.granser import markens_grans
from samverkan.rapporter.tabell import PRIMAR, Cell, _smal

if TYPE_CHECKING:
    from samverkan.rapporter.undertryckning import Linje

_OPTIMAL = highspy.HighsModelStatus.kOptimal
_LOSNING = int(highspy.SolutionStatus.kSolutionStatusFeasible)


class _Programme:
    """Σ rad·x = b over lo ≤ x ≤ hi in whole numbers, asked for a solution that goes far in
    a direction (``langst``) or whether one cell can leave its value (``ror``): the linear
    programme first, the integer programme, built on first need, only where the linear
    answer is fractional. Both models persist, so each solve starts from the last."""

    def __init__(self, rader: list[dict[int, float]], hoger: list[float], lo: np.ndarray, hi: np.ndarray):
        self.n = len(lo)
        self.index = np.arange(self.n, dtype=np.int32)
        self.lp = self._bygg(rader, hoger, lo, hi)
        self.mip: highspy._Highs | None = None
        self._delar = (rader, hoger, lo, hi)
        self.lo, self.hi = lo, hi

    def _bygg(self, rader, hoger, lo, hi, heltal: bool = False) -> highspy._Highs:
        # The bare solver: ``highspy.Highs`` adds callbacks (for Ctrl-C in a notebook) and
        # prints HiGHS's banner once a process, which a gunicorn worker's log does not want.
        h = highspy._Highs()
        # Before anything else, or HiGHS logs every solve to stdout.
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        if not heltal:  # a warm start from the last basis beats presolving again
            h.setOptionValue("presolve", "off")
        h.addVars(self.n, lo, hi)
        start = np.cumsum([0] + [len(r) for r in rader[:-1]], dtype=np.int32)
        index = np.array([i for r in rader for i in r], dtype=np.int32)
        varde = np.array([v for r in rader for v in r.values()], dtype=float)
        b = np.array(hoger, dtype=float)
        h.addRows(len(rader), b, b, len(index), start, index, varde)
        if heltal:
            # Any whole solution that moves a count is a witness, not only the furthest:
            # the solver stops at a good one rather than proving it the best.
            h.setOptionValue("mip_rel_gap", 0.5)
            h.changeColsIntegrality(self.n, self.index,
                                    np.full(self.n, int(highspy.HighsVarType.kInteger), dtype=np.uint8))
        return h

    def _los(self, h: highspy._Highs, riktning: np.ndarray) -> np.ndarray | None:
        """A solution in ``riktning`` (the best, or for the integer programme a good one
        found within its limits); None where there is none, or none was found."""
        h.changeColsCost(self.n, self.index, -riktning)
        h.run()
        if h.getModelStatus() != _OPTIMAL and h.getInfo().primal_solution_status != _LOSNING:
            return None
        return np.array(h.getSolution().col_value)

    def langst(self, riktning: np.ndarray) -> np.ndarray | None:
        """A whole solution as far as it goes in ``riktning``: the linear optimum where it
        is whole, else the integer programme's."""
        x = self._los(self.lp, riktning)
        if x is not None and np.allclose(x, np.round(x), atol=1e-7):
            return np.round(x)
        return self._heltal(riktning)

    def ror(self, i: int, tecken: float, varde: float) -> bool:
        """Whether some whole solution gives cell ``i`` a value other than ``varde`` on the
        side ``tecken`` (+1 above, -1 below): the cell's bound is moved past ``varde`` and
        the programme asked only whether it still has a solution. The linear relaxation
        first: where it has none, no whole solution exists; where its solution is whole,
        that is one; only else the integer programme, which stops at its first solution."""
        lo, hi = self.lo[i], self.hi[i]
        ny_lo, ny_hi = (varde + 1, hi) if tecken > 0 else (lo, varde - 1)
        if ny_lo > ny_hi:
            return False
        noll = np.zeros(self.n)
        try:
            self.lp.changeColBounds(i, ny_lo, ny_hi)
            x = self._los(self.lp, noll)
            if x is None:
                return False
            if np.allclose(x, np.round(x), atol=1e-7):
                return True
            mip = self._mip()
            mip.changeColBounds(i, ny_lo, ny_hi)
            try:
                return self._los(mip, noll) is not None
            finally:
                mip.changeColBounds(i, lo, hi)
        finally:
            self.lp.changeColBounds(i, lo, hi)

    def _mip(self) -> highspy._Highs:
        if self.mip is None:
            self.mip = self._bygg(*self._delar, heltal=True)
        return self.mip

    def _heltal(self, riktning: np.ndarray) -> np.ndarray | None:
        x = self._los(self._mip(), riktning)
        return None if x is None else np.round(x)


def lasta_sma(linjer: list[Linje], fria: set[int] | None = None) -> list[Cell]:
    """The hidden counts of 1–2 that the lines and the marks pin to their value, in the
    order of the lines.

    ``fria``: the cells (by ``id``) already found free on these lines, which are not asked
    again, and to which this call adds those it finds. A cell found free stays free while
    the suppression goes on: it only hides more cells and reads "<3" as "–", which only
    widen what the lines and marks allow, so the witness that freed it still holds. The
    rounds of rule 5 on one large component then ask only about the cells still pinned."""
    fria = set() if fria is None else fria
    dolda = list({id(c): c for li in linjer for c in li.celler if c.dold}.values())
    hemliga = [i for i, c in enumerate(dolda) if _smal(int(c.varde or 0)) and id(c) not in fria]
    if not hemliga:
        return []
    plats = {id(c): i for i, c in enumerate(dolda)}
    rader, hoger = [], []
    for li in linjer:
        rad: dict[int, float] = {}
        konst = 0
        for c, k in zip(li.celler, li.koef, strict=True):
            if c.dold:
                rad[plats[id(c)]] = rad.get(plats[id(c)], 0) + k
            else:
                konst += k * int(c.varde or 0)
        rad = {i: k for i, k in rad.items() if k}
        if rad:
            rader.append(rad)
            hoger.append(-konst)
    sann = np.array([int(c.varde or 0) for c in dolda], float)
    # A "–" has no greatest value; a cap far above every count keeps each solve bounded
    # and takes no solution away that a witness needs.
    tak = float(sann.max() * 2 + 10 + sum(abs(h) for h in hoger))
    marken = [markens_grans(c) for c in dolda]
    lo = np.array([g[0] for g in marken], float)
    hi = np.array([tak if g[1] is None else g[1] for g in marken], float)
    programme = _Programme(rader, hoger, lo, hi)

    kvar = set(hemliga)
    while kvar:
        riktning = np.zeros(len(dolda))
        for i in kvar:
            riktning[i] = 1.0 if sann[i] < hi[i] else -1.0
        x = programme.langst(riktning)
        rorda = {i for i in kvar if x is not None and x[i] != sann[i]}
        if not rorda:
            break
        kvar -= rorda
    lasta = []
    for i in sorted(kvar):
        # A "<3" that no push moved counts as pinned without asking it alone: its remedy
        # (it reads "–") hides no number, and proving each such cell pinned or free costs
        # two solves, most of them integer programmes, on a large component.
        if dolda[i].markering == PRIMAR or not any(programme.ror(i, t, sann[i]) for t in (1.0, -1.0)):
            lasta.append(dolda[i])
    lasta_id = {id(c) for c in lasta}
    fria.update(id(dolda[i]) for i in hemliga if id(dolda[i]) not in lasta_id)
    return lasta
