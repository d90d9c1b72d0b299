"""One ärende across three meetings and half a year, in a real browser with the clock moved
(issue 16's journey).

A förbund of its own beside the demo ("Resebygd", logins resa.*@example.org), so the
demo's figures that other browser tests read stay as they are. Everything happens in the
past: the first meeting 300 days ago, so when the test ends and the real clock returns,
the world it leaves is one that could have happened.

1. Meeting 1: samplanering in meeting mode with three actions, a starting step and the
   individual's attendance; the samcoach gets the ärende.
2. The actions show on the case page; the samcoach ticks one off with a comment before
   its due date.
3. Meeting 2, the follow-up: the earlier plan stands beside the new measurement.
4. Beside the samcoach a second insats starts in parallel; another ärende's waits in the
   queue until the place frees and is confirmed from the overview.
5. The protokoll, justerat by two, reaches the members' mailboxes on a local SMTP server.
6. Meeting 3, then avslut with a handover.
7. Six months later the scheduler puts the efterkontroll in the projektledare's inbox,
   and it is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.auth.services import _hasher_for_app
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.efterkontroll import jobs as efterkontroll_jobs
from samverkan.kallelser import jobs as kallelser_jobs
from samverkan.moten import dagordning
from samverkan.uppfoljning import jobs as uppfoljning_jobs
from tests import factories
from tests.browser.helpers import LOSENORD, assert_axe
from workflows import arende as wf

PREFIX = "resa."
PL, HANDLAGGARE, SAMCOACH, LEDAMOT_FK = (f"{PREFIX}{k}@example.org" for k in
                                        ("projektledare", "ledamot_af", "samcoach", "ledamot_fk"))
KLOCKAN = dt.time(10, 0)
STEG_MELLAN_MOTEN = dt.timedelta(days=35)


@dataclass(frozen=True)
class Resan:
    team_id: int
    moten: list[int]
    dagar: list[dt.date]  # the three meetings' dates
    arende_id: int  # the journey's ärende
    referens: str
    ko_arende_id: int  # another ärende of the team, in insats, that will queue for a place
    ko_referens: str
    medlemmar: set[str]  # the team's ledamöter, ersättare and projektledare


@contextmanager
def klockan(nar: dt.datetime) -> Iterator[None]:
    """The app's clock (and so the live server's) stands at ``nar``, Stockholm wall time."""
    tidigare = clock._now
    fast = nar.replace(tzinfo=clock.STOCKHOLM).astimezone(dt.UTC)
    clock.set_clock(lambda: fast)
    try:
        yield
    finally:
        clock.set_clock(tidigare)


def _vid(dag: dt.date, tid: dt.time = dt.time(10, 30)) -> dt.datetime:
    return dt.datetime.combine(dag, tid)


@pytest.fixture(scope="module")
def resan(live_app) -> Resan:
    idag = dt.date.today()
    m1 = idag - dt.timedelta(days=300)
    dagar = [m1, m1 + STEG_MELLAN_MOTEN, m1 + 2 * STEG_MELLAN_MOTEN]
    with live_app.app_context(), klockan(_vid(m1 - dt.timedelta(days=10), dt.time(9, 0))):
        try:
            w = factories.create_world(kod="RES", ort="Rese", prefix=PREFIX)
            # The demo's password, so the harness's login form serves these users too.
            hash_ = _hasher_for_app().hash(LOSENORD)
            for user in w.users.values():
                user.losenord_hash = hash_
            moten = [factories.mote(w, dag, KLOCKAN) for dag in dagar]
            arende = factories.create_arende(w, handlaggare="ledamot_af")
            dagordning.lagg_till(w.users["projektledare"], moten[0].id, arende.id)
            ko_arende = factories.till_insats(w, factories.create_arende(w, handlaggare="ledamot_kommun"),
                                              dag=m1 - dt.timedelta(days=5))
            db.session.commit()
            medlemmar = {u.epost for k, u in w.users.items()
                         if k == "projektledare" or k.startswith(("ledamot_", "ersattare_"))}
            return Resan(team_id=w.team.id, moten=[m.id for m in moten], dagar=dagar, arende_id=arende.id,
                         referens=arende.referens, ko_arende_id=ko_arende.id, ko_referens=ko_arende.referens,
                         medlemmar=medlemmar)
        finally:
            db.session.remove()


def _sida(page_as, epost: str) -> Page:
    page = page_as(epost)
    page.goto("/")
    return page


def _moteslage(page: Page, mote_id: int) -> None:
    page.goto(f"/moten/{mote_id}")
    page.get_by_role("link", name="Öppna mötesläge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mötesläge")


def _atgard(punkt, nr: int, beskrivning: str, part: str, ansvarig: str, klar: dt.date) -> None:
    grupp = punkt.get_by_role("group", name=f"Åtgärd {nr}", exact=True)
    grupp.get_by_label("Beskrivning").fill(beskrivning)
    grupp.get_by_label("Part").select_option(label=part)
    grupp.get_by_label("Ansvarig").fill(ansvarig)
    grupp.get_by_label("Klar senast").fill(klar.isoformat())


def _kor_jobb(live_app, jobb) -> None:
    """A scheduler job, in-process, as the scheduler runs it (its own app context)."""
    jobb(live_app)


def _till_uppfoljning_och_agendan(live_app, resan: Resan, mote_nr: int) -> None:
    """The scheduler calls the ärende to uppföljning; the projektledare books it."""
    _kor_jobb(live_app, uppfoljning_jobs.kalla)
    with live_app.app_context():
        try:
            arende = db.session.get(Arende, resan.arende_id)
            assert arende.status == wf.UPPFOLJNING, arende.status
            pl = db.session.execute(select(User).where(User.epost == PL)).scalar_one()
            dagordning.lagg_till(pl, resan.moten[mote_nr], resan.arende_id)
            db.session.commit()
        finally:
            db.session.remove()


def test_one_arende_across_three_meetings_and_half_a_year(live_app, page_as, smtp, resan, skarmbild):
    m1, m2, m3 = resan.dagar
    klar_1, klar_2, klar_3 = (m1 + dt.timedelta(days=d) for d in (21, 28, 30))
    folj_upp_1 = m2 - dt.timedelta(days=7)

    # --- 1. Meeting 1: samplanering with three actions and a starting step -------------------
    with klockan(_vid(m1)):
        page = _sida(page_as, PL)
        _moteslage(page, resan.moten[0])
        punkt = page.get_by_role("region", name=re.compile(r"^Punkt 1 av 1: "))
        expect(punkt.get_by_role("heading").first).to_contain_text(f"{resan.referens} (Ny)")
        punkt.get_by_role("radio", name="Samcoach", exact=True).check()
        punkt.get_by_label("Följ upp den").fill(folj_upp_1.isoformat())
        _atgard(punkt, 1, "Första samtal med samcoach", "Reseby kommun, Arbetsmarknadsenheten", "Samcoach", klar_1)
        _atgard(punkt, 2, "Kartlägga arbetsförmåga", "Arbetsförmedlingen Resebygd", "Handläggare AF", klar_2)
        _atgard(punkt, 3, "Boka läkarbesök", "Region Resebygd, Hälsocentralen", "Vårdsamordnare", klar_3)
        expect(punkt.get_by_role("group", name="Startsteg")).to_be_visible()
        punkt.get_by_label("Steg på stegen").select_option(index=2)
        startsteg = punkt.get_by_label("Steg på stegen").locator("option").nth(2).inner_text().split(" – ")[0]
        punkt.get_by_label("Sysselsättningsgrad (procent)").fill("0")
        punkt.get_by_role("group", name="Individens närvaro").get_by_role("radio").nth(1).check()
        punkt.get_by_label("Tolk").check()
        punkt.get_by_label(re.compile("Vad är viktigt för dig")).fill("Att komma ut och träffa folk igen.")
        skarmbild(page, "1-samplanering")
        punkt.get_by_role("button", name=re.compile("^Spara punkt 1")).press("Enter")
        punkt = page.get_by_role("region", name=re.compile(r"^Punkt 1 av 1: "))
        expect(punkt).to_contain_text("Samcoach")
        expect(punkt).to_contain_text("Kartlägga arbetsförmåga")

    # --- 2. The plan on the case page; the samcoach ticks one off early -----------------------
    with klockan(_vid(m1 + dt.timedelta(days=3))):
        page = _sida(page_as, HANDLAGGARE)
        page.goto(f"/arenden/{resan.arende_id}")
        plan = page.get_by_role("table", name="Åtgärder i handlingsplanen, öppna först")
        for beskrivning in ("Första samtal med samcoach", "Kartlägga arbetsförmåga", "Boka läkarbesök"):
            expect(plan).to_contain_text(beskrivning)
        expect(page.get_by_text(startsteg).first).to_be_visible()
        expect(page.get_by_text("Att komma ut och träffa folk igen.")).to_be_visible()
        skarmbild(page, "2-planen-pa-arendesidan")
    with klockan(_vid(m1 + dt.timedelta(days=10))):
        page = _sida(page_as, SAMCOACH)
        page.goto(f"/arenden/{resan.arende_id}")
        rad = page.get_by_role("row").filter(has_text="Första samtal med samcoach")
        rad.get_by_label(re.compile("^Kommentar")).fill("Vi har setts två gånger.")
        rad.get_by_role("button", name=re.compile("^Markera klar")).press("Enter")
        rad = page.get_by_role("row").filter(has_text="Första samtal med samcoach")
        expect(rad).to_contain_text("Vi har setts två gånger.")
        assert (m1 + dt.timedelta(days=10)) < klar_1  # ticked off before it was due

    # --- 3. Meeting 2: the earlier plan beside the new measurement -----------------------------
    with klockan(_vid(folj_upp_1, dt.time(6, 0))):
        _till_uppfoljning_och_agendan(live_app, resan, 1)
    with klockan(_vid(m2)):
        page = _sida(page_as, PL)
        _moteslage(page, resan.moten[1])
        punkt = page.get_by_role("region", name=re.compile(r"^Punkt 1 av 1: "))
        expect(punkt.get_by_role("heading").first).to_contain_text(f"{resan.referens} (Uppföljning)")
        tidigare = punkt.get_by_role("table", name=re.compile("Överenskomna åtgärder"))
        expect(tidigare.get_by_role("row").filter(has_text="Första samtal med samcoach")).to_contain_text(
            "Vi har setts två gånger.")
        expect(tidigare.get_by_role("row").filter(has_text="Kartlägga arbetsförmåga")).to_be_visible()
        punkt.get_by_role("radio", name="Samcoach", exact=True).check()
        punkt.get_by_label("Följ upp den").fill((m3 - dt.timedelta(days=7)).isoformat())
        punkt.get_by_label("Steg på stegen").select_option(index=4)
        punkt.get_by_label("Sysselsättningsgrad (procent)").fill("25")
        skarmbild(page, "3-uppfoljning-med-planen")
        punkt.get_by_role("button", name=re.compile("^Spara punkt 1")).press("Enter")
        expect(page.get_by_role("region", name=re.compile(r"^Punkt 1 av 1: "))).to_contain_text("Följs upp")

        # --- 4. A second insats in parallel; a third waits in the queue -------------------------
        page.goto(f"/insatser/team/{resan.team_id}/platser")
        page.get_by_label("Studier", exact=True).fill("1")
        page.get_by_role("button", name="Spara platser").press("Enter")
        expect(page.get_by_text("Platserna är sparade.")).to_be_visible()
        for arende_id, meddelande in ((resan.arende_id, "Insatsen har startat."),
                                      (resan.ko_arende_id, "Det finns ingen ledig plats: ärendet står i kön")):
            page.goto(f"/insatser/arende/{arende_id}")
            formular = page.get_by_role("region", name="Starta en insats till")
            formular.get_by_role("radio", name="Annan insats").check()
            formular.get_by_label("Insats ur förbundets lista").select_option(label="Studier")
            formular.get_by_role("button", name="Starta insatsen").press("Enter")
            expect(page.get_by_text(meddelande)).to_be_visible()
        page.goto(f"/insatser/arende/{resan.arende_id}")
        expect(page.get_by_role("table", name=re.compile("Ärendets insatser")).get_by_text("Pågår sedan")).to_have_count(2)
        page.goto(f"/insatser/team/{resan.team_id}/platser")
        studier = page.get_by_role("region", name=re.compile("^Studier"))
        expect(studier.get_by_role("table", name=re.compile("Kö till Studier"))).to_contain_text(resan.ko_referens)
        studier.get_by_role("button", name=f"Avsluta insats för {resan.referens}").press("Enter")
        expect(page.get_by_text(f"Insatsen för {resan.referens} är avslutad.")).to_be_visible()
    with klockan(_vid(m2 + dt.timedelta(days=3))):
        page = _sida(page_as, PL)
        page.goto("/oversikt/")
        rad = page.get_by_role("region", name="Erbjudna platser").get_by_role(
            "row", name=re.compile(re.escape(resan.ko_referens)))
        expect(rad).to_contain_text("3 dagar")
        skarmbild(page, "4-erbjudande-pa-oversikten")
        rad.get_by_role("button", name=f"Bekräfta plats för {resan.ko_referens}").press("Enter")
        expect(page.get_by_text(f"Platsen för {resan.ko_referens} är bekräftad.")).to_be_visible()

        # --- 5. The protokoll, justerat by two, reaches the members --------------------------
        page.goto(f"/moten/{resan.moten[1]}/protokoll")
        page.get_by_label("Andra justerare").select_option(label="Ledamot FK")
        page.get_by_role("button", name="Spara andra justerare").click()
        expect(page.get_by_role("status")).to_contain_text("Andra justerare är utsedd")
        page.get_by_role("button", name="Justera protokollet").click()
        expect(page.get_by_role("status")).to_contain_text("Protokollet låses när Ledamot FK har justerat")
        fk = _sida(page_as, LEDAMOT_FK)
        fk.goto(f"/moten/{resan.moten[1]}/protokoll")
        fk.get_by_role("button", name="Justera protokollet").click()
        expect(fk.get_by_role("status")).to_contain_text("Protokollet är justerat och låst")
        assert_axe(fk, "protokoll justerat av två")
        kallelser_jobs.leverera(live_app)
    protokollbrev = [m for m in smtp.mottagna if m.meddelande["Subject"].startswith("Protokollet är justerat")
                     and set(m.rcpt_tos) <= resan.medlemmar]
    assert sorted(a for m in protokollbrev for a in m.rcpt_tos) == sorted(resan.medlemmar)
    for brev in protokollbrev:
        text = brev.meddelande.get_body(preferencelist=("plain",)).get_content()
        assert "Att komma ut" not in text and "Kartlägga" not in text  # nothing from the case
        assert f"/moten/{resan.moten[1]}/protokoll" in text  # a link to it

    # --- 6. Meeting 3, then avslut with a handover ---------------------------------------------
    with klockan(_vid(m3 - dt.timedelta(days=7), dt.time(6, 0))):
        _till_uppfoljning_och_agendan(live_app, resan, 2)
    with klockan(_vid(m3, dt.time(11, 0))):
        page = _sida(page_as, PL)
        page.goto(f"/arenden/{resan.arende_id}")
        page.get_by_text("Avsluta", exact=True).first.click()
        formular = page.locator("details.atgard[open] form")
        formular.get_by_label("Avslutsorsak").select_option(label="Arbete")
        formular.get_by_label("Försörjning vid avslut").select_option(index=1)
        formular.get_by_label("Sysselsättning vid avslut").select_option(index=1)
        formular.get_by_label("Vem tar över").fill("Arbetsgivarens handledare")
        formular.get_by_label("Hur").fill("Avstämning varannan vecka första månaden")
        formular.get_by_label("När").fill((m3 + dt.timedelta(days=14)).isoformat())
        formular.get_by_role("button", name="Avsluta").click()
        expect(page.get_by_role("heading", name="Överlämning – nästa steg")).to_be_visible()
        expect(page.locator("dl.overlamning")).to_contain_text("Arbetsgivarens handledare")
        skarmbild(page, "6-avslut-med-overlamning")

    # --- 7. Six months later: the efterkontroll --------------------------------------------------
    with klockan(_vid(m3 + dt.timedelta(days=150))):
        _kor_jobb(live_app, efterkontroll_jobs.avisera)
        page = _sida(page_as, PL)
        page.goto("/oversikt/")
        expect(page.get_by_role("region", name="Efterkontroller")).not_to_contain_text(resan.referens)
    with klockan(_vid(m3 + dt.timedelta(days=190))):
        _kor_jobb(live_app, efterkontroll_jobs.avisera)
        page = _sida(page_as, PL)
        page.goto("/oversikt/")
        kontroller = page.get_by_role("region", name="Efterkontroller")
        kontroller.get_by_role("link", name=resan.referens).click()
        kort = page.locator(f"#efterkontroll-{resan.arende_id}")
        kort.get_by_label("I arbete").check()
        kort.get_by_role("button", name=re.compile("^Registrera efterkontrollen")).click()
        gjorda = page.get_by_role("region", name="Gjorda")
        expect(gjorda.get_by_role("row").filter(has_text=resan.referens)).to_contain_text("I arbete")
        assert_axe(page, "efterkontroller")
        skarmbild(page, "7-efterkontroll-registrerad")
