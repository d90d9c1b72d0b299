"""Rules 3 and 4 of the suppression on lines built by hand (``undertryckning._los``).

The solver splits the lines into components over the cells they share and keeps the
fixed hidden cells up to date cell by cell; these tests pin that both give what the
rule, applied to all lines at once and worked out from scratch, gives.
"""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from samverkan.rapporter.tabell import PRIMAR, SKYDDAD, Cell
from samverkan.rapporter.undertryckning import (
    Linje,
    _komponenter,
    _linjeregeln,
    _los,
    _Nollrum,
    _per_cell,
    bestamda,
)


def _tabell(varden: list[list[int]]) -> tuple[list[list[Cell]], list[Linje]]:
    """A table of counts with a total column and a total row, and its lines; 1–2 hidden."""
    rader = [[*rad, sum(rad)] for rad in varden]
    rader.append([sum(kol) for kol in zip(*rader, strict=True)])
    celler = [[Cell(v, markering=PRIMAR if 0 < v < 3 else "") for v in rad] for rad in rader]
    linjer = [Linje(rad, [1] * (len(rad) - 1) + [-1], [False] * len(rad)) for rad in celler]
    linjer += [Linje(list(kol), [1] * (len(kol) - 1) + [-1], [False] * len(kol)) for kol in zip(*celler, strict=True)]
    return celler, linjer


def _markeringar(celler: list[list[Cell]]) -> list[list[str]]:
    return [[c.markering for c in rad] for rad in celler]


A = [[1, 5, 7], [4, 9, 2], [6, 3, 8]]
B = [[2, 10, 4], [11, 1, 6]]


def test_two_independent_tables_hide_as_when_solved_together():
    var_for_sig = []
    for varden in (A, B):
        celler, linjer = _tabell(varden)
        _los(linjer)
        var_for_sig.append(_markeringar(celler))
    (ca, la), (cb, lb) = _tabell(A), _tabell(B)
    blandade = [li for par in zip(la, lb, strict=False) for li in par] + la[len(lb):] + lb[len(la):]
    assert len(_komponenter(blandade)) == 2
    _los(blandade)
    assert [_markeringar(ca), _markeringar(cb)] == var_for_sig
    for celler in (ca, cb):  # and each hides something beyond its small numbers
        assert any(c.markering == SKYDDAD for rad in celler for c in rad)


def test_two_tables_joined_by_lines_give_no_hidden_cell_away():
    # Each table's line hides two cells, so the line rule is content; but the two lines
    # joining them (as the teams to the förbund) fix all four: rule 4 hides more.
    a = [Cell(1, markering=PRIMAR), Cell(2, markering=PRIMAR), Cell(7), Cell(10)]
    b = [Cell(2, markering=PRIMAR), Cell(1, markering=PRIMAR), Cell(9), Cell(12)]
    rad = [1, 1, 1, -1]
    linjer = [Linje(a, rad, [False] * 4), Linje(b, rad, [False] * 4),
              Linje([a[0], b[0], Cell(3)], [1, 1, -1], [False] * 3),
              Linje([a[1], b[0], Cell(4)], [1, 1, -1], [False] * 3)]
    _linjeregeln(linjer)
    assert bestamda(linjer) == {id(c) for c in (*a[:2], *b[:2])}
    _los(linjer)
    assert not bestamda(linjer)
    assert any(c.markering == SKYDDAD for li in linjer for c in li.celler)


def _fixerade(rader: list[list[int]], dolda: list[int]) -> set[int]:
    """The hidden columns fixed by the rows, by ranks over the rationals: x is fixed when
    dropping its column lowers the rank of the rows restricted to the hidden columns."""

    def rang(kolumner: list[int]) -> int:
        m = [[Fraction(rad[k]) for k in kolumner] for rad in rader]
        r = 0
        for k in range(len(kolumner)):
            p = next((i for i in range(r, len(m)) if m[i][k]), None)
            if p is None:
                continue
            m[r], m[p] = m[p], m[r]
            for i in range(len(m)):
                if i != r and m[i][k]:
                    f = m[i][k] / m[r][k]
                    m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
            r += 1
        return r

    hela = rang(dolda)
    return {x for x in dolda if rang([y for y in dolda if y != x]) < hela}


@given(st.integers(2, 7), st.lists(st.lists(st.integers(-2, 2), min_size=7, max_size=7), min_size=1, max_size=6),
       st.sets(st.integers(0, 6), min_size=1), st.randoms(use_true_random=False))
def test_the_fixed_cells_kept_cell_by_cell_are_those_worked_out_from_scratch(n, rader, dolda, slump: random.Random):
    rader = [rad[:n] for rad in rader]
    dolda = sorted(x for x in dolda if x < n)
    celler = [Cell(1, markering=SKYDDAD if k in dolda else "") for k in range(n)]
    linjer = [Linje(celler, rad, [False] * n) for rad in rader]
    vantat = {id(celler[x]) for x in _fixerade(rader, dolda)}
    assert bestamda(linjer) == vantat
    # Taken in one at a time in any order, after each the same as from scratch.
    nollrum = _Nollrum(_per_cell(linjer), {id(li): i for i, li in enumerate(linjer)})
    for x in slump.sample(dolda, len(dolda)):
        nollrum.dolj(celler[x])
        hittills = [y for y in dolda if id(celler[y]) in nollrum.dolda]
        assert nollrum.fasta == {id(celler[y]) for y in _fixerade(rader, hittills)}
