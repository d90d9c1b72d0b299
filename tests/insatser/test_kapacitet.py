"""Samcoach capacity and the queue: beyond capacity an ärende waits in i_kö in order; a
freed place (avslut, or the insats ended) is offered to the first in line; the
projektledare confirms it and the waiting time is recorded. On PostgreSQL simultaneous
assignments never exceed the capacity. A samcoach reads the ärenden assigned to them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Forbidden
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.insatser import services
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten import dagordning
from samverkan.samplanering import services as samplanering
from samverkan.uppfoljning import services as uppfoljning_services
from tests.moten.conftest import MOTESDAG, satt_klockan, under_motet
from workflows import arende as wf

FOLJ_UPP = dt.date(2026, 5, 5)


def _kapacitet(world, n: int) -> None:
    m = db.session.execute(select(Medlemskap).where(Medlemskap.user_id == world.users["samcoach"].id,
                                                    Medlemskap.roll == TeamRoll.SAMCOACH)).scalar_one()
    m.kapacitet = n
    db.session.commit()


def _till_samcoach(world, mote, punkt) -> None:
    samplanering.registrera_punkt(world.users["projektledare"], mote.id, punkt.id, beslut="samcoach",
                                  samcoach_id=world.users["samcoach"].id, folj_upp_den=FOLJ_UPP)


def _insats(punkt) -> Insats:
    return db.session.execute(select(Insats).where(Insats.arende_id == punkt.arende_id)).scalar_one()


def _status(punkt) -> str:
    return db.session.get(Arende, punkt.arende_id).status


def test_beyond_capacity_the_arende_waits_in_the_queue_in_order(world, pa_agendan):
    _kapacitet(world, 1)
    mote, punkter = pa_agendan(3)
    start = under_motet(mote)
    for minut, punkt in enumerate(punkter):
        satt_klockan(start + dt.timedelta(minutes=minut))
        _till_samcoach(world, mote, punkt)
        db.session.commit()
    assert [_status(p) for p in punkter] == [wf.I_INSATS, wf.I_KO, wf.I_KO]
    assert [_insats(p).status for p in punkter] == [InsatsStatus.AKTIV, InsatsStatus.KO, InsatsStatus.KO]
    assert _insats(punkter[1]).samcoach_id is None
    lage = services.samcoachlage(world.users["ledamot_fk"], world.team.id)
    [kaseload] = lage.kaseloads
    assert (kaseload.kapacitet, [i.arende_id for i in kaseload.insatser]) == (1, [punkter[0].arende_id])
    assert [(k.position, k.insats.arende_id) for k in lage.ko] == [(1, punkter[1].arende_id),
                                                                   (2, punkter[2].arende_id)]


def test_a_freed_place_is_offered_to_the_first_in_line_and_confirmed(world, pa_agendan, login):
    _kapacitet(world, 1)
    mote, (forst, andra, tredje) = pa_agendan(3)
    under_motet(mote)
    for punkt in (forst, andra, tredje):
        _till_samcoach(world, mote, punkt)
    db.session.commit()
    pl = world.users["projektledare"]
    under_motet(mote, dagar_efter=14)
    arende_services.fire(pl, forst.arende_id, "avsluta", version=None, avslutsorsak="arbete",
                         forsorjning_slut="lon", sysselsattning_slut="arbete")
    db.session.commit()
    assert _insats(forst).status == InsatsStatus.AVSLUTAD
    erbjuden = _insats(andra)
    assert (erbjuden.status, erbjuden.samcoach_id) == (InsatsStatus.ERBJUDEN, world.users["samcoach"].id)
    assert _insats(tredje).status == InsatsStatus.KO and _status(andra) == wf.I_KO
    # The offered place is the samcoach's: they read the ärende's details already.
    samcoach = db.session.get(User, world.users["samcoach"].id)
    assert policy.access_to(samcoach, db.session.get(Arende, andra.arende_id)) == policy.Atkomst.DETALJER
    assert policy.access_to(samcoach, db.session.get(Arende, tredje.arende_id)) == policy.Atkomst.REFERENS

    with pytest.raises(Forbidden):
        services.bekrafta_plats(world.users["ledamot_af"], world.team.id, erbjuden.id)
    response = login(pl).post(f"/insatser/team/{world.team.id}/{erbjuden.id}/bekrafta")
    assert response.status_code == 303
    db.session.expire_all()
    insats = _insats(andra)
    assert (insats.status, insats.startad) == (InsatsStatus.AKTIV, MOTESDAG + dt.timedelta(days=14))
    assert services.vantedagar(insats) == 14
    assert _status(andra) == wf.I_INSATS
    html = login(pl).get(f"/insatser/team/{world.team.id}").get_data(as_text=True)
    assert "väntade 14 dagar" in html
    with pytest.raises(DomainError) as error:
        services.bekrafta_plats(pl, world.team.id, insats.id)
    assert error.value.code == "ej_erbjuden"


def test_ending_the_insats_frees_the_place_too(world, pa_agendan):
    _kapacitet(world, 1)
    mote, (forst, andra) = pa_agendan(2)
    under_motet(mote)
    for punkt in (forst, andra):
        _till_samcoach(world, mote, punkt)
    services.avsluta_insats(world.users["projektledare"], world.team.id, _insats(forst).id)
    db.session.commit()
    assert _insats(andra).status == InsatsStatus.ERBJUDEN
    # The ärende whose insats ended stays open for the team to follow up.
    assert _status(forst) == wf.I_INSATS


def test_withdrawn_consent_leaves_the_queue_and_ends_access(world, pa_agendan):
    _kapacitet(world, 1)
    mote, (forst, andra) = pa_agendan(2)
    under_motet(mote)
    for punkt in (forst, andra):
        _till_samcoach(world, mote, punkt)
    arende_services.fire(world.users["ledamot_fk"], andra.arende_id, "aterkalla", version=None,
                         kommentar="Skriftligt återkallat.")
    arende_services.fire(world.users["ledamot_af"], forst.arende_id, "aterkalla", version=None,
                         kommentar="Skriftligt återkallat.")
    db.session.commit()
    assert {_insats(forst).status, _insats(andra).status} == {InsatsStatus.AVSLUTAD}
    samcoach = db.session.get(User, world.users["samcoach"].id)
    assert policy.access_to(samcoach, db.session.get(Arende, forst.arende_id)) == policy.Atkomst.REFERENS


def test_the_samcoach_sees_their_caseload_and_its_details(world, pa_agendan, login):
    mote, (punkt, annan) = pa_agendan(2)
    under_motet(mote)
    _till_samcoach(world, mote, punkt)
    db.session.commit()
    samcoach = world.users["samcoach"]
    client = login(samcoach)
    html = client.get("/min-kaseload").get_data(as_text=True)
    arende = db.session.get(Arende, punkt.arende_id)
    assert arende.referens in html and db.session.get(Arende, annan.arende_id).referens not in html
    # The frågeställning (a detail) on the case page of the assigned ärende only.
    assert "Hur kan vi samordna stödet?" in client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Hur kan vi samordna stödet?" not in client.get(f"/arenden/{annan.arende_id}").get_data(as_text=True)
    # The lists' SQL filter agrees with the per-ärende check.
    synliga = db.session.execute(select(Arende.id).where(policy.detail_arenden_clause(
        db.session.get(User, samcoach.id)))).scalars().all()
    assert synliga == [arende.id]


def test_simultaneous_assignments_never_exceed_capacity(world, pa_agendan, ctx):
    if ctx.config["BACKEND"] != "postgresql":
        pytest.skip("row locks and true concurrency need PostgreSQL (SQLite serialises writers at BEGIN)")
    _kapacitet(world, 2)
    n = 5
    mote, punkter = pa_agendan(n, kapacitet=n)
    # Samplanerade already: the race is for the samcoach's places only.
    pl = world.users["projektledare"]
    for punkt in punkter:
        arende_services.fire(pl, punkt.arende_id, "samplanera", version=None, kanal=wf.MOTE)
    db.session.commit()
    user_id, samcoach_id, fixed = pl.id, world.users["samcoach"].id, clock._now
    barrier = threading.Barrier(n)
    results: dict[int, str] = {}

    def assign(arende_id: int) -> None:
        with ctx.app_context():  # its own session and connection
            clock.set_clock(fixed)
            try:
                user = db.session.get(User, user_id)
                assert user.medlemskap
                arende = db.session.get(Arende, arende_id)
                barrier.wait(timeout=60)  # a bound for a hang, not a pace: generous under load
                services.besluta(user, arende, services.InsatsForm.SAMCOACH, samcoach_id=samcoach_id)
                db.session.commit()
                results[arende_id] = arende.status
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                db.session.rollback()
                results[arende_id] = repr(error)

    threads = [threading.Thread(target=assign, args=(p.arende_id,)) for p in punkter]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert sorted(results.values()) == [wf.I_INSATS] * 2 + [wf.I_KO] * 3, results
    db.session.expire_all()
    insatser = db.session.execute(select(Insats).order_by(Insats.id)).scalars().all()
    assert sum(i.status == InsatsStatus.AKTIV for i in insatser) == 2
    ko = [i for i in insatser if i.status == InsatsStatus.KO]
    # The queue's order (joined, then id) is one consistent order, the order the lock was won.
    assert sorted(ko, key=lambda i: (i.i_ko_sedan, i.id)) == sorted(ko, key=lambda i: i.id)
    lage = services.samcoachlage(pl, world.team.id)
    assert [k.position for k in lage.ko] == [1, 2, 3]
    assert all(results[i.arende_id] == wf.I_KO for i in ko)


def test_a_follow_up_that_decides_a_full_samcoach_queues_the_arende(world, pa_agendan, nytt_mote):
    """At a follow-up the team moves an ärende from an insats to the samcoach, who is full:
    the insats ends, the ärende waits in the queue, and the next free place is its."""
    _kapacitet(world, 1)
    mote, (upptagen, foljs) = pa_agendan(2)
    under_motet(mote)
    pl = world.users["projektledare"]
    _till_samcoach(world, mote, upptagen)
    ami = services.insatstyper(world.forbund.id)[0].id
    samplanering.registrera_punkt(pl, mote.id, foljs.id, beslut="insats", insatstyp_id=ami, folj_upp_den=FOLJ_UPP)
    arende_services.fire(pl, foljs.arende_id, "kalla_till_uppfoljning", version=None)
    nasta = nytt_mote(MOTESDAG + dt.timedelta(days=28))
    uppfoljning = dagordning.lagg_till(pl, nasta.id, foljs.arende_id)
    db.session.commit()
    under_motet(nasta)
    steg = uppfoljning_services.stege(world.forbund.id)

    samplanering.registrera_punkt(pl, nasta.id, uppfoljning.id, beslut="samcoach",
                                  samcoach_id=world.users["samcoach"].id, folj_upp_den=FOLJ_UPP + dt.timedelta(days=60),
                                  steg_id=steg[1].id, sysselsattningsgrad=0)
    db.session.commit()

    assert _status(foljs) == wf.I_KO
    insatser = db.session.execute(select(Insats).where(Insats.arende_id == foljs.arende_id)
                                  .order_by(Insats.id)).scalars().all()
    assert [(i.form.value, i.status) for i in insatser] == [("insats", InsatsStatus.AVSLUTAD),
                                                            ("samcoach", InsatsStatus.KO)]
    triggers = [h.trigger for h in db.session.get(Arende, foljs.arende_id).handelser]
    assert triggers[-2:] == ["folj_upp", "satt_i_ko"]

    arende_services.fire(pl, upptagen.arende_id, "avsluta", version=None, avslutsorsak="arbete",
                         forsorjning_slut="lon", sysselsattning_slut="arbete")
    db.session.commit()
    erbjuden = insatser[1]
    db.session.refresh(erbjuden)
    assert (erbjuden.status, erbjuden.samcoach_id) == (InsatsStatus.ERBJUDEN, world.users["samcoach"].id)
    services.bekrafta_plats(pl, world.team.id, erbjuden.id)
    db.session.commit()
    assert _status(foljs) == wf.I_INSATS
