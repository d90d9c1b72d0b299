"""Issue 14 in the browser: a förbund that is not the demo starts from an empty database
and, through the pages only, sets itself up and runs its first ärende.

Its own live server (the real app, CSRF on) on an empty SQLite file, delivering mail to a
real local SMTP server (aiosmtpd); the scheduler's delivery job runs in-process where the
scheduler would. Invitations are read from what the SMTP server received.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from samverkan import create_app
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, Team
from samverkan.kallelser import jobs
from samverkan.moten.models import Mote
from tests import factories
from tests.browser.conftest import TIDSGRANS_MS, _TystHandler
from tests.kallelser.helpers import SmtpServer

LOSENORD = "ett-langt-losenord-for-start"
ADMIN = "alma.admin@example.org"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tom_app(tmp_path_factory, smtp):
    folder = tmp_path_factory.mktemp("tom")
    app = create_app({
        "SECRET_KEY": "forbund-start-nyckel", "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "s.sqlite"),
        "DEMO": True, "TVAFAKTOR_KRAVS": False, "WTF_CSRF_ENABLED": True,
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_TIMEOUT": 5, "MAIL_FROM": "samverkan@example.org",
    })
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_TystHandler)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sida(browser, tom_app, felbilder):
    contexts = []

    def _ny() -> Page:
        context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm",
                                      base_url=tom_app.config["BASE_URL"], viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIDSGRANS_MS)
        context.set_default_navigation_timeout(TIDSGRANS_MS)
        contexts.append(context)
        return context.new_page()

    yield _ny
    felbilder([page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()


def _i_appen(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def _antal(app, kolumn) -> int:
    return _i_appen(app, lambda: db.session.scalar(select(func.count(kolumn))))


def _inbjudan(app, smtp: SmtpServer, epost: str) -> str:
    """Deliver the outbox as the scheduler does, then the link of the latest mail to ``epost``."""
    _i_appen(app, lambda: jobs.leverera(app))
    brev = [m for m in smtp.mottagna if epost in m.rcpt_tos]
    assert brev, f"inget brev till {epost}"
    text = "\n".join(brev[-1].delar())
    assert "Lo " not in text and "Hugo" not in text and "Pia" not in text  # nothing personal
    return re.search(r"https?://\S+/konto/valj-losenord/[\w-]+", text).group(0)


def _fel_vid(page: Page, label: str):
    """The error text tied to the field (aria-describedby) named ``label``."""
    falt = page.get_by_label(label, exact=True)
    fel_id = [i for i in falt.get_attribute("aria-describedby").split() if i.endswith("-fel")][0]
    return page.locator(f"#{fel_id}")


def _part(page: Page, typ: str, namn: str, kort: str) -> None:
    page.get_by_label("Sorts part").select_option(label=typ)
    page.get_by_label("Namn", exact=True).fill(namn)
    page.get_by_label("Kort namn").fill(kort)
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till part").click()
    expect(page.get_by_role("table")).to_contain_text(namn)


def _team(page: Page, namn: str, parter: list[str], typ: str = "Trisam") -> None:
    page.goto("/admin/team/nytt")
    page.get_by_label("Teamets namn").fill(namn)
    page.get_by_role("group", name="Sorts team").get_by_label(typ).check()
    grupp = page.get_by_role("group", name="Parter i teamet")
    for p in parter:
        grupp.get_by_label(re.compile("^" + re.escape(p) + " \\(")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa teamet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(namn)


def _bjud_in(page: Page, namn: str, epost: str, part: str) -> None:
    page.goto("/admin/medlemmar/")
    page.get_by_label("Namn", exact=True).fill(namn)
    page.get_by_label("E-postadress").fill(epost)
    page.get_by_label("Part", exact=True).select_option(label=part)
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(namn)


def _roll(page: Page, team: str, roll: str, ersatter: str | None = None) -> None:
    page.get_by_label("Team", exact=True).select_option(label=team)
    page.get_by_label("Roll", exact=True).select_option(label=roll)
    if ersatter:
        page.get_by_label("Ersätter ledamot").select_option(label=ersatter)
    with page.expect_navigation():
        page.get_by_role("button", name="Ge rollen").click()


def _valj_losenord(page: Page, lank: str, epost: str) -> None:
    page.goto(lank)
    page.get_by_label("Nytt lösenord").fill(LOSENORD)
    page.get_by_label("Upprepa lösenordet").fill(LOSENORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara lösenordet").click()
    page.get_by_label("E-postadress").fill(epost)
    page.get_by_label("Lösenord").fill(LOSENORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    assert "/logga-in" not in page.url


def test_a_forbund_starts_from_an_empty_database_through_the_pages(tom_app, smtp, sida, skarmbild):
    admin = sida()
    admin.goto("/kom-igang")
    admin.get_by_label("Förbundets namn").fill("Samordningsförbundet Startbygd")
    admin.get_by_label("Kod", exact=True).fill("STB")
    admin.get_by_label("Ditt namn").fill("Alma Admin")
    admin.get_by_label("Din e-postadress").fill(ADMIN)
    admin.get_by_label("Lösenord").fill(LOSENORD)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Skapa förbundet").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Förbundet")

    admin.goto("/admin/parter/")
    for typ, namn, kort in (("Arbetsförmedlingen", "Arbetsförmedlingen Startbygd", "AF"),
                            ("Försäkringskassan", "Försäkringskassan Startbygd", "FK"),
                            ("Kommun", "Startby kommun, IFO", "IFO"), ("Kommun", "Startby kommun, AMI", "AMI"),
                            ("Region", "Region Startbygd, Hälsocentralen", "HC")):
        _part(admin, typ, namn, kort)
    skarmbild(admin, "parter")

    # A team without parties: the message beside the field, nothing saved.
    admin.goto("/admin/team/nytt")
    admin.get_by_label("Teamets namn").fill("Trisam Tomt")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Skapa teamet").click()
    expect(admin.locator("#part_ids-fel")).to_have_text("Välj minst en part som sitter i teamet.")
    expect(admin.get_by_role("alert").first).to_contain_text("Formuläret innehåller fel")
    assert _antal(tom_app, Team.id) == 0

    _team(admin, "Trisam Startby", ["Arbetsförmedlingen Startbygd", "Startby kommun, IFO", "Startby kommun, AMI",
                                    "Region Startbygd, Hälsocentralen"])
    # The kallelse: 7 days before at 09:00 unless the team chooses otherwise.
    expect(admin.get_by_label("Dagar före mötet", exact=True)).to_have_value("7")
    nasta_manad = (clock.today().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    admin.get_by_label("Första månad").fill(nasta_manad)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Skapa möten").click()
    expect(admin.get_by_role("status")).to_contain_text("möten skapade")
    skarmbild(admin, "team")
    _team(admin, "Samverkanscirkel Startby", ["Arbetsförmedlingen Startbygd", "Försäkringskassan Startbygd",
                                              "Startby kommun, IFO", "Region Startbygd, Hälsocentralen"],
          typ="Samverkanscirkel")

    def kallelser():
        team = db.session.execute(select(Team).where(Team.namn == "Trisam Startby")).scalar_one()
        moten = db.session.execute(select(Mote).where(Mote.team_id == team.id)).scalars().all()
        return [(clock.local(m.starttid), clock.local(m.kallelse_planerad)) for m in moten]

    for start, kallelse in _i_appen(tom_app, kallelser):
        assert kallelse.date() == start.date() - dt.timedelta(days=7) and kallelse.time() == dt.time(9, 0)

    # Members: invited by mail; a duplicate address is refused beside the field.
    _bjud_in(admin, "Pia Projektledare", "pia@example.org", "Startby kommun, IFO")
    _roll(admin, "Trisam Startby", "Projektledare")
    _bjud_in(admin, "Hugo Handläggare", "hugo@example.org", "Arbetsförmedlingen Startbygd")
    _roll(admin, "Trisam Startby", "Ledamot")
    _bjud_in(admin, "Lo Ersättare", "lo@example.org", "Arbetsförmedlingen Startbygd")
    fore = _antal(tom_app, Medlemskap.id)
    _roll(admin, "Trisam Startby", "Ersättare")
    expect(_fel_vid(admin, "Ersätter ledamot")).to_have_text("Välj vilken ledamot i teamet ersättaren ersätter.")
    assert _antal(tom_app, Medlemskap.id) == fore
    _roll(admin, "Trisam Startby", "Ersättare", ersatter="Hugo Handläggare (Trisam Startby)")
    expect(admin.get_by_role("region", name="Roller")).to_contain_text("Ersättare i Trisam Startby")

    admin.goto("/admin/medlemmar/")
    admin.get_by_label("Namn", exact=True).fill("Någon Annan")
    admin.get_by_label("E-postadress").fill("HUGO@example.org")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Skicka inbjudan").click()
    expect(_fel_vid(admin, "E-postadress")).to_have_text("Det finns redan en användare med den e-postadressen.")
    skarmbild(admin, "dubblett")

    # A CSV with a bad row: each row's errors, nothing imported.
    from samverkan.auth.models import User

    anvandare = _antal(tom_app, User.id)
    admin.goto("/admin/import")
    csv = ("namn;epost;part;team;roll;ersatter\n"
           "Kim Kommun;kim@example.org;AMI;Trisam Startby;ledamot;\n"
           "Fel Rad;inte-en-adress;Okänd;Trisam Startby;ledamot;\n")
    admin.get_by_label("CSV-fil").set_input_files(files=[{"name": "medlemmar.csv", "mimeType": "text/csv",
                                                          "buffer": csv.encode()}])
    admin.get_by_label(re.compile("^Importera om inga rader")).check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Läs filen").click()
    expect(admin.get_by_role("table")).to_contain_text("E-postadressen är inte giltig.")
    expect(admin.get_by_role("table")).to_contain_text("Parten ”Okänd” finns inte i förbundet.")
    assert _antal(tom_app, User.id) == anvandare
    skarmbild(admin, "csv-fel")

    # The invitations, read from the SMTP server: the link followed, a password chosen.
    pia, hugo = sida(), sida()
    _valj_losenord(pia, _inbjudan(tom_app, smtp, "pia@example.org"), "pia@example.org")
    _valj_losenord(hugo, _inbjudan(tom_app, smtp, "hugo@example.org"), "hugo@example.org")

    # An expired invitation link: a clear message, nothing changes.
    lank = _inbjudan(tom_app, smtp, "lo@example.org")
    clock.set_clock(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    try:
        lo = sida()
        lo.goto(lank)
        expect(lo.get_by_role("alert")).to_contain_text("har gått ut")
        expect(lo.get_by_label("Nytt lösenord")).to_have_count(0)
    finally:
        clock.set_clock(None)

    # The handläggare aktualiserar an ärende ...
    hugo.goto("/aktualisering/ny")
    formular = hugo.locator("form.aktualisering")
    deltagare = formular.get_by_role("group", name="Deltagare")
    deltagare.get_by_role("textbox", name="Personnummer eller samordningsnummer").fill(
        factories.personnummer(dt.date(1990, 6, 1)))
    deltagare.get_by_role("radio", name="Man").check()
    samtycke = formular.get_by_role("group", name="Samtycke")
    parter = samtycke.get_by_role("group", name="Parter som samtycket omfattar").get_by_role("checkbox")
    assert parter.count() == 4  # the team's parties: no Försäkringskassan
    for i in range(parter.count()):
        parter.nth(i).check()
    idag = clock.today()
    samtycke.get_by_label("Samtycket givet den").fill((idag - dt.timedelta(days=2)).isoformat())
    samtycke.get_by_label("Samtycket gäller till och med").fill((idag + dt.timedelta(days=365)).isoformat())
    formular.get_by_label("Frågeställning").fill("Hur kan parterna stödja deltagaren mot studier?")
    with hugo.expect_navigation():
        formular.get_by_role("button", name="Skicka till teamet").click()
    referens = re.search(r"STB-\d{4}-\d+", hugo.get_by_role("heading", level=1).inner_text()).group(0)

    # ... and the projektledare puts it on the next meeting's agenda.
    def nasta_mote():
        return db.session.execute(select(Mote.id).join(Team, Team.id == Mote.team_id)
                                  .where(Team.namn == "Trisam Startby", Mote.starttid > clock.now())
                                  .order_by(Mote.starttid)).scalars().first()

    pia.goto(f"/moten/{_i_appen(tom_app, nasta_mote)}")
    inkorg = pia.get_by_role("region", name="Att lägga på dagordningen")
    with pia.expect_navigation():
        inkorg.get_by_role("button", name=f"Lägg till {referens}").click()
    dagordning = pia.get_by_role("region", name="Dagordning", exact=True)
    expect(dagordning.get_by_role("link", name=referens, exact=True)).to_be_visible()
    skarmbild(pia, "dagordning")
