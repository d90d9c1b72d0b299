"""The meeting itself, in a real browser: the projektledare opens meeting mode for the demo
team's next meeting (two follow-ups, then two new ärenden), records attendance with the
keyboard, records one follow-up with a stegförflyttning, marks the other as not reached
(it reappears in the inbox), and plans the two new ärenden — one to the samcoach, one to
AMI — then sees the samcoach's caseload. Screenshots in test-artefakter/.

This journey changes the next meeting's four agenda items (their outcomes are recorded);
the pages other tests visit for that meeting stay reachable.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser import helpers
from tests.browser.helpers import PROJEKTLEDARE

FOLJ_UPP = (dt.date.today() + dt.timedelta(days=63)).isoformat()
KLAR = (dt.date.today() + dt.timedelta(days=21)).isoformat()


def _fokus(page: Page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id, cls: document.activeElement.className,"
                         " tag: document.activeElement.tagName})")


def _punkt(page: Page, nr: int):
    return page.get_by_role("region", name=re.compile(rf"^Punkt {nr} av 4: "))


def _handlingsplan(punkt, beskrivning: str, part: str, ansvarig: str) -> None:
    atgard = punkt.get_by_role("group", name="Åtgärd 1")
    atgard.get_by_label("Beskrivning").fill(beskrivning)
    atgard.get_by_label("Part").select_option(label=part)
    atgard.get_by_label("Ansvarig").fill(ansvarig)
    atgard.get_by_label("Klar senast").fill(KLAR)


def test_projektledare_runs_the_meeting_in_meeting_mode(page_as, skarmbild):
    page = page_as(PROJEKTLEDARE)
    page.goto("/")  # a reused login starts on a blank page
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Möten").click()
    page.get_by_role("table").first.locator("tbody a").first.click()
    page.get_by_role("link", name="Öppna mötesläge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mötesläge")
    skarmbild(page, "1-moteslage")
    helpers.assert_axe(page, "mötesläge")

    # Attendance: the keyboard moves through each party's radio group.
    forsta = page.get_by_role("group", name="Arbetsförmedlingen Exempelbygd")
    forsta.get_by_label("Närvarande").focus()
    page.keyboard.press("Space")
    for grupp in page.locator("#narvaro fieldset").all()[1:]:
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
    expect(page.get_by_role("navigation", name="Dagordning")).to_contain_text("Närvaro – registrerad")

    # Item 1, a follow-up: the stegförflyttning and continued praktik.
    punkt = _punkt(page, 1)
    referens1 = re.search(r"EXB-\d{4}-\d{3}", punkt.get_by_role("heading").first.inner_text()).group(0)
    expect(punkt.get_by_role("heading").first).to_contain_text("(Uppföljning)")
    punkt.get_by_role("radio", name="Annan insats").check()
    punkt.get_by_role("combobox", name="Insats", exact=True).select_option(label="Praktik")
    punkt.get_by_label("Följ upp den").fill(FOLJ_UPP)
    _handlingsplan(punkt, "Utöka praktiken till tre dagar i veckan", "Arbetsförmedlingen Exempelbygd",
                   "Handläggare AF")
    punkt.get_by_label("Steg på stegen").select_option(index=4)
    punkt.get_by_label("Sysselsättningsgrad (procent)").fill("40")
    punkt.get_by_label("ORS-poäng").fill("27")
    skarmbild(page, "2-uppfoljning-ifylld")
    punkt.get_by_label("ORS-poäng").press("Enter")  # submits the item's form
    expect(page).to_have_url(re.compile(r"#punkt-\d+$"))
    andra_id = page.url.rsplit("#punkt-", 1)[1]
    assert _fokus(page)["id"] == f"punkt-{andra_id}"  # the next item has focus: Tab goes on from there
    expect(_punkt(page, 2)).to_have_attribute("id", f"punkt-{andra_id}")
    expect(_punkt(page, 1)).to_contain_text("Annan insats: Praktik")

    # Item 2, not reached: back to the inbox.
    punkt = _punkt(page, 2)
    referens2 = re.search(r"EXB-\d{4}-\d{3}", punkt.get_by_role("heading").first.inner_text()).group(0)
    punkt.get_by_role("radio", name="Hanns inte – bordläggs till nästa möte").check()
    punkt.get_by_role("button", name=re.compile("^Spara punkt 2")).press("Enter")
    expect(_punkt(page, 2)).to_contain_text("Hanns inte")

    # Item 3, new: to the samcoach — first without a follow-up date, which is refused.
    punkt = _punkt(page, 3)
    expect(punkt.get_by_role("heading").first).to_contain_text("(Ny)")
    referens3 = re.search(r"EXB-\d{4}-\d{3}", punkt.get_by_role("heading").first.inner_text()).group(0)
    punkt.get_by_role("radio", name="Samcoach", exact=True).check()
    _handlingsplan(punkt, "Första samtal med samcoach", "Exempelby kommun, Arbetsmarknadsenheten", "Samcoach")
    punkt.get_by_role("button", name=re.compile("^Spara punkt 3")).click()
    punkt = _punkt(page, 3)
    fel = punkt.locator(".felsammanfattning")
    expect(fel).to_contain_text("Ange när teamet ska följa upp ärendet")
    assert "felsammanfattning" in _fokus(page)["cls"]  # the errors get focus
    falt = punkt.get_by_label("Följ upp den")
    expect(falt).to_have_attribute("aria-invalid", "true")
    expect(punkt.get_by_role("group", name="Åtgärd 1").get_by_label("Beskrivning")).to_have_value(
        "Första samtal med samcoach")
    skarmbild(page, "3-fel-vid-faltet")
    helpers.assert_axe(page, "mötesläge med fel")
    falt.fill(FOLJ_UPP)
    punkt.get_by_role("radio", name="Samcoach", exact=True).check()
    falt.press("Enter")
    expect(_punkt(page, 3).get_by_role("definition").first).to_have_text("Samcoach")

    # Item 4, new: AMI sysselsättning.
    punkt = _punkt(page, 4)
    referens4 = re.search(r"EXB-\d{4}-\d{3}", punkt.get_by_role("heading").first.inner_text()).group(0)
    punkt.get_by_role("radio", name="Annan insats").check()
    punkt.get_by_role("combobox", name="Insats", exact=True).select_option(label="AMI sysselsättning")
    punkt.get_by_label("Följ upp den").fill(FOLJ_UPP)
    _handlingsplan(punkt, "Start i AMI:s verkstad", "Exempelby kommun, Arbetsmarknadsenheten", "Handledare AMI")
    punkt.get_by_label("Följ upp den").press("Enter")
    expect(page).to_have_url(re.compile(r"#dagordning-rubrik$"))
    expect(_punkt(page, 4)).to_contain_text("Annan insats: AMI sysselsättning")
    agenda = page.get_by_role("navigation", name="Dagordning")
    expect(agenda).not_to_contain_text("Inte behandlad")
    skarmbild(page, "4-alla-punkter-behandlade")

    # The caseload: the new ärende with the samcoach; reference codes only.
    page.get_by_role("link", name="Samcoach: kaseload och kö").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samcoach: kaseload och kö")
    expect(page.get_by_role("table").first).to_contain_text(referens3)
    skarmbild(page, "5-kaseload")

    # Not reached: back in the inbox, marked as carried over.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inkorg").click()
    rad = page.get_by_role("row").filter(has_text=referens2)
    expect(rad).to_contain_text(re.compile("överförd", re.IGNORECASE))
    for annan in (referens1, referens3, referens4):
        expect(page.get_by_role("row").filter(has_text=annan)).to_have_count(0)
    skarmbild(page, "6-inkorgen")
