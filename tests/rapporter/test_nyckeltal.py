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


def test_a_yearly_target_over_a_period_of_several_years(facit):
    # A project reported over its whole time (Framsteget, 2018–2021: "minst 20 individer per
    # år"): the yearly target counts once per year of the period, not once in all.
    services.satt_mal(facit.users["admin"], None, "aktualiseringar", 20)
    db.session.commit()
    v = {v.definition.nyckel: v for v in services.nyckeltal(
        services.Behorighet(facit.forbund.id, facit.team, True),
        services.tolka_period("egen", "2024-06-01", "2026-05-31"))}["aktualiseringar"]
    assert v.mal == 40 and v.installt_mal == 20
    # An ended calendar year is one year, leap or not; a quarter a quarter of one.
    assert services._antal_ar(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 1
    assert services._antal_ar(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == 90 / 365
    assert services._antal_ar(dt.date(2026, 7, 1), dt.date(2026, 6, 1)) == 0


def test_the_api_gives_value_target_and_share_of_target_pro_rata(facit, client):
    from samverkan.auth.services import create_token
    from tests.api.helpers import Api

    clock.set_clock(lambda: dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC))
    _, secret = create_token(facit.users["projektledare"], "test")
    db.session.commit()
    api = Api(client, secret)
    svar = api.get(f"/rapporter/nyckeltal?team_id={facit.team.id}&period=2026")
    assert svar.status_code == 200, svar.get_json()
    v = {n["nyckel"]: n for n in svar.get_json()["nyckeltal"]}["aktualiseringar"]
    # February: three aktualiserade against 20 × 41/365 so far, not against the year's 20.
    assert v["varde"] == 3 and v["mal"] == round(20 * 41 / 365, 1) and v["installt_mal"] == 20
    assert v["andel_av_mal"] == round(100 * 3 / v["mal"], 1) and v["uppnatt"] is True
    # The quarters that have not begun have no value.
    trend = {t["period"]: t["varde"] for t in v["trend"]}
    assert trend["Kvartal 1 2026"] == 3
    framtid = api.get(f"/rapporter/nyckeltal?team_id={facit.team.id}&period=2026-K3").get_json()
    v = {n["nyckel"]: n for n in framtid["nyckeltal"]}["aktualiseringar"]
    assert v["varde"] is None and v["andel_av_mal"] is None and v["uppnatt"] is None
