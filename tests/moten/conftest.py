"""Meeting test fixtures: a fixed clock (a Monday in winter time) and a helper that
books meetings through the real service, so every meeting has its kallelse planned."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.moten import redigering
from samverkan.moten.models import Mote

# Monday 2026-02-02 10:00 in Stockholm (UTC+1).
NU = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
# The second Tuesday of March: kallelse Friday 2026-03-06 09:00, requests close 2026-03-04 09:00.
MOTESDAG = dt.date(2026, 3, 10)


def satt_klockan(when: dt.datetime) -> None:
    clock.set_clock(lambda: when)


def under_motet(mote: Mote, *, dagar_efter: int = 0) -> dt.datetime:
    """Move the clock half an hour into the meeting (or as many days after it): meeting mode
    opens on the meeting day, so decisions and attendance are recorded from then on."""
    when = mote.starttid + dt.timedelta(days=dagar_efter, minutes=30)
    satt_klockan(when)
    return when


@pytest.fixture
def nu(ctx):
    satt_klockan(NU)
    return NU


@pytest.fixture
def nytt_mote(world, nu):
    """``nytt_mote(dag=MOTESDAG, kapacitet=None)``: a committed meeting of the world's team."""

    def _mote(dag: dt.date = MOTESDAG, *, klockslag: dt.time = dt.time(13, 0), kapacitet: int | None = None,
              **kw) -> Mote:
        mote = redigering.skapa_mote(world.users["projektledare"], world.team.id, datum=dag, klockslag=klockslag,
                                   langd_minuter=kw.pop("langd_minuter", 120), kapacitet_=kapacitet,
                                   plats=kw.pop("plats", "Kommunhuset, rum 3"), **kw)
        db.session.commit()
        return mote

    return _mote
