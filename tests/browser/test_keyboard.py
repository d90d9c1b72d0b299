"""Keyboard, layout and print: the skip link, Tab reaching every control with a visible
focus ring, form errors tied to their fields and given focus, no sideways scrolling on
a phone, and print without the navigation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from tests.browser import sidor
from tests.browser.helpers import HANDLAGGARE, LEDAMOT, PROJEKTLEDARE, assert_axe
from workflows import arende as wf

TELEFON = {"width": 375, "height": 812}

# Every element a keyboard user can reach with Tab, visible now (closed <details> hide
# theirs), one per radio group. Each gets data-tabb="<n>" so the Tab walk can name it.
_FOKUSERBARA = """() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const radiogrupper = new Set();
    const alla = [...document.querySelectorAll(sel)].filter(e => {
        if (e.disabled || e.tabIndex < 0 || (e.type || '') === 'hidden') return false;
        // checkVisibility: content of a closed <details> is skipped (content-visibility: hidden).
        if (!e.checkVisibility({visibilityProperty: true})) return false;
        if (e.type === 'radio' && e.name) {
            const grupp = [...document.getElementsByName(e.name)];
            const vald = grupp.find(r => r.checked) || grupp[0];
            if (vald !== e || radiogrupper.has(e.name)) return false;
            radiogrupper.add(e.name);
        }
        return true;
    });
    alla.forEach((e, i) => e.setAttribute('data-tabb', String(i)));
    return alla.map(e => e.outerHTML.slice(0, 120));
}"""

# Records every element that receives focus, with whether a focus ring shows on it.
_SPELA_IN_FOKUS = """() => {
    window.__fokus = [];
    document.addEventListener('focusin', event => {
        const e = event.target, cs = getComputedStyle(e);
        const ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
        const skugga = Boolean(cs.boxShadow) && cs.boxShadow !== 'none';
        window.__fokus.push({tabb: e.getAttribute('data-tabb'), synlig: ring || skugga,
                             html: e.outerHTML.slice(0, 120)});
    }, true);
}"""


def _visningsarende(live_app, status=wf.I_INSATS) -> int:
    with live_app.app_context():
        try:
            return db.session.execute(
                select(Arende.id).where(Arende.status == status).order_by(Arende.id)).scalars().first()
        finally:
            db.session.remove()


# --- skip link --------------------------------------------------------------------------------


@pytest.mark.parametrize("inloggad", [False, True], ids=["inloggning", "arendelista"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(inloggad, delad_sida, skarmbild):
    page = delad_sida(PROJEKTLEDARE if inloggad else None)
    page.goto("/arenden/" if inloggad else "/logga-in")
    page.keyboard.press("Tab")
    forsta = page.evaluate("""() => {
        const e = document.activeElement, r = e.getBoundingClientRect();
        return {klass: e.className, href: e.getAttribute('href'), text: e.textContent.trim(),
                synlig: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight};
    }""")
    assert forsta["href"] == "#innehall", forsta
    assert forsta["synlig"], f"hopplänken syns inte när den har fokus: {forsta}"
    skarmbild(page, "hopplank", full_page=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), \
        "efter hopplänken ska nästa Tab-stopp ligga i huvudinnehållet"


# --- Tab reaches every control, with a visible focus ring --------------------------------------


def _tabba_igenom(page) -> tuple[list[str], set[str], list[str]]:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    alla = page.evaluate(_FOKUSERBARA)
    page.evaluate(_SPELA_IN_FOKUS)
    # A date field takes one Tab per part (year, month, day): press enough to go round
    # the page once, then read what took focus. The walk stops early once every element
    # has had focus: only each element's first focus is judged below.
    for tryck in range(1, 3 * len(alla) + 6):
        page.keyboard.press("Tab")
        if tryck % 10 == 0 and page.evaluate(
                "n => new Set(window.__fokus.map(f => f.tabb).filter(t => t !== null)).size >= n", len(alla)):
            break
    nadda: set[str] = set()
    utan_ring: list[str] = []
    for fokus in page.evaluate("window.__fokus"):
        if fokus["tabb"] is None or fokus["tabb"] in nadda:
            continue
        nadda.add(fokus["tabb"])
        if not fokus["synlig"]:
            utan_ring.append(fokus["html"])
    return alla, nadda, utan_ring


def _assert_tabbar(page, sida: str) -> None:
    alla, nadda, utan_ring = _tabba_igenom(page)
    assert alla, f"{sida}: inga fokuserbara element hittades"
    saknas = [html for i, html in enumerate(alla) if str(i) not in nadda]
    assert not saknas, f"{sida}: når inte med Tab:\n" + "\n".join(saknas)
    assert not utan_ring, f"{sida}: ingen synlig fokusmarkering på:\n" + "\n".join(utan_ring)


def test_login_page_every_control_reachable_by_tab_with_visible_focus(delad_sida):
    page = delad_sida(None)
    page.goto("/logga-in")
    _assert_tabbar(page, "inloggningssidan")


def test_case_page_every_control_reachable_by_tab_with_visible_focus(live_app, delad_sida, skarmbild):
    page = delad_sida(PROJEKTLEDARE)
    page.goto(f"/arenden/{_visningsarende(live_app)}")
    _assert_tabbar(page, "ärendesidan")
    # Open every action with the keyboard as well: their forms must be reachable too.
    summaries = page.locator("details.atgard > summary")
    for i in range(summaries.count()):
        summaries.nth(i).focus()
        page.keyboard.press("Enter")
    assert page.locator("details.atgard:not([open])").count() == 0
    skarmbild(page, "alla-atgarder-oppna")
    _assert_tabbar(page, "ärendesidan med åtgärderna öppna")


# --- form errors --------------------------------------------------------------------------------

_FELKOPPLING = """() => [...document.querySelectorAll('main [aria-invalid="true"]')].map(e => ({
    id: e.id,
    fel: (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
        .map(id => document.getElementById(id)).filter(Boolean)
        .map(el => el.textContent.trim()).join(' | '),
}))"""


def _assert_fel_kopplade(page, sida: str, forvantat_falt: str, text: str) -> None:
    falt = page.evaluate(_FELKOPPLING)
    assert falt, f"{sida}: inget fält är markerat aria-invalid=\"true\""
    per_id = {f["id"]: f["fel"] for f in falt}
    assert forvantat_falt in per_id, f"{sida}: {forvantat_falt} är inte markerat ogiltigt: {falt}"
    assert per_id[forvantat_falt] and text in per_id[forvantat_falt], (
        f"{sida}: felet för {forvantat_falt} nås inte via aria-describedby: {per_id[forvantat_falt]!r}")
    # After the refused submit the keyboard starts at the problem (static/samverkan.js).
    aktiv = page.evaluate("document.activeElement.id")
    forsta = falt[0]["id"]
    assert aktiv == forsta or page.evaluate("document.activeElement.matches('.felsammanfattning')"), (
        f"{sida}: fokus ska flyttas till första felet ({forsta}) eller felsammanfattningen, är på {aktiv!r}")


def test_login_errors_are_tied_to_fields_and_get_focus(page, skarmbild):
    page.goto("/logga-in")
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()  # nothing filled in
    skarmbild(page)
    _assert_fel_kopplade(page, "inloggningen", "epost", "Ange din e-postadress.")


def test_case_page_errors_are_tied_to_fields_and_get_focus(live_app, page_as, skarmbild):
    page = page_as(PROJEKTLEDARE)
    page.goto(f"/arenden/{_visningsarende(live_app)}")
    page.locator("summary", has_text="Kalla till uppföljning").click()
    form = page.locator("details[open] form")
    imorgon = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    form.get_by_label("Datum").fill(imorgon)  # a future date is refused, beside the field
    with page.expect_navigation() as nav:
        form.get_by_role("button", name="Kalla till uppföljning").click()
    assert nav.value.status >= 400
    skarmbild(page)
    _assert_fel_kopplade(page, "ärendesidan", "kalla_till_uppfoljning-datum", "framtiden")
    assert page.locator("main [role=alert]").count() == 1, "felmeddelandet ska annonseras (role=alert)"


def test_aktualisering_refused_by_keyboard_summary_then_each_link_to_its_field(page_as, skarmbild):
    """Keyboard only: send the empty form, land on the summary (announced, role=alert),
    Tab to its first link, Enter: the focus is in the field, whose error it can read."""
    page = page_as(HANDLAGGARE)
    page.goto("/aktualisering/ny")
    page.get_by_role("button", name="Skicka till teamet").focus()
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    assert nav.value.status >= 400
    sammanfattning = page.locator(".felsammanfattning")
    assert sammanfattning.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.matches('.felsammanfattning')"), \
        "fokus ska stå på felsammanfattningen efter ett nekat formulär"
    assert page.title().startswith("Fel: "), page.title()
    skarmbild(page, "sammanfattning", full_page=False)

    lankar = sammanfattning.get_by_role("link")
    assert lankar.count() >= 1
    for i in range(lankar.count()):
        page.keyboard.press("Tab")
        lank = page.evaluate("document.activeElement.getAttribute('href')")
        assert lank == lankar.nth(i).get_attribute("href"), f"Tab nr {i + 1} ska nå länk {i + 1}, är på {lank}"
        text = lankar.nth(i).inner_text()
        page.keyboard.press("Enter")
        falt = page.evaluate("""() => { const e = document.activeElement;
            const ids = (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
            const grupp = e.closest('fieldset');
            const gruppIds = grupp ? (grupp.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean) : [];
            return {id: e.id, ogiltigt: e.getAttribute('aria-invalid'),
                    fel: [...ids, ...gruppIds].map(i => document.getElementById(i)).filter(Boolean)
                         .map(el => el.textContent.trim()).join(' | ')}; }""")
        assert falt["id"] == lank[1:], f"Enter på {lank} ska flytta fokus till fältet, står på {falt['id']!r}"
        assert falt["ogiltigt"] == "true", falt
        assert text in falt["fel"], f"felet {text!r} ska läsas upp vid fältet: {falt}"
        # Back to the summary for the next link, as a keyboard user would (Shift+Tab would
        # walk the form backwards; the summary is the alert at the top).
        sammanfattning.focus()
        for _ in range(i + 1):
            page.keyboard.press("Tab")
    skarmbild(page, "sista-faltet", full_page=False)


# --- a phone: nothing wider than the screen --------------------------------------------------

TELEFONSIDOR = ["auth.login", "oversikt.projektledare", "arenden.lista", "arenden.visa", "listor.mina", "listor.inkorg",
                "moten.kalender", "moten.visa", "aktualisering.ny", "kallelser.lista", "loggkontroll.lista"]

_FOR_BREDA = """() => {
    const w = document.documentElement.clientWidth;
    const breda = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1);
    // The outermost offenders only: their children are wide because they are.
    const yttersta = breda.filter(e => !breda.includes(e.parentElement));
    return {scroll: document.documentElement.scrollWidth, bredd: w,
            breda: yttersta.slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')};
}"""


@pytest.mark.parametrize("endpoint", TELEFONSIDOR)
def test_phone_width_shows_no_horizontal_scrolling(endpoint, live_app, delad_sida, skarmbild):
    with live_app.app_context():
        try:
            uppdrag = sidor.planera(live_app, endpoint)
        finally:
            db.session.remove()
    page = delad_sida(uppdrag.anvandare, viewport=TELEFON)
    response = page.goto(uppdrag.sokvag)
    assert response.status == 200
    skarmbild(page)
    matt = page.evaluate(_FOR_BREDA)
    assert matt["scroll"] <= matt["bredd"], (
        f"{endpoint}: sidan är {matt['scroll']} px bred i en {matt['bredd']} px bred telefon; "
        f"för breda: {matt['breda']}")
    # What is usable on a phone must be accessible there too (the menu wraps, lists are cards).
    assert_axe(page, f"{endpoint} i 375 px bredd")


def test_a_table_wider_than_the_phone_scrolls_in_a_labelled_focusable_frame(page_as, skarmbild):
    page = page_as(LEDAMOT)
    page.goto("/konto/api-tokens")  # a table of five columns, not a list of cards
    ram = page.locator("main .tabellram").first
    # Fits on a wide screen: an ordinary frame, no tab stop, no landmark.
    expect(ram).to_be_attached()
    assert ram.get_attribute("tabindex") is None and ram.get_attribute("role") is None
    # On a phone the frame scrolls sideways, not the page, and the keyboard can reach it.
    page.set_viewport_size(TELEFON)
    expect(ram).to_have_attribute("tabindex", "0")
    expect(ram).to_have_attribute("role", "region")
    rubrik = page.locator("#" + ram.get_attribute("aria-labelledby"))
    expect(rubrik).to_have_text(ram.locator("caption").inner_text())
    matt = page.evaluate(_FOR_BREDA)
    assert matt["scroll"] <= matt["bredd"], f"sidan rullar i sidled: {matt}"
    ram.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The frame scrolls with the arrow keys (smoothly: wait for it). A function, not an
    # expression: Playwright compiles an expression with eval on every later poll, which
    # the page's CSP refuses, so a string only passes when the first check already holds.
    page.wait_for_function("() => document.querySelector('main .tabellram').scrollLeft > 0")
    assert_axe(page, "bred tabell i telefon")
    skarmbild(page, full_page=False)


# --- print ------------------------------------------------------------------------------------

_SYNLIGT_I_UTSKRIFT = """() => {
    const synlig = e => e.checkVisibility({visibilityProperty: true});
    return {
        navigering: [...document.querySelectorAll('header, nav, form, button, .hoppa')].filter(synlig)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')),
        rubrik: synlig(document.querySelector('h1')),
    };
}"""


@pytest.mark.parametrize("endpoint", ["moten.visa", "arenden.visa", "moten.inbjudan", "kallelser.visa"])
def test_print_hides_header_navigation_forms_and_buttons(endpoint, live_app, page_as, skarmbild):
    with live_app.app_context():
        try:
            uppdrag = sidor.planera(live_app, endpoint)
        finally:
            db.session.remove()
    page = page_as(uppdrag.anvandare)
    page.goto(uppdrag.sokvag)
    page.emulate_media(media="print")
    skarmbild(page)
    synligt = page.evaluate(_SYNLIGT_I_UTSKRIFT)
    assert synligt["rubrik"], f"{endpoint}: rubriken ska skrivas ut"
    assert not synligt["navigering"], f"{endpoint}: syns i utskrift: {synligt['navigering']}"
