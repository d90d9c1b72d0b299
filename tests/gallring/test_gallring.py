"""Gallring: closed ärenden past the förbund's retention period are anonymised, the
rest is untouched, a dry run changes nothing, and the statistics stay the same."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare
from samverkan.gallring.services import manader_fore
from samverkan.samplanering.models import Atgard
from tests import factories
from tests.gallring.conftest import NU, TRE_AR_SEDAN, arende_med_innehall, innehall
from workflows import arende as wf


def _statistik() -> dict:
    """What a report counts: per kön, birth year, state, outcome, end data, history."""
    db.session.expire_all()
    per_kon_och_utfall = db.session.execute(
        select(Deltagare.kon, Deltagare.fodelsear, Arende.status, Arende.avslutsorsak, Arende.sysselsattning_slut,
               Arende.aktualiserad_den, Arende.avslutad_den, func.count())
        .join(Deltagare, Deltagare.id == Arende.deltagare_id)
        .group_by(Deltagare.kon, Deltagare.fodelsear, Arende.status, Arende.avslutsorsak,
                  Arende.sysselsattning_slut, Arende.aktualiserad_den, Arende.avslutad_den)
    ).all()
    historik = db.session.execute(
        select(ArendeHandelse.trigger, ArendeHandelse.galler_datum, func.count())
        .group_by(ArendeHandelse.trigger, ArendeHandelse.galler_datum)
    ).all()
    return {"arenden": sorted(per_kon_och_utfall, key=repr), "historik": sorted(historik, key=repr),
            "atgarder": db.session.scalar(select(func.count()).select_from(Atgard)),
            "anteckningar": db.session.scalar(select(func.count()).select_from(Anteckning))}


def _kor(ctx, *args):
    result = ctx.test_cli_runner().invoke(args=["gallring", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_dry_run_reports_what_would_go_and_changes_nothing(ctx, fall):
    fore = {i: innehall(i) for i in fall["gamla"] + fall["kvar"]}
    loggrader = db.session.scalar(select(func.count()).select_from(AuditEntry))

    output = _kor(ctx, "--torrkorning")

    assert "Torrkörning: 2 ärenden skulle gallras." in output
    assert all(ref in output for ref in fall["referenser"])
    assert {i: innehall(i) for i in fore} == fore
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == loggrader


def test_only_closed_arenden_past_the_period_are_anonymised_and_the_statistics_stay(ctx, fall):
    kvar = {i: innehall(i) for i in fall["kvar"]}
    assert all(innehall(i)["personnummer"] for i in fall["gamla"])
    statistik = _statistik()

    output = _kor(ctx)

    assert "2 ärenden gallrade." in output
    for arende_id in fall["gamla"]:
        assert innehall(arende_id) | {"gallrad": None} == {
            "fragestallning": "", "personnummer": None, "anteckningar": [""], "atgarder": [("", "")],
            "dokument": [""], "gallrad": None,
        }
        assert innehall(arende_id)["gallrad"] is not None
    assert {i: innehall(i) for i in fall["kvar"]} == kvar
    assert _statistik() == statistik
    gallrade = db.session.scalars(select(AuditEntry.objekt_id).where(AuditEntry.handling == "gallring")).all()
    assert sorted(gallrade) == sorted(fall["gamla"])

    assert "0 ärenden gallrade." in _kor(ctx)  # done once; a second run finds nothing


def test_a_forbund_without_a_period_keeps_everything(ctx, fall, world):
    world.forbund.gallringsfrist_manader = None
    db.session.commit()
    assert "0 ärenden gallrade." in _kor(ctx)
    assert all(innehall(i)["personnummer"] for i in fall["gamla"])


def test_a_person_with_an_open_arende_keeps_the_number_until_that_one_is_gallrat(ctx, world):
    clock.set_clock(lambda: TRE_AR_SEDAN)
    gammalt = arende_med_innehall(world, stangd=wf.AVSLUTAD)
    clock.set_clock(lambda: NU)
    nytt = factories.create_arende(world)
    nytt.deltagare_id = gammalt.deltagare_id
    world.forbund.gallringsfrist_manader = 12
    db.session.commit()
    _kor(ctx)
    assert innehall(gammalt.id)["fragestallning"] == ""
    assert innehall(gammalt.id)["personnummer"] is not None


def test_the_period_is_set_per_forbund_from_the_command_line(ctx, world):
    result = ctx.test_cli_runner().invoke(args=["gallringsfrist", "--forbund", "TST", "--manader", "36"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert world.forbund.gallringsfrist_manader == 36


@pytest.mark.parametrize(("datum", "manader", "svar"), [
    (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2026, 1, 15), 24, dt.date(2024, 1, 15)),
    (dt.date(2026, 1, 15), 1, dt.date(2025, 12, 15)),
])
def test_months_back(datum, manader, svar):
    assert manader_fore(datum, manader) == svar
