"""Browser test harness: one live server with the demo data and one headless Chromium
per test session, a fresh browser context (own cookies) per test — except the tests that
only visit and read pages (``delad_sida``), which share one page per user and worker.

The live server is the real app (CSRF on, demo mode, two-factor login not required)
on a SQLite file in a temporary folder, built by the Alembic migrations and filled by
``samverkan.demo.data.create_demo()`` for today's date, served by werkzeug in a daemon
thread. These tests do not use the SQLite/PostgreSQL parametrised ``app`` fixture of
tests/conftest.py: what they check is the page in the browser, not the database.

Chromium is Debian's: its headless shell (/usr/bin/chromium-headless-shell, package
chromium-headless-shell, what Playwright itself runs for headless tests) where it is
installed, else the browser (/usr/bin/chromium), which also takes the README's
screenshots; SAMVERKAN_CHROMIUM names another. ./dev/test installs both. Without either
the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from samverkan import create_app
from samverkan.core.db import db
from samverkan.demo import data as demo
from tests.browser import helpers, sidor
from tests.kallelser.helpers import SmtpServer

# The headless shell is the same Debian build without the browser's UI layer: the suite's
# browser tests cost it under a third of the browser's CPU (the three-meeting journey
# 7 s against 24 s), and they pass the same in both. It lacks the browser's UI strings
# (an empty date field reads yyyy-mm-dd, not åååå-mm-dd), so the README's screenshots
# (SAMVERKAN_SKARMBILDER) are taken in the browser, as a user sees the page.
_KANDIDATER = (("/usr/bin/chromium",) if os.environ.get("SAMVERKAN_SKARMBILDER")
               else ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium"))
CHROMIUM = os.environ.get("SAMVERKAN_CHROMIUM") or next(
    (p for p in _KANDIDATER if Path(p).exists()), "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Swedish browser UI: date fields read åååå-mm-dd, as our users see them.
    "--lang=sv-SE",
]
CI = os.environ.get("CI") == "true"


# Waits are for conditions, never fixed pauses; these bounds only stop a test that hangs.
# They are generous because the suite runs two workers (each with its own Chromium and
# live server) on two cores, often beside other work: a step that takes 0.2 s on an idle
# machine can take several seconds then, and a failure must mean a fault, not a busy CPU.
TIDSGRANS_MS = 30_000
expect.set_options(timeout=TIDSGRANS_MS)


def pytest_collection_modifyitems(items):
    # The browser tests are spread over the xdist workers like any other test: each
    # worker starts its own live server (its own demo database) and its own Chromium the
    # first time it gets one, so no test may rely on another's changes.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


_UTFALL = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Each phase's report on the item, so a fixture's teardown can tell a failed test.
    report = yield
    item.stash.setdefault(_UTFALL, {})[report.when] = report
    return report


def _misslyckades(node) -> bool:
    return any(r.failed for r in node.stash.get(_UTFALL, {}).values())


class _TystHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors are still logged by the app."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Flask:
    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "SECRET_KEY": "webblasartest-nyckel",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "samverkan.sqlite"),
        "DEMO": True,
        "TVAFAKTOR_KRAVS": False,
        "WTF_CSRF_ENABLED": True,
        # argon2's cheap test parameters (the production ones: tests/auth/test_losenord.py).
        "LOSENORD_TESTHASH": True,
    })
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        demo.create_demo()
        db.session.commit()
        sidor.komplettera()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The base URL (http://127.0.0.1:<port>) of the app served in a daemon thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=_TystHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = (f"Chromium saknas ({CHROMIUM}). Installera Debians paket: "
                   "apt-get install chromium (./dev/test gör det när den körs som root).")
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        # LANGUAGE as well as --lang: Chromium on Linux takes its UI language (and so the
        # date field's format) from it; the Swedish strings come with chromium-l10n.
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                             env={**os.environ, "LANGUAGE": "sv"})
        yield browser
        browser.close()


def _ny_kontext(browser: Browser, base_url: str, **options) -> BrowserContext:
    options = {"locale": "sv-SE", "timezone_id": "Europe/Stockholm", "base_url": base_url,
               "viewport": {"width": 1280, "height": 900}, **options}
    context = browser.new_context(**options)
    context.set_default_timeout(TIDSGRANS_MS)
    context.set_default_navigation_timeout(TIDSGRANS_MS)
    return context


@pytest.fixture
def felbilder(request) -> Iterator:
    """``felbilder(pages)``: when this test has failed, a full-page screenshot of each open
    page not yet taken, test-artefakter/<test>--fel[-n].png (``--fel-efter-<step>`` when
    the page passed a ``skarmbild`` step). The fixtures that hand out pages call it in
    their teardown, before they close them."""
    tagna: set[int] = set()
    steg: dict[int, str] = {}
    testnamn = f"{Path(request.node.path).name}--{request.node.name}"

    def _ta(pages) -> None:
        if not _misslyckades(request.node):
            return
        for page in pages:
            if id(page) in tagna or page.is_closed():
                continue
            tagna.add(id(page))
            namn = "fel" + (f"-{len(tagna)}" if len(tagna) > 1 else "")
            if id(page) in steg:
                namn += f"-efter-{steg[id(page)]}"
            path = helpers.skarmbild_sokvag(testnamn, namn)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a crashed page: the test's own failure says more
                print(f"ingen skärmbild av {page.url}: {error}")

    _ta.steg = steg
    return _ta


@pytest.fixture
def new_context(browser, base_url, felbilder) -> Iterator:
    """``new_context(**options)``: a fresh context (cookies, viewport) closed after the test."""
    contexts: list[BrowserContext] = []

    def _new(**options) -> BrowserContext:
        context = _ny_kontext(browser, base_url, **options)
        contexts.append(context)
        return context

    yield _new
    felbilder([page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    """A page of a fresh context, not logged in."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def _inloggningar() -> dict[str, dict]:
    """Cookies of each user's first login (Playwright storage state), by e-mail."""
    return {}


@pytest.fixture
def page_as(new_context, base_url, _inloggningar):
    """``page_as(email, **context_options)``: a page of a fresh context, logged in as
    ``email`` (demo password); ``page_as(None)`` is a page not logged in.

    The first login of each user goes through the real login form; later contexts start
    from that login's cookies (argon2 makes a login slow by design), after checking with
    one request that the session still stands (a test may have logged the user out,
    which ends every session) — otherwise the form again.
    """

    def _page_as(epost: str | None, **options) -> Page:
        if epost is None:
            return new_context(**options).new_page()
        context = new_context(**options)
        return _inloggad_sida(context, None, epost, base_url, _inloggningar)

    return _page_as


def _inloggad_sida(context: BrowserContext, page: Page | None, epost: str, base_url: str,
                   inloggningar: dict[str, dict]) -> Page:
    """``page`` (or a new page of ``context``) logged in as ``epost``: the cookies of the
    user's first login if its session still stands, otherwise through the form."""
    sparad = inloggningar.get(epost)
    if sparad is not None:
        context.add_cookies(sparad["cookies"])
        svar = context.request.get("/", max_redirects=0)
        if svar.status < 400 and "/logga-in" not in svar.headers.get("location", ""):
            return page or context.new_page()
        context.clear_cookies()
    page = page or context.new_page()
    helpers.logga_in(page, base_url, epost)
    assert "/logga-in" not in page.url, f"inloggningen som {epost} misslyckades: {page.url}"
    inloggningar[epost] = context.storage_state()
    return page


# The pages ``delad_sida`` keeps for the worker's next test (see there).
_DELADE_SIDOR: dict[tuple, Page] = {}


@pytest.fixture(scope="session")
def _delade_sidor() -> dict[tuple, Page]:
    return _DELADE_SIDOR


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # An open page costs Chromium about 1 % of a core while it only sits there (its
    # compositor keeps ticking): the kept pages are closed once this worker's next test is
    # not a browser test, instead of idling through the rest of the run (the browser tests
    # come first). A later browser test opens them again.
    if nextitem is None or nextitem.get_closest_marker("browser") is None:
        while _DELADE_SIDOR:
            _, page = _DELADE_SIDOR.popitem()
            if not page.is_closed():
                page.context.close()


@pytest.fixture
def delad_sida(browser, base_url, _inloggningar, _delade_sidor, felbilder, request):
    """``delad_sida(email, **context_options)``: as ``page_as``, for a test that only
    visits and reads pages (goto, evaluate, axe; no clicks that change data, no viewport
    or media changes, no event handlers). The page and its context are kept for the next
    such test of this worker with the same options, whoever it logs in, since a new
    context and page (a new renderer process) cost about half a second of CPU each time
    and every open page about 1–2 % of a core while it waits. Before each use the cookies
    are put back to exactly the user's login (none for ``None``): what an earlier test's
    visits set does not carry over (the pages keep nothing else: no storage). A second
    user in the same test gets a page of their own. axe-core is loaded into every document
    of these contexts (an init script) instead of being sent with each check. A test that
    fails takes the page with it: the next one gets a new one."""
    anvanda: list[tuple] = []
    anvanda_av: dict[tuple, str | None] = {}

    def _sida(epost: str | None, **options) -> Page:
        nyckel = (json.dumps(options, sort_keys=True),)
        if nyckel in anvanda and anvanda_av[nyckel] != epost:
            nyckel = (nyckel[0], epost)
        anvanda_av[nyckel] = epost
        page = _delade_sidor.get(nyckel)
        if page is None or page.is_closed():
            context = _ny_kontext(browser, base_url, **options)
            context.add_init_script(helpers.AXE_SKRIPT)
            page = _delade_sidor[nyckel] = context.new_page()
        anvanda.append(nyckel)
        page.context.clear_cookies()
        if epost is None:
            return page
        return _inloggad_sida(page.context, page, epost, base_url, _inloggningar)

    yield _sida
    felbilder([_delade_sidor[n] for n in anvanda if n in _delade_sidor])
    if _misslyckades(request.node):
        for nyckel in set(anvanda):
            if (page := _delade_sidor.pop(nyckel, None)) is not None:
                page.context.close()


@pytest.fixture
def skarmbild(request, felbilder):
    """``skarmbild(page, step=None, full_page=True, readme=None)``: a named step of the
    test, photographed as a PNG under test-artefakter/ named after this test (and the
    step), e.g. test-artefakter/test_journeys.py--test_x--lista.png — when a picture is
    asked for: with ``SAMVERKAN_ALLA_SKARMBILDER=1`` every step, and a step marked
    ``readme=`` when ``SAMVERKAN_SKARMBILDER`` is set. An ordinary run takes none at the
    steps (a full-page PNG costs ~0.4 s of CPU, and nobody looks at a passing test's);
    when the test fails, every page it used is photographed as it was left
    (``felbilder``), named after its last step.

    ``readme="arende.png"`` marks the picture as one of the README's: when the tests run
    with ``SAMVERKAN_SKARMBILDER=docs/skarmbilder`` it is also saved there under that name
    (relative paths from the repository root). Without the variable nothing in the
    repository changes. Returns the picture's path, or None when none was taken."""
    testnamn = f"{Path(request.node.path).name}--{request.node.name}"
    alla = os.environ.get("SAMVERKAN_ALLA_SKARMBILDER") == "1"
    sidor_i_testet: list[Page] = []

    def _skarmbild(page: Page, steg: str | None = None, *, full_page: bool = True,
                   readme: str | None = None) -> Path | None:
        if page not in sidor_i_testet:
            sidor_i_testet.append(page)
        if steg:
            felbilder.steg[id(page)] = helpers.filnamn(steg)
        mapp = helpers.readme_mapp() if readme else None
        if not (alla or mapp is not None):
            return None
        path = helpers.skarmbild_sokvag(testnamn, steg)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
        if mapp is not None:
            mapp.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, mapp / readme)
        return path

    yield _skarmbild
    felbilder(sidor_i_testet)


@pytest.fixture
def smtp(live_app):
    """A local SMTP server the live server delivers to while the test runs (the delivery
    run itself is the test's: ``kallelser.jobs.leverera(live_app)``)."""
    server = SmtpServer()
    server.start()
    tidigare = {k: live_app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_TIMEOUT")}
    live_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    try:
        yield server
    finally:
        live_app.config.update(tidigare)
        server.stop()
