"""The ladder and the insats types belong to each förbund and are edited by its admin."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from samverkan.core.db import db
from samverkan.forbund.models import Forbund
from samverkan.forbund.standardlistor import skapa_standardlistor
from samverkan.insatser.models import Insatstyp
from samverkan.uppfoljning import forlopp
from samverkan.uppfoljning.models import STANDARDSTEGE
from tests.uppfoljning import fabrik


def _annat_forbund() -> Forbund:
    f = Forbund(namn="Samordningsförbundet Annanbygd", kod="ANB")
    db.session.add(f)
    skapa_standardlistor(f)
    db.session.commit()
    return f


def test_edited_ladder_is_used_and_another_forbund_is_not_affected(world, login):
    annat = _annat_forbund()
    client = login(world.users["admin"])
    steg2 = fabrik.steg(world.forbund.id, 2)
    response = client.post("/admin/stege", data={"handling": "andra", "steg_id": steg2.id,
                                                  "namn": "Kartläggning", "beskrivning": "Vi kartlägger."})
    assert response.status_code == 303
    response = client.post("/admin/stege", data={"handling": "ny", "namn": "Egen firma", "beskrivning": ""})
    assert response.status_code == 303
    assert [s.namn for s in forlopp.stege(world.forbund.id)][1] == "Kartläggning"
    assert forlopp.stege(world.forbund.id)[-1].nummer == len(STANDARDSTEGE) + 1
    assert [s.namn for s in forlopp.stege(annat.id)] == [namn for _, namn, _ in STANDARDSTEGE]

    # The case page shows this förbund's ladder with the measurement on its edited step.
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    fabrik.matning(world, arende, dt.date(2026, 1, 20), 2, 25)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "2. Kartläggning" in html and "Egen firma" in html


def test_step_in_use_cannot_be_removed_and_unused_one_renumbers(world, login):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    fabrik.matning(world, arende, dt.date(2026, 1, 20), 3, 50)
    db.session.commit()
    client = login(world.users["admin"])
    anvant = fabrik.steg(world.forbund.id, 3)
    response = client.post("/admin/stege", data={"handling": "ta_bort", "steg_id": anvant.id})
    assert response.status_code == 422
    assert "används i 1 mätning och kan inte tas bort" in response.get_data(as_text=True)

    oanvant = fabrik.steg(world.forbund.id, 2)
    assert client.post("/admin/stege", data={"handling": "ta_bort", "steg_id": oanvant.id}).status_code == 303
    nummer = [(s.nummer, s.namn) for s in forlopp.stege(world.forbund.id)]
    assert [n for n, _ in nummer] == list(range(1, len(STANDARDSTEGE)))
    assert nummer[1][1] == STANDARDSTEGE[2][1]


def test_ladder_is_the_admins_business(world, login):
    steg = fabrik.steg(world.forbund.id, 1)
    client = login(world.users["projektledare"])
    assert client.get("/admin/stege").status_code == 403
    response = client.post("/admin/stege", data={"handling": "andra", "steg_id": steg.id, "namn": "X"})
    assert response.status_code == 403
    db.session.expire_all()
    assert fabrik.steg(world.forbund.id, 1).namn == STANDARDSTEGE[0][1]


def test_empty_name_refused_beside_the_field(world, login):
    steg = fabrik.steg(world.forbund.id, 1)
    response = login(world.users["admin"]).post("/admin/stege", data={"handling": "andra", "steg_id": steg.id,
                                                                     "namn": " ", "beskrivning": ""})
    assert response.status_code == 422
    assert f'id="steg-{steg.id}-namn-fel"' in response.get_data(as_text=True)


def test_insatstyper_rename_add_deactivate(world, login):
    annat = _annat_forbund()
    client = login(world.users["admin"])
    ami = db.session.execute(select(Insatstyp).where(Insatstyp.forbund_id == world.forbund.id,
                                                     Insatstyp.kod == "ami")).scalar_one()
    response = client.post("/admin/insatstyper", data={"handling": "andra", "insatstyp_id": ami.id,
                                                        "namn": "AMI Arbetsmarknad"})  # aktiv unchecked
    assert response.status_code == 303
    assert client.post("/admin/insatstyper", data={"handling": "ny", "namn": "Friskvård"}).status_code == 303
    assert client.post("/admin/insatstyper", data={"handling": "ny", "namn": "friskvård"}).status_code == 422
    db.session.expire_all()
    ami = db.session.get(Insatstyp, ami.id)
    assert ami.namn == "AMI Arbetsmarknad" and not ami.aktiv
    aktiva = [t.namn for t in forlopp.insatstyper(world.forbund.id, bara_aktiva=True)]
    assert "Friskvård" in aktiva and "AMI Arbetsmarknad" not in aktiva
    assert "AMI sysselsättning" in [t.namn for t in forlopp.insatstyper(annat.id, bara_aktiva=True)]
    assert "AMI Arbetsmarknad" in client.get("/admin/insatstyper").get_data(as_text=True)
