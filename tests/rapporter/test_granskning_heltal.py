"""Issue 17's audit of the suppression over whole numbers, rerunnable; not part of the
suite (it takes minutes): ``.venv/bin/python -m pytest -m granskning -p no:randomly
tests/rapporter/test_granskning_heltal.py``.

For random years of the differencing property test (``test_differens``: up to 16 people
in two teams), every sum a reader knows between the fifteen reports (``_summor``, written
apart from the product's lines) and what each mark says of its size ("<3" 1 or 2, "–"
from 0) make an integer programme. Each small hidden count is pushed down and up on its
own by HiGHS: it passes when some whole-number solution gives it another value. The
product's exact check (``rapporter/heltal.py``) pushes many counts at once over its own
lines; this asks one count at a time over the test's. The same for a running year's kub,
its ended quarters alone."""

from __future__ import annotations

import datetime as dt

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.core import clock
from samverkan.rapporter import services
from tests.rapporter.granskning import markens_grans
from tests.rapporter.test_differens import _person, _summor, aret

pytestmark = pytest.mark.granskning


def _heltalslasta(celler: dict, ekv: list) -> list:
    """The small hidden counts the sums and the marks pin over whole numbers (a key the
    reports lack is a known zero)."""
    dolda = sorted({k for e in ekv for k, _ in e if k in celler and celler[k].dold}, key=repr)
    plats = {k: i for i, k in enumerate(dolda)}
    if not dolda:
        return []
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    granser = [markens_grans(celler[k]) for k in dolda]  # "–": up to math.inf
    # A cap far above every count for "–", so each push is bounded.
    tak = 10 * (1 + max((c.varde or 0) for c in celler.values()))
    h.addVars(len(dolda), np.array([g[0] for g in granser], float),
              np.array([min(g[1], tak) for g in granser], float))
    for e in ekv:
        rad, konst = {}, 0
        for k, f in e:
            if k in plats:
                rad[plats[k]] = rad.get(plats[k], 0) + f
            elif k in celler:
                konst += f * int(celler[k].varde or 0)
        rad = {i: f for i, f in rad.items() if f}
        if rad:
            h.addRow(-konst, -konst, len(rad), np.array(list(rad), np.int32), np.array(list(rad.values()), float))
    index = np.arange(len(dolda), dtype=np.int32)
    h.changeColsIntegrality(len(dolda), index, np.full(len(dolda), int(highspy.HighsVarType.kInteger), np.uint8))
    lasta = []
    for k in dolda:
        sann = int(celler[k].varde or 0)
        if not 0 < sann < 3:
            continue
        varden = set()
        for tecken in (1.0, -1.0):
            kostnad = np.zeros(len(dolda))
            kostnad[plats[k]] = tecken
            h.changeColsCost(len(dolda), index, kostnad)
            h.run()
            assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, k  # the truth is a solution
            varden.add(round(h.getSolution().col_value[plats[k]]))
        if varden == {sann}:
            lasta.append(k)
    return lasta


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=16))
def test_no_small_hidden_count_is_pinned_over_whole_numbers(facit, personer):
    with aret(facit, personer) as teams:
        celler, ekv = _summor(services.arets_kub(facit.forbund.id, 2025), teams)
        assert not _heltalslasta(celler, ekv)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=16))
def test_in_a_running_year_no_small_hidden_count_is_pinned_over_whole_numbers(facit, personer):
    """15 October 2026: the kub of 2026 holds its three ended quarters (``arets_kub``)."""
    clock.set_clock(lambda: dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC))
    with aret(facit, personer, 2026) as teams:
        celler, ekv = _summor(services.arets_kub(facit.forbund.id, 2026), teams)
        assert not _heltalslasta(celler, ekv)
