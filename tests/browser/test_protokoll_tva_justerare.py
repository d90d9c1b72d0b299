"""The protokoll justerat by two reaches the members' mailboxes (issue 16, point 5): the
projektledare names a ledamot as second justerare and justerar; the ledamot justerar in
their own browser; the scheduler's delivery run takes the notices to a local SMTP server,
one per member, and the link in the mail opens the protokoll."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.kallelser import jobs
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.protokoll.models import Protokoll
from tests.browser import helpers, sidor
from tests.browser.helpers import LEDAMOT, PROJEKTLEDARE


def _mote_och_medlemmar(live_app) -> tuple[int, str, set[str]]:
    """The demo team's oldest held meeting with booked items and no protokoll yet (the
    latest is test_protokoll's), and the addresses of the team's members."""
    with live_app.app_context():
        rad = db.session.execute(
            select(Mote.id, Dagordningspunkt.arende_id)
            .join(Dagordningspunkt, Dagordningspunkt.mote_id == Mote.id)
            .where(Mote.team_id == sidor._team(), Mote.starttid < clock.now(), Mote.installt.is_(None),
                   Dagordningspunkt.status == PunktStatus.BOKAD,
                   ~Mote.id.in_(select(Protokoll.mote_id)))
            .order_by(Mote.starttid)
        ).first()
        assert rad is not None, "the demo has no held meeting with an agenda"
        from samverkan.arenden.models import Arende

        referens = db.session.get(Arende, rad.arende_id).referens
        medlemmar = set(db.session.execute(
            select(User.epost).join(Medlemskap, Medlemskap.user_id == User.id)
            .where(Medlemskap.team_id == sidor._team(), User.aktiv.is_(True),
                   Medlemskap.roll.in_([TeamRoll.LEDAMOT, TeamRoll.ERSATTARE, TeamRoll.PROJEKTLEDARE]))
        ).scalars())
        db.session.remove()
        return rad.id, referens, medlemmar


def test_protokollet_justerat_av_tva_nar_medlemmarnas_brevlador(page_as, live_app, smtp, skarmbild):
    mote_id, referens, medlemmar = _mote_och_medlemmar(live_app)
    pl = page_as(PROJEKTLEDARE)
    pl.goto(f"/moten/{mote_id}/protokoll")
    with live_app.app_context():
        ledamot = db.session.execute(select(User).where(User.epost == LEDAMOT)).scalar_one()
        ledamot_id, ledamot_namn = str(ledamot.id), ledamot.namn
        db.session.remove()
    pl.get_by_label("Andra justerare").select_option(ledamot_id)
    pl.get_by_role("button", name="Spara andra justerare").click()
    expect(pl.get_by_role("status")).to_contain_text("Andra justerare är utsedd")
    pl.get_by_role("button", name="Justera protokollet").click()
    expect(pl.get_by_role("status")).to_contain_text(f"Protokollet låses när {ledamot_namn} har justerat")
    expect(pl.get_by_text(f"{ledamot_namn}: har inte justerat")).to_be_visible()
    helpers.assert_axe(pl, "protokoll (en av två har justerat)")
    skarmbild(pl, "1-projektledaren-har-justerat")

    ledamoten = page_as(LEDAMOT)
    ledamoten.goto(f"/moten/{mote_id}/protokoll")
    ledamoten.get_by_role("button", name="Justera protokollet").click()
    expect(ledamoten.get_by_role("status")).to_contain_text("Protokollet är justerat och låst")
    expect(ledamoten.get_by_text(f"och {ledamot_namn}", exact=False).first).to_be_visible()
    skarmbild(ledamoten, "2-justerat-av-tva")

    jobs.leverera(live_app)  # the scheduler's delivery run
    # This meeting's (another test's justering may have queued its own before).
    protokollbrev = [m for m in smtp.mottagna if m.meddelande["Subject"].startswith("Protokollet är justerat")
                     and f"/moten/{mote_id}/protokoll" in m.meddelande.get_body(("plain",)).get_content()]
    assert sorted(a for m in protokollbrev for a in m.rcpt_tos) == sorted(medlemmar)
    [till_ledamoten] = [m for m in protokollbrev if m.rcpt_tos == [LEDAMOT]]
    text = till_ledamoten.meddelande.get_body(preferencelist=("plain",)).get_content()
    assert ledamot_namn not in text
    [adress] = re.findall(r"https?://\S+", text)
    ledamoten.goto(urlsplit(adress).path)
    expect(ledamoten.get_by_role("table", name="Beslut per punkt på dagordningen")).to_contain_text(referens)
