"""The styrgrupp's way into the reports, and the projektledare's target settings, in a real
browser: the report renders with its charts, small numbers hidden, and passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import PROJEKTLEDARE, STYRGRUPP


def test_styrgrupp_opens_the_period_report(page, base_url, skarmbild):
    helpers.logga_in(page, base_url, STYRGRUPP)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    page.get_by_role("link", name="Nyckeltal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nyckeltal")
    expect(page.get_by_role("table")).to_contain_text("Pågående hos samcoach")
    skarmbild(page, "1-nyckeltal")

    page.get_by_role("link", name="Hela periodrapporten för samma urval").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Periodrapport")
    expect(page.get_by_text("Små tal är dolda.")).to_be_visible()
    insatser = page.get_by_role("region", name="Insatstyp efter kön")
    expect(insatser.get_by_role("img", name="Insatstyp efter kön")).to_be_visible()
    expect(insatser.get_by_role("table")).to_contain_text("Arbetslivsinriktad rehabilitering")
    celler = page.locator("td.typ-antal").all_inner_texts()
    assert celler and not {"1", "2"} & set(celler)
    helpers.assert_axe(page, "periodrapport")
    skarmbild(page, "2-periodrapport")

    period = page.get_by_label("Period", exact=True)
    period.select_option(period.locator("option", has_text="Kvartal").first.get_attribute("value"))
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kvartal")
    skarmbild(page, "3-kvartal")


def test_projektledare_sees_exact_figures_and_sets_a_target(page_as, skarmbild):
    page = page_as(PROJEKTLEDARE)
    page.goto("/rapporter/nyckeltal")
    expect(page.get_by_text("Du ser exakta tal för ditt eget team.")).to_be_visible()
    helpers.assert_axe(page, "nyckeltal med målformulär")
    falt = page.get_by_label("Pågående hos samcoach: mål")
    falt.fill("12")
    page.get_by_role("button", name="Spara målet för Pågående hos samcoach").click()
    expect(page.get_by_role("status")).to_contain_text("Målet är sparat.")
    expect(page.get_by_label("Pågående hos samcoach: mål")).to_have_value("12")
    skarmbild(page, "mal-sparat")
    page.goto("/rapporter/")
    page.get_by_role("link", name=re.compile("Uppföljning Finsam")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning Finsam")
    helpers.assert_axe(page, "uppföljning finsam")
