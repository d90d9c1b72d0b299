"""Nyckeltal as the förbund sets them (issue 17, point 4): value, target and share of
target; a yearly target judged pro rata within the year; no value for a period that has
not begun; the förbund's own nyckeltal from outcome codes."""

from __future__ import annotations

import datetime as dt

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.rapporter import services


def _varden(w, kod, exakt=True):
    return {v.definition.nyckel: v for v in services.nyckeltal(
        services.Behorighet(w.forbund.id, w.team, exakt), services.tolka_period(kod))}


def test_a_yearly_target_is_judged_on_the_part_of_the_year_that_has_passed(facit):
    # 2026-06-01: 152 of 365 days; 20 a year → 8.3 so far. Five aktualiseringar (a2–a5, a7): met.
    v = _varden(facit, "2026")["aktualiseringar"]
    assert v.cell.varde == 5
    assert v.mal == round(20 * 152 / 365, 1)
    assert v.uppnatt is False  # 5 < 8.3
    assert v.andel_av_mal.text == f"{round(100 * 5 / v.mal)} %"
    # In February the same year is not yet missed for want of the autumn's cases.
    clock.set_clock(lambda: dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC))
    v = _varden(facit, "2026")["aktualiseringar"]
    assert v.mal == round(20 * 41 / 365, 1) and v.cell.varde == 3 and v.uppnatt is True


def test_no_value_for_a_period_that_has_not_begun(facit):
    v = _varden(facit, "2026-K3")["aktualiseringar"]
    assert v.cell.varde is None and v.cell.text == ".." and v.uppnatt is None
    assert v.andel_av_mal.text == ".."
    # The year's trend: quarters 3 and 4 have not begun.
    trend = dict(_varden(facit, "2026")["aktualiseringar"].trend)
    assert trend["Kvartal 1 2026"].varde == 4
    assert trend["Kvartal 3 2026"].text == ".." and trend["Kvartal 4 2026"].text == ".."


def test_the_forbund_defines_a_nyckeltal_from_an_outcome_code(facit):
    services.satt_mal(facit.users["admin"], None, "utfall:fortsatt_rehabilitering", 50)
    db.session.commit()
    v = _varden(facit, "2026-K1")["utfall:fortsatt_rehabilitering"]
    # Q1: a2 (fortsatt rehabilitering), a3 (arbete), a5 (studier) closed: 1 of 3.
    assert abs(v.cell.varde - 100 / 3) < 1e-9 and v.mal == 50 and v.uppnatt is False
    assert v.namn == "Avslut: fortsatt rehabilitering"
    assert round(v.andel_av_mal.varde) == 67
