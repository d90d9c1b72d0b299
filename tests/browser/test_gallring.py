"""The förbund admin's gallring page in a real browser: the period is changed, the dry run
lists what the night would anonymise, and "Gallra nu" without the confirmation is refused
with the error summary in focus. The shared demo data is never gallrat here (other
browser tests read it): running it is tested over HTTP in tests/gallring."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import ADMIN


def _spara_frist(page, manader: str) -> None:
    page.get_by_label("Gallringsfrist i månader efter avslut").fill(manader)
    page.get_by_role("button", name="Spara gallringsfrist").click()


def test_admin_sees_what_the_night_would_gallra_and_must_confirm(page, base_url, skarmbild):
    helpers.logga_in(page, base_url, ADMIN)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Gallring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gallring")
    expect(page.get_by_text("Inga ärenden har passerat gallringsfristen.")).to_be_visible()  # 36 months, a year of data

    try:
        _spara_frist(page, "0")
        expect(page.get_by_role("alert").filter(has_text="Formuläret innehåller fel")).to_be_focused()
        expect(page.get_by_label("Gallringsfrist i månader efter avslut")).to_have_attribute("aria-invalid", "true")

        _spara_frist(page, "3")
        expect(page.get_by_role("status")).to_contain_text("Gallringsfristen är 3 månader efter avslut.")
        lista = page.get_by_role("region", name="Att gallra nu")
        expect(lista).to_contain_text(re.compile(r"\d+ ärenden? har passerat gallringsfristen"))
        assert lista.get_by_role("listitem").count() > 0
        helpers.assert_axe(page, "gallring med lista")
        skarmbild(page, "lista")

        page.get_by_role("button", name="Gallra nu").click()
        expect(page.get_by_role("alert").filter(has_text="Formuläret innehåller fel")).to_be_focused()
        expect(page.get_by_text("Bekräfta att du förstår att gallringen inte kan ångras.").first).to_be_visible()
        assert page.get_by_role("region", name="Att gallra nu").get_by_role("listitem").count() > 0  # nothing gallrat
        skarmbild(page, "bekrafta")
    finally:
        _spara_frist(page, "36")
        expect(page.get_by_role("status")).to_contain_text("Gallringsfristen är 36 månader efter avslut.")
