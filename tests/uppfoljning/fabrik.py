"""Rows that meeting mode writes (attendance, decisions, actions, measurements), made
directly here: these tests check what reads them, not how they are recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.insatser.models import Insats
from samverkan.moten import tider
from samverkan.moten.models import Dagordningspunkt, Mote, Narvaro, NarvaroStatus
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning.models import Steg, Stegmatning
from tests import factories

# Monday 2026-02-02 10:00 in Stockholm.
NU = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


def satt_klockan(when: dt.datetime = NU) -> None:
    clock.set_clock(lambda: when)


def i_insats(w, *, nasta_uppfoljning: dt.date | None = None, **kw) -> Arende:
    """An ärende taken through aktualisera, agenda, samplanering and insats by the flow."""
    arende = factories.create_arende(w, **kw)
    idag = clock.today()
    # Booked on today's meeting, samplanerat there with an insats (the guards' facts).
    # The helper meeting, its item and the insats are removed again: these tests make the
    # meeting rows they read themselves (fabrik.mote, fabrik.punkt) and count them.
    factories.till_insats(w, arende, dag=idag, datum=idag)
    for p in db.session.execute(select(Dagordningspunkt).where(Dagordningspunkt.arende_id == arende.id)).scalars():
        m = p.mote
        db.session.delete(p)
        db.session.flush()
        db.session.delete(m)
    db.session.execute(delete(Insats).where(Insats.arende_id == arende.id))
    arende.nasta_uppfoljning = nasta_uppfoljning
    db.session.flush()
    return arende


def mote(w, dag: dt.date, *, klockslag: dt.time = dt.time(13, 0)) -> Mote:
    """A meeting of the world's team on ``dag`` (may lie in the past: made directly)."""
    m = Mote(team_id=w.team.id, starttid=tider.lokal_starttid(dag, klockslag), langd_minuter=120,
             plats="Kommunhuset, rum 3")
    db.session.add(m)
    db.session.flush()
    return m


def punkt(m: Mote, arende: Arende, *, ordning: int = 1, beslut: str | None = None, uppfoljning: bool = False,
          insatstyp_id: int | None = None, utfall: str | None = None) -> Dagordningspunkt:
    p = Dagordningspunkt(mote_id=m.id, arende_id=arende.id, ordning=ordning, beslut=beslut,
                         uppfoljning=uppfoljning, insatstyp_id=insatstyp_id, utfall=utfall)
    db.session.add(p)
    db.session.flush()
    return p


def narvaro(w, m: Mote, part: str, status: NarvaroStatus) -> Narvaro:
    n = Narvaro(mote_id=m.id, part_id=w.parter[part].id, status=status,
                registrerad_av_id=w.users["projektledare"].id)
    db.session.add(n)
    db.session.flush()
    return n


def atgard(w, arende: Arende, part: str, klar_senast: dt.date, *, beskrivning: str = "Boka kartläggning",
           ansvarig: str = "Handläggare på parten") -> Atgard:
    a = Atgard(arende_id=arende.id, beskrivning=beskrivning, part_id=w.parter[part].id, ansvarig=ansvarig,
               klar_senast=klar_senast, skapad_av_id=w.users["projektledare"].id)
    db.session.add(a)
    db.session.flush()
    return a


def steg(forbund_id: int, nummer: int) -> Steg:
    return db.session.execute(
        select(Steg).where(Steg.forbund_id == forbund_id, Steg.nummer == nummer)).scalar_one()


def matning(w, arende: Arende, datum: dt.date, nummer: int, grad: int, ors: int | None = None) -> Stegmatning:
    m = Stegmatning(arende_id=arende.id, datum=datum, steg_id=steg(w.forbund.id, nummer).id,
                    sysselsattningsgrad=grad, ors=ors, registrerad_av_id=w.users["projektledare"].id)
    db.session.add(m)
    db.session.flush()
    return m
