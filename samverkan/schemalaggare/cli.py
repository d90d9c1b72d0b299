"""CLI: ``flask --app samverkan scheduler`` — the one process that runs the timed jobs.

Run it beside the web server (never inside it: every worker and the reloader would run
the jobs again). ``--once`` runs each job once and exits, for cron and tests. Two may
run (for availability): a lock in the database lets one work (``ledare.py``).
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from samverkan.kallelser.jobs import avsandar_id
from samverkan.schemalaggare import jobb as jobblista
from samverkan.schemalaggare import korning, ledare


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler)


def _logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every tick at INFO; its warnings (missed runs) are what matters.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Kör varje jobb en gång och avsluta (för cron och tester).")
@click.option("--intervall", type=click.IntRange(min=1), default=None,
              help="Sekunder mellan körningarna (standard: SCHEDULER_INTERVALL eller 60).")
@click.option("--lista", is_flag=True, help="Visa de schemalagda jobben och när de körs, och avsluta.")
@with_appcontext
def scheduler(once: bool, intervall: int | None, lista: bool) -> None:
    """Kör de schemalagda jobben: kallelser, utskick, uppföljning, påminnelser och gallring."""
    app = current_app._get_current_object()
    if lista:
        for jobb in jobblista.JOBB:
            nar = (f"varje natt {jobblista.klockan(jobb, app):%H:%M}" if jobb.nar == jobblista.NATT
                   else "varje körning")
            click.echo(f"{jobb.id:<14} {nar:<20} {jobb.namn}")
        return
    _logging()
    if once:
        las = ledare.Ledarlas(app, avsandar_id())
        if not las.forsok():
            click.echo("En annan schemaläggare är aktiv; den här gör inget.")
            return
        try:
            antal = korning.kor(app)
        finally:
            las.slapp()
        click.echo(", ".join(f"{k}: {v}" for k, v in sorted(antal.items())) or "Inget att göra.")
        if antal["fel"]:
            # For cron: a failed run is visible in the exit status (details in the log).
            raise SystemExit(1)
        return
    korning.starta(app, intervall or int(app.config.get("SCHEDULER_INTERVALL", 60)))
