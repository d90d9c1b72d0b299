"""Rule 5 of the suppression (``undertryckning._lossa``, ``granser``): a reader knows that
"<3" is 1 or 2 and "–" at least 0, and a line whose hidden cells sit at the edge of those
bounds gives them away with no algebra. Found on the demo's Helår 2025 as the styrgrupp:
"Kvinna <3, Man <3, Annat 0, Totalt 4" made both 2. Each case is checked by brute force
(``granskning``), independent of the rule's own interval reasoning."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from samverkan.rapporter import granser
from samverkan.rapporter.tabell import PRIMAR, SKYDDAD, Rad, Tabell, antal
from samverkan.rapporter.undertryckning import Linje, _tabellinjer, dolj_linjer
from tests.rapporter.granskning import inget_givet, mojliga_varden


def _tabell(nyckel: str, rader: dict[str, list[int]], total_kolumn: bool = False) -> Tabell:
    """Rows of counts with a total row (and column); 1–2 marked "<3" as rule 1 does."""
    rad_lista = [Rad(e, [antal(v) for v in vs]) for e, vs in rader.items()]
    summa = [sum(k) for k in zip(*rader.values(), strict=True)]
    rad_lista.append(Rad("Totalt", [antal(v) for v in summa], total=True))
    if total_kolumn and nyckel != "flode":
        for r in rad_lista:
            r.celler.append(antal(sum(int(c.varde) for c in r.celler)))
    t = Tabell(nyckel, nyckel, [f"k{i}" for i in range(len(rad_lista[0].celler))], rad_lista,
               total_kolumn=total_kolumn)
    for r in t.rader:
        for c in r.celler:
            if 0 < c.varde < 3:
                c.dolj(PRIMAR)
    return t


def test_the_demos_kon_table_no_longer_gives_both_away():
    t = _tabell("kon", {"Kvinna": [2], "Man": [2], "Annat": [0]})
    # As main showed it: the bounds pin both "<3" to 2.
    assert [c.text for r in t.rader for c in r.celler] == ["<3", "<3", "0", "4"]
    assert sorted(inget_givet(t)) == ["Kvinna/k0 = 2", "Man/k0 = 2"]
    dolj_linjer(_tabellinjer(t))
    assert not inget_givet(t)
    assert all(c.text != "1" and c.text != "2" for r in t.rader for c in r.celler)
    assert t.rader[-1].celler[0].text == "4"  # the total stays: a "<3" reads "–" instead


def test_a_line_of_small_numbers_every_cell_hidden_gives_nothing_away():
    # "<3 + 0 + <3 = <3": the parts 1, the total 2, though every number is hidden.
    t = _tabell("x", {"a": [1, 0, 1]}, total_kolumn=True)
    assert inget_givet(t)
    dolj_linjer(_tabellinjer(t))
    assert not inget_givet(t)
    assert [c.text for c in t.rader[0].celler].count("–") >= 1


def test_a_flow_row_does_not_pin_the_new_through_its_stocks():
    # Inneliggande 0 + nya <3 = avslutade <3 + pågående <3: the new must be 2, the rest 1.
    t = _tabell("flode", {"Kvinna": [0, 2, 1, 1]}, total_kolumn=True)
    assert inget_givet(t)
    dolj_linjer(_tabellinjer(t))
    assert not inget_givet(t)
    # The stocks are left alone (settled day by day, alike in two years' reports).
    assert [c.text for c in t.rader[0].celler][0] == "0"


def test_bounds_pin_what_the_brute_force_pins():
    # The rule's own reasoning agrees with the brute force on the demo's table.
    t = _tabell("kon", {"Kvinna": [2], "Man": [2], "Annat": [0]})
    pinned = granser.lasta(_tabellinjer(t))
    assert pinned == {id(t.rader[0].celler[0]), id(t.rader[1].celler[0])}
    assert all(len(v) == 1 for x, v in mojliga_varden(t).items() if x in pinned)


@given(st.lists(st.lists(st.integers(0, 4), min_size=2, max_size=3), min_size=1, max_size=3))
def test_no_small_table_gives_a_hidden_count_away(varden):
    # Any small table with a total row and column, suppressed by rules 3–5 alone: the brute
    # force finds every hidden count free to take two values or more; nothing shown lies.
    rader = {f"r{i}": v for i, v in enumerate(varden) if len(v) == len(varden[0])}
    t = _tabell("x", rader, total_kolumn=True)
    sanna = [c.varde for r in t.rader for c in r.celler]
    dolj_linjer(_tabellinjer(t))
    assert not inget_givet(t), [[c.text for c in r.celler] for r in t.rader]
    for c, v in zip((c for r in t.rader for c in r.celler), sanna, strict=True):
        assert c.dold or c.varde == v
        if c.markering == PRIMAR:
            assert 0 < v < 3


def _alla_losningar(linjer, tak=6):
    """Every whole-number value of the hidden cells that keeps every line ("<3" 1–2, "–"
    0 to ``tak``): by brute force, for a handful of cells."""
    dolda = list({id(c): c for li in linjer for c in li.celler if c.dold}.values())
    doman = [[1, 2] if c.markering == PRIMAR else list(range(tak + 1)) for c in dolda]
    ut = []
    for varden in itertools.product(*doman):
        v = {id(c): x for c, x in zip(dolda, varden, strict=True)}
        if all(sum(k * (v[id(c)] if c.dold else int(c.varde)) for c, k in zip(li.celler, li.koef, strict=True)) == 0
               for li in linjer):
            ut.append(v)
    return dolda, ut


def test_a_pinning_only_two_lines_together_give_is_loosened_too():
    # x + y = 3 (shown) and x = y + v (v hidden, "–"): line by line nothing narrows, but
    # together x ≥ y, so x = 2 and y = 1. The exact check (``heltal``) finds it.
    x, y, tre, v = antal(2), antal(1), antal(3), antal(1)
    x.dolj(PRIMAR)
    y.dolj(PRIMAR)
    v.dolj(SKYDDAD)
    linjer = [Linje([x, y, tre], [1, 1, -1], [False] * 3), Linje([y, v, x], [1, 1, -1], [False] * 3)]
    assert not granser.lasta(linjer)  # the bounds line by line miss it
    dolda, losningar = _alla_losningar(linjer)
    assert {s[id(x)] for s in losningar} == {2}  # as shown before the rule: pinned
    dolj_linjer(linjer)
    dolda, losningar = _alla_losningar(linjer)
    for c in dolda:
        assert len({s[id(c)] for s in losningar}) > 1, c
    assert x.text != "2" and y.text != "1"
