"""CLI: ``flask rotera-nyckel`` — every encrypted value rewritten under the current key.

Rotation: put the new key first in ``SAMVERKAN_KRYPTERINGSNYCKLAR`` and keep the old one
after it (every listed key decrypts), restart the app and the scheduler, run this
command, then remove the old key. It goes in batches, each committed, and picks only rows
not yet under the current key, so it can be stopped and run again; the app keeps serving
meanwhile. ``--alla`` rewrites every row, e.g. after a new ``SAMVERKAN_SOKNYCKEL``
(exact search misses a row until it is rewritten).
"""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import with_appcontext

from samverkan.auth.models import TOTP_SYFTE
from samverkan.core import anrop, krypto
from samverkan.deltagare.models import PERSONNUMMER_SYFTE

log = logging.getLogger(__name__)

FALT = (
    krypto.Falt("deltagare", "personnummer", PERSONNUMMER_SYFTE, "personnummer_sok"),
    krypto.Falt("anvandare", "totp_hemlighet", TOTP_SYFTE),
)


def init_app(app: Flask) -> None:
    app.cli.add_command(rotera_nyckel)


def rotera(*, batch: int = 500, alla: bool = False) -> dict[str, int]:
    """Rewrite every field; one commit per batch. Returns rows rewritten per field."""
    antal = {}
    with anrop.i_omgangar() as (connection, omgang_klar):
        for falt in FALT:
            antal[f"{falt.tabell}.{falt.kolumn}"] = krypto.skriv_om(
                connection, falt, batch=batch, alla=alla, commit=omgang_klar)
    return antal


@click.command("rotera-nyckel")
@click.option("--batch", type=click.IntRange(min=1), default=500, show_default=True,
              help="Rader per transaktion.")
@click.option("--alla", is_flag=True, help="Skriv om alla rader, även de som redan har den aktuella "
              "nyckeln (t.ex. efter en ny SOKNYCKEL).")
@with_appcontext
def rotera_nyckel(batch: int, alla: bool) -> None:
    """Kryptera om personnummer och tvåfaktorshemligheter med den aktuella nyckeln."""
    try:
        antal = rotera(batch=batch, alla=alla)
    except krypto.Nyckelfel as error:
        raise click.ClickException(str(error)) from None
    nyckel = krypto.nycklar().aktuell
    for namn, n in antal.items():
        click.echo(f"{namn}: {n} rader omkrypterade med nyckeln {nyckel}.")
    log.info("rotera-nyckel: %s under key %s", antal, nyckel)
