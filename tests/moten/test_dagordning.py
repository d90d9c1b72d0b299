"""The agenda: adding through the state machine (consent must cover the meeting date),
capacity (also under two simultaneous additions on PostgreSQL), order and time slots,
handläggare's requests until the deadline, carry-over after the meeting, and the
invitation letter."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.models import User
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.moten import anmalningar, dagordning, redigering
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from tests import factories
from tests.moten.conftest import satt_klockan
from workflows import arende as wf


def _punkter(mote_id: int, status: PunktStatus = PunktStatus.BOKAD) -> list[Dagordningspunkt]:
    return db.session.execute(
        select(Dagordningspunkt).where(Dagordningspunkt.mote_id == mote_id, Dagordningspunkt.status == status)
        .order_by(Dagordningspunkt.ordning)
    ).scalars().all()


def _historik(arende_id: int) -> list[str]:
    return list(db.session.execute(
        select(ArendeHandelse.trigger).where(ArendeHandelse.arende_id == arende_id).order_by(ArendeHandelse.id)
    ).scalars())


def test_adding_puts_the_arende_on_the_agenda_through_the_flow(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["projektledare"])
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert arende.referens in html and "Inkorgen" in html
    response = client.post(f"/moten/{mote.id}/dagordning", data={"arende_id": arende.id})
    assert response.status_code == 303
    db.session.expire_all()
    assert arende.status == wf.PA_AGENDA
    handelse = db.session.execute(select(ArendeHandelse).where(ArendeHandelse.arende_id == arende.id)
                                  .order_by(ArendeHandelse.id.desc()).limit(1)).scalar_one()
    assert (handelse.trigger, handelse.fran_status, handelse.till_status) == ("placera_pa_agenda", "aktualiserad",
                                                                            "pa_agenda")
    assert handelse.aktor_id == world.users["projektledare"].id
    [punkt] = _punkter(mote.id)
    assert punkt.arende_id == arende.id and punkt.ordning == 1 and not punkt.uppfoljning
    assert punkt.tidslucka == dt.time(13, 0)
    assert mote.agendaversion == 1 and mote.sekvens == 0
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert "1 av 6 ärenden" in html


def test_consent_not_covering_the_meeting_blocks_with_the_guards_reason(world, nytt_mote, login):
    mote = nytt_mote()
    # Valid until 2026-02-22: the meeting on 2026-03-10 is outside it.
    arende = factories.create_arende(world, giltigt_dagar=20)
    db.session.commit()
    version, antal_handelser = arende.version, len(_historik(arende.id))
    client = login(world.users["projektledare"])
    response = client.post(f"/moten/{mote.id}/dagordning", data={"arende_id": arende.id})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    reason = wf.GUARD_MESSAGES["samtycke_tacker_motet"]
    # Beside the item in the inbox, tied to its button.
    assert f'id="fel-arende-{arende.id}" role="alert">{reason}' in html
    assert f'aria-describedby="fel-arende-{arende.id}"' in html
    db.session.expire_all()
    assert arende.status == wf.AKTUALISERAD and arende.version == version
    assert len(_historik(arende.id)) == antal_handelser
    assert _punkter(mote.id) == [] and mote.agendaversion == 0


def test_consent_naming_some_parties_is_booked_unless_the_team_requires_all(world, nytt_mote):
    # Issue 15: consent for the aktualiserande party and one other is enough by default;
    # a team with the stricter rule refuses it at booking.
    mote = nytt_mote()
    arende = factories.create_arende(world, parter=["af", "kommun"])
    db.session.commit()
    dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    assert arende.status == wf.PA_AGENDA
    db.session.rollback()
    world.team.samtycke_alla_parter = True
    db.session.flush()
    with pytest.raises(DomainError) as error:
        dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    assert error.value.message == wf.GUARD_MESSAGES["samtycke_tacker_motet"]


def test_capacity_is_refused_with_a_swedish_message(world, nytt_mote, login):
    mote = nytt_mote(kapacitet=1)
    forsta, andra = factories.create_arende(world), factories.create_arende(world, handlaggare="ledamot_fk")
    dagordning.lagg_till(world.users["projektledare"], mote.id, forsta.id)
    db.session.commit()
    response = login(world.users["projektledare"]).post(f"/moten/{mote.id}/dagordning",
                                                        data={"arende_id": andra.id})
    assert response.status_code == 422
    assert "Dagordningen är full (1 av 1 ärenden)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert andra.status == wf.AKTUALISERAD and len(_punkter(mote.id)) == 1


def test_team_capacity_is_the_default(world, nytt_mote):
    world.team.agendakapacitet = 2
    mote = nytt_mote()
    for key in ("ledamot_af", "ledamot_fk"):
        dagordning.lagg_till(world.users["projektledare"], mote.id, factories.create_arende(world, handlaggare=key).id)
    with pytest.raises(DomainError) as error:
        dagordning.lagg_till(world.users["projektledare"], mote.id, factories.create_arende(world).id)
    assert error.value.code == "dagordningen_full"


def test_two_simultaneous_additions_cannot_overbook(world, nytt_mote, ctx):
    if ctx.config["BACKEND"] != "postgresql":
        pytest.skip("row locks and true concurrency need PostgreSQL (SQLite serialises writers at BEGIN)")
    mote = nytt_mote(kapacitet=2)
    redan = factories.create_arende(world)
    dagordning.lagg_till(world.users["projektledare"], mote.id, redan.id)
    a, b = factories.create_arende(world), factories.create_arende(world, handlaggare="ledamot_fk")
    db.session.commit()
    user_id, mote_id = world.users["projektledare"].id, mote.id
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def add(arende_id: int) -> None:
        with ctx.app_context():  # its own session and connection
            try:
                user = db.session.get(User, user_id)
                assert user.medlemskap  # loaded before the race starts
                barrier.wait(timeout=60)  # a bound for a hang, not a pace: generous under load
                dagordning.lagg_till(user, mote_id, arende_id)
                db.session.commit()
                results[arende_id] = "ok"
            except DomainError as error:
                db.session.rollback()
                results[arende_id] = error.code
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                db.session.rollback()
                results[arende_id] = repr(error)

    threads = [threading.Thread(target=add, args=(arende_id,)) for arende_id in (a.id, b.id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert sorted(results.values()) == ["dagordningen_full", "ok"], results
    db.session.expire_all()
    assert len(_punkter(mote_id)) == 2
    statuses = {a.id: db.session.get(Arende, a.id).status, b.id: db.session.get(Arende, b.id).status}
    vann = next(k for k, v in results.items() if v == "ok")
    forlorade = next(k for k, v in results.items() if v != "ok")
    assert statuses[vann] == wf.PA_AGENDA and statuses[forlorade] == wf.AKTUALISERAD
    assert db.session.get(Mote, mote_id).agendaversion == 2


def test_remove_before_the_meeting_returns_the_arende_to_the_inbox(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world)
    punkt = dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    db.session.commit()
    response = login(world.users["projektledare"]).post(f"/moten/{mote.id}/punkter/{punkt.id}/ta-bort")
    assert response.status_code == 303
    db.session.expire_all()
    assert arende.status == wf.AKTUALISERAD
    assert _historik(arende.id)[-2:] == ["placera_pa_agenda", "bordlagg"]
    assert _punkter(mote.id) == [] and mote.agendaversion == 2
    # Removed before the meeting is not "carried over": it was never not reached.
    [rad] = [r for r in arende_services.inkorg(world.users["projektledare"], world.team.id).rader
             if r.arende.id == arende.id]
    assert not rad.overford


def test_order_lengths_and_time_slots(world, nytt_mote, login):
    mote = nytt_mote(kapacitet=4)  # 120 minutes / 4 = 30 minutes each by default
    ids = [factories.create_arende(world).id for _ in range(3)]
    punkter = [dagordning.lagg_till(world.users["projektledare"], mote.id, i) for i in ids]
    db.session.commit()
    assert [p.tidslucka for p in _punkter(mote.id)] == [dt.time(13, 0), dt.time(13, 30), dt.time(14, 0)]
    client = login(world.users["projektledare"])
    assert client.post(f"/moten/{mote.id}/punkter/{punkter[2].id}/flytta",
                       data={"riktning": "upp"}).status_code == 303
    assert client.post(f"/moten/{mote.id}/punkter/{punkter[0].id}",
                       data={"langd_minuter": "45", "individen_medverkar": "ja"}).status_code == 303
    db.session.expire_all()
    ordning = _punkter(mote.id)
    assert [p.id for p in ordning] == [punkter[0].id, punkter[2].id, punkter[1].id]
    assert [p.tidslucka for p in ordning] == [dt.time(13, 0), dt.time(13, 45), dt.time(14, 15)]
    assert ordning[0].individen_medverkar and ordning[0].langd_minuter == 45
    assert mote.agendaversion == 5  # three additions, a move, an item change
    # Already first: refused, nothing changes.
    response = client.post(f"/moten/{mote.id}/punkter/{punkter[0].id}/flytta", data={"riktning": "upp"})
    assert response.status_code == 422 and "redan först" in response.get_data(as_text=True)
    db.session.expire_all()
    assert mote.agendaversion == 5
    # Longer than the meeting is refused beside the item.
    response = client.post(f"/moten/{mote.id}/punkter/{punkter[1].id}", data={"langd_minuter": "500"})
    assert response.status_code == 422 and f'id="fel-punkt-{punkter[1].id}"' in response.get_data(as_text=True)


def test_agenda_page_buttons_have_names_and_ids_are_unique(world, nytt_mote, login):
    mote = nytt_mote()
    arenden = [factories.create_arende(world) for _ in range(2)]
    dagordning.lagg_till(world.users["projektledare"], mote.id, arenden[0].id)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/moten/{mote.id}").get_data(as_text=True)
    assert f"Flytta {arenden[0].referens} uppåt".lower() in html.lower()
    assert f"Lägg till<span class=\"visuellt-dold\"> {arenden[1].referens}" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert arenden[0].deltagare.personnummer not in html


def test_anmalan_until_the_deadline_then_the_projektledare_books_it(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world, handlaggare="ledamot_af")
    db.session.commit()
    client = login(world.users["ledamot_af"])
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert "Anmälan stänger 2026-03-04 09:00" in html and arende.referens in html
    assert client.post(f"/moten/{mote.id}/anmal", data={"arende_id": arende.id}).status_code == 303
    db.session.expire_all()
    [anmalan] = _punkter(mote.id, PunktStatus.ANMALD)
    assert anmalan.anmald_av_id == world.users["ledamot_af"].id
    assert arende.status == wf.AKTUALISERAD  # a request changes no state
    assert mote.agendaversion == 0
    # Twice is refused.
    assert client.post(f"/moten/{mote.id}/anmal", data={"arende_id": arende.id}).status_code == 422

    pl = login(world.users["projektledare"])
    html = pl.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert "Anmälda av handläggare" in html and "Ledamot AF" in html
    assert pl.post(f"/moten/{mote.id}/dagordning", data={"arende_id": arende.id}).status_code == 303
    db.session.expire_all()
    assert _punkter(mote.id, PunktStatus.ANMALD) == []
    [punkt] = _punkter(mote.id)
    assert punkt.id == anmalan.id and arende.status == wf.PA_AGENDA


def test_anmalan_after_the_deadline_is_refused_with_the_deadline(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world, handlaggare="ledamot_af")
    db.session.commit()
    satt_klockan(dt.datetime(2026, 3, 4, 8, 1, tzinfo=dt.UTC))  # 09:01 in Stockholm
    client = login(world.users["ledamot_af"])
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert "Anmälan till mötet stängde 2026-03-04 09:00" in html
    response = client.post(f"/moten/{mote.id}/anmal", data={"arende_id": arende.id})
    assert response.status_code == 422
    assert "Anmälan till mötet stängde 2026-03-04 09:00." in response.get_data(as_text=True)
    assert _punkter(mote.id, PunktStatus.ANMALD) == []


def test_meetings_open_for_a_request_for_the_arende_page(world, nytt_mote):
    stangt = nytt_mote(dt.date(2026, 2, 3))  # requests closed 2026-01-28, kallelse 2026-01-30
    oppet, senare = nytt_mote(), nytt_mote(dt.date(2026, 4, 14))
    installt = nytt_mote(dt.date(2026, 3, 24))
    redigering.installa_mote(world.users["projektledare"], installt.id)
    arende = factories.create_arende(world, handlaggare="ledamot_af")
    assert anmalningar.moten_for_anmalan(world.users["ledamot_af"], arende) == [oppet, senare]
    assert stangt not in anmalningar.moten_for_anmalan(world.users["projektledare"], arende)
    assert anmalningar.moten_for_anmalan(world.users["ledamot_fk"], arende) == []


def test_only_the_aktualiserande_handlaggare_may_ask_for_a_place(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world, handlaggare="ledamot_af")
    db.session.commit()
    # ledamot_fk reads the details (consent covers FK) but did not bring the ärende.
    assert login(world.users["ledamot_fk"]).post(f"/moten/{mote.id}/anmal",
                                                 data={"arende_id": arende.id}).status_code == 403
    assert login(world.users["granne"]).post(f"/moten/{mote.id}/anmal",
                                             data={"arende_id": arende.id}).status_code == 404
    assert _punkter(mote.id, PunktStatus.ANMALD) == []


def test_after_the_meeting_items_not_reached_are_carried_over(world, nytt_mote, login):
    mote = nytt_mote()
    pl = world.users["projektledare"]
    hunnen, ej_hunnen = factories.create_arende(world), factories.create_arende(world)
    for arende in (hunnen, ej_hunnen):
        dagordning.lagg_till(pl, mote.id, arende.id)
    db.session.commit()
    efter = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
    satt_klockan(efter)
    arende_services.fire(pl, hunnen.id, "samplanera", version=None, kanal=wf.MOTE)
    db.session.commit()

    client = login(pl)
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert "Avsluta mötets dagordning" in html
    assert client.post(f"/moten/{mote.id}/avsluta-dagordning").status_code == 303
    db.session.expire_all()
    assert ej_hunnen.status == wf.AKTUALISERAD and _historik(ej_hunnen.id)[-1] == "bordlagg"
    assert hunnen.status == wf.SAMPLANERAD
    punkter = {p.arende_id: p for p in _punkter(mote.id)}
    assert {k: p.utfall for k, p in punkter.items()} == {hunnen.id: "samplanerad", ej_hunnen.id: "bordlagd"}

    rader = {r.arende.id: r for r in arende_services.inkorg(pl, world.team.id).rader}
    assert rader[ej_hunnen.id].overford and hunnen.id not in rader
    inbox = client.get(f"/moten/{nytt_mote(dt.date(2026, 4, 14)).id}").get_data(as_text=True)
    assert "överförd från förra mötet" in inbox

    # On the next agenda the item remembers where it came from.
    nasta = db.session.execute(select(Mote).order_by(Mote.starttid.desc()).limit(1)).scalar_one()
    punkt = dagordning.lagg_till(pl, nasta.id, ej_hunnen.id)
    db.session.commit()
    assert punkt.overford_fran_id == punkter[ej_hunnen.id].id


def test_closing_the_agenda_waits_for_the_meeting(world, nytt_mote, login):
    mote = nytt_mote()
    response = login(world.users["projektledare"]).post(f"/moten/{mote.id}/avsluta-dagordning")
    assert response.status_code == 422
    assert "Mötet har inte börjat ännu." in response.get_data(as_text=True)


def test_ledamot_cannot_change_the_agenda(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world)
    punkt = dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    andra = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["ledamot_fk"])
    html = client.get(f"/moten/{mote.id}").get_data(as_text=True)
    assert arende.referens in html and "Ta bort" not in html and "Inkorgen" not in html
    assert client.post(f"/moten/{mote.id}/dagordning", data={"arende_id": andra.id}).status_code == 403
    assert client.post(f"/moten/{mote.id}/punkter/{punkt.id}/ta-bort").status_code == 403
    assert client.post(f"/moten/{mote.id}/punkter/{punkt.id}/flytta", data={"riktning": "ned"}).status_code == 403
    assert client.post(f"/moten/{mote.id}/avsluta-dagordning").status_code == 403
    db.session.expire_all()
    assert andra.status == wf.AKTUALISERAD and len(_punkter(mote.id)) == 1


def test_invitation_letter_has_time_place_and_parties_but_no_case_details(world, nytt_mote, login):
    mote = nytt_mote(plats="Kommunhuset, rum 3")
    arende = factories.create_arende(world, handlaggare="ledamot_af")
    pl = world.users["projektledare"]
    forsta = dagordning.lagg_till(pl, mote.id, factories.create_arende(world).id)
    punkt = dagordning.lagg_till(pl, mote.id, arende.id)
    dagordning.andra_punkt(pl, mote.id, punkt.id, langd_minuter=None, individen_medverkar=True)
    db.session.commit()
    client = login(world.users["ledamot_af"])
    response = client.get(f"/moten/{mote.id}/punkter/{punkt.id}/inbjudan")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Till dig som" in html
    assert "Tisdag 2026-03-10" in html and "Klockan 13:20" in html  # after the first item's 20 minutes
    assert "Kommunhuset, rum 3" in html
    for part in world.parter.values():
        assert part.namn in html
    assert arende.deltagare.personnummer not in html and arende.deltagare.personnummer[:8] not in html
    assert "samordna stödet" not in html and arende.referens not in html

    assert client.get(f"/moten/{mote.id}/punkter/{forsta.id}/inbjudan").status_code in (403, 409)
    assert login(world.users["ledamot_fk"]).get(f"/moten/{mote.id}/punkter/{punkt.id}/inbjudan").status_code == 403
    assert login(pl).get(f"/moten/{mote.id}/punkter/{forsta.id}/inbjudan").status_code == 409


def test_meeting_page_costs_the_same_number_of_queries_at_any_size(world, nytt_mote, login, count_queries):
    mote = nytt_mote(kapacitet=12)
    pl = world.users["projektledare"]
    dagordning.lagg_till(pl, mote.id, factories.create_arende(world).id)
    factories.create_arende(world)  # in the inbox
    db.session.commit()
    anmalningar.anmal(world.users["ledamot_fk"], mote.id, factories.create_arende(world, handlaggare="ledamot_fk").id)
    db.session.commit()

    def mat(user):
        client = login(user)
        with count_queries() as q:
            response = client.get(f"/moten/{mote.id}")
        assert response.status_code == 200
        return q.count

    fore = {key: mat(world.users[key]) for key in ("projektledare", "ledamot_fk")}
    for _ in range(5):
        dagordning.lagg_till(pl, mote.id, factories.create_arende(world).id)
        factories.create_arende(world, handlaggare="ledamot_fk")
    db.session.commit()
    for key in ("ledamot_af", "ledamot_kommun"):
        anmalningar.anmal(world.users[key], mote.id, factories.create_arende(world, handlaggare=key).id)
    db.session.commit()
    assert len(_punkter(mote.id)) == 6 and len(_punkter(mote.id, PunktStatus.ANMALD)) == 3
    efter = {key: mat(world.users[key]) for key in ("projektledare", "ledamot_fk")}
    assert efter == fore
    assert db.session.scalar(select(func.count()).select_from(Arende)) == 15
