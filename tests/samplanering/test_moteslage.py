"""Meeting mode as a page: the agenda item by item with reference codes, each form's
errors beside their fields with nothing saved, and the next item as the anchor after a save."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.insatser.models import Insatstyp
from samverkan.moten.models import Narvaro
from samverkan.samplanering.models import Atgard
from tests.moten.conftest import NU, satt_klockan, under_motet
from workflows import arende as wf


def test_the_page_walks_the_agenda(world, pa_agendan, login):
    mote, punkter = pa_agendan(2)
    under_motet(mote)
    client = login(world.users["projektledare"])
    html = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    forsta = db.session.get(Arende, punkter[0].arende_id)
    assert f"Punkt 1 av 2: {forsta.referens} (Ny)" in html
    assert f'href="#punkt-{punkter[1].id}">Nästa punkt' in html
    assert "<legend>Testby kommun, Arbetsmarknadsenheten</legend>" in html
    assert "Stegförflyttning" not in html  # new ärenden only
    assert f'href="/moten/{mote.id}/moteslage"' in client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert login(world.users["ledamot_af"]).get(f"/moten/{mote.id}/moteslage").status_code == 403


def test_saving_an_item_anchors_on_the_next(world, pa_agendan, login):
    mote, punkter = pa_agendan(2)
    under_motet(mote)
    client = login(world.users["projektledare"])
    response = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkter[0].id}", data={
        "beslut": "samcoach", "samcoach_id": world.users["samcoach"].id, "folj_upp_den": "2026-04-01",
        "atgard-0-beskrivning": "Kartläggning", "atgard-0-part_id": world.parter["fk"].id,
        "atgard-0-ansvarig": "Kim Exempel", "atgard-0-klar_senast": "2026-03-31"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moten/{mote.id}/moteslage#punkt-{punkter[1].id}")
    assert db.session.get(Arende, punkter[0].arende_id).status == wf.I_INSATS
    html = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert "Kartläggning (Försäkringskassan Testbygd, Kim Exempel, klar senast 2026-03-31)" in html


def test_errors_beside_their_fields_and_nothing_saved(world, pa_agendan, login):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    client = login(world.users["projektledare"])
    response = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkt.id}", data={
        "beslut": "insats", "folj_upp_den": "1 april",
        "atgard-0-beskrivning": "Kartläggning", "atgard-0-ansvarig": "Kim"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    p = f"p{punkt.id}-"
    for falt, text in (("insatstyp_id", "Välj en insats från förbundets lista."),
                       ("folj_upp_den", "Ange datumet som ÅÅÅÅ-MM-DD."),
                       ("atgard-0-part_id", "Åtgärd 1: välj vilken part som äger åtgärden."),
                       ("atgard-0-klar_senast", "Åtgärd 1: ange när den ska vara klar (ÅÅÅÅ-MM-DD).")):
        assert f'<p class="falt__fel" id="{p}{falt}-fel">{text}</p>' in html
        assert re.search(f'id="{p}{falt}"[^>]*aria-describedby="[^"]*{p}{falt}-fel"[^>]*aria-invalid="true"', html)
    assert 'value="Kartläggning"' in html  # what was typed stays
    assert 'role="alert"' in html
    assert db.session.scalar(select(func.count(Atgard.id))) == 0
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA


def test_attendance_form(world, pa_agendan, login):
    mote, _ = pa_agendan(0)
    under_motet(mote)
    client = login(world.users["projektledare"])
    data = {f"narvaro-{p.id}": "narvarande" for p in world.parter.values()}
    data.pop(f"narvaro-{world.parter['region'].id}")
    response = client.post(f"/moten/{mote.id}/moteslage/narvaro", data=data)
    assert response.status_code == 422
    assert "Välj närvaro för Region Testbygd, Hälsocentralen." in response.get_data(as_text=True)
    data[f"narvaro-{world.parter['region'].id}"] = "per_telefon"
    assert client.post(f"/moten/{mote.id}/moteslage/narvaro", data=data).status_code == 303
    assert db.session.scalar(select(func.count(Narvaro.id))) == 4


def test_the_page_costs_the_same_queries_whatever_the_agenda(world, pa_agendan, login, count_queries):
    """Reads only: every ärende's read is audited (one insert each), the rest is fixed."""

    def queries(n: int) -> int:
        satt_klockan(NU)  # each meeting is booked ahead, then held
        mote, punkter = pa_agendan(n)
        under_motet(mote)
        client = login(world.users["projektledare"])  # weeks later: a session of the day
        for punkt, part in zip(punkter, world.parter.values(), strict=False):
            response = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkt.id}", data={
                "beslut": "insats", "insatstyp_id": _ami(world), "folj_upp_den": "2026-04-01",
                "atgard-0-beskrivning": "Kartläggning", "atgard-0-part_id": part.id,
                "atgard-0-ansvarig": "Kim Exempel", "atgard-0-klar_senast": "2026-03-31"})
            assert response.status_code == 303
        with count_queries() as q:
            assert client.get(f"/moten/{mote.id}/moteslage").status_code == 200
        return len([s for s in q.statements if not s.lstrip().upper().startswith("INSERT INTO GRANSKNINGSLOGG")])

    assert queries(1) == queries(3)


def _ami(world) -> int:
    return db.session.execute(select(Insatstyp.id).where(Insatstyp.forbund_id == world.forbund.id,
                                                         Insatstyp.kod == "ami")).scalar_one()
