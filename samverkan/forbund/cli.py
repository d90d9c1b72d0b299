"""CLI: set up a förbund from an empty database, and its parties, teams and members.

    flask --app samverkan setup --namn "Samordningsförbundet Exempel" --kod EXE \\
        --admin-namn "Alex Admin" --admin-epost alex@example.org
    flask --app samverkan part --forbund EXE --typ kommun --namn "Exempel kommun, IFO" --kortnamn IFO
    flask --app samverkan team --forbund EXE --namn "Trisam Exempel" --part IFO --part AF
    flask --app samverkan medlem --forbund EXE --epost kim@example.org --namn "Kim Exempel" \\
        --part AF --team "Trisam Exempel" --roll ledamot

Each command is thin: the same services as the admin's pages (``forbund.services``) in the
name of the förbund's first admin, one commit; a refusal prints its Swedish messages
and changes nothing.
"""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from samverkan.auth.models import User
from samverkan.core.anrop import transaktion
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.forbund import services
from samverkan.forbund.models import (
    Forbund,
    ForbundRoll,
    ForbundsRollTilldelning,
    Part,
    PartTyp,
    TeamRoll,
    TeamTyp,
)


def init_app(app: Flask) -> None:
    for command in (setup, part, team, medlem):
        app.cli.add_command(command)


def _fel(error: DomainError) -> click.ClickException:
    db.session.rollback()
    meddelanden = error.fel.values() if isinstance(error, Valideringsfel) else [error.message]
    return click.ClickException(" ".join(meddelanden))


def _admin(kod: str) -> User:
    forbund = db.session.execute(select(Forbund).where(Forbund.kod == kod.strip().upper())).scalar_one_or_none()
    if forbund is None:
        raise click.ClickException(f"Förbundet {kod} finns inte.")
    admin = db.session.execute(
        select(User).join(ForbundsRollTilldelning, ForbundsRollTilldelning.user_id == User.id)
        .where(ForbundsRollTilldelning.forbund_id == forbund.id, ForbundsRollTilldelning.roll == ForbundRoll.ADMIN,
               User.aktiv.is_(True)).order_by(User.id).limit(1)
    ).scalar_one_or_none()
    if admin is None:
        raise click.ClickException(f"Förbundet {kod} har ingen aktiv administratör.")
    return admin


def _part(admin: User, namn: str) -> Part:
    for p in services.list_parter(admin):
        if namn.strip().lower() in (p.namn.lower(), p.kortnamn.lower()):
            return p
    raise click.ClickException(f"Parten {namn} finns inte i förbundet.")


@click.command("setup")
@click.option("--namn", required=True, help="Förbundets namn.")
@click.option("--kod", required=True, help="Förbundets kod, 2–8 versaler (inleder ärendenas referens).")
@click.option("--admin-namn", required=True, help="Den första administratörens namn.")
@click.option("--admin-epost", required=True, help="Den första administratörens e-postadress.")
@click.option("--losenord", default=None, help="Lösenord (minst 12 tecken). Utan: en inbjudan skickas med e-post.")
def setup(namn, kod, admin_namn, admin_epost, losenord):
    """Skapa ett förbund och dess första administratör (i en tom databas)."""
    with transaktion():
        try:
            forbund, admin = services.skapa_forbund(namn=namn, kod=kod, admin_namn=admin_namn,
                                                    admin_epost=admin_epost, losenord=losenord)
        except DomainError as error:
            raise _fel(error) from None
        lank = services.koad_inbjudan(admin, admin.id)
    click.echo(f"Förbundet {forbund.namn} ({forbund.kod}) är skapat med administratören {admin.epost}.")
    if losenord is None:
        _inbjudan(lank)


def _inbjudan(lank: str | None) -> None:
    if lank:
        # No mail server configured: the mail would stay in the outbox, so the link is shown here.
        click.echo(f"Ingen e-postserver är inställd. Länken för att välja lösenord (gäller i sju dagar): {lank}")
    else:
        click.echo("En inbjudan med en länk för att välja lösenord ligger i utkorgen och skickas av schemaläggaren.")


@click.command("part")
@click.option("--forbund", "kod", required=True, help="Förbundets kod.")
@click.option("--typ", required=True, type=click.Choice([t.value for t in PartTyp]), help="Sorts part.")
@click.option("--namn", required=True, help="Partens namn, t.ex. 'Exempel kommun, IFO'.")
@click.option("--kortnamn", default="", help="Kort namn, t.ex. IFO.")
def part(kod, typ, namn, kortnamn):
    """Lägg till en part i förbundet."""
    with transaktion():
        admin = _admin(kod)
        try:
            p = services.spara_part(admin, typ=typ, namn=namn, kortnamn=kortnamn)
        except DomainError as error:
            raise _fel(error) from None
    click.echo(f"Parten {p.namn} är skapad.")


@click.command("team")
@click.option("--forbund", "kod", required=True, help="Förbundets kod.")
@click.option("--namn", required=True, help="Teamets namn.")
@click.option("--typ", default=TeamTyp.TRISAM.value, type=click.Choice([t.value for t in TeamTyp]))
@click.option("--part", "parter", multiple=True, required=True, help="En part som sitter i teamet (namn eller kortnamn); upprepa.")
@click.option("--kallelse-dagar", type=int, default=7, show_default=True, help="Kallelsen går ut så många dagar före mötet kl. 09.00.")
@click.option("--kallelse-fredag", is_flag=True, help="Kallelsen går ut fredagen veckan före mötet i stället.")
def team(kod, namn, typ, parter, kallelse_dagar, kallelse_fredag):
    """Skapa ett team med de parter som sitter i det."""
    with transaktion():
        admin = _admin(kod)
        regler = services.TeamRegler(namn=namn, typ=typ, part_ids=[_part(admin, p).id for p in parter],
                                     kallelseregel="fredag" if kallelse_fredag else "dagar",
                                     kallelse_dagar_fore=kallelse_dagar)
        try:
            t = services.spara_team(admin, regler)
        except DomainError as error:
            raise _fel(error) from None
    click.echo(f"Teamet {t.namn} är skapat.")


@click.command("medlem")
@click.option("--forbund", "kod", required=True, help="Förbundets kod.")
@click.option("--epost", required=True, help="E-postadress (inloggningsnamn).")
@click.option("--namn", default=None, help="Namn (krävs för en ny användare).")
@click.option("--part", "part_namn", default=None, help="Partens namn eller kortnamn.")
@click.option("--team", "team_namn", default=None, help="Teamet där användaren får en roll.")
@click.option("--roll", type=click.Choice([r.value for r in TeamRoll]), default=None)
@click.option("--ersatter", default=None, help="För en ersättare: ledamotens e-postadress.")
def medlem(kod, epost, namn, part_namn, team_namn, roll, ersatter):
    """Bjud in en användare (en länk skickas med e-post) och/eller ge hen en roll i ett team."""
    with transaktion():
        admin = _admin(kod)
        meddelanden = []
        try:
            user = db.session.execute(select(User).where(User.epost == epost.strip().lower())).scalar_one_or_none()
            ny = user is None
            if ny:
                p = _part(admin, part_namn) if part_namn else None
                user = services.bjud_in(admin, namn=namn or "", epost=epost, part_id=p.id if p else None)
                meddelanden.append(f"{user.epost} är inbjuden.")
            elif user.forbund_id != admin.forbund_id:
                raise click.ClickException("Användaren hör till ett annat förbund.")
            if team_namn:
                t = next((t for t in services.list_teams(admin) if t.namn.lower() == team_namn.strip().lower()), None)
                if t is None:
                    raise click.ClickException(f"Teamet {team_namn} finns inte i förbundet.")
                ersatter_id = None
                if ersatter:
                    ersatter_id = next((m.id for m in t.medlemskap if m.roll == TeamRoll.LEDAMOT
                                        and m.user.epost == ersatter.strip().lower()), None)
                services.satt_roll(admin, user_id=user.id, team_id=t.id, roll=roll or "", ersatter_id=ersatter_id)
                meddelanden.append(f"{user.epost} är {roll} i {t.namn}.")
            lank = services.koad_inbjudan(admin, user.id) if ny else None
        except DomainError as error:
            raise _fel(error) from None
    for meddelande in meddelanden:
        click.echo(meddelande)
    if ny:
        _inbjudan(lank)
