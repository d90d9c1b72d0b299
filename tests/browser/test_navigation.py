"""The header's navigation by role: each user sees the links their roles use, every link
opens a page they may see, and the current page is marked with aria-current."""

from __future__ import annotations

import pytest

from tests.browser.helpers import ADMIN, HANDLAGGARE, PROJEKTLEDARE, SAMCOACH, STYRGRUPP

# Links each demo user must (and must not) see in the main menu. Pages still to be built
# appear once their endpoint exists; the lists name what exists now.
FORVANTAT = {
    PROJEKTLEDARE: ({"Översikt", "Mina ärenden", "Inkorg", "Alla ärenden", "Möten", "Kallelser",
                     "Aktualisera ärende", "Rapporter"}, {"Granskningslogg"}),
    HANDLAGGARE: ({"Mina ärenden", "Alla ärenden", "Möten", "Aktualisera ärende"},
                  {"Översikt", "Inkorg", "Kallelser", "Granskningslogg", "Rapporter", "Förbundet"}),
    SAMCOACH: ({"Mina ärenden", "Möten"}, {"Inkorg", "Kallelser", "Aktualisera ärende", "Granskningslogg", "Rapporter"}),
    ADMIN: ({"Förbundet", "Granskningslogg", "Rapporter"}, {"Inkorg", "Kallelser", "Aktualisera ärende", "Möten"}),
    STYRGRUPP: ({"Rapporter"}, {"Inkorg", "Kallelser", "Aktualisera ärende", "Möten", "Granskningslogg"}),
}


@pytest.mark.parametrize("epost", list(FORVANTAT))
def test_menu_by_role_every_link_opens_and_marks_the_current_page(epost, delad_sida, skarmbild):
    page = delad_sida(epost)
    page.goto("/konto/api-tokens")  # a page every role may open
    meny = page.get_by_role("navigation", name="Huvudmeny")
    lankar = {a.inner_text(): a.get_attribute("href") for a in meny.get_by_role("link").all()} \
        if meny.count() else {}
    ska, ska_inte = FORVANTAT[epost]
    assert ska <= set(lankar), f"{epost} saknar {ska - set(lankar)} i menyn: {sorted(lankar)}"
    assert not (ska_inte & set(lankar)), f"{epost} ska inte se {ska_inte & set(lankar)}"
    konto = page.get_by_role("navigation", name="Mitt konto")
    assert konto.get_by_role("link", name="API-tokens").get_attribute("aria-current") == "page"
    skarmbild(page, full_page=False)

    for text, href in lankar.items():
        response = page.goto(href)
        assert response.status == 200, f"{epost}: menylänken {text} ({href}) gav {response.status}"
        markerad = page.get_by_role("navigation", name="Huvudmeny").locator("a[aria-current]")
        assert markerad.count() == 1 and markerad.inner_text() == text, (
            f"{epost}: på {page.url} ska {text!r} vara markerad, är {markerad.all_inner_texts()}")
