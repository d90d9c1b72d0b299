"""Delivery through a real local SMTP server (aiosmtpd): what arrives, and what happens
when the server is down, refuses a recipient, or a sender died holding a claim."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from samverkan.anteckningar.models import Anteckning
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.kallelser import services
from samverkan.kallelser.models import Utskick, UtskickStatus, UtskickTyp
from tests import factories
from tests.kallelser.helpers import KALLELSETID, MOTESTID, boka, flytta, skapa_mote, stall_in

KALLADE = {"projektledare", "ledamot_af", "ledamot_fk", "ledamot_kommun", "ledamot_region", "ersattare_af"}
HEMLIG_FRAGA = "Vera Hemligsson behöver samordnat stöd efter sjukskrivningen"
HEMLIG_ANTECKNING = "Diskuterade skuldsanering och psykiatrisk kontakt"


def utskick() -> list[Utskick]:
    return list(db.session.scalars(select(Utskick).order_by(Utskick.id)))


def epost(world, keys) -> set[str]:
    return {world.users[k].epost for k in keys}


def nummerformer(pnr: str) -> list[str]:
    """The ways a personnummer is written: 12 and 10 digits, with and without the dash."""
    return [pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}", f"{pnr[:8]}+{pnr[8:]}"]


@pytest.fixture
def dagordning(world, klocka):
    """A meeting with a new ärende at 13:00 and a follow-up, with case text and a note."""
    ny = factories.create_arende(world, fragestallning=f"<p>{HEMLIG_FRAGA}</p>")
    uppfoljning = factories.create_arende(world, handlaggare="ledamot_fk",
                                          fragestallning=f"<p>{HEMLIG_FRAGA} (andra)</p>")
    db.session.add(Anteckning(arende_id=ny.id, forfattare_id=world.users["ledamot_af"].id,
                              text=f"<p>{HEMLIG_ANTECKNING}</p>"))
    mote = skapa_mote(world, videolank="https://video.example.org/m/trisam")
    boka(mote, ny, ordning=1, tidslucka=dt.time(13, 0))
    boka(mote, uppfoljning, ordning=2, uppfoljning=True)
    return mote, [ny, uppfoljning]


def test_the_kallelse_arrives_complete_and_without_personal_data(world, smtp, klocka, kor, dagordning):
    mote, arenden = dagordning
    klocka.satt(KALLELSETID)
    antal = kor()
    assert antal["skickade"] == len(KALLADE)

    mottagna = smtp.mottagna
    assert sorted(a for m in mottagna for a in m.rcpt_tos) == sorted(epost(world, KALLADE))
    rader = {r.epost: r for r in utskick()}
    assert {r.status for r in rader.values()} == {UtskickStatus.SKICKAD}
    assert {r.skickad for r in rader.values()} == {klocka.nu}

    hemligt = [HEMLIG_FRAGA, HEMLIG_ANTECKNING, "Vera", "Hemligsson"]
    for a in arenden:
        hemligt += nummerformer(a.deltagare.personnummer)
    url = f"http://127.0.0.1:5000/moten/{mote.id}"
    for m in mottagna:
        msg = m.meddelande
        (till,) = m.rcpt_tos
        assert msg["To"] == till
        assert msg["From"] == m.mail_from == "kallelser@example.org"
        assert msg["Subject"] == "Kallelse: Trisam Testby 2026-12-08 13:00"
        assert msg["Message-ID"] == rader[till].message_id
        delar = m.delar()
        allt = "\n".join(delar)
        for varde in hemligt:
            assert varde not in allt, f"{varde!r} i ett meddelande"
        # No run of 10 or 12 digits that could be a personnummer, in any part (the random
        # UID and Message-ID aside).
        slumpat = allt.replace(mote.uid, "").replace(m.message_id, "")
        assert not re.search(r"(?<!\d)(\d{6}|\d{8})[-+]?\d{4}(?!\d)", slumpat)

        text = msg.get_body(("plain",)).get_content()
        assert "Datum: tisdag 2026-12-08" in text
        assert "Tid: 13:00–15:00" in text
        assert "Plats: Kommunhuset, rum 3" in text
        assert "Videolänk: https://video.example.org/m/trisam" in text
        assert f"1. 13:00 {arenden[0].referens} – Arbetsförmedlingen Testbygd – nytt ärende" in text
        assert f"2. {arenden[1].referens} – Försäkringskassan Testbygd – uppföljning" in text
        assert url in text
        html = msg.get_body(("html",)).get_content()
        assert f'<a href="{url}">' in html
        assert arenden[1].referens in html

        (bilaga,) = list(msg.iter_attachments())
        assert bilaga.get_content_type() == "text/calendar"
        assert bilaga.get_param("method") == "REQUEST"
        assert bilaga.get_filename() == "kallelse.ics"
        cal = Calendar.from_ical(bilaga.get_content())
        assert cal["method"] == "REQUEST"
        assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
        (event,) = cal.walk("VEVENT")
        start = event.decoded("dtstart")
        assert start == MOTESTID
        assert (start.hour, start.minute, str(start.tzinfo)) == (13, 0, "Europe/Stockholm")
        assert event.decoded("dtend") == MOTESTID + dt.timedelta(hours=2)
        assert event.decoded("dtstamp") == klocka.nu
        assert str(event["uid"]) == mote.uid
        assert event["sequence"] == 0
        assert str(event["summary"]) == "Trisam Testby: ärendedragning"
        assert str(event["location"]) == "Kommunhuset, rum 3, https://video.example.org/m/trisam"
        assert str(event["url"]) == url
        assert str(event["attendee"]) == f"mailto:{till}"


def test_the_calendar_time_is_stockholm_time_across_dst(world, smtp, klocka, kor):
    # Summer time: 13:00 in Stockholm is 11:00 UTC.
    sommar = dt.datetime(2027, 4, 6, 13, 0, tzinfo=STOCKHOLM)
    mote = skapa_mote(world, start=sommar)
    klocka.nu = mote.kallelse_planerad
    kor()
    (event,) = Calendar.from_ical(utskick()[0].ics).walk("VEVENT")
    assert event.decoded("dtstart") == sommar
    assert event.decoded("dtstart").astimezone(dt.UTC).hour == 11
    assert smtp.mottagna[0].meddelande["Subject"] == "Kallelse: Trisam Testby 2027-04-06 13:00"


def test_tillagg_and_cancellation_arrive_with_their_calendar_method(world, smtp, klocka, kor):
    mote = skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    klocka.fram(hours=1)
    flytta(mote, MOTESTID + dt.timedelta(hours=1))
    kor()
    stall_in(mote)
    kor()
    per_typ = {}
    for m in smtp.mottagna:
        (bilaga,) = list(m.meddelande.iter_attachments())
        (event,) = Calendar.from_ical(bilaga.get_content()).walk("VEVENT")
        per_typ.setdefault(m.meddelande["Subject"].split(":")[0], set()).add(
            (bilaga.get_param("method"), event["sequence"], str(event["uid"])))
    assert per_typ == {
        "Kallelse": {("REQUEST", 0, mote.uid)},
        "Ändrad kallelse": {("REQUEST", 1, mote.uid)},
        "Inställt": {("CANCEL", 2, mote.uid)},
    }
    assert len(smtp.mottagna) == 3 * len(KALLADE)


def test_without_an_smtp_server_configured_mail_stays_in_the_outbox(world, klocka, kor, ctx):
    assert not ctx.config.get("SMTP_HOST")
    skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor()
    kor()
    rader = utskick()
    assert len(rader) == len(KALLADE)
    assert {(r.status, r.forsok, r.senaste_fel) for r in rader} == {(UtskickStatus.KOAD, 0, "")}


def test_smtp_down_keeps_everything_queued_then_delivers_each_once(world, smtp, klocka, kor):
    skapa_mote(world)
    smtp.stop()
    klocka.satt(KALLELSETID)
    kor()
    rader = utskick()
    assert len(rader) == len(KALLADE)
    assert {(r.status, r.forsok) for r in rader} == {(UtskickStatus.KOAD, 1)}
    assert {r.senaste_fel for r in rader} == {"Det gick inte att ansluta till e-postservern."}
    assert {r.nasta_forsok for r in rader} == {klocka.nu + dt.timedelta(minutes=1)}

    smtp.start()
    kor()  # not due yet: waits for its backoff
    assert smtp.mottagna == []

    klocka.fram(minutes=1)
    assert kor()["skickade"] == len(KALLADE)
    kor()
    assert sorted(a for m in smtp.mottagna for a in m.rcpt_tos) == sorted(epost(world, KALLADE))
    assert sorted(m.message_id for m in smtp.mottagna) == sorted(r.message_id for r in utskick())
    assert {(r.status, r.senaste_fel) for r in utskick()} == {(UtskickStatus.SKICKAD, "")}


def test_backoff_grows_and_gives_up_after_the_last_attempt(world, smtp, klocka, kor, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "UTSKICK_MAX_FORSOK", 4)
    skapa_mote(world)
    smtp.stop()
    klocka.satt(KALLELSETID)
    vantan = []
    for _ in range(3):
        kor()
        (rad, *_) = utskick()
        vantan.append(rad.nasta_forsok - klocka.nu)
        klocka.nu = rad.nasta_forsok
    assert vantan == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    kor()
    assert {(r.status, r.forsok) for r in utskick()} == {(UtskickStatus.MISSLYCKAD, 4)}

    # The projektledare puts a failed message back in the queue once the server is back.
    smtp.start()
    services.forsok_igen(world.users["projektledare"], utskick()[0].id)
    kor()
    assert [m.rcpt_tos for m in smtp.mottagna] == [[utskick()[0].epost]]
    assert services.vantetid(12) == dt.timedelta(minutes=60)


def test_a_refused_recipient_fails_with_a_reason_and_the_others_arrive(world, smtp, klocka, kor):
    avvisad = world.users["ledamot_fk"].epost
    smtp.handler.avvisa.add(avvisad)
    skapa_mote(world)
    klocka.satt(KALLELSETID)
    antal = kor()
    assert (antal["skickade"], antal["misslyckade"]) == (len(KALLADE) - 1, 1)
    (fel,) = [r for r in utskick() if r.epost == avvisad]
    assert fel.status == UtskickStatus.MISSLYCKAD
    assert fel.senaste_fel == "E-postservern tog inte emot mottagarens adress (SMTP 550)."
    assert avvisad not in fel.senaste_fel
    assert avvisad not in {a for m in smtp.mottagna for a in m.rcpt_tos}


def test_a_stale_claim_is_taken_over_and_a_live_one_is_left_alone(world, smtp, klocka, kor):
    skapa_mote(world)
    klocka.satt(KALLELSETID)
    kor(bara="planera")
    dod, levande, *_ = utskick()
    dod.status = levande.status = UtskickStatus.SKICKAR
    dod.hamtad_av, dod.hamtad = "dog:1:aaaaaa", klocka.nu - dt.timedelta(minutes=11)
    levande.hamtad_av, levande.hamtad = "lever:2:bbbbbb", klocka.nu - dt.timedelta(minutes=1)
    kor()
    assert (dod.status, dod.forsok) == (UtskickStatus.SKICKAD, 1)
    assert levande.status == UtskickStatus.SKICKAR
    assert levande.epost not in {a for m in smtp.mottagna for a in m.rcpt_tos}
    assert len(smtp.mottagna) == len(KALLADE) - 1


def test_reminders_arrive_as_plain_mail_without_a_calendar(world, smtp, klocka, kor):
    skapa_mote(world)
    klocka.satt(dt.datetime(2026, 11, 30, 9, 0))
    kor()
    assert len(smtp.mottagna) == len(KALLADE) - 1
    msg = smtp.mottagna[0].meddelande
    assert msg["Subject"].startswith("Påminnelse: anmäl ärenden till Trisam Testby 2026-12-08 13:00")
    assert list(msg.iter_attachments()) == []
    assert {r.typ for r in utskick()} == {UtskickTyp.PAMINNELSE}


def test_free_text_stays_on_its_line_and_never_becomes_the_link(world, smtp, klocka, kor):
    world.team.namn = "Trisam\nTestby"
    skapa_mote(world, plats="Rum 3\nhttps://falsk.example.org/logga-in")
    klocka.satt(KALLELSETID)
    kor()
    msg = smtp.mottagna[0].meddelande
    assert msg["Subject"] == "Kallelse: Trisam Testby 2026-12-08 13:00"
    assert "Plats: Rum 3 https://falsk.example.org/logga-in" in msg.get_body(("plain",)).get_content()
    assert 'href="https://falsk.example.org' not in msg.get_body(("html",)).get_content()
