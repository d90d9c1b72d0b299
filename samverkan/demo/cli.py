"""CLI: ``flask demo`` fills the database with the fictional Samordningsförbundet Exempelbygd.

The command is thin: it checks whether the demo already exists (then it changes
nothing), lets ``samverkan.demo.data`` build everything in one transaction
(``core.anrop.transaktion``) and prints where to log in.
"""

from __future__ import annotations

import click
from flask import Flask, current_app

from samverkan.core.anrop import transaktion
from samverkan.demo import data
from workflows import arende as wf


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)


@click.command("demo")
def demo():
    """Skapa fiktiva demodata (Samordningsförbundet Exempelbygd)."""
    if data.demo_exists():
        click.echo(f"Demodata finns redan (förbundet {data.FORBUND_KOD}). Inget har ändrats.")
        click.echo("")
        _skriv_inloggningar(data.inloggningar())
        return
    upptagna = data.conflicting_emails()
    if upptagna:
        raise click.ClickException(
            "Demokontona kan inte skapas: e-postadresserna används redan: " + ", ".join(upptagna)
        )
    with transaktion():
        resultat = data.create_demo()

    click.echo(f"Demodata skapad för {resultat.forbund.namn} ({resultat.forbund.kod}).")
    click.echo(f"Möten: {resultat.moten} ({resultat.moten_passerade} passerade). Ärenden per status:")
    for status in wf.STATES:
        click.echo(f"  {wf.STATE_LABELS[status]:<22}{resultat.arenden_per_status.get(status, 0):>3}")
    click.echo("")
    click.echo("Starta webbservern med demoinställningar:")
    click.echo("  SAMVERKAN_DEMO=1 flask --app samverkan run")
    click.echo(f"och öppna {current_app.config['BASE_URL']}/ i webbläsaren.")
    click.echo("")
    _skriv_inloggningar(resultat.inloggningar)


def _skriv_inloggningar(inloggningar) -> None:
    click.echo(f"Inloggningar (samma lösenord för alla: {data.LOSENORD}):")
    bredd = max(len(i.epost) for i in inloggningar) + 2
    for inloggning in inloggningar:
        click.echo(f"  {inloggning.epost:<{bredd}}{inloggning.namn}: {'; '.join(inloggning.roller)}")
