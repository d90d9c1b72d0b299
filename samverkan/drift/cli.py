"""CLI: ``flask backup <fil>`` and ``flask restore <fil>`` (see samverkan.drift.backup)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from samverkan.auth.models import User
from samverkan.core import audit
from samverkan.core.anrop import transaktion
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
@click.option("--av", "av_epost", default=None,
              help="E-postadress till den som beslutat om återställningen (skrivs i granskningsloggen).")
@with_appcontext
def restore(fil: Path, ja: bool, av_epost: str | None) -> None:
    """Återställ hela databasen från FIL. Allt som ändrats efter kopian försvinner.

    Efteråt skrivs en rad i den återställda databasens granskningslogg: när, vem
    (operativsystemets användare och --av) och filens namn, aldrig dess innehåll."""
    if not ja:
        click.confirm("Databasen ersätts med kopian; ändringar efter den försvinner. Fortsätta?", abort=True)
    db.session.remove()
    try:
        drift.restore(db.engine, fil)
    except drift.BackupError as error:
        raise click.ClickException(str(error)) from error
    _logga_aterstallning(fil, av_epost)
    click.echo(f"Databasen är återställd från {fil}.")


def _logga_aterstallning(fil: Path, av_epost: str | None) -> None:
    """The restore in the restored database's own audit log (which the restore replaced
    with the backup's): otherwise nothing would show that the history was rewound."""
    try:
        os_anvandare = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        os_anvandare = "okänd"
    with transaktion():
        av = None
        if av_epost:
            av = db.session.scalar(select(User.id).where(User.epost == av_epost.strip().lower()))
            if av is None:
                click.echo(f"Obs: {av_epost} finns inte i den återställda databasen; raden skrivs utan användare.")
        audit.record("databas.aterstall", "databas", None, user_id=av,
                     falt=[f"fil:{fil.name[:200]}", f"os-anvandare:{os_anvandare[:100]}"])
