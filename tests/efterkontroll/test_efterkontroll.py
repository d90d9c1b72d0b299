"""After avslut: the handover recorded with the avslut by the flow (case page and API
alike, all or nothing), the efterkontroll the scheduler puts in the projektledare's inbox
once the förbund's months have passed (exactly once, never before), its outcome recorded
and reported with small numbers hidden, and gallring of what is personal in it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.efterkontroll import jobs, rapport
from samverkan.efterkontroll.models import Efterkontroll, Overlamning
from samverkan.gallring import services as gallring
from samverkan.rapporter import services as rapporter
from samverkan.rapporter.queries import Urval
from samverkan.samplanering.models import IndividensMal
from samverkan.schemalaggare import jobb as jobblista
from tests import factories
from tests.api.helpers import fel
from tests.uppfoljning import fabrik
from workflows import arende as wf


def _kl(dag: dt.date, timme: int = 9) -> None:
    fabrik.satt_klockan(dt.datetime.combine(dag, dt.time(timme), tzinfo=dt.UTC))


def _avsluta(world, arende, **overlamning) -> None:
    arende_services.fire(world.users["projektledare"], arende.id, "avsluta", version=arende.version,
                         avslutsorsak="arbete", forsorjning_slut="lon", sysselsattning_slut="arbete", **overlamning)
    db.session.commit()


def _avslutat(world, **overlamning) -> Arende:
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    _avsluta(world, arende, **overlamning)
    return arende


def _antal(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


OVERLAMNING = {"overlamning_vem": "Arbetsförmedlingen, etableringsteamet", "overlamning_hur": "Gemensamt trepartsmöte",
               "overlamning_nar": dt.date(2026, 2, 10)}


def test_the_case_page_closes_with_a_handover_and_plans_the_check(world, login):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    db.session.commit()
    client = login(world.users["projektledare"])
    sida = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "<legend>Överlämning – nästa steg</legend>" in sida and 'for="avsluta-overlamning_vem"' in sida
    data = {"trigger": "avsluta", "version": arende.version, "avslutsorsak": "arbete", "forsorjning_slut": "lon",
            "sysselsattning_slut": "arbete"}
    # Only part of the handover: refused whole, each missing part beside its field.
    svar = client.post(f"/arenden/{arende.id}/handelse", data={**data, "overlamning_vem": "AF"})
    assert svar.status_code == 422
    html = svar.get_data(as_text=True)
    assert 'id="avsluta-overlamning_hur-fel"' in html and 'id="avsluta-overlamning_nar-fel"' in html
    db.session.expire_all()
    assert db.session.get(Arende, arende.id).status == wf.I_INSATS
    assert _antal(Overlamning) == _antal(Efterkontroll) == 0

    svar = client.post(f"/arenden/{arende.id}/handelse", data={
        **data, "overlamning_vem": "Arbetsförmedlingen", "overlamning_part_id": world.parter["af"].id,
        "overlamning_hur": "Trepartsmöte", "overlamning_nar": "2026-02-16"})
    assert svar.status_code == 303
    [o] = db.session.execute(select(Overlamning)).scalars().all()
    assert (o.arende_id, o.vem, o.part_id, o.hur, o.nar) == (
        arende.id, "Arbetsförmedlingen", world.parter["af"].id, "Trepartsmöte", dt.date(2026, 2, 16))
    [k] = db.session.execute(select(Efterkontroll)).scalars().all()
    assert (k.arende_id, k.team_id, k.forfaller, k.i_inkorg) == (arende.id, world.team.id, dt.date(2026, 8, 2), None)
    handlingar = set(db.session.scalars(select(AuditEntry.handling).where(AuditEntry.objekt_id == arende.id)))
    assert {"arende.avsluta", "arende.overlamning"} <= handlingar
    sida = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Trepartsmöte" in sida and "Planerad" in sida


def test_an_avslut_without_handover_still_plans_the_check(world):
    arende = _avslutat(world)
    assert _antal(Overlamning) == 0
    assert db.session.execute(select(Efterkontroll.forfaller)).scalar_one() == dt.date(2026, 8, 2)
    assert db.session.get(Arende, arende.id).status == wf.AVSLUTAD


def test_after_withdrawn_consent_nothing_is_handed_over_or_checked(world):
    fabrik.satt_klockan()
    arende = factories.create_arende(world)
    arende_services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=arende.version)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _avsluta(world, arende, **OVERLAMNING)
    assert refused.value.field == "overlamning_vem"
    db.session.rollback()
    arende = db.session.get(Arende, arende.id)
    arende_services.fire(world.users["projektledare"], arende.id, "avsluta", version=arende.version,
                         avslutsorsak="samtycke_aterkallat")
    db.session.commit()
    assert _antal(Overlamning) == _antal(Efterkontroll) == 0


def test_the_scheduler_puts_the_check_in_the_inbox_exactly_once_after_six_months(world, login):
    arende = _avslutat(world, **OVERLAMNING)
    assert any(j.id == "efterkontroll" and j.kor is jobs.avisera for j in jobblista.JOBB)
    _kl(dt.date(2026, 8, 1))
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 0
    client = login(world.users["projektledare"])
    assert "Inga efterkontroller att göra just nu." in client.get("/oversikt/").get_data(as_text=True)
    _kl(dt.date(2026, 8, 2))
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 1
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 0  # a second run, or a second scheduler
    assert jobs.avisera(world_app()) == {}
    client = login(world.users["projektledare"])  # the clock moved past the idle timeout
    oversikt = client.get("/oversikt/").get_data(as_text=True)
    assert arende.referens in oversikt and f"/teams/{world.team.id}/efterkontroller#efterkontroll-{arende.id}" in oversikt

    lista = client.get(f"/teams/{world.team.id}/efterkontroller").get_data(as_text=True)
    assert "Var står personen nu?" in lista and "Arbetsförmedlingen, etableringsteamet" not in lista  # by reference only
    svar = client.post(f"/teams/{world.team.id}/efterkontroller/{arende.id}", data={})
    assert svar.status_code == 422 and "Välj var personen står nu." in svar.get_data(as_text=True)
    svar = client.post(f"/teams/{world.team.id}/efterkontroller/{arende.id}", data={"utfall": "studier"})
    assert svar.status_code == 303
    k = db.session.execute(select(Efterkontroll)).scalar_one()
    assert (k.utfall, k.kontrollerad_den, k.registrerad_av_id) == ("studier", dt.date(2026, 8, 2),
                                                                   world.users["projektledare"].id)
    assert "Inga efterkontroller att göra just nu." in client.get("/oversikt/").get_data(as_text=True)
    assert "I studier" in client.get(f"/teams/{world.team.id}/efterkontroller").get_data(as_text=True)
    assert "efterkontroll.registrera" in set(db.session.scalars(select(AuditEntry.handling)))
    # Only the team's projektledare records it.
    assert login(world.users["ledamot_af"]).post(f"/teams/{world.team.id}/efterkontroller/{arende.id}",
                                                 data={"utfall": "arbete"}).status_code == 403


def world_app():
    from flask import current_app

    return current_app._get_current_object()


def test_a_forbund_with_three_months_gets_it_after_three(world, login):
    admin = login(world.users["admin"])
    assert "Efterkontroll efter antal månader" in admin.get("/admin/efterkontroll").get_data(as_text=True)
    svar = admin.post("/admin/efterkontroll", data={"efterkontroll_manader": "0"})
    assert svar.status_code == 422 and "1–36" in svar.get_data(as_text=True)
    assert admin.post("/admin/efterkontroll", data={"efterkontroll_manader": "3"}).status_code == 303
    db.session.expire_all()
    assert world.forbund.efterkontroll_manader == 3
    assert "forbund.efterkontroll_manader" in set(db.session.scalars(select(AuditEntry.handling)))
    _avslutat(world)
    _kl(dt.date(2026, 5, 1))
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 0
    _kl(dt.date(2026, 5, 2))
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 1


def test_changing_the_months_moves_the_checks_not_yet_due(world, api):
    _avslutat(world)
    admin = api("admin")
    assert admin.get("/admin/forbund").get_json()["efterkontroll_manader"] == 6
    svar = admin.request("PATCH", "/admin/forbund", json={"efterkontroll_manader": 40})
    assert svar.status_code == 422 and fel(svar)["falt"] == "efterkontroll_manader"
    svar = admin.request("PATCH", "/admin/forbund", json={"efterkontroll_manader": 4})
    assert svar.status_code == 200 and svar.get_json()["efterkontroll_manader"] == 4
    assert db.session.execute(select(Efterkontroll.forfaller)).scalar_one() == dt.date(2026, 6, 2)
    assert api("projektledare").request("PATCH", "/admin/forbund", json={"efterkontroll_manader": 5}).status_code == 403


def test_the_api_closes_with_a_handover_and_records_the_check(world, api):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    db.session.commit()
    pl = api("projektledare")
    grund = {"trigger": "avsluta", "version": arende.version, "avslutsorsak": "studier", "forsorjning_slut": "csn",
             "sysselsattning_slut": "studier"}
    svar = pl.post(f"/arenden/{arende.id}/handelser", json={**grund, "overlamning": {"vem": "CSN-handläggare"}})
    assert svar.status_code == 422 and fel(svar)["falt"] in ("overlamning.hur", "overlamning.nar")
    svar = pl.post(f"/arenden/{arende.id}/handelser", json={**grund, "overlamning": {
        "vem": "Komvux studievägledning", "hur": "Remiss", "nar": "2026-02-20", "part_id": 999999}})
    assert svar.status_code == 422 and fel(svar)["falt"] == "overlamning_part_id"
    svar = pl.post(f"/arenden/{arende.id}/handelser", json={**grund, "overlamning": {
        "vem": "Komvux studievägledning", "hur": "Remiss", "nar": "2026-02-20"}})
    assert svar.status_code == 201
    individen = pl.get(f"/arenden/{arende.id}/individen").get_json()
    assert individen["overlamning"] == {"vem": "Komvux studievägledning", "part_id": None, "hur": "Remiss",
                                        "nar": "2026-02-20"}
    assert individen["efterkontroll"]["forfaller"] == "2026-08-02"
    svar = pl.request("PUT", f"/teams/{world.team.id}/efterkontroller/{arende.id}", json={"utfall": "studier"})
    assert svar.status_code == 409  # not yet due
    _kl(dt.date(2026, 8, 3))
    jobs.lagg_i_inkorgen()
    pl = api("projektledare")  # a token of the new day
    svar = pl.get(f"/teams/{world.team.id}/efterkontroller")
    assert svar.status_code == 200, svar.get_json()
    lista = svar.get_json()
    assert [r["referens"] for r in lista["att_gora"]] == [arende.referens] and lista["gjorda"] == []
    svar = pl.request("PUT", f"/teams/{world.team.id}/efterkontroller/{arende.id}", json={"utfall": "nagot"})
    assert svar.status_code == 422
    svar = pl.request("PUT", f"/teams/{world.team.id}/efterkontroller/{arende.id}", json={"utfall": "studier"})
    assert svar.status_code == 200 and svar.get_json()["utfall"] == "studier"
    assert api("ledamot_af").get(f"/teams/{world.team.id}/efterkontroller").status_code == 403


def test_the_report_counts_outcomes_by_kon_and_hides_small_numbers(world, api):
    for utfall in ("arbete", "arbete", "arbete", "studier"):
        arende = _avslutat(world)
        _kl(dt.date(2026, 8, 3))
        jobs.lagg_i_inkorgen()
        k = db.session.execute(select(Efterkontroll).where(Efterkontroll.arende_id == arende.id)).scalar_one()
        k.utfall = utfall
        db.session.commit()
    _kl(dt.date(2027, 1, 15))
    exakt = rapporter.period_rapport(Urval(world.forbund.id, world.team.id, dt.date(2026, 7, 1),
                                           dt.date(2026, 9, 30)), exakt=True).tabell(rapport.NYCKEL)
    rader = {r.etikett: [c.text for c in r.celler] for r in exakt.rader}
    assert rader["I arbete"] == ["3", "0", "0", "3"] and rader["I studier"] == ["1", "0", "0", "1"]
    assert rader["Totalt"] == ["4", "0", "0", "4"]
    dold = api("styrgrupp").get("/rapporter/efterkontroll?period=2026-K3").get_json()
    assert dold["exakt"] is False
    rader = {r["etikett"]: r["varden"] for r in dold["tabell"]["rader"]}
    assert rader["I studier"][0] == "<3" and rader["I arbete"][0] == "–"  # the other cell of its column hides it
    assert api("projektledare").get(f"/rapporter/efterkontroll?period=2026-K3&team_id={world.team.id}") \
        .get_json()["tabell"]["rader"][0]["varden"] == [3, 0, 0, 3]


def test_gallring_removes_the_handover_and_the_goals_and_the_check_leaves_the_inbox(world):
    arende = _avslutat(world, **OVERLAMNING)
    db.session.add(IndividensMal(arende_id=arende.id, text="Jobba med djur.", skapad_av_id=world.users["projektledare"].id))
    world.forbund.gallringsfrist_manader = 3
    db.session.commit()
    _kl(dt.date(2026, 9, 1))
    gallring.gallra(torrkorning=False)
    db.session.commit()
    o = db.session.execute(select(Overlamning)).scalar_one()
    assert (o.vem, o.hur, o.nar) == ("", "", dt.date(2026, 2, 10))
    assert db.session.execute(select(IndividensMal.text)).scalar_one() == ""
    assert jobs.lagg_i_inkorgen()["efterkontroller"] == 0  # a gallrat ärende is not checked
    assert db.session.get(Arende, arende.id).gallrad is not None
