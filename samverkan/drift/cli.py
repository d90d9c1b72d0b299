"""CLI: ``flask backup <fil>`` and ``flask restore <fil>`` (see samverkan.drift.backup)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from samverkan.core.db import db
from samverkan.drift import backup as drift


def init_app(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.command("backup")
@click.argument("fil", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(fil: Path) -> None:
    """Säkerhetskopiera hela databasen till FIL (medan appen kör)."""
    try:
        drift.backup(db.engine, fil)
    except drift.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Säkerhetskopian är skriven till {fil}.")


@click.command("restore")
@click.argument("fil", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ja", is_flag=True, help="Fråga inte: ersätt databasen direkt.")
@with_appcontext
def restore(fil: Path, ja: bool) -> None:
    """Återställ hela databasen från FIL. Allt som ändrats efter kopian försvinner."""
    if not ja:
        click.confirm("Databasen ersätts med kopian; ändringar efter den försvinner. Fortsätta?", abort=True)
    db.session.remove()
    try:
        drift.restore(db.engine, fil)
    except drift.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Databasen är återställd från {fil}.")
