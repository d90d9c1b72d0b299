"""The protokoll goes out (issue 16, points 2 and 5): a second justerare, justering in two
steps, then one mail to each team member and one to each aktualiserande handläggare of
a decided item, delivered by the scheduler to a real SMTP server; nothing personal in
them, each link works for its recipient, and each can be turned off."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update

from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.protokoll import las
from samverkan.protokoll.models import Protokoll
from tests.besked import helpers
from tests.uppfoljning import fabrik

MEDLEMMAR = ["projektledare", "ledamot_af", "ledamot_fk", "ledamot_kommun", "ledamot_region", "ersattare_af"]


@pytest.fixture
def hallet(world):
    """A meeting held last Tuesday: AF's ärende samplanerat, FK's followed up, AF's second
    not reached."""
    fabrik.satt_klockan()
    af = fabrik.i_insats(world, handlaggare="ledamot_af")
    fk = fabrik.i_insats(world, handlaggare="ledamot_fk")
    ej = fabrik.i_insats(world, handlaggare="ledamot_af")
    m = fabrik.mote(world, dt.date(2026, 1, 27))
    fabrik.punkt(m, af, ordning=1, beslut="samcoach", utfall="samplanerad")
    fabrik.punkt(m, fk, ordning=2, beslut="ordinarie", uppfoljning=True, utfall="foljd_upp")
    fabrik.punkt(m, ej, ordning=3, utfall="bordlagd")
    db.session.commit()
    return {"mote": m, "af": af, "fk": fk, "ej": ej}


def _justera(login, user, mote_id) -> str:
    response = login(user).post(f"/moten/{mote_id}/protokoll/justera", follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _utse(login, world, mote_id, key: str | None):
    justerare = "" if key is None else str(world.users[key].id)
    return login(world.users["projektledare"]).post(f"/moten/{mote_id}/protokoll/justerare",
                                                    data={"justerare_id": justerare})


def _antal(typ: UtskickTyp) -> int:
    return db.session.scalar(select(func.count()).select_from(Utskick).where(Utskick.typ == typ))


def test_justerat_by_two_reaches_every_member_once(world, hallet, login, smtp, kor):
    m = hallet["mote"]
    assert _utse(login, world, m.id, "ersattare_af").status_code == 303

    # The projektledare first: registered, not locked, nothing sent.
    html = _justera(login, world.users["projektledare"], m.id)
    assert "Protokollet låses när Erik Ersättarsson har justerat" in html
    assert not las.ar_justerat(m.id)
    assert _antal(UtskickTyp.PROTOKOLL) == _antal(UtskickTyp.BESLUT) == 0
    html = login(world.users["ersattare_af"]).get(f"/moten/{m.id}/protokoll").get_data(as_text=True)
    assert "Projektledaren: justerade" in html and "Erik Ersättarsson: har inte justerat" in html

    # The second justerare: now justerat, locked, and the notices are in the outbox.
    html = _justera(login, world.users["ersattare_af"], m.id)
    assert "Protokollet är justerat och låst" in html
    assert las.ar_justerat(m.id)
    protokoll = db.session.execute(select(Protokoll)).scalar_one()
    assert protokoll.justerare_id == world.users["ersattare_af"].id
    assert protokoll.projektledare_justerat and protokoll.justerare_justerat and protokoll.justerat

    kor()
    kor()  # a second tick, and a second justering attempt, send nothing twice
    response = login(world.users["projektledare"]).post(f"/moten/{m.id}/protokoll/justera")
    assert response.status_code == 422
    kor()

    protokollbrev = helpers.brev(smtp, "Protokollet är justerat")
    assert helpers.per_mottagare(protokollbrev) == {f"{k}@example.org": 1 for k in MEDLEMMAR}
    beslutsbrev = helpers.brev(smtp, "Beslut från")
    assert helpers.per_mottagare(beslutsbrev) == {"ledamot_af@example.org": 1, "ledamot_fk@example.org": 1}
    [till_af] = [b for b in beslutsbrev if b.rcpt_tos == ["ledamot_af@example.org"]]
    # One item of AF's decided (the other was not reached), by reference code only.
    assert hallet["af"].referens in helpers.text(till_af) and hallet["ej"].referens not in helpers.text(till_af)
    assert "fattat beslut om 1 ärende" in helpers.text(till_af)
    for brev in protokollbrev + beslutsbrev:
        helpers.inget_personligt(brev, arenden=[hallet["af"], hallet["fk"], hallet["ej"]])
        assert brev.message_id.endswith("@127.0.0.1>")

    # Each link opens the protokoll for its recipient.
    for brev in [till_af, protokollbrev[0]]:
        mottagare = next(u for u in world.users.values() if u.epost == brev.rcpt_tos[0])
        sida = login(mottagare).get(helpers.lank(brev))
        assert sida.status_code == 200 and hallet["af"].referens in sida.get_data(as_text=True)


def test_a_change_between_the_justeringar_asks_the_first_again(world, hallet, login):
    m = hallet["mote"]
    _utse(login, world, m.id, "ledamot_fk")
    _justera(login, world.users["projektledare"], m.id)
    punkt = db.session.execute(select(fabrik.Dagordningspunkt).where(
        fabrik.Dagordningspunkt.arende_id == hallet["fk"].id)).scalar_one()
    punkt.beslut = "samcoach"  # recorded late, after the projektledare's justering
    db.session.commit()

    html = _justera(login, world.users["ledamot_fk"], m.id)
    assert "projektledaren behöver justera igen" in html
    assert not las.ar_justerat(m.id)
    assert _antal(UtskickTyp.PROTOKOLL) == 0
    _justera(login, world.users["projektledare"], m.id)
    assert las.ar_justerat(m.id)
    assert _antal(UtskickTyp.PROTOKOLL) == len(MEDLEMMAR)


def test_only_the_projektledare_and_the_named_justerare_justera(world, hallet, login):
    m = hallet["mote"]
    assert login(world.users["ledamot_fk"]).post(f"/moten/{m.id}/protokoll/justera").status_code == 403
    _utse(login, world, m.id, "ledamot_kommun")
    assert login(world.users["ledamot_fk"]).post(f"/moten/{m.id}/protokoll/justera").status_code == 403
    assert login(world.users["granne"]).post(f"/moten/{m.id}/protokoll/justera").status_code == 404
    # Only a ledamot or ersättare of the team can be named; and only by the projektledare.
    for key in ("samcoach", "granne", "projektledare"):
        response = _utse(login, world, m.id, key)
        assert response.status_code == 422, key
        assert "Välj en ledamot eller ersättare i teamet" in response.get_data(as_text=True)
    response = login(world.users["ledamot_af"]).post(f"/moten/{m.id}/protokoll/justerare",
                                                     data={"justerare_id": str(world.users["ledamot_af"].id)})
    assert response.status_code == 403
    # Without a second justerare the projektledare's justering alone completes it (as before).
    assert _utse(login, world, m.id, None).status_code == 303
    _justera(login, world.users["projektledare"], m.id)
    assert las.ar_justerat(m.id)


def test_the_handlaggare_outside_the_team_reads_their_own_items_only(world, hallet, login, smtp, kor):
    m = hallet["mote"]
    # AF's ledamot has left the team since aktualiseringen; the ärenden are still theirs.
    db.session.execute(update(Medlemskap).values(ersatter_id=None))
    db.session.execute(delete(Medlemskap).where(Medlemskap.user_id == world.users["ledamot_af"].id))
    db.session.commit()
    _justera(login, world.users["projektledare"], m.id)
    kor()
    till_af = next(b for b in helpers.brev(smtp, "Beslut från") if b.rcpt_tos == ["ledamot_af@example.org"])
    assert "ledamot_af@example.org" not in helpers.per_mottagare(helpers.brev(smtp, "Protokollet är justerat"))

    client = login(world.users["ledamot_af"])
    html = client.get(helpers.lank(till_af)).get_data(as_text=True)
    assert hallet["af"].referens in html and hallet["ej"].referens in html
    assert hallet["fk"].referens not in html
    assert "ärenden du har aktualiserat" in html
    svar = client.get(f"/moten/{m.id}/protokoll.pdf")
    assert svar.status_code == 200
    # Someone with neither a seat nor an item there is told the meeting does not exist.
    assert login(world.users["granne"]).get(f"/moten/{m.id}/protokoll").status_code == 404


def test_turned_off_on_the_settings_page_nothing_is_sent(world, hallet, login, smtp, kor):
    m = hallet["mote"]
    client = login(world.users["ledamot_af"])
    sida = client.get("/konto/epost").get_data(as_text=True)
    assert "Protokollet är justerat" in sida and "Beslut efter mötet" in sida
    data = {"besked_vecka": "y", "besked_uppdrag": "y"}  # beslut and protokoll unticked
    assert client.post("/konto/epost", data=data).status_code == 303
    _justera(login, world.users["projektledare"], m.id)
    kor()
    mottagare = helpers.per_mottagare(smtp.mottagna)
    assert "ledamot_af@example.org" not in mottagare
    assert mottagare["ledamot_fk@example.org"] == 2  # the protokoll, and the decision on FK's item
