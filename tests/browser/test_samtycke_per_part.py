"""Issue 15's journey in Chromium: consent for some of the team's parties.

An AF handläggare aktualiserar with consent for AF, the kommun's units and the region in
a team that also has Försäkringskassan; the projektledare books the ärende; the agenda and
the kallelse show the item's parties; the FK ledamot sees the reference code only;
meeting mode tells the projektledare that FK steps out; the team samplanerar and assigns
the samcoach.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import Team
from samverkan.kallelser import services as kallelse_services
from samverkan.kallelser.models import UtskickTyp
from samverkan.moten.models import Mote, MotesTyp
from tests import factories
from tests.browser.helpers import HANDLAGGARE, PROJEKTLEDARE

FK_LEDAMOT = "fk.handlaggare@example.org"
FK = "Försäkringskassan Exempelbygd"
TEAM = "Trisam Exempelby"


def _nasta_mote(live_app, team_namn: str) -> tuple[int, dt.datetime]:
    """The team's next case meeting with room on its agenda (a fresh one if need be, a
    week ahead, so the journey disturbs no other test's agenda): its id and start."""
    from samverkan.moten import tider

    with live_app.app_context():
        try:
            team = db.session.execute(select(Team).where(Team.namn == team_namn)).scalar_one()
            start = tider.lokal_starttid(clock.today() + dt.timedelta(days=8), dt.time(9, 0))
            mote = Mote(team_id=team.id, starttid=start, langd_minuter=120, typ=MotesTyp.ARENDEDRAGNING,
                        plats="Kommunhuset, rum 2")
            db.session.add(mote)
            db.session.commit()
            return mote.id, start
        finally:
            db.session.remove()


def _kallelsens_text(live_app, mote_id: int) -> str:
    """The kallelse as the scheduler writes it for every member."""
    with live_app.app_context(), live_app.test_request_context():
        try:
            return kallelse_services._text(UtskickTyp.KALLELSE, db.session.get(Mote, mote_id))
        finally:
            db.session.remove()


def test_consent_for_some_parties_reaches_the_meeting_and_fk_steps_out(live_app, page_as, skarmbild):
    # 1. The AF handläggare aktualiserar with consent for all but Försäkringskassan.
    page = page_as(HANDLAGGARE)
    page.goto("/aktualisering/ny")
    formular = page.locator("form.aktualisering")
    # The team with a projektledare of its own and every party, Försäkringskassan included.
    formular.get_by_label("Team", exact=True).select_option(label=TEAM)
    with page.expect_navigation():
        formular.get_by_role("button", name="Visa teamets parter").click()
    formular = page.locator("form.aktualisering")
    team_namn = TEAM
    expect(formular.locator("#samtyckesregel")).to_contain_text("din part och minst en part till")
    deltagare = formular.get_by_role("group", name="Deltagare")
    deltagare.get_by_role("textbox", name="Personnummer eller samordningsnummer").fill(
        factories.personnummer(dt.date(1991, 9, 3)))
    deltagare.get_by_role("radio", name="Man").check()
    samtycke = formular.get_by_role("group", name="Samtycke")
    parter = samtycke.get_by_role("group", name="Parter som samtycket omfattar").get_by_role("checkbox")
    for i in range(parter.count()):
        parter.nth(i).check()
    samtycke.get_by_role("checkbox", name=FK).uncheck()
    idag = dt.date.today()
    samtycke.get_by_label("Samtycket givet den").fill((idag - dt.timedelta(days=1)).isoformat())
    samtycke.get_by_label("Samtycket gäller till och med").fill((idag + dt.timedelta(days=365)).isoformat())
    samtycke.get_by_label("Dokumentreferens").fill("Akt 2026-301")
    formular.get_by_label("Frågeställning").fill("Hur kan kommunen och regionen stödja vägen mot praktik?")
    skarmbild(page, "1-samtycke-utan-fk")
    with page.expect_navigation():
        formular.get_by_role("button", name="Skicka till teamet").click()
    referens = re.search(r"[A-ZÅÄÖ]+-\d{4}-\d+", page.get_by_role("heading", level=1).inner_text()).group(0)
    arende_url = page.url
    expect(page.locator("main .status").first).to_contain_text("Aktualiserad")

    # 2. The projektledare books it on the team's next meeting.
    mote_id, start = _nasta_mote(live_app, team_namn)
    pl = page_as(PROJEKTLEDARE)
    pl.goto(f"/moten/{mote_id}")
    inkorg = pl.get_by_role("region", name="Att lägga på dagordningen")
    with pl.expect_navigation():
        inkorg.get_by_role("button", name=f"Lägg till {referens}").click()
    dagordning = pl.get_by_role("region", name="Dagordning", exact=True)
    rad = dagordning.get_by_role("row").filter(has=pl.get_by_role("link", name=referens, exact=True))
    expect(rad.locator(".punkt-parter")).to_contain_text("Arbetsförmedlingen")
    expect(rad.locator(".punkt-parter")).to_contain_text(f"Går ut: {FK}")
    skarmbild(pl, "2-dagordning-med-parter")

    # 3. The kallelse names, per item, who takes part and who steps out (codes only).
    text = _kallelsens_text(live_app, mote_id)
    rader = text.splitlines()
    i = next(n for n, r in enumerate(rader) if referens in r)
    assert "Deltar:" in rader[i + 1] and f"går ut under punkten: {FK}" in rader[i + 1]
    assert "praktik" not in text  # nothing of the case itself

    # 4. The FK ledamot knows the ärende by its reference code only.
    fk = page_as(FK_LEDAMOT)
    fk.goto(arende_url)
    expect(fk.get_by_role("heading", level=1)).to_contain_text(referens)
    expect(fk.locator("main")).not_to_contain_text("stödja vägen mot praktik")
    skarmbild(fk, "3-fk-ser-referensen")

    # 5. Meeting mode: FK steps out for the item; the team samplanerar and assigns the samcoach.
    # Meeting mode opens on the meeting day: the app's clock moves into the meeting (and back).
    tidigare = clock._now
    clock.set_clock(lambda: start + dt.timedelta(minutes=5))
    try:
        pl = page_as(PROJEKTLEDARE)  # the jump is longer than the idle timeout: log in again
        pl.goto(f"/moten/{mote_id}/moteslage")
        punkt = pl.locator("section.motespunkt").filter(has_text=referens)
        expect(punkt.locator(".punkt-gar-ut")).to_contain_text(FK)
        skarmbild(pl, "4-moteslage-fk-gar-ut")
        punkt.get_by_role("radio", name="Samcoach").check()
        samcoach = punkt.get_by_role("combobox", name="Samcoach")
        if samcoach.input_value() == "":
            samcoach.select_option(index=1)
        punkt.get_by_label("Följ upp den").fill((idag + dt.timedelta(days=60)).isoformat())
        with pl.expect_navigation():
            punkt.get_by_role("button", name=re.compile("^Spara punkt")).click()
        punkt = pl.locator("section.motespunkt").filter(has_text=referens)
        expect(punkt).to_contain_text("Samcoach")
        skarmbild(pl, "5-samplanerad-med-samcoach")
        pl.goto(arende_url)
        expect(pl.locator("main .status").first).to_contain_text(re.compile("I insats|I kö"))
    finally:
        clock.set_clock(tidigare)
