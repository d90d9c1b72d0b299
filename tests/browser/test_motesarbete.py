"""A whole meeting in a real browser, from the agenda to the justerat protokoll.

The module's fixture books, through the app's own services, a meeting of the demo team
that started an hour ago (``skapa_mote`` refuses the past, so the app's clock is set back
while it is created and booked, as the demo data does) with four items: two new ärenden,
one follow-up of an ärende already samplanerat and in uppföljning, and one new ärende that
will not be reached. The projektledare then, keyboard where practical, opens meeting mode
from the meeting page, records attendance, plans the new ärenden (samcoach, AMI), records
the follow-up with a stegförflyttning, marks the last item not reached, finds it carried
over in the inbox, and approves the protokoll (reference codes and decisions, no
identifiers), which is then locked. Screenshots in test-artefakter/.

Other browser tests do not see this meeting before the fixture runs; after the test it
is justerat, so test_protokoll's "latest held meeting not yet justerat" is still a demo one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare import services as deltagare_services
from samverkan.forbund.models import Team
from samverkan.moten import dagordning, redigering, tider
from tests import factories
from tests.browser import helpers, sidor
from tests.browser.helpers import HANDLAGGARE, PROJEKTLEDARE
from workflows import arende as wf

PLATS = "Kommunhuset i Exempelby, rum Ekbacken"
FOLJ_UPP = (dt.date.today() + dt.timedelta(days=63)).isoformat()
KLAR = (dt.date.today() + dt.timedelta(days=21)).isoformat()


@dataclass(frozen=True)
class Motet:
    """The booked meeting: its id, start (local "HH:MM") and the ärenden in agenda order."""

    id: int
    klockan: str
    referenser: list[str]  # new (samcoach), new (AMI), follow-up, new (not reached)
    uppfoljning_id: int  # the follow-up's ärende
    personnummer: list[str]  # of the ärenden the fixture created
    handlaggare: str  # the handläggare's name, which the protokoll must not show


def _nytt_arende(handlaggare, team: Team) -> tuple[Arende, str]:
    """A new ärende of the demo team in the inbox (aktualiserad), consent for all parties;
    with its (generated, fictional) personnummer."""
    nummer = factories.personnummer()
    arende = arende_services.create_utkast(handlaggare, team_id=team.id, kon="man", personnummer=nummer,
                                           fragestallning="<p>Hur kan parterna samordna stödet mot arbete?</p>")
    idag = clock.today()
    deltagare_services.register_samtycke(
        arende.id, user_id=handlaggare.id, forbund_id=team.forbund_id, givet_den=idag - dt.timedelta(days=7),
        giltigt_till=idag + dt.timedelta(days=365), satt="underskrivet",
        part_ids=[p.id for p in team.forbund.parter])
    db.session.refresh(arende)
    arende_services.fire(handlaggare, arende.id, "aktualisera", version=arende.version, datum=idag)
    return arende, nummer


def _boka_motet() -> Motet:
    pl, handlaggare = sidor._user(PROJEKTLEDARE), sidor._user(HANDLAGGARE)
    team = db.session.get(Team, sidor._team())
    # An hour ago, whole minutes, but today (Europe/Stockholm) even just after midnight.
    lokal = clock.local(clock.now()).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    idag = clock.today()
    if lokal.date() != idag:
        lokal = lokal.replace(year=idag.year, month=idag.month, day=idag.day, hour=0, minute=0)
    starttid = tider.lokal_starttid(idag, lokal.time())
    # The follow-up: the demo team's oldest ärende already samplanerat and due for uppföljning.
    uppfoljning = db.session.execute(
        select(Arende).where(Arende.team_id == team.id, Arende.status == wf.UPPFOLJNING).order_by(Arende.id)
    ).scalars().first()
    assert uppfoljning is not None, "the demo has no ärende in uppföljning"
    tidigare = clock._now
    clock.set_clock(lambda: starttid - dt.timedelta(minutes=10))  # the agenda is set before the meeting
    try:
        mote = redigering.skapa_mote(pl, team.id, datum=idag, klockslag=lokal.time(), langd_minuter=120,
                                        plats=PLATS)
        nya, nummer = zip(*(_nytt_arende(handlaggare, team) for _ in range(3)), strict=True)
        ordning = [nya[0], nya[1], uppfoljning, nya[2]]
        for arende in ordning:
            dagordning.lagg_till(pl, mote.id, arende.id)
        db.session.commit()
    finally:
        clock.set_clock(tidigare)
    return Motet(id=mote.id, klockan=lokal.strftime("%H:%M"), referenser=[a.referens for a in ordning],
                 uppfoljning_id=uppfoljning.id,
                 personnummer=list(nummer), handlaggare=handlaggare.namn)


@pytest.fixture(scope="module")
def motet(live_app) -> Iterator[Motet]:
    with live_app.app_context():
        try:
            motet = _boka_motet()
        finally:
            db.session.remove()
    # The meeting's day does not end while the test runs: a run that crossed Stockholm's
    # midnight found the meeting moved to the calendar's earlier meetings (and today's
    # measurement dated yesterday). The clock runs as ever until the day's last second.
    tidigare = clock._now
    dagens_slut = dt.datetime.combine(clock.today(), dt.time(23, 59, 59), tzinfo=clock.STOCKHOLM).astimezone(dt.UTC)
    clock.set_clock(lambda: min(tidigare(), dagens_slut))
    try:
        yield motet
    finally:
        clock.set_clock(tidigare)


def _punkt(page: Page, nr: int):
    return page.get_by_role("region", name=re.compile(rf"^Punkt {nr} av 4: "))


def _handlingsplan(punkt, beskrivning: str, part: str, ansvarig: str) -> None:
    atgard = punkt.get_by_role("group", name="Åtgärd 1")
    atgard.get_by_label("Beskrivning").fill(beskrivning)
    atgard.get_by_label("Part").select_option(label=part)
    atgard.get_by_label("Ansvarig").fill(ansvarig)
    atgard.get_by_label("Klar senast").fill(KLAR)


def _till_motet(page: Page) -> None:
    """From the main menu to the meeting's page, by its row in the team's calendar."""
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Möten").click()
    page.get_by_role("row").filter(has_text=PLATS).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_projektledare_runs_a_whole_meeting_and_justerar_the_protokoll(page_as, motet, skarmbild):
    ny_samcoach, ny_ami, uppfoljning, ej_hunnen = motet.referenser
    page = page_as(PROJEKTLEDARE)
    page.goto("/")  # a reused login starts on a blank page
    _till_motet(page)
    expect(page.get_by_role("row").filter(has_text=ny_samcoach)).to_have_count(1)
    page.get_by_role("link", name="Öppna mötesläge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mötesläge")
    agenda = page.get_by_role("navigation", name="Dagordning")
    for nr, referens in enumerate(motet.referenser, start=1):
        expect(agenda).to_contain_text(f"Punkt {nr}: {referens}")
    skarmbild(page, "1-moteslage")
    helpers.assert_axe(page, "mötesläge")

    # Attendance: the keyboard moves through each party's radio group.
    for grupp in page.locator("#narvaro fieldset").all():
        grupp.get_by_role("radio").first.focus()
        page.keyboard.press("Space")
    fk = page.get_by_role("group", name="Försäkringskassan Exempelbygd")
    fk.get_by_label("Närvarande").focus()
    page.keyboard.press("ArrowDown")  # the next option in the group: per telefon
    expect(fk.get_by_label("Per telefon")).to_be_checked()
    page.get_by_role("button", name="Spara närvaro").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Närvaron är sparad")
    expect(page).to_have_url(re.compile(r"#dagordning-rubrik$"))
    expect(agenda).to_contain_text("Närvaro – registrerad")

    # Item 1, new: to the samcoach — first without a follow-up date, which is refused.
    punkt = _punkt(page, 1)
    expect(punkt.get_by_role("heading").first).to_contain_text(f"{ny_samcoach} (Ny)")
    punkt.get_by_role("radio", name="Samcoach", exact=True).check()
    _handlingsplan(punkt, "Första samtal med samcoach", "Exempelby kommun, Arbetsmarknadsenheten", "Samcoach")
    punkt.get_by_role("button", name=re.compile("^Spara punkt 1")).focus()
    page.keyboard.press("Enter")
    punkt = _punkt(page, 1)
    expect(punkt.locator(".felsammanfattning")).to_contain_text("Ange när teamet ska följa upp ärendet")
    # The errors get focus. The page script moves it after load: expect waits for it.
    expect(punkt.locator(".felsammanfattning")).to_be_focused()
    falt = punkt.get_by_label("Följ upp den")
    expect(falt).to_have_attribute("aria-invalid", "true")
    expect(punkt.get_by_role("group", name="Åtgärd 1").get_by_label("Beskrivning")).to_have_value(
        "Första samtal med samcoach")
    skarmbild(page, "2-fel-vid-faltet")
    helpers.assert_axe(page, "mötesläge med fel")
    falt.fill(FOLJ_UPP)
    punkt.get_by_role("radio", name="Samcoach", exact=True).check()
    falt.press("Enter")  # submits the item's form
    expect(page).to_have_url(re.compile(r"#punkt-\d+$"))
    andra_id = page.url.rsplit("#punkt-", 1)[1]
    # The next item gets focus (Tab goes on from there), moved by the script after load.
    expect(page.locator(f"#punkt-{andra_id}")).to_be_focused()
    expect(_punkt(page, 2)).to_have_attribute("id", f"punkt-{andra_id}")
    expect(_punkt(page, 1).get_by_role("definition").first).to_have_text("Samcoach")

    # Item 2, new: AMI sysselsättning.
    punkt = _punkt(page, 2)
    expect(punkt.get_by_role("heading").first).to_contain_text(f"{ny_ami} (Ny)")
    punkt.get_by_role("radio", name="Annan insats").check()
    punkt.get_by_role("combobox", name="Insats", exact=True).select_option(label="AMI sysselsättning")
    punkt.get_by_label("Följ upp den").fill(FOLJ_UPP)
    _handlingsplan(punkt, "Start i AMI:s verkstad", "Exempelby kommun, Arbetsmarknadsenheten", "Handledare AMI")
    punkt.get_by_label("Följ upp den").press("Enter")
    expect(_punkt(page, 2)).to_contain_text("Annan insats: AMI sysselsättning")

    # Item 3, the follow-up: a stegförflyttning and continued praktik.
    punkt = _punkt(page, 3)
    expect(punkt.get_by_role("heading").first).to_contain_text(f"{uppfoljning} (Uppföljning)")
    punkt.get_by_role("radio", name="Annan insats").check()
    punkt.get_by_role("combobox", name="Insats", exact=True).select_option(label="Praktik")
    punkt.get_by_label("Följ upp den").fill(FOLJ_UPP)
    _handlingsplan(punkt, "Utöka praktiken till tre dagar i veckan", "Arbetsförmedlingen Exempelbygd",
                   "Handläggare AF")
    punkt.get_by_label("Steg på stegen").select_option(index=4)
    steg = punkt.get_by_label("Steg på stegen").locator("option").nth(4).inner_text().split(" – ")[0]
    punkt.get_by_label("Sysselsättningsgrad (procent)").fill("40")
    punkt.get_by_label("ORS-poäng").fill("27")
    skarmbild(page, "3-uppfoljning-ifylld")
    punkt.get_by_label("ORS-poäng").press("Enter")
    expect(_punkt(page, 3)).to_contain_text("Annan insats: Praktik")

    # Item 4, not reached: back to the inbox.
    punkt = _punkt(page, 4)
    expect(punkt.get_by_role("heading").first).to_contain_text(f"{ej_hunnen} (Ny)")
    punkt.get_by_role("radio", name="Hanns inte – bordläggs till nästa möte").check()
    punkt.get_by_role("button", name=re.compile("^Spara punkt 4")).press("Enter")
    expect(_punkt(page, 4)).to_contain_text("Hanns inte")
    expect(agenda).not_to_contain_text("Inte behandlad")
    skarmbild(page, "4-alla-punkter-behandlade")

    # The caseload: the new ärende with the samcoach; reference codes only.
    page.get_by_role("link", name="Samcoach: kaseload och kö").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samcoach: kaseload och kö")
    expect(page.get_by_role("table").first).to_contain_text(ny_samcoach)
    skarmbild(page, "5-kaseload")

    # The stegförflyttning on the follow-up's case page, in the progress table.
    page.goto(f"/arenden/{motet.uppfoljning_id}")
    matningar = page.get_by_role("table", name="Mätningar vid uppföljning")
    rad = matningar.get_by_role("row").filter(has_text=clock.today().isoformat())
    expect(rad).to_contain_text(steg)
    expect(rad).to_contain_text("40 %")
    expect(rad).to_contain_text("27")

    # Not reached: back in the inbox, marked as carried over; the others are not there.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inkorg").click()
    expect(page.get_by_role("row").filter(has_text=ej_hunnen)).to_contain_text(re.compile("överförd", re.IGNORECASE))
    for annan in (ny_samcoach, ny_ami, uppfoljning):
        expect(page.get_by_role("row").filter(has_text=annan)).to_have_count(0)
    skarmbild(page, "6-inkorgen")
    helpers.assert_axe(page, "inkorgen")

    # The protokoll: attendance, the four reference codes with their decisions, no identifiers.
    _till_motet(page)
    page.get_by_role("link", name="Protokoll för mötet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Protokoll")
    expect(page.get_by_text("Utkast, inte justerat")).to_be_visible()
    narvaro = page.get_by_role("table", name="Närvaro per part")
    expect(narvaro.get_by_role("row").filter(has_text="Försäkringskassan Exempelbygd")).to_contain_text("Per telefon")
    beslut = page.get_by_role("table", name="Beslut per punkt på dagordningen")
    expect(beslut.locator("tbody tr")).to_have_count(4)
    for referens, slag, text in ((ny_samcoach, "Nytt ärende", "Samcoach"),
                                 (ny_ami, "Nytt ärende", "Annan insats: AMI sysselsättning"),
                                 (uppfoljning, "Uppföljning", "Annan insats: Praktik"),
                                 (ej_hunnen, "Nytt ärende", "Ej hunnen (överförs till nästa möte)")):
        rad = beslut.get_by_role("row").filter(has_text=referens)
        expect(rad).to_contain_text(slag)
        expect(rad).to_contain_text(text)
    innehall = page.locator("article.protokoll").inner_text()
    assert motet.handlaggare not in innehall
    for nummer in motet.personnummer:
        siffror = re.sub(r"\D", "", nummer)
        assert siffror[-10:] not in re.sub(r"\D", "", innehall), "a personnummer in the protokoll"
    helpers.assert_axe(page, "protokoll (utkast)")
    skarmbild(page, "7-protokoll-utkast")

    # Justering, with the keyboard: the protokoll is locked.
    page.get_by_role("button", name="Justera protokollet").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Protokollet är justerat och låst")
    expect(page.get_by_text("Justerat", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Justera protokollet")).to_have_count(0)
    expect(page.get_by_role("region", name="Tillägg efter justering")).to_contain_text("Inga tillägg.")
    for referens in motet.referenser:
        expect(page.get_by_role("table", name="Beslut per punkt på dagordningen")).to_contain_text(referens)
    helpers.assert_axe(page, "protokoll (justerat)")
    skarmbild(page, "8-protokoll-justerat")

    # Meeting mode says so too: what was recorded is locked.
    page.get_by_role("link", name="Till mötet").click()
    page.get_by_role("link", name="Öppna mötesläge").click()
    expect(page.get_by_text("Protokollet är justerat. Det som registrerades är låst")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Spara punkt"))).to_have_count(0)
    skarmbild(page, "9-moteslage-last")
