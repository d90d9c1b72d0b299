"""Avslut needs its end data (only a reason after withdrawn consent); återaktualisering
makes a new draft linked to the closed ärende, and both case pages link to each other."""

from __future__ import annotations

from sqlalchemy import func, select

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from tests import factories
from tests.api.helpers import fel
from tests.uppfoljning import fabrik
from workflows import arende as wf


def _avsluta(client, arende, **data):
    return client.post(f"/arenden/{arende.id}/handelse",
                       data={"trigger": "avsluta", "version": arende.version, **data})


def test_avslut_refused_without_end_data_with_field_messages(world, login):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    db.session.commit()
    client = login(world.users["projektledare"])
    response = _avsluta(client, arende, avslutsorsak="arbete", forsorjning_slut="lon")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="avsluta-sysselsattning_slut-fel"' in html
    assert "Ange sysselsättning vid avslut." in html
    response = _avsluta(client, arende, forsorjning_slut="lon", sysselsattning_slut="arbete")
    assert response.status_code == 422
    assert 'id="avsluta-avslutsorsak-fel"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Arende, arende.id).status == wf.I_INSATS

    assert _avsluta(client, arende, avslutsorsak="arbete", forsorjning_slut="lon",
                    sysselsattning_slut="arbete", datum="2026-02-02").status_code == 303
    db.session.expire_all()
    a = db.session.get(Arende, arende.id)
    assert (a.status, a.avslutsorsak, a.forsorjning_slut, a.sysselsattning_slut, a.avslutad_den.isoformat()) == (
        wf.AVSLUTAD, "arbete", "lon", "arbete", "2026-02-02")


def test_avslut_after_withdrawn_consent_needs_only_the_reason(world, login):
    fabrik.satt_klockan()
    arende = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["ledamot_af"])
    assert client.post(f"/arenden/{arende.id}/handelse",
                       data={"trigger": "aterkalla", "version": arende.version}).status_code == 303
    db.session.expire_all()
    arende = db.session.get(Arende, arende.id)
    client = login(world.users["projektledare"])
    assert _avsluta(client, arende, avslutsorsak="samtycke_aterkallat").status_code == 303
    db.session.expire_all()
    assert db.session.get(Arende, arende.id).status == wf.AVSLUTAD


def test_api_avslut_refused_without_end_data_then_passes_it_through(world, api):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    db.session.commit()
    pl = api("projektledare")
    response = pl.post(f"/arenden/{arende.id}/handelser",
                       json={"trigger": "avsluta", "version": arende.version, "avslutsorsak": "studier"})
    assert response.status_code == 422
    assert fel(response)["falt"] == "forsorjning_slut"
    response = pl.post(f"/arenden/{arende.id}/handelser",
                       json={"trigger": "avsluta", "version": arende.version, "avslutsorsak": "studier",
                             "forsorjning_slut": "csn", "sysselsattning_slut": "studier"})
    assert response.status_code == 201
    body = pl.get(f"/arenden/{arende.id}").get_json()
    assert (body["avslutsorsak"], body["forsorjning_slut"], body["sysselsattning_slut"]) == (
        "studier", "csn", "studier")


def _avslutat(world) -> Arende:
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    from samverkan.arenden import services

    services.fire(world.users["projektledare"], arende.id, "avsluta", version=arende.version,
                  avslutsorsak="arbete", forsorjning_slut="lon", sysselsattning_slut="arbete")
    db.session.commit()
    return arende


def test_ateraktualisering_links_both_ways(world, login):
    tidigare = _avslutat(world)
    client = login(world.users["ledamot_fk"])
    assert "Återaktualisera" in client.get(f"/arenden/{tidigare.id}").get_data(as_text=True)
    response = client.post(f"/arenden/{tidigare.id}/ateraktualisera")
    assert response.status_code == 303
    nytt = db.session.execute(select(Arende).where(Arende.foregaende_arende_id == tidigare.id)).scalar_one()
    assert (nytt.status, nytt.deltagare_id, nytt.team_id) == (wf.UTKAST, tidigare.deltagare_id, tidigare.team_id)
    assert nytt.handlaggare_id == world.users["ledamot_fk"].id
    assert nytt.referens != tidigare.referens
    assert f"/aktualisering/{nytt.id}/redigera" in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200  # the draft opens for editing

    html = client.get(f"/arenden/{tidigare.id}").get_data(as_text=True)
    assert f'href="/arenden/{nytt.id}"' in html and nytt.referens in html
    html = client.get(f"/arenden/{nytt.id}").get_data(as_text=True)
    assert f'href="/arenden/{tidigare.id}"' in html and "Återaktualisering av ärende" in html

    # Only once.
    assert client.post(f"/arenden/{tidigare.id}/ateraktualisera").status_code == 303
    assert db.session.scalar(select(func.count(Arende.id)).where(Arende.foregaende_arende_id == tidigare.id)) == 1


def test_ateraktualisering_only_of_a_closed_arende_and_not_by_outsiders(world, login, api):
    fabrik.satt_klockan()
    oppet = fabrik.i_insats(world)
    db.session.commit()
    assert login(world.users["projektledare"]).post(f"/arenden/{oppet.id}/ateraktualisera").status_code == 303
    assert db.session.scalar(select(func.count(Arende.id)).where(Arende.foregaende_arende_id.is_not(None))) == 0
    tidigare = _avslutat(world)
    assert api("granne").post(f"/arenden/{tidigare.id}/ateraktualisera").status_code == 404
    assert api("admin").post(f"/arenden/{tidigare.id}/ateraktualisera").status_code == 403
    response = api("ledamot_af").post(f"/arenden/{tidigare.id}/ateraktualisera")
    assert response.status_code == 201
    assert response.get_json()["foregaende_arende_id"] == tidigare.id
    assert api("ledamot_af").post(f"/arenden/{tidigare.id}/ateraktualisera").status_code == 409
