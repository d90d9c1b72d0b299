"""The exact check behind rule 5: which small hidden counts the lines and the marks pin,
over whole numbers, with every line at once.

``granser`` propagates bounds one line at a time; that misses a pinning that only two or
more lines together give (two flow rows and a column, say), which a reader with an integer
programme finds. Here the lines restricted to the hidden cells (the shown cells put in)
are an integer programme with each mark's bounds ("<3" 1 to 2, "–" from 0), solved by
HiGHS (``scipy.optimize.milp``). A small count is free when some solution gives it
another value. Rather than two solves per cell, each solve pushes every cell not yet seen
free away from its true value at once (a witness frees all the cells it moves); only cells
that no such push moves are tried one at a time, up and down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from samverkan.rapporter.granser import markens_grans
from samverkan.rapporter.tabell import Cell, _smal

if TYPE_CHECKING:
    from samverkan.rapporter.undertryckning import Linje


def lasta_sma(linjer: list[Linje]) -> list[Cell]:
    """The hidden counts of 1–2 that the lines and the marks pin to their value, in the
    order of the lines."""
    dolda = list({id(c): c for li in linjer for c in li.celler if c.dold}.values())
    hemliga = [i for i, c in enumerate(dolda) if _smal(int(c.varde or 0))]
    if not hemliga:
        return []
    plats = {id(c): i for i, c in enumerate(dolda)}
    rader, hoger = [], []
    for li in linjer:
        rad, konst = np.zeros(len(dolda)), 0
        for c, k in zip(li.celler, li.koef, strict=True):
            if c.dold:
                rad[plats[id(c)]] += k
            else:
                konst += k * int(c.varde or 0)
        if rad.any():
            rader.append(rad)
            hoger.append(-konst)
    sann = np.array([int(c.varde or 0) for c in dolda], float)
    # A "–" has no greatest value; a cap far above every count keeps each solve bounded
    # and takes no solution away that a witness needs.
    tak = float(sann.max() * 2 + 10 + sum(abs(h) for h in hoger))
    marken = [markens_grans(c) for c in dolda]
    lo = np.array([g[0] for g in marken], float)
    hi = np.array([tak if g[1] is None else g[1] for g in marken], float)
    A, b = np.array(rader), np.array(hoger)
    villkor, granser, heltal = LinearConstraint(A, b, b), Bounds(lo, hi), np.ones(len(dolda))

    def losning(riktning: np.ndarray) -> np.ndarray | None:
        # The linear programme first (a tenth of the time): where its optimum is whole, it
        # is the integer programme's too; else the integer programme itself.
        r = linprog(-riktning, A_eq=A, b_eq=b, bounds=list(zip(lo, hi, strict=True)), method="highs")
        if r.success and np.allclose(r.x, np.round(r.x), atol=1e-7):
            return np.round(r.x)
        r = milp(-riktning, constraints=villkor, bounds=granser, integrality=heltal)
        return np.round(r.x) if r.success else None

    kvar = set(hemliga)
    while kvar:
        riktning = np.zeros(len(dolda))
        for i in kvar:
            riktning[i] = 1.0 if sann[i] < hi[i] else -1.0
        x = losning(riktning)
        fria = {i for i in kvar if x is not None and x[i] != sann[i]}
        if not fria:
            break
        kvar -= fria
    lasta = []
    for i in sorted(kvar):
        fri = False
        for tecken in (1.0, -1.0):
            riktning = np.zeros(len(dolda))
            riktning[i] = tecken
            x = losning(riktning)
            if x is not None and x[i] != sann[i]:
                fri = True
                break
        if not fri:
            lasta.append(dolda[i])
    return lasta
