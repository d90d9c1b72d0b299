"""The projektledare opens a held meeting's protokoll, approves it (justering), sees it
locked, and adds an addendum."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.protokoll.models import Protokoll
from tests.browser import helpers, sidor
from tests.browser.helpers import PROJEKTLEDARE


def _hallet_mote(live_app) -> tuple[int, str]:
    """The demo team's latest held meeting with booked items, not yet justerat."""
    with live_app.app_context():
        rad = db.session.execute(
            select(Mote.id, Dagordningspunkt.arende_id)
            .join(Dagordningspunkt, Dagordningspunkt.mote_id == Mote.id)
            .where(Mote.team_id == sidor._team(), Mote.starttid < clock.now(), Mote.installt.is_(None),
                   Dagordningspunkt.status == PunktStatus.BOKAD,
                   ~Mote.id.in_(select(Protokoll.mote_id)))
            .order_by(Mote.starttid.desc())
        ).first()
        assert rad is not None, "the demo has no held meeting with an agenda"
        from samverkan.arenden.models import Arende

        referens = db.session.get(Arende, rad.arende_id).referens
        db.session.remove()
        return rad.id, referens


def test_projektledare_justerar_protokollet_och_skriver_tillagg(page_as, live_app, skarmbild):
    mote_id, referens = _hallet_mote(live_app)
    page = page_as(PROJEKTLEDARE)
    page.goto(f"/moten/{mote_id}/protokoll")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Protokoll")
    expect(page.get_by_role("table", name="Beslut per punkt på dagordningen")).to_contain_text(referens)
    helpers.assert_axe(page, "protokoll (utkast)")
    skarmbild(page, "1-utkast")

    page.get_by_role("button", name="Justera protokollet").click()
    expect(page.get_by_role("status")).to_contain_text("Protokollet är justerat och låst")
    expect(page.get_by_text("Justerat", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Justera protokollet")).to_have_count(0)
    helpers.assert_axe(page, "protokoll (justerat)")
    skarmbild(page, "2-justerat")

    page.get_by_role("button", name="Spara tillägg").click()  # empty: refused beside the field
    expect(page.get_by_role("textbox", name="Tillägg")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("textbox", name="Tillägg").fill(f"Rättelse: punkten {referens} följs upp i mars.")
    page.get_by_role("button", name="Spara tillägg").click()
    tillagg = page.get_by_role("region", name="Tillägg efter justering")
    expect(tillagg).to_contain_text(f"Rättelse: punkten {referens} följs upp i mars.")
    helpers.assert_axe(page, "protokoll (med tillägg)")
    skarmbild(page, "3-tillagg")
