"""The progress chart's coordinates: time in proportion along the x axis, and date labels
that never overlap, the latest always shown."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from samverkan.uppfoljning import diagram

STEGE = [SimpleNamespace(nummer=n) for n in range(1, 7)]


def _matningar(*dagar: int):
    start = dt.date(2026, 1, 5)
    return [SimpleNamespace(datum=start + dt.timedelta(days=d), steg=SimpleNamespace(nummer=2),
                            sysselsattningsgrad=25, ors=None) for d in dagar]


def test_points_stand_in_proportion_to_time():
    d = diagram.bygg(_matningar(0, 30, 300), STEGE)
    xs = [p.x for p in d.steg]
    assert xs[0] == d.vanster and xs[-1] == d.hoger
    assert abs((xs[1] - xs[0]) / (xs[2] - xs[0]) - 30 / 300) < 1e-9


def test_date_labels_never_overlap_and_the_latest_is_always_shown():
    matningar = _matningar(0, 3, 6, 150, 295, 300)
    d = diagram.bygg(matningar, STEGE)
    xs = [p.x for p in d.x_etiketter]
    assert all(b - a >= diagram.ETIKETTAVSTAND for a, b in zip(xs, xs[1:], strict=False))
    assert [p.text for p in d.x_etiketter] == ["2026-01-05", "2026-06-04", "2026-11-01"]


def test_one_day_or_one_measurement_sits_in_the_middle():
    for matningar in (_matningar(0), _matningar(0, 0)):
        d = diagram.bygg(matningar, STEGE)
        assert {p.x for p in d.steg} == {(d.vanster + d.hoger) / 2}
        assert [p.text for p in d.x_etiketter] == ["2026-01-05"]
