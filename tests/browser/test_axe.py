"""Every page passes axe-core (WCAG 2.1 A and AA) in headless Chromium, and has what
every page needs: a CSP without unsafe-inline, a title, one h1, lang="sv", a skip link.

The pages are the URL map's GET endpoints (``sidor.get_endpoints``), not a hand-written
list: a page added later is checked automatically, and one the resolver tables in
sidor.py cannot reach fails here with its endpoint's name. Pages in states worth their
own check (a form with errors, the restricted case page, the error page, the two-factor
steps) have their own tests below. A page that fails leaves a screenshot in test-artefakter/.
"""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from samverkan import create_app
from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.core import krypto
from samverkan.core.db import db
from tests.browser import helpers, sidor
from tests.browser.helpers import HANDLAGGARE, LOSENORD, PROJEKTLEDARE
from workflows import arende as wf

# The URL map is the same in every app; this one only lists it (no database is opened).
ENDPOINTS = sidor.get_endpoints(create_app({"SECRET_KEY": "lista", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                                            **krypto.lokal_konfiguration()}))


def _forbered_tvafaktor_losenord(page, base_url) -> None:
    """The password step of a two-factor login: the browser waits at the code page."""
    helpers.logga_in(page, base_url, sidor.TVAFAKTOR_ANVANDARE)
    assert "/logga-in/kod" in page.url, page.url


FORBEREDELSER = {"tvafaktor_losenord": _forbered_tvafaktor_losenord}


def _planera(live_app, endpoint: str) -> sidor.Uppdrag:
    with live_app.app_context():
        try:
            return sidor.planera(live_app, endpoint)
        except sidor.Olost as error:
            pytest.fail(f"Sidan {endpoint} kan inte kontrolleras i webbläsaren: {error}", pytrace=False)
        finally:
            db.session.remove()


def test_every_get_page_of_the_live_app_is_in_the_check(live_app):
    assert sidor.get_endpoints(live_app) == ENDPOINTS


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_page_passes_axe(endpoint, live_app, base_url, delad_sida, skarmbild):
    uppdrag = _planera(live_app, endpoint)
    page = delad_sida(uppdrag.anvandare)
    if uppdrag.forbered:
        FORBEREDELSER[uppdrag.forbered](page, base_url)
    if uppdrag.dokument:
        response = page.request.get(uppdrag.sokvag)
        assert response.status == uppdrag.status, f"{endpoint} {uppdrag.sokvag}: {response.status}"
        assert response.headers["content-type"].startswith(uppdrag.dokument), response.headers["content-type"]
        return
    response = page.goto(uppdrag.sokvag)
    assert response is not None and response.status == uppdrag.status, (
        f"{endpoint} {uppdrag.sokvag} som {uppdrag.anvandare}: {response and response.status} på {page.url}")
    skarmbild(page)
    helpers.assert_sidstruktur(page, response, endpoint)
    helpers.assert_axe(page, endpoint)


# --- pages in states of their own ------------------------------------------------------------


def test_login_page_with_an_error_passes_axe(page, skarmbild):
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill("okand@example.org")
    page.get_by_label("Lösenord").fill("fel-losenord")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Logga in").click()
    assert nav.value.status >= 400
    assert page.locator("[aria-invalid=true]").count() >= 1
    skarmbild(page)
    helpers.assert_sidstruktur(page, nav.value, "inloggning med fel")
    helpers.assert_axe(page, "inloggning med fel")


def _arende(live_app, *villkor) -> int:
    with live_app.app_context():
        try:
            return db.session.execute(select(Arende.id).where(*villkor).order_by(Arende.id)).scalars().first()
        finally:
            db.session.remove()


def test_case_page_with_a_form_error_passes_axe(live_app, page_as, skarmbild):
    arende_id = _arende(live_app, Arende.status == wf.I_INSATS)
    page = page_as(PROJEKTLEDARE)
    page.goto(f"/arenden/{arende_id}")
    page.locator("summary", has_text="Avsluta").click()
    form = page.locator("details[open] form")
    with page.expect_navigation() as nav:
        form.get_by_role("button", name="Avsluta").click()  # no reason given
    assert nav.value.status == 422
    assert page.locator("details[open] summary", has_text="Avsluta").count() == 1  # the form stays open
    skarmbild(page)
    helpers.assert_sidstruktur(page, nav.value, "ärende med formulärfel")
    helpers.assert_axe(page, "ärende med formulärfel")


def test_restricted_case_page_passes_axe(live_app, delad_sida, skarmbild):
    """A team member whose party may not see the details: the reference-only page."""
    with live_app.app_context():
        try:
            user_id = db.session.execute(select(User.id).where(User.epost == HANDLAGGARE)).scalar_one()
        finally:
            db.session.remove()
    arende_id = _arende(live_app, Arende.status == wf.ATERKALLAD, Arende.handlaggare_id != user_id)
    page = delad_sida(HANDLAGGARE)
    response = page.goto(f"/arenden/{arende_id}")
    assert response.status == 403
    skarmbild(page)
    helpers.assert_sidstruktur(page, response, "begränsad ärendesida")
    helpers.assert_axe(page, "begränsad ärendesida")


def test_error_page_passes_axe(delad_sida, skarmbild):
    page = delad_sida(PROJEKTLEDARE)
    response = page.goto("/arenden/987654321")
    assert response.status == 404
    skarmbild(page)
    helpers.assert_sidstruktur(page, response, "felsida 404")
    helpers.assert_axe(page, "felsida 404")


def test_two_factor_login_and_its_settings_page_pass_axe(live_app, page, base_url, skarmbild):
    helpers.logga_in(page, base_url, sidor.TVAFAKTOR_ANVANDARE, LOSENORD)
    with live_app.app_context():
        try:
            hemlighet = db.session.execute(
                select(User.totp_hemlighet).where(User.epost == sidor.TVAFAKTOR_ANVANDARE)).scalar_one()
        finally:
            db.session.remove()
    # The next time step's code: the current one may have been used by the enrolment.
    page.get_by_label("Kod").fill(pyotp.TOTP(hemlighet).at(time.time(), counter_offset=1))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/logga-in" not in page.url, page.url
    response = page.goto("/konto/tvafaktor")
    assert response.status == 200
    skarmbild(page)
    helpers.assert_sidstruktur(page, response, "tvåfaktor aktiverad")
    helpers.assert_axe(page, "tvåfaktor aktiverad")
