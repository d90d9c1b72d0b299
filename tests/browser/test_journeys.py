"""Journeys through the app as a person makes them, with a screenshot of each step
(test-artefakter/test_journeys.py--<test>--<step>.png).

A new journey: log in with ``page_as(email)`` (or ``helpers.logga_in`` to show the login
itself), move by what a person sees (``get_by_role``, ``get_by_label``), check what
changed, and call ``skarmbild(page, "step")`` at each step worth seeing. Journeys run
against the same live server: a journey that changes data should use ärenden or
meetings no other test relies on (or create its own through the UI).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import PROJEKTLEDARE


def test_projektledare_filters_the_list_opens_a_case_reads_its_history_and_logs_out(page, base_url, skarmbild):
    helpers.logga_in(page, base_url, PROJEKTLEDARE)
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    skarmbild(page, "1-inloggad")

    huvudmeny = page.get_by_role("navigation", name="Huvudmeny")
    huvudmeny.get_by_role("link", name="Alla ärenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärenden")
    expect(huvudmeny.get_by_role("link", name="Alla ärenden")).to_have_attribute("aria-current", "page")

    page.get_by_role("navigation", name="Filtrera på status").get_by_role("link", name="I insats").click()
    expect(page).to_have_url(re.compile(r"status=i_insats"))
    tabell = page.get_by_role("table")
    expect(tabell.get_by_role("caption")).to_contain_text("i insats")
    statusar = tabell.locator("tbody .status").all_inner_texts()
    assert statusar and set(statusar) == {"I insats"}, statusar
    skarmbild(page, "2-lista-i-insats")

    lank = tabell.locator("tbody a").first
    referens = lank.inner_text()
    lank.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(referens)
    expect(page).to_have_title(re.compile(referens))
    tidslinje = page.get_by_role("region", name="Tidslinje")
    expect(tidslinje.get_by_role("listitem").first).to_contain_text("Aktualisera")
    assert tidslinje.get_by_role("listitem").count() >= 3
    skarmbild(page, "3-arende-med-historik")

    helpers.logga_ut(page)
    expect(page).to_have_url(re.compile(r"/logga-in"))
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    skarmbild(page, "4-utloggad")
    # The session is over: the list now asks for a login.
    page.goto("/arenden/?status=i_insats")
    expect(page).to_have_url(re.compile(r"/logga-in"))
