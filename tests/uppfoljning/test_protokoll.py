"""The protokoll: generated from the recorded rows by reference code, approved by the
projektledare only, frozen at justering, amended by addenda; the PDF says the same."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.insatser.models import Insatstyp
from samverkan.moten.models import NarvaroStatus
from samverkan.protokoll import las
from samverkan.protokoll.models import Protokoll
from tests.uppfoljning import fabrik


@pytest.fixture
def hallet(world):
    """A meeting held last week: attendance for two parties, three items decided."""
    fabrik.satt_klockan()
    ny = fabrik.i_insats(world)
    foljd = fabrik.i_insats(world)
    ej = fabrik.i_insats(world)
    m = fabrik.mote(world, dt.date(2026, 1, 27))
    ami = db.session.execute(select(Insatstyp).where(Insatstyp.forbund_id == world.forbund.id,
                                                     Insatstyp.kod == "ami")).scalar_one()
    fabrik.punkt(m, ny, ordning=1, beslut="samcoach")
    fabrik.punkt(m, foljd, ordning=2, beslut="insats", insatstyp_id=ami.id, uppfoljning=True)
    fabrik.punkt(m, ej, ordning=3, utfall="bordlagd")
    fabrik.narvaro(world, m, "af", NarvaroStatus.NARVARANDE)
    fabrik.narvaro(world, m, "fk", NarvaroStatus.PER_TELEFON)
    db.session.commit()
    return {"mote": m, "arenden": [ny, foljd, ej]}


def test_generated_by_reference_code_with_attendance_and_decisions(world, hallet, login):
    client = login(world.users["ledamot_fk"])  # any team member may read it
    html = client.get(f"/moten/{hallet['mote'].id}/protokoll").get_data(as_text=True)
    ny, foljd, ej = hallet["arenden"]
    for a in (ny, foljd, ej):
        assert a.referens in html
    assert "Samcoach" in html and "Annan insats: AMI sysselsättning" in html
    assert "Ej hunnen" in html and "Uppföljning" in html
    assert "Per telefon" in html and "Ej registrerad" in html  # kommun, region: nothing recorded
    assert ny.deltagare.personnummer not in html
    assert "Ledamot AF" not in html  # the handläggare's name
    assert "Hur kan vi samordna" not in html  # case text
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.handling == "protokoll.visa",
                                                         AuditEntry.objekt_id == hallet["mote"].id))


def test_only_the_projektledare_justerar(world, hallet, login):
    m = hallet["mote"]
    response = login(world.users["ledamot_af"]).post(f"/moten/{m.id}/protokoll/justera")
    assert response.status_code == 403
    assert db.session.scalar(select(Protokoll.id)) is None


def test_justering_freezes_content_and_locks_the_meeting(world, hallet, login):
    m = hallet["mote"]
    ny = hallet["arenden"][0]
    client = login(world.users["projektledare"])
    assert client.post(f"/moten/{m.id}/protokoll/justera").status_code == 303
    protokoll = db.session.execute(select(Protokoll)).scalar_one()
    assert protokoll.justerat is not None and protokoll.justerat_av_id == world.users["projektledare"].id
    frozen = json.loads(protokoll.innehall)
    assert [p["referens"] for p in frozen["punkter"]] == [a.referens for a in hallet["arenden"]]

    # Rows change afterwards: the approved minutes do not.
    punkt = db.session.execute(select(fabrik.Dagordningspunkt).where(
        fabrik.Dagordningspunkt.arende_id == ny.id)).scalar_one()
    punkt.beslut = "ordinarie"
    db.session.commit()
    html = client.get(f"/moten/{m.id}/protokoll").get_data(as_text=True)
    assert "Fortsatt stöd i parternas ordinarie verksamhet" not in html
    assert "Justerat" in html

    with pytest.raises(DomainError) as fel:
        las.kontrollera_ej_justerat(m.id)
    assert fel.value.code == "protokoll_justerat"
    # A second justering is refused; an addendum is the way to change it.
    assert client.post(f"/moten/{m.id}/protokoll/justera").status_code == 422
    response = client.post(f"/moten/{m.id}/protokoll/tillagg",
                           data={"text": f"Punkt 1 ({ny.referens}): beslutet ändrat till ordinarie."})
    assert response.status_code == 303
    html = client.get(f"/moten/{m.id}/protokoll").get_data(as_text=True)
    assert f"Punkt 1 ({ny.referens}): beslutet ändrat till ordinarie." in html


def test_addendum_only_after_justering_and_not_empty(world, hallet, login):
    m = hallet["mote"]
    client = login(world.users["projektledare"])
    response = client.post(f"/moten/{m.id}/protokoll/tillagg", data={"text": "För tidigt"})
    assert response.status_code == 422
    client.post(f"/moten/{m.id}/protokoll/justera")
    response = client.post(f"/moten/{m.id}/protokoll/tillagg", data={"text": "  "})
    assert response.status_code == 422
    assert "Skriv tillägget." in response.get_data(as_text=True)


def test_not_justerat_before_the_meeting(world, login):
    fabrik.satt_klockan()
    m = fabrik.mote(world, dt.date(2026, 3, 10))
    db.session.commit()
    response = login(world.users["projektledare"]).post(f"/moten/{m.id}/protokoll/justera")
    assert response.status_code == 422
    assert "har inte hållits" in response.get_data(as_text=True)


def test_pdf_has_reference_codes_and_no_personal_data(world, hallet, login):
    m = hallet["mote"]
    client = login(world.users["projektledare"])
    client.post(f"/moten/{m.id}/protokoll/justera")
    client.post(f"/moten/{m.id}/protokoll/tillagg", data={"text": "Rättelse – närvaro för Region"})
    response = client.get(f"/moten/{m.id}/protokoll.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for a in hallet["arenden"]:
        assert a.referens in text
        assert a.deltagare.personnummer not in text
    assert "Försäkringskassan Testbygd" in text and "Per telefon" in text
    assert "Närvaro" in text and "Rättelse - närvaro för Region" in text
    assert "Ledamot AF" not in text and "Petra Projektsson" not in text


def test_api_protokoll_justera_and_addendum(world, hallet, api):
    m = hallet["mote"]
    assert api("ledamot_af").post(f"/moten/{m.id}/protokoll/justera").status_code == 403
    pl = api("projektledare")
    body = pl.get(f"/moten/{m.id}/protokoll").get_json()
    assert body["justerat"] is None and len(body["innehall"]["punkter"]) == 3
    body = pl.post(f"/moten/{m.id}/protokoll/justera").get_json()
    assert body["justerat"] is not None
    response = pl.post(f"/moten/{m.id}/protokoll/tillagg", json={"text": "Tillägg via API"})
    assert response.status_code == 201
    assert api("ledamot_fk").get(f"/moten/{m.id}/protokoll").get_json()["tillagg"][0]["text"] == "Tillägg via API"
