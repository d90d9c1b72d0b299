"""The calendar attachment of a kallelse: one VEVENT per meeting, as iCalendar (RFC 5545/5546).

Calendar programs recognise an update by the meeting's stable ``UID`` and a higher
``SEQUENCE`` (``Mote.sekvens``, bumped by the meeting service on every change of time,
place or status), so a supplementary kallelse replaces the event instead of adding a
second one, and ``METHOD:CANCEL`` removes it. Times carry ``TZID=Europe/Stockholm`` with a
matching ``VTIMEZONE``; ``DTSTAMP`` is UTC. Nothing personal goes in: the summary is the
team and the kind of meeting, the rest is place, link and the meeting page.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vCalAddress

from samverkan.core.clock import STOCKHOLM
from samverkan.moten.models import Mote, MotesTyp

REQUEST = "REQUEST"
CANCEL = "CANCEL"

MOTESTYP_TEXT = {
    MotesTyp.ARENDEDRAGNING: "ärendedragning",
    MotesTyp.PLANERING: "planeringsmöte",
}


def sammanfattning(mote: Mote) -> str:
    return f"{mote.team.namn}: {MOTESTYP_TEXT[mote.typ]}"


def plats(mote: Mote) -> str:
    return ", ".join(p for p in (mote.plats.strip(), mote.videolank.strip()) if p)


def bygg(mote: Mote, *, metod: str, nu: dt.datetime, organisator: str, mottagare: str, url: str) -> str:
    """The .ics text for one recipient (the recipient is the event's only ATTENDEE, so
    calendar programs treat it as an invitation to them)."""
    start = mote.starttid.astimezone(STOCKHOLM)
    slut = start + dt.timedelta(minutes=mote.langd_minuter)

    event = Event()
    event.add("uid", mote.uid)
    event.add("sequence", mote.sekvens)
    event.add("dtstamp", nu.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", slut)
    event.add("summary", sammanfattning(mote))
    if plats(mote):
        event.add("location", plats(mote))
    event.add("url", url)
    event.add("description", f"Dagordning och underlag på mötessidan (inloggning krävs): {url}")
    event.add("status", "CANCELLED" if metod == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{organisator}")
    organizer.params["CN"] = "Samverkan"
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{mottagare}")
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["RSVP"] = "FALSE"
    event.add("attendee", attendee)

    cal = Calendar()
    cal.add("prodid", "-//Samverkan//Kallelser//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", metod)
    cal.add_component(event)
    # A VTIMEZONE covering a year either side keeps the file small but valid for any
    # later move of the meeting that a client might compute from it.
    cal.add_missing_timezones(first_date=start.date() - dt.timedelta(days=366),
                              last_date=start.date() + dt.timedelta(days=366))
    return cal.to_ical().decode("utf-8")
