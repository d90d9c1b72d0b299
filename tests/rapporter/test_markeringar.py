"""The suppression's marks kept for a kub seen before (``rapporter.markeringar``, issue 19):
the same raw kub gets the same marks back without the work; a changed count, or another
version of the rule, gets the work done again; the report page keeps them apart from its
read; the nightly job works out every year on offer. The differencing property test
(test_differens) compares a kub put back from its marks with the one worked out, for
random years."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest
from sqlalchemy import delete, event, select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.rapporter import jobs, markeringar, services, undertryckning
from samverkan.rapporter.models import KubMarkeringar
from tests.rapporter.conftest import D, skapa_arende
from tests.rapporter.test_sidor_och_export import Q1, _td_antal


@pytest.fixture
def utford(monkeypatch):
    """How many times the suppression itself ran (the real one, counted)."""
    antal = []
    dolj_kub = undertryckning.dolj_kub

    def raknad(*args, **kwargs):
        antal.append(1)
        return dolj_kub(*args, **kwargs)

    monkeypatch.setattr(undertryckning, "dolj_kub", raknad)
    return antal


def _texter(kub) -> list[str]:
    return [c.text for r in kub.values() for t in r.tabeller for rad in t.rader for c in rad.celler]


def _sparade(forbund_id: int) -> dict[tuple[int, str], KubMarkeringar]:
    db.session.expire_all()
    return {(m.ar, m.urval): m for m in db.session.scalars(
        select(KubMarkeringar).where(KubMarkeringar.forbund_id == forbund_id))}


def test_a_kub_seen_before_gets_its_marks_back_without_the_suppression(facit, utford):
    forsta = _texter(services.arets_kub(facit.forbund.id, 2026))
    assert utford == [1] and "<3" in forsta and "–" in forsta
    andra = _texter(services.arets_kub(facit.forbund.id, 2026))
    assert utford == [1], "the suppression ran again on the same counts"
    assert andra == forsta
    # Only marks are kept, one a cell, never a count.
    sparad = _sparade(facit.forbund.id)[(2026, "alla")]
    assert set(sparad.markeringar) == {".", "<", "-"} and len(sparad.markeringar) == len(forsta)
    assert [t for t, m in zip(forsta, sparad.markeringar, strict=True) if m == "<"] == \
        [t for t in forsta if t == "<3"]


def test_a_changed_count_gets_the_suppression_again_as_if_never_kept(facit, utford):
    services.arets_kub(facit.forbund.id, 2026)
    fore = _sparade(facit.forbund.id)[(2026, "alla")].nyckel
    skapa_arende(facit, kon="man", fodd=1975, part="fk", akt=D(2026, 2, 20))
    efter = _texter(services.arets_kub(facit.forbund.id, 2026))
    assert utford == [1, 1]
    assert _sparade(facit.forbund.id)[(2026, "alla")].nyckel != fore
    # The same as worked out from nothing kept.
    db.session.execute(delete(KubMarkeringar))
    assert _texter(services.arets_kub(facit.forbund.id, 2026)) == efter


def test_another_version_of_the_rule_gets_no_marks_kept_by_the_old(facit, utford, monkeypatch):
    services.arets_kub(facit.forbund.id, 2026)
    monkeypatch.setattr(markeringar, "_kodens_digest", lambda: "en annan version av regeln")
    services.arets_kub(facit.forbund.id, 2026)
    assert utford == [1, 1]


def test_the_report_page_keeps_the_marks_apart_from_its_read(facit, login, app, utford):
    """The styrgrupp's page works the marks out once and keeps them, in a write of its
    own after the read (on SQLite the read takes no write lock: another connection
    holding it delays only that write); the second look puts them back."""
    klient = login(facit.users["styrgrupp"])
    sida, forbund_id = f"/rapporter/period?team={facit.team.id}&{Q1}", facit.forbund.id
    db.session.commit()  # and touch nothing after: the test's own session would take the lock
    satser: list[str] = []
    lyssnare = lambda conn, cursor, statement, *rest: satser.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", lyssnare)
    try:
        forsta = klient.get(sida).get_data(as_text=True)
        assert "BEGIN IMMEDIATE" not in satser
        assert [s.split()[:3] for s in satser if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
                and "kub_markeringar" in s] == [["INSERT", "INTO", "kub_markeringar"]]
        satser.clear()
        if app.config["BACKEND"] == "sqlite":
            laset = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
            laset.execute("BEGIN IMMEDIATE")
        try:
            start = time.monotonic()
            andra = klient.get(sida).get_data(as_text=True)
            assert time.monotonic() - start < 5, "the second look waited for the write lock"
        finally:
            if app.config["BACKEND"] == "sqlite":
                laset.execute("COMMIT")
                laset.close()
    finally:
        event.remove(db.engine, "before_cursor_execute", lyssnare)
    assert not [s for s in satser if "kub_markeringar" in s and not s.lstrip().upper().startswith("SELECT")]
    assert utford == [1]
    assert _td_antal(andra) == _td_antal(forsta) and "&lt;3" in _td_antal(forsta)
    assert (2026, "alla") in _sparade(forbund_id)


def test_the_nightly_job_works_out_every_year_on_offer(facit, app, utford):
    db.session.commit()  # the job runs in its own context and transaction, as in the scheduler
    # 1 June 2026: 2026's first quarter has ended, and 2025 and 2024 are on offer.
    assert jobs.forbered_kuber(app)["kuber"] == 6
    nyckeltal = ",".join(sorted(services.NYCKELTALENS_TABELLER))
    assert set(_sparade(facit.forbund.id)) == {(ar, u) for ar in (2024, 2025, 2026) for u in ("alla", nyckeltal)}
    assert len(utford) == 6
    services.period_rapport(services.Urval(facit.forbund.id, facit.team.id, *(D(2026, 1, 1), D(2026, 3, 31))),
                            exakt=False)
    assert len(utford) == 6, "the morning's first report worked the marks out again"
    assert jobs.forbered_kuber(app)["kuber"] == 6 and len(utford) == 6  # nothing changed: nothing to do


def test_marks_that_cannot_be_kept_leave_the_page_as_it_is(facit, login, app, monkeypatch, caplog):
    """SQLite's write lock held by another connection past a writer's bounded wait: the
    page still answers with its figures, the marks are only not kept (and said so)."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the write lock is SQLite's")
    monkeypatch.setitem(app.config, "SQLITE_BUSY_MS", 30)
    klient = login(facit.users["styrgrupp"])
    sida, forbund_id = f"/rapporter/period?team={facit.team.id}&{Q1}", facit.forbund.id
    db.session.commit()
    laset = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    laset.execute("BEGIN IMMEDIATE")
    try:
        svar = klient.get(sida)
    finally:
        laset.execute("COMMIT")
        laset.close()
    assert svar.status_code == 200 and "&lt;3" in _td_antal(svar.get_data(as_text=True))
    assert "sparades inte" in caplog.text
    assert not _sparade(forbund_id)


def test_the_command_works_them_out_now_and_says_how_far_it_is(facit, app, utford):
    db.session.commit()
    resultat = app.test_cli_runner().invoke(args=["rapporter-forbered"])
    assert resultat.exit_code == 0, resultat.output
    assert f"1/1 {facit.forbund.kod}: 2024, 2025, 2026" in resultat.output and "6 kuber klara" in resultat.output
    assert len(utford) == 6 and len(_sparade(facit.forbund.id)) == 6


def test_a_running_quarter_leaves_the_ended_ones_and_their_kept_marks_alone(facit, utford):
    """On 1 June 2026 the kub of 2026 holds its first quarter alone (``arets_kub``): the
    second, still running, gets new ärenden every day, and neither Q1's marks nor the
    kept ones move with them. Once the second has ended it joins the kub."""
    kub = services.arets_kub(facit.forbund.id, 2026)
    assert {nr for nr, _ in kub} == {1}
    q1 = _texter(kub)
    skapa_arende(facit, kon="man", fodd=1981, part="af", akt=D(2026, 5, 20))
    assert _texter(services.arets_kub(facit.forbund.id, 2026)) == q1
    assert utford == [1]
    clock.set_clock(lambda: dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
    assert {nr for nr, _ in services.arets_kub(facit.forbund.id, 2026)} == {1, 2}
    assert utford == [1, 1]
