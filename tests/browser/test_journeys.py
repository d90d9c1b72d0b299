"""Journeys through the app as a person makes them, with a screenshot of each step
(test-artefakter/test_journeys.py--<test>--<step>.png).

A new journey: log in with ``page_as(email)`` (or ``helpers.logga_in`` to show the login
itself), move by what a person sees (``get_by_role``, ``get_by_label``), check what
changed, and call ``skarmbild(page, "step")`` at each step worth seeing. Journeys run
against the same live server: a journey that changes data should use ärenden or
meetings no other test relies on (or create its own through the UI).
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from samverkan.core.db import db
from samverkan.kallelser import services as kallelse_services
from samverkan.kallelser.models import UtskickTyp
from samverkan.moten.models import Mote
from tests import factories
from tests.browser import helpers
from tests.browser.helpers import HANDLAGGARE, PROJEKTLEDARE


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


def test_handlaggare_aktualiserar_an_arende_and_finds_it_among_their_own(page_as, skarmbild):
    page = page_as(HANDLAGGARE)
    page.goto("/")
    # A handläggare starts on their own ärenden.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina ärenden")
    expect(page).to_have_title("Mina ärenden – Samverkan")
    skarmbild(page, "1-mina-arenden", readme="start-handlaggare.png")

    # Is the person already known to the team? Search by personnummer first.
    personnummer = factories.personnummer(dt.date(1988, 4, 12))
    page.goto("/arenden/sok")
    page.get_by_label("Referens eller personnummer").fill(personnummer)
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_role("region", name="Resultat")).to_contain_text("Inga ärenden")
    skarmbild(page, "2-ingen-traff")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Aktualisera ärende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktualisera ärende")
    formular = page.locator("form.aktualisering")
    deltagare = formular.get_by_role("group", name="Deltagare")
    deltagare.get_by_role("textbox", name="Personnummer eller samordningsnummer").fill(personnummer)
    deltagare.get_by_role("radio", name="Kvinna").check()
    samtycke = formular.get_by_role("group", name="Samtycke")
    parter = samtycke.get_by_role("group", name="Parter som samtycket omfattar").get_by_role("checkbox")
    assert parter.count() >= 2
    for i in range(parter.count()):
        parter.nth(i).check()
    idag = dt.date.today()
    samtycke.get_by_label("Samtycket givet den").fill((idag - dt.timedelta(days=3)).isoformat())
    samtycke.get_by_label("Samtycket gäller till och med").fill((idag + dt.timedelta(days=365)).isoformat())
    samtycke.get_by_label("Dokumentreferens").fill("Akt 2026-117")
    formular.get_by_label("Frågeställning").fill(
        "Hur kan parterna tillsammans stödja deltagaren mot arbetsträning under våren?")
    skarmbild(page, "3-ifyllt", readme="aktualisering.png")

    with page.expect_navigation():
        formular.get_by_role("button", name="Skicka till teamet").click()
    expect(page.get_by_role("status")).to_be_visible()
    rubrik = page.get_by_role("heading", level=1).inner_text()
    referens = re.search(r"[A-ZÅÄÖ]+-\d{4}-\d+", rubrik)
    assert referens, f"ärendesidan ska visa referensen i rubriken: {rubrik!r}"
    expect(page.locator("main .status").first).to_contain_text("Aktualiserad")
    skarmbild(page, "4-arendet", readme="arende.png")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mina ärenden").click()
    rad = page.get_by_role("row").filter(has=page.get_by_role("link", name=referens.group(0), exact=True))
    expect(rad).to_have_count(1)
    expect(rad.locator(".status")).to_have_text("Aktualiserad")
    skarmbild(page, "5-bland-mina-arenden")


def _kallelsen_faller_ut(live_app, mote_id: int) -> None:
    """What the scheduler does when the kallelse falls due (a week before the meeting)."""
    with live_app.app_context():
        try:
            mote = db.session.get(Mote, mote_id)
            kallelse_services.skriv(UtskickTyp.KALLELSE, mote_id, mote.kallelse_planerad)
            db.session.commit()
        finally:
            db.session.remove()


def test_projektledare_builds_the_agenda_and_sees_the_kallelse_queued(live_app, page_as, skarmbild):
    page = page_as(PROJEKTLEDARE)
    page.goto("/")
    # The projektledare starts on the overview: the next meeting and the inbox.
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    nasta = page.get_by_role("region", name="Nästa möte", exact=True)
    expect(nasta.get_by_text("Kallelse")).not_to_have_count(0)
    expect(page.get_by_role("region", name="Inkorg", exact=True).get_by_role("table")).to_be_visible()
    skarmbild(page, "1-oversikt", readme="start-projektledare.png")

    # The meeting furthest ahead, so the agendas other tests look at stay as they are.
    nasta.get_by_role("link", name=re.compile("Öppna mötesplanen|Öppna mötet")).first.click()
    if page.get_by_role("heading", level=1).inner_text().startswith("Möte "):
        page.get_by_role("link", name=re.compile("^Alla möten för")).click()
    kommande = page.get_by_role("region", name="Kommande möten").get_by_role("row")
    kommande.last.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Möte")
    mote_id = int(re.search(r"/moten/(\d+)", page.url).group(1))
    expect(page.get_by_role("region", name="Dagordning", exact=True)).to_contain_text("Dagordningen är tom.")

    inkorg = page.get_by_role("region", name="Att lägga på dagordningen")
    valda = []
    for _ in range(2):
        knapp = inkorg.get_by_role("button", name=re.compile("^Lägg till")).first
        valda.append(knapp.inner_text().removeprefix("Lägg till").strip())
        with page.expect_navigation():
            knapp.click()
    dagordning = page.get_by_role("region", name="Dagordning", exact=True)
    tabell = dagordning.get_by_role("table")
    expect(tabell.get_by_role("caption")).to_contain_text("2 av")
    for referens in valda:
        expect(tabell.get_by_role("link", name=referens, exact=True)).to_be_visible()
    skarmbild(page, "2-dagordning", readme="dagordning.png")

    utskick = page.get_by_role("region", name="Kallelse och utskick")
    expect(utskick).to_contain_text("Köad, skickas")

    _kallelsen_faller_ut(live_app, mote_id)
    page.reload()
    utskick = page.get_by_role("region", name="Kallelse och utskick")
    rader = utskick.get_by_role("table").locator("tbody tr")
    assert rader.count() >= 1
    kallelser = rader.filter(has_text="Kallelse")
    expect(kallelser.first.locator(".status")).to_have_text("Köad")
    assert kallelser.count() == rader.count(), "bara kallelser ska ligga i utkorgen för mötet"
    utskick.scroll_into_view_if_needed()
    skarmbild(page, "3-kallelse-i-utkorgen", readme="utkorg.png")
