"""What is decided and written to the outbox, and when: the kallelse at the rule's time
and not before, tillägg after a change, a cancellation after a cancel, reminders before the
agenda deadline, nothing for cancelled or past meetings, and nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.kallelser import regler
from samverkan.kallelser.models import Utskick, UtskickStatus, UtskickTyp
from samverkan.moten.models import MotesTyp
from tests import factories
from tests.kallelser.helpers import KALLELSETID, MOTESTID, PAMINNELSETID, boka, flytta, skapa_mote, stall_in

MINUT = dt.timedelta(minutes=1)
KALLADE = {"projektledare", "ledamot_af", "ledamot_fk", "ledamot_kommun", "ledamot_region", "ersattare_af"}


def utskick(typ: UtskickTyp | None = None) -> list[Utskick]:
    stmt = select(Utskick).order_by(Utskick.id)
    if typ is not None:
        stmt = stmt.where(Utskick.typ == typ)
    return list(db.session.scalars(stmt))


def epost(world, keys) -> set[str]:
    return {world.users[k].epost for k in keys}


def kalender(rad: Utskick):
    cal = Calendar.from_ical(rad.ics)
    return cal, cal.walk("VEVENT")[0]


def test_the_kallelse_is_not_written_a_minute_early_and_is_at_its_time(world, klocka, kor):
    mote = skapa_mote(world)
    assert mote.kallelse_planerad == dt.datetime(2026, 12, 4, 9, 0, tzinfo=STOCKHOLM)

    klocka.satt(KALLELSETID - MINUT)
    kor()
    assert utskick() == []
    assert mote.kallelse_skickad is None

    klocka.satt(KALLELSETID)
    kor()
    rader = utskick()
    assert {r.epost for r in rader} == epost(world, KALLADE)
    assert {(r.typ, r.version, r.status) for r in rader} == {(UtskickTyp.KALLELSE, "0.0", UtskickStatus.KOAD)}
    assert rader[0].amne == "Kallelse: Trisam Testby 2026-12-08 13:00"
    assert len({r.message_id for r in rader}) == len(rader)
    assert mote.kallelse_skickad == klocka.nu
    assert (mote.skickad_sekvens, mote.skickad_agendaversion) == (0, 0)


def test_recipients_are_the_teams_ledamoter_ersattare_and_projektledare(world, klocka, kor):
    world.users["ledamot_region"].aktiv = False  # left the job: no more kallelser
    skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    mottagare = {r.epost for r in utskick()}
    assert mottagare == epost(world, KALLADE - {"ledamot_region"})
    # Not the samcoach, not the neighbouring team, not the förbund's admin or styrgrupp.
    assert not mottagare & epost(world, ["samcoach", "granne", "admin", "styrgrupp", "ledamot_region"])


def test_moving_the_meeting_moves_the_kallelse(world, klocka, kor):
    mote = skapa_mote(world)
    flytta(mote, MOTESTID + dt.timedelta(days=7))
    assert mote.kallelse_planerad == dt.datetime(2026, 12, 11, 9, 0, tzinfo=STOCKHOLM)

    klocka.satt(KALLELSETID)  # the old due time
    kor()
    assert utskick() == []

    klocka.satt(dt.datetime(2026, 12, 11, 9, 0))
    kor()
    rader = utskick()
    assert {r.version for r in rader} == {"1.0"}
    _, event = kalender(rader[0])
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 15, 13, 0, tzinfo=STOCKHOLM)
    assert event["sequence"] == 1


def test_a_change_after_the_kallelse_sends_a_tillagg_with_a_higher_sequence(world, klocka, kor):
    mote = skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    klocka.fram(hours=2)
    flytta(mote, MOTESTID + dt.timedelta(hours=1))
    kor()
    tillagg = utskick(UtskickTyp.TILLAGG)
    assert {r.epost for r in tillagg} == epost(world, KALLADE)
    assert {r.version for r in tillagg} == {"1.0"}
    assert tillagg[0].amne == "Ändrad kallelse: Trisam Testby 2026-12-08 14:00"
    assert "tid eller plats" in tillagg[0].text
    cal, event = kalender(tillagg[0])
    assert cal["method"] == "REQUEST"
    assert event["sequence"] == 1 > kalender(utskick(UtskickTyp.KALLELSE)[0])[1]["sequence"]
    assert event["uid"] == mote.uid
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 8, 14, 0, tzinfo=STOCKHOLM)
    assert (mote.skickad_sekvens, mote.skickad_agendaversion) == (1, 0)

    # A change of the agenda alone is a tillägg too; the calendar sequence stays. Changes
    # in quick succession wait ten minutes after the previous message and go out as one.
    boka(mote, factories.create_arende(world), ordning=1)
    klocka.fram(minutes=5)
    boka(mote, factories.create_arende(world), ordning=2)
    kor()
    assert len(utskick(UtskickTyp.TILLAGG)) == len(tillagg)
    klocka.fram(minutes=5)
    kor()
    andra = utskick(UtskickTyp.TILLAGG)[len(tillagg):]
    assert {r.version for r in andra} == {"1.2"}
    assert "dagordningen" in andra[0].text
    assert len(utskick(UtskickTyp.KALLELSE)) == len(KALLADE)

    klocka.fram(hours=1)
    kor()
    assert len(utskick()) == 3 * len(KALLADE)


def test_cancelling_after_the_kallelse_sends_a_cancellation_and_nothing_else(world, klocka, kor):
    mote = skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    klocka.fram(days=1)
    stall_in(mote)
    flytta(mote, MOTESTID + dt.timedelta(days=1))  # changes to a cancelled meeting send nothing
    kor()
    kor()
    installda = utskick(UtskickTyp.INSTALLNING)
    assert {r.epost for r in installda} == epost(world, KALLADE)
    assert installda[0].amne == "Inställt: Trisam Testby 2026-12-09 13:00"
    cal, event = kalender(installda[0])
    assert cal["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["uid"] == mote.uid
    assert event["sequence"] == 2
    assert utskick(UtskickTyp.TILLAGG) == []
    assert len(utskick()) == 2 * len(KALLADE)


def test_a_meeting_cancelled_before_its_kallelse_gets_nothing(world, klocka, kor):
    mote = skapa_mote(world)
    stall_in(mote)
    klocka.satt(KALLELSETID)
    kor()
    klocka.fram(days=3)
    kor()
    assert utskick() == []
    assert mote.kallelse_skickad is None


def test_past_meetings_get_nothing(world, klocka, kor):
    klocka.satt(KALLELSETID)
    # Planned long ago but never sent (e.g. the scheduler was down): too late now.
    forra = skapa_mote(world, start=MOTESTID - dt.timedelta(days=28))
    mote = skapa_mote(world)
    kor()
    assert {r.mote_id for r in utskick()} == {mote.id}
    assert forra.kallelse_skickad is None

    klocka.satt(dt.datetime(2026, 12, 8, 16, 0))  # after the meeting
    flytta(mote, MOTESTID - dt.timedelta(hours=1))
    boka(mote, factories.create_arende(world), ordning=1)
    kor()
    stall_in(mote)
    kor()
    assert {r.typ for r in utskick()} == {UtskickTyp.KALLELSE}


def test_running_the_jobs_twice_writes_nothing_twice(world, klocka, kor):
    skapa_mote(world)
    skapa_mote(world, start=MOTESTID + dt.timedelta(hours=3))
    klocka.satt(KALLELSETID)
    assert kor(bara="planera") == {"kallelse": 2 * len(KALLADE)}
    assert kor(bara="planera") == {}
    klocka.fram(minutes=5)
    assert kor(bara="planera") == {}
    assert len(utskick()) == 2 * len(KALLADE)


def test_a_second_writer_is_stopped_by_the_unique_key(world, klocka, kor):
    """Two schedulers that both decided before either committed: the second one's rows
    collide with the first one's and are rolled back with its meeting update."""
    mote = skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    forsta = {(r.id, r.message_id) for r in utskick()}
    mote.kallelse_skickad = None  # as the second scheduler saw it
    assert kor(bara="planera") == {}
    assert {(r.id, r.message_id) for r in utskick()} == forsta
    assert mote.kallelse_skickad is None  # its whole transaction was rolled back


def test_the_reminder_goes_to_handlaggare_before_the_agenda_deadline(world, klocka, kor):
    mote = skapa_mote(world)
    assert regler.paminnelse_tid(mote.starttid, None) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM)
    klocka.satt(PAMINNELSETID - MINUT)
    kor()
    assert utskick() == []

    klocka.satt(PAMINNELSETID)
    kor()
    kor()
    rader = utskick()
    assert {r.epost for r in rader} == epost(world, KALLADE - {"projektledare"})
    assert {(r.typ, r.ics) for r in rader} == {(UtskickTyp.PAMINNELSE, None)}
    assert rader[0].amne == ("Påminnelse: anmäl ärenden till Trisam Testby 2026-12-08 13:00 "
                             "senast 2026-12-02 09:00")
    assert "/moten/" in rader[0].text
    assert mote.paminnelse_skickad == klocka.nu


@pytest.mark.parametrize("fall", ["planeringsmote", "efter_deadline", "installt"])
def test_no_reminder_when_there_is_nothing_to_ask_for(world, klocka, kor, fall):
    if fall == "planeringsmote":
        skapa_mote(world, typ=MotesTyp.PLANERING)
        klocka.satt(PAMINNELSETID)
    elif fall == "efter_deadline":
        skapa_mote(world)
        klocka.satt(dt.datetime(2026, 12, 2, 9, 0))
    else:
        stall_in(skapa_mote(world))
        klocka.satt(PAMINNELSETID)
    kor()
    assert utskick(UtskickTyp.PAMINNELSE) == []


def test_a_meeting_without_a_planned_kallelse_is_planned_by_the_teams_rule(world, klocka, kor):
    world.team.kallelse_dagar_fore = 10
    mote = skapa_mote(world)
    mote.kallelse_planerad = None
    mote.anmalan_stanger = None
    kor()
    assert mote.kallelse_planerad == dt.datetime(2026, 11, 28, 9, 0, tzinfo=STOCKHOLM)
    assert mote.anmalan_stanger == dt.datetime(2026, 11, 26, 9, 0, tzinfo=STOCKHOLM)


def test_each_decision_is_audited_as_the_job(world, klocka, kor):
    mote = skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.handling == "utskick.kallelse")).one()
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal, entry.user_id) == ("mote", mote.id, "jobb", None)
