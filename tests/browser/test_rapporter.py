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


def test_styrgrupp_reads_the_year_report_with_hidden_cells_explained_and_downloads_the_same(page_as, skarmbild):
    """Issue 17: "<3" for one or two people, "–" for a cell hidden to protect one, both
    explained; the XLSX and the PDF the styrgrupp downloads say the same as the page."""
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from samverkan.core import clock
    from samverkan.rapporter.tabell import FOTNOT
    from tests.rapporter.test_sidor_och_export import _pdf_text

    # The demo's year is this year, so the styrgrupp can open it once it has ended.
    ar = dt.date.today().year
    clock.set_clock(lambda: dt.datetime(ar + 1, 1, 15, 10, 0, tzinfo=dt.UTC))
    try:
        page = page_as(STYRGRUPP)
        page.goto(f"/rapporter/period?team=alla&period={ar}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Helår {ar}")
        forklaring = page.locator("#om-dolda-tal")
        expect(forklaring).to_contain_text("<3")
        expect(forklaring).to_contain_text("–")
        dolda = page.locator("td.dold").all_inner_texts()
        assert "<3" in dolda and "–" in dolda, dolda
        assert set(dolda) <= {"<3", "–"}
        expect(page.locator("p.fotnot").first).to_have_text(FOTNOT)
        kon = page.get_by_role("region", name="Deltagare efter kön").get_by_role("table")
        sida = [[c.strip() for c in rad.locator("th, td").all_inner_texts()] for rad in kon.locator("tbody tr").all()]
        skarmbild(page, "helar-dolda")

        with page.expect_download() as nedladdning:
            page.get_by_role("link", name="Excel (alla tabeller)").click()
        with open(nedladdning.value.path(), "rb") as fil:
            wb = load_workbook(io.BytesIO(fil.read()))
        blad = [[("" if v is None else str(v)) for v in rad]
                for rad in wb["Deltagare efter kön"].iter_rows(min_row=5, max_row=4 + len(sida), values_only=True)]
        assert [r[:3] for r in blad] == sida
        texter = [str(c.value) for rad in wb["Deltagare efter kön"].iter_rows() for c in rad if c.value]
        assert FOTNOT in texter

        with page.expect_download() as nedladdning:
            page.get_by_role("link", name="PDF (kvartalsrapport)").click()
        with open(nedladdning.value.path(), "rb") as fil:
            pdf = _pdf_text(fil.read())
        assert "<3 = 1 eller 2 personer" in pdf
        # Each row of the page's table, cell by cell, in the PDF ("–" is "-" in its Latin-1 font).
        for rad in sida:
            for text in rad[1:]:
                assert f"({text.replace('–', '-')})" in pdf, (rad, text)
    finally:
        clock.set_clock(None)
