"""CLI: ``flask rapporter-forbered``: the reports' hidden figures worked out now, as the
nightly job does (``rapporter.jobs``): after an upgrade (a new version of the rule keeps
no marks of the old) or a large import, so the styrgrupp's first look need not wait."""

from __future__ import annotations

import time

import click
from flask import Flask

from samverkan.rapporter import jobs


def init_app(app: Flask) -> None:
    app.cli.add_command(rapporter_forbered)


@click.command("rapporter-forbered")
def rapporter_forbered() -> None:
    """Räkna fram rapporternas dolda tal för varje förbund och år som styrgruppen kan välja."""
    start = time.monotonic()
    antal = jobs.forbered(framsteg=click.echo)
    click.echo(f"{antal['kuber']} kuber klara på {time.monotonic() - start:.0f} s.")
