"""The ``flask demo`` command: a complete, fictional, consistent and idempotent demo world."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare
from samverkan.deltagare.personnummer import parse
from samverkan.forbund.models import (
    ForbundRoll,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    PartTyp,
    TeamRoll,
)
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten.models import Dagordningspunkt, Mote
from workflows import arende as wf


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _run(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    db.session.remove()
    return result


def _assert_consistent_histories() -> None:
    arenden = db.session.execute(select(Arende)).scalars().all()
    for arende in arenden:
        handelser = arende.handelser
        if arende.status == wf.INITIAL:
            assert handelser == []
            continue
        assert handelser, arende.referens
        forra = wf.INITIAL
        for h in handelser:
            assert h.fran_status == forra, (arende.referens, h.trigger)
            forra = h.till_status
        assert forra == arende.status, arende.referens
        datum = [h.galler_datum for h in handelser]
        assert datum == sorted(datum), arende.referens
        registrerad = [h.registrerad for h in handelser]
        assert registrerad == sorted(registrerad), arende.referens
        assert all(clock.local(h.registrerad).date() == h.galler_datum for h in handelser)
    # One open insats per ärende at most, and it agrees with the state: queued in i_ko,
    # placed (or offered) in insats or follow-up, none once closed.
    oppna = Counter(db.session.execute(
        select(Insats.arende_id).where(Insats.status != InsatsStatus.AVSLUTAD)).scalars())
    assert [a for a, n in oppna.items() if n > 1] == []
    for arende in arenden:
        if arende.status in (wf.AVSLUTAD, wf.ATERKALLAD, wf.UTKAST, wf.AKTUALISERAD):
            assert arende.id not in oppna, arende.referens


def test_demo_builds_a_complete_consistent_world_and_a_second_run_changes_nothing(ctx):
    """One demo run checked in full, then run again (one demo run fewer than a test each:
    it is the slowest command of the suite)."""
    result = _run(ctx)
    assert "Demodata skapad" in result.output
    assert "projektledare@example.org" in result.output
    assert "demo-exempelbygd" in result.output
    assert "127.0.0.1:5000" in result.output

    arenden = db.session.execute(select(Arende)).scalars().all()
    per_status = Counter(a.status for a in arenden)
    assert set(wf.STATES) <= set(per_status), per_status
    assert 25 <= len(arenden) <= 40

    medlemskap = db.session.execute(select(Medlemskap)).scalars().all()
    roller = Counter(m.roll for m in medlemskap)
    assert roller[TeamRoll.PROJEKTLEDARE] >= 1
    ledamot_parter = {m.user.part.typ for m in medlemskap if m.roll == TeamRoll.LEDAMOT}
    assert ledamot_parter == set(PartTyp)
    ersattare = [m for m in medlemskap if m.roll == TeamRoll.ERSATTARE]
    assert ersattare and all(m.ersatter and m.ersatter.roll == TeamRoll.LEDAMOT for m in ersattare)
    assert all(m.user.part_id == m.ersatter.user.part_id for m in ersattare)
    assert [m.kapacitet for m in medlemskap if m.roll == TeamRoll.SAMCOACH] == [10]
    forbundsroller = {r.roll for r in db.session.execute(select(ForbundsRollTilldelning)).scalars()}
    assert forbundsroller == {ForbundRoll.ADMIN, ForbundRoll.STYRGRUPP}
    assert {p.typ for p in db.session.execute(select(Part)).scalars()} == set(PartTyp)

    # Every ärende is brought by a team member of the party named on it.
    for a in arenden:
        assert a.handlaggare.part_id == a.aktualiserande_part_id
        assert any(m.team_id == a.team_id for m in a.handlaggare.medlemskap)
    assert len({a.aktualiserande_part_id for a in arenden}) >= 5

    # A year of meetings on the rule; past ones carry their outcomes.
    now = clock.now()
    huvudteam = arenden[0].team
    moten = db.session.execute(
        select(Mote).where(Mote.team_id == huvudteam.id).order_by(Mote.starttid)
    ).scalars().all()
    passerade = [m for m in moten if m.starttid < now]
    assert 10 <= len(passerade) <= 12
    for mote in moten:
        lokal = clock.local(mote.starttid)
        assert lokal.weekday() == 1 and 8 <= lokal.day <= 14 and lokal.time() == dt.time(13, 0)
        assert lokal.month != 7
    assert moten[-1].starttid - now > dt.timedelta(days=7)
    for mote in passerade:
        assert all(p.utfall in ("samplanerad", "foljd_upp", "bordlagd") for p in mote.punkter)
    assert sum(len(m.punkter) for m in passerade) >= 40
    assert all(len(m.punkter) <= huvudteam.agendakapacitet for m in moten)
    kommande = db.session.execute(select(Dagordningspunkt).where(Dagordningspunkt.utfall.is_(None))).scalars()
    assert {p.arende.status for p in kommande} == {"pa_agenda"}

    _assert_consistent_histories()

    # Fictional people only: example.org, valid numbers, one anonymous code, a mix of kön.
    epost = db.session.execute(select(User.epost)).scalars().all()
    assert epost and all(e.endswith("@example.org") for e in epost)
    deltagare = db.session.execute(select(Deltagare)).scalars().all()
    for d in deltagare:
        if d.personnummer:
            assert parse(d.personnummer).samordningsnummer == d.samordningsnummer
        assert 1965 <= d.fodelsear <= 2004
    assert sum(d.anonym_kod is not None for d in deltagare) == 1
    assert sum(d.samordningsnummer for d in deltagare) >= 2
    assert {d.kon.value for d in deltagare} == {"kvinna", "man", "annat"}
    assert all(a.fragestallning.startswith("<p>") for a in arenden)

    # Twice changes nothing.
    before = _row_counts()
    result = _run(ctx)
    assert "finns redan" in result.output
    # The logins are printed again (issue 14: a newcomer who lost the first output).
    assert "projektledare@example.org" in result.output and "demo-exempelbygd" in result.output
    assert _row_counts() == before


@pytest.mark.parametrize("day", ["2027-07-20", "2027-01-04", "2027-03-09"])
def test_demo_works_on_any_day(ctx, day):
    # In the summer break; a Monday at the turn of the year; a meeting day after 13:00.
    fixed = dt.datetime.fromisoformat(day + "T12:30:00+00:00")
    clock.set_clock(lambda: fixed)
    _run(ctx)
    assert clock.now() == fixed  # the caller's clock is restored
    statuses = set(db.session.execute(select(Arende.status)).scalars())
    assert statuses == set(wf.STATES)
    _assert_consistent_histories()
