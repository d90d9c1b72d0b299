"""The scheduler's one list of timed jobs (``samverkan/schemalaggare/jobb.py``): every
job a domain defines is in it, only the scheduler schedules, and the command shows it."""

from __future__ import annotations

import ast
import inspect
import pathlib
import threading

import samverkan
from samverkan.schemalaggare import jobb as jobblista
from samverkan.schemalaggare.korning import schemalaggare

PAKET = pathlib.Path(samverkan.__file__).parent


def _jobbfunktioner(kalla: str) -> set[str]:
    """Public module-level functions whose first parameter is ``app`` (a job's signature)."""
    return {
        nod.name for nod in ast.parse(kalla).body
        if isinstance(nod, ast.FunctionDef) and not nod.name.startswith("_")
        and nod.args.args and nod.args.args[0].arg == "app"
    }


def test_every_job_a_domain_defines_is_in_the_one_list():
    listade = {(j.kor.__module__, j.kor.__name__) for j in jobblista.JOBB}
    for fil in PAKET.glob("*/jobs.py"):
        modul = "samverkan." + fil.parent.name + ".jobs"
        for namn in _jobbfunktioner(fil.read_text(encoding="utf-8")):
            assert (modul, namn) in listade, f"{modul}.{namn} ser ut som ett jobb men står inte i JOBB"


def test_the_source_scan_sees_a_job_left_out_of_the_list():
    planterad = "def paminn_om_nagot(app, stopp=None):\n    return None\n\ndef _hjalp(app):\n    pass\n"
    assert _jobbfunktioner(planterad) == {"paminn_om_nagot"}


def test_only_the_scheduler_package_schedules():
    for fil in PAKET.rglob("*.py"):
        if fil.parent.name == "schemalaggare":
            continue
        assert "add_job(" not in fil.read_text(encoding="utf-8"), f"{fil} schemalägger själv"


def test_the_ids_are_unique_and_each_job_takes_what_it_says():
    ids = [j.id for j in jobblista.JOBB]
    assert len(ids) == len(set(ids))
    for jobb in jobblista.JOBB:
        parametrar = list(inspect.signature(jobb.kor).parameters)
        assert parametrar[0] == "app"
        assert ("stopp" in parametrar) == jobb.tar_stopp, jobb.id
        assert (jobb.nar == jobblista.NATT) == (jobb.klockan is not None), jobb.id


def test_the_scheduler_runs_one_tick_job_and_every_nightly_job_from_the_list(app):
    scheduler = schemalaggare(app, 60, threading.Event())
    planerade = {job.id for job in scheduler.get_jobs()}
    assert planerade == {"utskick"} | {j.id for j in jobblista.natt_jobb()}
    trigger = scheduler.get_job("gallring").trigger
    assert "hour='3', minute='30'" in str(trigger) and str(trigger.timezone) == "Europe/Stockholm"


def test_the_command_lists_every_job(app):
    resultat = app.test_cli_runner().invoke(args=["scheduler", "--lista"])
    assert resultat.exit_code == 0, resultat.output
    for jobb in jobblista.JOBB:
        assert jobb.id in resultat.output and jobb.namn in resultat.output
    assert "varje natt 03:30" in resultat.output
