"""CLI: create-user, create-token and reset-tvafaktor."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from samverkan.auth import services, tvafaktor
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.anrop import transaktion
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Forbund, ForbundRoll, ForbundsRollTilldelning, Part


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(create_token)
    app.cli.add_command(reset_tvafaktor)


@click.command("create-user")
@click.option("--epost", required=True, help="E-postadress (inloggningsnamn).")
@click.option("--namn", required=True, help="För- och efternamn.")
@click.option("--forbund", "forbund_kod", required=True, help="Förbundets kod, t.ex. EXB.")
@click.option("--part", "part_namn", default=None, help="Partens namn (för handläggare).")
@click.option("--admin", is_flag=True, help="Gör användaren till förbundsadministratör.")
@click.password_option("--losenord", prompt="Lösenord", help="Minst 12 tecken.")
def create_user(epost, namn, forbund_kod, part_namn, admin, losenord):
    """Skapa en användare."""
    with transaktion():
        forbund = db.session.execute(select(Forbund).where(Forbund.kod == forbund_kod)).scalar_one_or_none()
        if forbund is None:
            raise click.ClickException(f"Förbundet {forbund_kod} finns inte.")
        part = None
        if part_namn:
            part = db.session.execute(
                select(Part).where(Part.forbund_id == forbund.id, Part.namn == part_namn)
            ).scalar_one_or_none()
            if part is None:
                raise click.ClickException(f"Parten {part_namn} finns inte i förbundet.")
        epost = epost.strip().lower()
        if db.session.execute(select(User.id).where(User.epost == epost)).first():
            raise click.ClickException("Det finns redan en användare med den e-postadressen.")
        user = User(epost=epost, namn=namn.strip(), forbund_id=forbund.id, part=part)
        try:
            services.set_password(user, losenord)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        db.session.add(user)
        if admin:
            db.session.add(ForbundsRollTilldelning(forbund_id=forbund.id, user=user, roll=ForbundRoll.ADMIN))
    click.echo(f"Användaren {epost} är skapad.")


@click.command("create-token")
@click.option("--epost", required=True, help="Användarens e-postadress.")
@click.option("--namn", required=True, help="Vad token ska användas till.")
@click.option("--dagar", type=int, default=90, show_default=True, help="Hur många dagar token gäller (1–365).")
@click.option("--omfang", type=click.Choice(["lasa", "skriva"]), default="skriva", show_default=True,
              help="lasa: bara läsande anrop; skriva: även ändringar.")
def create_token(epost, namn, dagar, omfang):
    """Skapa en personlig API-token. Den visas en gång."""
    with transaktion():
        user = db.session.execute(select(User).where(User.epost == epost.strip().lower())).scalar_one_or_none()
        if user is None:
            raise click.ClickException("Användaren finns inte.")
        try:
            token, secret = services.create_token(user, namn, dagar=dagar, omfang=omfang)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        giltig_till, omfang_text = token.giltig_till, token.omfang_text
    # On stderr, so a script that captures the token from stdout gets the token alone.
    click.echo(f"Gäller till {clock.local(giltig_till):%Y-%m-%d %H:%M}, får {omfang_text.lower()}.", err=True)
    click.echo(secret)


@click.command("reset-tvafaktor")
@click.option("--epost", required=True, help="E-postadress till användaren som tappat sin telefon.")
@click.option("--av", "admin_epost", required=True,
              help="E-postadress till förbundsadministratören som beslutat om återställningen.")
def reset_tvafaktor(epost, admin_epost):
    """Stäng av tvåfaktorsinloggningen för en användare (t.ex. tappad telefon).

    Användarens sessioner avslutas och hen aktiverar tvåfaktorsinloggning igen vid nästa
    inloggning. Åtgärden loggas i granskningsloggen i administratörens namn.
    """
    with transaktion():
        user, admin = (
            db.session.execute(select(User).where(User.epost == e.strip().lower())).scalar_one_or_none()
            for e in (epost, admin_epost)
        )
        if user is None or admin is None:
            raise click.ClickException("Användaren finns inte." if user is None else "Administratören finns inte.")
        try:
            tvafaktor.reset(admin, user)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        vem = user.epost  # read before the commit expires it
    click.echo(f"Tvåfaktorsinloggningen för {vem} är avstängd.")
