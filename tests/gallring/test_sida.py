"""The admin's gallring page and the nightly job: the period is set and audited, a bad one
is refused beside its field, the dry run lists what is due, running it needs a
confirmation and touches only the admin's own förbund, and the scheduler runs it every
night at 03:30 Stockholm time, once, DST nights included."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.forbund.models import Forbund
from samverkan.gallring import jobs
from samverkan.schemalaggare.korning import schemalaggare
from tests.gallring.conftest import innehall


def _handlingar(namn: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.handling == namn)))


def test_the_page_shows_the_period_and_what_is_due(fall, login, world):
    html = login(world.users["admin"]).get("/admin/gallring/").get_data(as_text=True)
    assert "24 månader" in html and "2 ärenden har passerat gallringsfristen" in html
    assert all(referens in html for referens in fall["referenser"])
    # Listing which ärenden are due reads the förbund's cases: audited, by whom.
    assert [e.user_id for e in _handlingar("gallring.torrkorning")] == [world.users["admin"].id]
    assert all(innehall(i)["gallrad"] is None for i in fall["gamla"])  # looking changes nothing


def test_the_period_is_saved_and_audited_and_a_bad_one_refused_beside_its_field(login, world):
    client = login(world.users["admin"])
    svar = client.post("/admin/gallring/frist", data={"manader": "0"})
    assert svar.status_code == 422
    html = svar.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "Formuläret innehåller fel" in html
    db.session.expire_all()
    assert world.forbund.gallringsfrist_manader is None and not _handlingar("gallringsfrist.andra")

    svar = client.post("/admin/gallring/frist", data={"manader": "36"})
    assert svar.status_code == 303
    assert "36 månader efter avslut" in client.get(svar.location).get_data(as_text=True)
    db.session.expire_all()
    assert world.forbund.gallringsfrist_manader == 36
    assert [e.user_id for e in _handlingar("gallringsfrist.andra")] == [world.users["admin"].id]

    client.post("/admin/gallring/frist", data={"manader": ""})
    db.session.expire_all()
    assert world.forbund.gallringsfrist_manader is None


def test_running_it_needs_a_confirmation_and_stays_in_the_admins_forbund(fall, login, world):
    # One due ärende belongs to another förbund with its own period.
    annat = Forbund(namn="Samordningsförbundet Annanbygd", kod="ANB", gallringsfrist_manader=12)
    db.session.add(annat)
    db.session.flush()
    db.session.get(Arende, fall["gamla"][1]).forbund_id = annat.id
    db.session.commit()
    client = login(world.users["admin"])

    svar = client.post("/admin/gallring/kor", data={})
    assert svar.status_code == 422 and "Bekräfta att du förstår" in svar.get_data(as_text=True)
    assert all(innehall(i)["gallrad"] is None for i in fall["gamla"])

    svar = client.post("/admin/gallring/kor", data={"bekrafta": "y"})
    assert svar.status_code == 303
    assert "Gallringen är klar: 1 ärende och" in client.get(svar.location).get_data(as_text=True)
    assert innehall(fall["gamla"][0])["gallrad"] is not None
    assert innehall(fall["gamla"][1])["gallrad"] is None  # the other förbund's
    assert [(e.objekt_id, e.user_id) for e in _handlingar("gallring")] == [(fall["gamla"][0], world.users["admin"].id)]


def test_the_nightly_job_gallrar_every_forbund_once(ctx, fall):
    assert jobs.natt(ctx) == {"gallrade": 2}
    assert all(innehall(i)["gallrad"] is not None for i in fall["gamla"])
    db.session.commit()  # the job runs in its own session, as in the scheduler
    assert jobs.natt(ctx) == {"gallrade": 0}
    assert {e.user_id for e in _handlingar("gallring")} == {None}  # the scheduler, not a person


def test_the_scheduler_runs_it_once_a_night_at_half_past_three_dst_nights_included(ctx):
    trigger = schemalaggare(ctx, 60, threading.Event()).get_job("gallring").trigger

    def natter(fran: dt.datetime, antal: int) -> list[dt.datetime]:
        tider, forra = [], None
        for _ in range(antal):
            forra = trigger.get_next_fire_time(forra, forra + dt.timedelta(seconds=1) if forra else fran)
            tider.append(forra.astimezone(clock.STOCKHOLM))
        return tider

    vinter = natter(dt.datetime(2026, 11, 23, 12, tzinfo=clock.STOCKHOLM), 2)
    assert [(t.date(), t.time()) for t in vinter] == [(dt.date(2026, 11, 24), dt.time(3, 30)),
                                                      (dt.date(2026, 11, 25), dt.time(3, 30))]
    # Spring forward (02:00 → 03:00 on 28 March 2027) and fall back (03:00 → 02:00 on
    # 31 October 2027): one run each night, at 03:30 local time.
    for fran, dagar in ((dt.datetime(2027, 3, 27, 12), [dt.date(2027, 3, 28), dt.date(2027, 3, 29)]),
                         (dt.datetime(2027, 10, 30, 12), [dt.date(2027, 10, 31), dt.date(2027, 11, 1)])):
        tider = natter(fran.replace(tzinfo=clock.STOCKHOLM), 2)
        assert [(t.date(), t.time()) for t in tider] == [(d, dt.time(3, 30)) for d in dagar]
