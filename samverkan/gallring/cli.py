"""CLI: ``flask gallring [--torrkorning]`` and ``flask gallringsfrist``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from samverkan.core.anrop import transaktion
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Forbund
from samverkan.gallring import services


def init_app(app: Flask) -> None:
    app.cli.add_command(gallring)
    app.cli.add_command(gallringsfrist)


@click.command("gallring")
@click.option("--torrkorning", is_flag=True, help="Visa vad som skulle gallras utan att ändra något.")
def gallring(torrkorning: bool) -> None:
    """Avidentifiera stängda ärenden vars gallringsfrist har gått ut."""
    with transaktion(skriver=not torrkorning):
        rapport = services.gallra(torrkorning=torrkorning)
    click.echo(rapport.text())


@click.command("gallringsfrist")
@click.option("--forbund", "forbund_kod", required=True, help="Förbundets kod, t.ex. EXB.")
@click.option("--manader", type=click.IntRange(min=1), default=None,
              help="Månader efter avslut innan ärendet gallras; utelämna för ingen gallring.")
def gallringsfrist(forbund_kod: str, manader: int | None) -> None:
    """Sätt förbundets gallringsfrist."""
    with transaktion():
        forbund = db.session.execute(select(Forbund).where(Forbund.kod == forbund_kod)).scalar_one_or_none()
        if forbund is None:
            raise click.ClickException(f"Förbundet {forbund_kod} finns inte.")
        try:
            services.satt_frist(forbund.id, manader, user_id=None)
        except DomainError as error:
            raise click.ClickException(error.message) from error
    click.echo(f"{forbund_kod}: {'ingen gallring' if manader is None else f'{manader} månader efter avslut'}.")
