"""Parallel insatser and a queue in a real browser (issue 16, point 3).

The projektledare gives the team one place of "Studier" (an insats type no other browser
test uses), starts it in parallel for one ärende already in insats, starts it for a
second ärende, which waits in the queue, ends the first one's Studier on the places page,
and confirms the freed place from the overview, where the offer shows with its age.
Keyboard-reachable controls only; axe on each page with the projektledare's forms.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.core.db import db
from tests.browser import sidor
from tests.browser.helpers import PROJEKTLEDARE, assert_axe
from workflows import arende as wf


def _tva_arenden_i_insats(live_app) -> tuple[int, list[tuple[int, str]]]:
    """The demo team and two of its ärenden in insats whose consent stands (the last two:
    the first is the other tests' example page)."""
    with live_app.app_context():
        team_id = sidor._team()
        arenden = db.session.execute(
            select(Arende).where(Arende.team_id == team_id, Arende.status == wf.I_INSATS).order_by(Arende.id.desc())
        ).scalars().all()
        valda = [(a.id, a.referens) for a in arenden
                 if not policy.samtycke_aterkallat(a) and not policy.samtycke_utganget(a)][:2]
        db.session.remove()
    assert len(valda) == 2, "demodatan har inte två ärenden i insats med gällande samtycke"
    return team_id, valda


def _starta_studier(page: Page, arende_id: int, meddelande: str) -> None:
    page.goto(f"/insatser/arende/{arende_id}")
    formular = page.get_by_role("region", name="Starta en insats till")
    formular.get_by_role("radio", name="Annan insats").check()
    formular.get_by_label("Insats ur förbundets lista").select_option(label="Studier")
    formular.get_by_role("button", name="Starta insatsen").press("Enter")
    expect(page.get_by_text(meddelande)).to_be_visible()


def test_a_second_insats_starts_in_parallel_and_a_third_waits_until_a_place_frees(live_app, page_as, skarmbild):
    team_id, [(forst, ref_forst), (andra, ref_andra)] = _tva_arenden_i_insats(live_app)
    page = page_as(PROJEKTLEDARE)

    page.goto(f"/insatser/team/{team_id}/platser")
    assert_axe(page, "insatser.platser (projektledare)")
    page.get_by_label("Studier", exact=True).fill("1")
    page.get_by_role("button", name="Spara platser").press("Enter")
    expect(page.get_by_text("Platserna är sparade.")).to_be_visible()
    expect(page.get_by_role("heading", name="Studier: 0 av 1 platser")).to_be_visible()

    _starta_studier(page, forst, "Insatsen har startat.")
    insatser = page.get_by_role("table", name=re.compile("Ärendets insatser"))
    expect(insatser.get_by_role("row", name=re.compile("^Studier"))).to_contain_text("Pågår sedan")
    # In parallel: the ärende's earlier insats still runs beside it.
    expect(insatser.get_by_text("Pågår sedan")).to_have_count(2)
    assert_axe(page, "insatser.arende (projektledare)")
    skarmbild(page, "1-parallell-insats")

    _starta_studier(page, andra, "Det finns ingen ledig plats: ärendet står i kön för insatsen.")
    expect(page.get_by_role("row", name=re.compile("^Studier"))).to_contain_text("I kö sedan")

    page.goto(f"/insatser/team/{team_id}/platser")
    studier = page.get_by_role("region", name=re.compile("^Studier"))
    expect(studier.get_by_role("table", name=re.compile("Kö till Studier"))).to_contain_text(ref_andra)
    skarmbild(page, "2-ko")
    studier.get_by_role("button", name=f"Avsluta insats för {ref_forst}").press("Enter")
    expect(page.get_by_text(f"Insatsen för {ref_forst} är avslutad.")).to_be_visible()

    page.goto("/oversikt/")
    erbjudanden = page.get_by_role("region", name="Erbjudna platser")
    rad = erbjudanden.get_by_role("row", name=re.compile(re.escape(ref_andra)))
    expect(rad).to_contain_text("Studier")
    expect(rad).to_contain_text("0 dagar")
    assert_axe(page, "oversikt.projektledare (med erbjudanden)")
    skarmbild(page, "3-erbjudande-pa-oversikten")
    rad.get_by_role("button", name=f"Bekräfta plats för {ref_andra}").press("Enter")
    expect(page.get_by_text(f"Platsen för {ref_andra} är bekräftad. Insatsen har startat.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/oversikt/#erbjudanden-rubrik$"))
    expect(page.get_by_role("region", name="Erbjudna platser")).not_to_contain_text(ref_andra)

    page.goto(f"/insatser/arende/{andra}")
    expect(page.get_by_role("row", name=re.compile("^Studier"))).to_contain_text("Pågår sedan")
