"""The individual at the meeting: attendance and companions (by role) at an item, goals in
their own words on the plan (history kept), and the starting step recorded at samplanering
that stegförflyttning is measured from — in meeting mode and through the API, all or
nothing, audited, and shown on the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import Forbidden, Valideringsfel
from samverkan.moten import dagordning
from samverkan.samplanering import individen, services
from samverkan.samplanering.models import Atgard, IndividensMal, IndividensNarvaro
from samverkan.uppfoljning import services as uppfoljning_services
from samverkan.uppfoljning import stegoversikt
from samverkan.uppfoljning.models import Stegmatning
from tests.api.conftest import api, token_for  # noqa: F401
from tests.moten.conftest import MOTESDAG, under_motet
from workflows import arende as wf

OM_TVA_MANADER = dt.date(2026, 4, 2)


def _antal(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _tre_atgarder(world) -> list[services.AtgardIn]:
    return [services.AtgardIn(beskrivning=text, part_id=world.parter[part].id, ansvarig="Kim Exempel",
                              klar_senast=dt.date(2026, 3, 31))
            for text, part in (("Kartläggning", "af"), ("Läkarintyg", "region"), ("Praktikplats", "kommun"))]


def test_samplanering_with_three_actions_a_starting_step_and_the_individual(world, pa_agendan, login):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    steg = uppfoljning_services.stege(world.forbund.id)
    services.registrera_punkt(
        pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER, atgarder=_tre_atgarder(world),
        steg_id=steg[1].id, sysselsattningsgrad=0,
        individ=individen.IndividIn(narvaro="narvarande", narstaende=1, tolk=True, mal="Jag vill jobba med djur."))
    db.session.commit()
    assert _antal(Atgard) == 3
    [start] = db.session.execute(select(Stegmatning)).scalars().all()
    assert (start.startsteg, start.steg.nummer, start.sysselsattningsgrad, start.punkt_id) == (True, 2, 0, punkt.id)
    [n] = db.session.execute(select(IndividensNarvaro)).scalars().all()
    assert (n.punkt_id, n.status, n.narstaende, n.tolk, n.annat_stod) == (punkt.id, "narvarande", 1, True, 0)
    assert n.medfoljande_text == "närstående (1), tolk"
    uppgifter = individen.for_arende(punkt.arende_id)
    assert uppgifter.aktuellt_mal.text == "Jag vill jobba med djur." and uppgifter.startsteg.id == start.id
    # The case page shows both (its load asks whether they exist before reading them).
    sida = login(pl).get(f"/arenden/{punkt.arende_id}").get_data(as_text=True)
    assert "Jag vill jobba med djur." in sida and "närstående (1), tolk" in sida
    handlingar = set(db.session.scalars(select(AuditEntry.handling).where(AuditEntry.objekt_id == punkt.arende_id)))
    assert {"individ.narvaro", "individ.mal", "uppfoljning.stegmatning"} <= handlingar


def test_a_refusal_saves_nothing(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    steg = uppfoljning_services.stege(world.forbund.id)
    with pytest.raises(Valideringsfel) as error:
        services.registrera_punkt(
            pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER, atgarder=_tre_atgarder(world),
            steg_id=steg[0].id, sysselsattningsgrad=None,
            individ=individen.IndividIn(narvaro=None, tolk=True, annat_stod=12, mal="x" * 1001))
    db.session.rollback()
    assert set(error.value.fel) == {"sysselsattningsgrad", "individ_narvaro", "individ_annat_stod", "individ_mal"}
    assert _antal(Atgard) == _antal(Stegmatning) == _antal(IndividensNarvaro) == _antal(IndividensMal) == 0
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA
    # Without a step the item is recorded as before: no starting step yet.
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER)
    db.session.commit()
    assert _antal(Stegmatning) == 0 and individen.startsteg(punkt.arende_id) is None


def test_progress_is_measured_from_the_starting_step(world, pa_agendan, nytt_mote):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    steg = uppfoljning_services.stege(world.forbund.id)
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER,
                              steg_id=steg[1].id, sysselsattningsgrad=0)
    arende_services.fire(pl, punkt.arende_id, "kalla_till_uppfoljning", version=None)
    nasta = nytt_mote(MOTESDAG + dt.timedelta(days=28))
    uppfoljning = dagordning.lagg_till(pl, nasta.id, punkt.arende_id)
    db.session.commit()
    under_motet(nasta)
    services.registrera_punkt(pl, nasta.id, uppfoljning.id, beslut="ordinarie",
                              folj_upp_den=OM_TVA_MANADER + dt.timedelta(days=60),
                              steg_id=steg[3].id, sysselsattningsgrad=25,
                              individ=individen.IndividIn(narvaro="pa_distans", mal="Jobba med djur, deltid."))
    db.session.commit()
    [rad] = stegoversikt.oversikt(pl, world.team.id).rader
    assert (rad.start.nummer, rad.forra.nummer, rad.senaste.nummer, rad.forandring, rad.riktning) == (
        2, 2, 4, 2, stegoversikt.UPP)
    assert [m.text for m in individen.for_arende(punkt.arende_id).mal] == ["Jobba med djur, deltid."]
    assert [n.status for n in individen.for_arende(punkt.arende_id).narvaro] == ["pa_distans"]


def test_meeting_mode_and_the_case_page(world, pa_agendan, login):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    client = login(world.users["projektledare"])
    sida = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert "<legend>Startsteg</legend>" in sida and "<legend>Individens närvaro</legend>" in sida
    assert "Vad är viktigt för dig?" in sida
    steg = uppfoljning_services.stege(world.forbund.id)
    data = {"beslut": "ordinarie", "folj_upp_den": OM_TVA_MANADER.isoformat(), "steg_id": steg[2].id,
            "sysselsattningsgrad": "10", "individ_narvaro": "", "individ_tolk": "1", "individ_narstaende": "två"}
    svar = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkt.id}", data=data)
    assert svar.status_code == 422
    html = svar.get_data(as_text=True)
    assert f'id="p{punkt.id}-individ_narvaro-fel"' in html and "Ange antalet närstående som ett heltal." in html
    assert _antal(Stegmatning) == _antal(IndividensNarvaro) == 0
    svar = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkt.id}", data={
        **data, "individ_narvaro": "narvarande", "individ_narstaende": "2", "individ_mal": "Att klara en vardag."})
    assert svar.status_code == 303
    sida = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert "Närvarande; följde med: närstående (2), tolk" in sida
    arendesida = client.get(f"/arenden/{punkt.arende_id}").get_data(as_text=True)
    assert "Att klara en vardag." in arendesida and "3. Social aktivitet, 10 %" in arendesida
    assert "närstående (2), tolk" in arendesida
    # The protokoll by reference code: attendance by role and the starting step, not the goals.
    protokoll = client.get(f"/moten/{mote.id}/protokoll").get_data(as_text=True)
    referens = db.session.get(Arende, punkt.arende_id).referens
    assert (f"Punkt 1, {referens}: Närvarande; följde med: närstående (2), tolk. Startsteg 3. Social aktivitet."
            in protokoll)
    assert "Att klara en vardag." not in protokoll


def test_goals_between_meetings_keep_their_history(world, pa_agendan, api):  # noqa: F811
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER,
                              individ=individen.IndividIn(narvaro="inte_narvarande", mal="Först: sova bättre."))
    db.session.commit()
    # Another party's ledamot reads the ärende but does not write the individual's goals.
    with pytest.raises(Forbidden):
        individen.nytt_mal(world.users["ledamot_fk"], punkt.arende_id, "Annat")
    db.session.rollback()
    klient = api("projektledare")
    svar = klient.post(f"/arenden/{punkt.arende_id}/individen/mal", json={"text": ""})
    assert svar.status_code == 422
    svar = api("ledamot_af").post(f"/arenden/{punkt.arende_id}/individen/mal",  # the aktualiserande handläggare
                                  json={"text": "Sova bättre, sedan praktik."})
    assert svar.status_code == 201 and svar.get_json()["text"] == "Sova bättre, sedan praktik."
    fore = _antal(AuditEntry)
    body = klient.get(f"/arenden/{punkt.arende_id}/individen").get_json()
    assert body["mal"]["text"] == "Sova bättre, sedan praktik."
    assert [m["text"] for m in body["tidigare_mal"]] == ["Först: sova bättre."]
    assert [(n["status"], n["tolk"]) for n in body["narvaro"]] == [("inte_narvarande", False)]
    assert body["startsteg"] is None and body["overlamning"] is None
    assert "arende.visa" in set(db.session.scalars(select(AuditEntry.handling).where(AuditEntry.id > fore)))


def test_the_api_records_the_individual_and_the_starting_step_with_the_item(world, pa_agendan, api):  # noqa: F811
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    steg = uppfoljning_services.stege(world.forbund.id)
    klient = api("projektledare")
    grund = {"beslut": "ordinarie", "folj_upp_den": OM_TVA_MANADER.isoformat(),
             "stegmatning": {"steg_id": steg[0].id, "sysselsattningsgrad": 0}}
    svar = klient.post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall",
                       json={**grund, "individ": {"narvaro": "hemma", "tolk": True}})
    assert svar.status_code == 422 and "individ_narvaro" in svar.get_json()["fel"]["falt_fel"]
    svar = klient.post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall", json={
        **grund, "individ": {"narvaro": "pa_distans", "tolk": True, "annat_stod": 1, "mal": "Eget boende."}})
    assert svar.status_code == 200, svar.get_json()
    body = klient.get(f"/arenden/{punkt.arende_id}/individen").get_json()
    assert body["startsteg"]["nummer"] == 1 and body["mal"]["text"] == "Eget boende."
    assert body["narvaro"][0] | {"punkt_id": None, "mote_id": None, "motesdag": None} == {
        "punkt_id": None, "mote_id": None, "motesdag": None, "status": "pa_distans", "narstaende": 0, "tolk": True,
        "annat_stod": 1}
