"""What the gallring tests share: ärenden with everything gallring removes, some closed
long enough ago, and a look at what is left of one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare.models import Samtycke
from samverkan.samplanering.models import Atgard
from tests import factories
from workflows import arende as wf

NU = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TRE_AR_SEDAN = NU - dt.timedelta(days=3 * 365)


def arende_med_innehall(world, *, stangd: str | None, kon: str = "kvinna") -> Arende:
    """An ärende with a note, a handlingsplan action and a consent document reference;
    ``stangd``: None (left open), 'avslutad' or 'aterkallad'."""
    arende = factories.create_arende(world)
    arende.deltagare.kon = kon
    user = world.users["ledamot_af"]
    db.session.add(Anteckning(arende_id=arende.id, forfattare_id=user.id, text="<p>Berättade om sin hälsa.</p>"))
    db.session.add(Atgard(arende_id=arende.id, beskrivning="Kontakta vårdcentralen", part_id=world.parter["region"].id,
                          ansvarig="Vera Vårdsson", klar_senast=clock.today(), skapad_av_id=user.id))
    arende.samtycken[0].dokumentreferens = "Blankett 2023-114 i pärm"
    if stangd == wf.ATERKALLAD:
        arende_services.fire(user, arende.id, "aterkalla", version=arende.version)
    elif stangd == wf.AVSLUTAD:
        arende.status = wf.AVSLUTAD  # the closing path is the flow's test; here only the result matters
        arende.avslutad_den = clock.today()
        arende.avslutsorsak = "arbete"
        arende.sysselsattning_slut = "heltid"
    db.session.commit()
    return arende


@pytest.fixture
def fall(world):
    """Two closed three years ago, one closed today, one opened three years ago and open."""
    clock.set_clock(lambda: TRE_AR_SEDAN)
    gamla = [arende_med_innehall(world, stangd=wf.AVSLUTAD, kon="man"), arende_med_innehall(world, stangd=wf.ATERKALLAD)]
    oppet = arende_med_innehall(world, stangd=None)
    clock.set_clock(lambda: NU)
    nytt = arende_med_innehall(world, stangd=wf.AVSLUTAD)
    world.forbund.gallringsfrist_manader = 24
    fall = {"gamla": [a.id for a in gamla], "kvar": [oppet.id, nytt.id], "referenser": [a.referens for a in gamla]}
    # End the read transaction too: on SQLite every transaction holds the write lock, and
    # the scheduler's job runs in a session of its own.
    db.session.commit()
    return fall


def innehall(arende_id: int) -> dict:
    db.session.expire_all()
    arende = db.session.get(Arende, arende_id)
    return {
        "fragestallning": arende.fragestallning,
        "personnummer": arende.deltagare.personnummer,
        "anteckningar": [a.text for a in db.session.scalars(select(Anteckning).where(Anteckning.arende_id == arende_id))],
        "atgarder": [(a.beskrivning, a.ansvarig) for a in
                     db.session.scalars(select(Atgard).where(Atgard.arende_id == arende_id))],
        "dokument": [s.dokumentreferens for s in
                     db.session.scalars(select(Samtycke).where(Samtycke.arende_id == arende_id))],
        "gallrad": arende.gallrad,
    }


