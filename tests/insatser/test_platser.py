"""Places and queues for every insats type, parallel insatser, offers on the overview and
their reminder (issue 16, point 3), on both databases: an insats type with places fills
them and queues the rest in order; a freed place is offered to the first in line and
confirmed (or declined) from the projektledare's overview, where its age shows; an ärende
holds several open insatser but never two of one kind; avslut ends them all and leaves
every queue; the reminder goes out once when an offer has waited the team's days;
simultaneous requests never assign beyond the places."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Medlemskap, Team, TeamRoll
from samverkan.insatser import jobs, koer, services
from samverkan.insatser.models import Insats, InsatsForm, Insatsplatser, InsatsStatus
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.samplanering import services as samplanering
from tests.moten.conftest import MOTESDAG, satt_klockan, under_motet
from tests.moten.conftest import NU as FORE_MOTET
from workflows import arende as wf

FOLJ_UPP = dt.date(2026, 5, 5)
# The tests' "now": half an hour into the meeting (13:00 Stockholm, UTC+1), when meeting
# mode records the decisions; later steps count from here.
NU = dt.datetime.combine(MOTESDAG, dt.time(12, 30), tzinfo=dt.UTC)


def _typ(world, kod: str = "arbetstraning") -> int:
    return next(t.id for t in services.insatstyper(world.forbund.id) if t.kod == kod)


def _platser(world, antal: int, kod: str = "arbetstraning") -> int:
    typ_id = _typ(world, kod)
    db.session.add(Insatsplatser(team_id=world.team.id, insatstyp_id=typ_id, antal=antal))
    db.session.commit()
    return typ_id


def _i_insats(world, pa_agendan, n: int) -> list[int]:
    """``n`` new ärenden samplanerade to ordinary support: in i_insats, ids in order."""
    satt_klockan(FORE_MOTET)  # the meeting is booked ahead of its day
    mote, punkter = pa_agendan(n)
    under_motet(mote)
    for punkt in punkter:
        samplanering.registrera_punkt(world.users["projektledare"], mote.id, punkt.id, beslut="ordinarie",
                                      folj_upp_den=FOLJ_UPP)
    db.session.commit()
    return [p.arende_id for p in punkter]


def _insatser(arende_id: int) -> list[Insats]:
    db.session.expire_all()
    return db.session.execute(select(Insats).where(Insats.arende_id == arende_id).order_by(Insats.id)).scalars().all()


def _typens(arende_id: int, typ_id: int) -> Insats:
    return next(i for i in _insatser(arende_id) if i.insatstyp_id == typ_id)


def _status(arende_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Arende, arende_id).status


def _api(world, key: str):
    _, secret = create_token(world.users[key], "insatser")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# --- places and the queue of an insats type --------------------------------------------------

def test_an_insats_type_fills_its_places_and_queues_the_rest_in_order(world, pa_agendan, login):
    typ_id = _platser(world, 1)
    arenden = _i_insats(world, pa_agendan, 3)
    pl = world.users["projektledare"]
    for minut, arende_id in enumerate(arenden):
        satt_klockan(NU + dt.timedelta(minutes=minut))
        services.starta(pl, arende_id, InsatsForm.INSATS, insatstyp_id=typ_id)
        db.session.commit()
    assert [_typens(a, typ_id).status for a in arenden] == [InsatsStatus.AKTIV, InsatsStatus.KO, InsatsStatus.KO]
    # Starting beside the ordinary support changes no ärende's state, queued or not.
    assert {_status(a) for a in arenden} == {wf.I_INSATS}
    lage = koer.platslage(world.users["ledamot_fk"], world.team.id)
    [arbetstraning] = [t for t in lage.typer if t.insatstyp.id == typ_id]
    assert (arbetstraning.antal, arbetstraning.lediga) == (1, 0)
    assert [k.insats.arende_id for k in arbetstraning.ko] == arenden[1:]
    html = login(world.users["ledamot_fk"]).get(f"/insatser/team/{world.team.id}/platser").get_data(as_text=True)
    assert "Arbetsträning: 1 av 1 platser" in html and "Kö till Arbetsträning" in html

    # The place frees (the insats ends): offered to the first in line, not the second.
    satt_klockan(NU + dt.timedelta(days=9))
    services.avsluta_insats(pl, world.team.id, _typens(arenden[0], typ_id).id)
    db.session.commit()
    erbjuden = _typens(arenden[1], typ_id)
    assert erbjuden.status == InsatsStatus.ERBJUDEN and _typens(arenden[2], typ_id).status == InsatsStatus.KO
    assert services.kodagar(erbjuden) == 9  # the waiting time in the queue is recorded


def test_without_places_a_type_has_no_limit_and_no_queue(world, pa_agendan):
    arenden = _i_insats(world, pa_agendan, 3)
    for arende_id in arenden:
        services.starta(world.users["projektledare"], arende_id, InsatsForm.INSATS, insatstyp_id=_typ(world))
    db.session.commit()
    assert {_typens(a, _typ(world)).status for a in arenden} == {InsatsStatus.AKTIV}


def test_more_places_offer_the_queue_at_once_and_the_setting_is_refused_whole(world, pa_agendan, login):
    typ_id = _platser(world, 0)
    arenden = _i_insats(world, pa_agendan, 2)
    for arende_id in arenden:
        services.starta(world.users["projektledare"], arende_id, InsatsForm.INSATS, insatstyp_id=typ_id)
    db.session.commit()
    client = login(world.users["projektledare"])
    bad = client.post(f"/insatser/team/{world.team.id}/platser",
                      data={"insatstyp_id": [typ_id], f"antal_{typ_id}": "två", "paminnelse_dagar": "5"})
    assert bad.status_code == 422 and "Ange ett heltal" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Team, world.team.id).erbjudande_paminnelse_dagar == 7
    ok = client.post(f"/insatser/team/{world.team.id}/platser",
                     data={"insatstyp_id": [typ_id], f"antal_{typ_id}": "1", "paminnelse_dagar": "5"})
    assert ok.status_code == 303
    assert [_typens(a, typ_id).status for a in arenden] == [InsatsStatus.ERBJUDEN, InsatsStatus.KO]
    assert db.session.get(Team, world.team.id).erbjudande_paminnelse_dagar == 5
    # Someone not leading the team may look but not set.
    assert login(world.users["ledamot_af"]).post(f"/insatser/team/{world.team.id}/platser", data={
        "insatstyp_id": [typ_id], f"antal_{typ_id}": "9", "paminnelse_dagar": "5"}).status_code == 403


# --- parallel insatser ---------------------------------------------------------------------

def test_an_arende_holds_several_open_insatser_but_one_of_each_kind(world, pa_agendan, login):
    mote, (punkt,) = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    samplanering.registrera_punkt(pl, mote.id, punkt.id, beslut="samcoach", samcoach_id=world.users["samcoach"].id,
                                  folj_upp_den=FOLJ_UPP)
    db.session.commit()
    arende_id = punkt.arende_id
    historik = db.session.scalar(select(func.count()).select_from(ArendeHandelse)
                                 .where(ArendeHandelse.arende_id == arende_id))
    client = login(pl)
    svar = client.post(f"/insatser/arende/{arende_id}/starta",
                       data={"form": "insats", "insatstyp_id": _typ(world), "samcoach_id": 0})
    assert svar.status_code == 303
    assert [(i.form, i.status) for i in _insatser(arende_id)] == [(InsatsForm.SAMCOACH, InsatsStatus.AKTIV),
                                                                  (InsatsForm.INSATS, InsatsStatus.AKTIV)]
    assert _status(arende_id) == wf.I_INSATS
    assert db.session.scalar(select(func.count()).select_from(ArendeHandelse)
                             .where(ArendeHandelse.arende_id == arende_id)) == historik
    igen = client.post(f"/insatser/arende/{arende_id}/starta",
                       data={"form": "insats", "insatstyp_id": _typ(world), "samcoach_id": 0})
    assert igen.status_code == 409
    assert "Ärendet har redan en öppen insats av samma slag (Arbetsträning)" in igen.get_data(as_text=True)
    assert len(_insatser(arende_id)) == 2
    html = client.get(f"/insatser/arende/{arende_id}").get_data(as_text=True)
    assert "Arbetsträning" in html and "Samcoach" in html
    # Only the team's projektledare starts one.
    assert login(world.users["ledamot_af"]).post(f"/insatser/arende/{arende_id}/starta", data={
        "form": "insats", "insatstyp_id": _typ(world, "praktik"), "samcoach_id": 0}).status_code == 403


def test_a_started_insats_with_a_place_moves_a_queued_arende_into_insats(world, pa_agendan):
    m = db.session.execute(select(Medlemskap).where(Medlemskap.user_id == world.users["samcoach"].id,
                                                    Medlemskap.roll == TeamRoll.SAMCOACH)).scalar_one()
    m.kapacitet = 0
    db.session.commit()
    mote, (punkt,) = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    samplanering.registrera_punkt(pl, mote.id, punkt.id, beslut="samcoach", samcoach_id=world.users["samcoach"].id,
                                  folj_upp_den=FOLJ_UPP)
    db.session.commit()
    assert _status(punkt.arende_id) == wf.I_KO
    services.starta(pl, punkt.arende_id, InsatsForm.INSATS, insatstyp_id=_typ(world))
    db.session.commit()
    assert _status(punkt.arende_id) == wf.I_INSATS
    assert db.session.get(Arende, punkt.arende_id).handelser[-1].trigger == "anvisa_insats"


def test_a_further_insats_waits_for_samplanering(world, pa_agendan):
    _, (punkt,) = pa_agendan(1)
    with pytest.raises(DomainError) as fel:
        services.starta(world.users["projektledare"], punkt.arende_id, InsatsForm.INSATS, insatstyp_id=_typ(world))
    assert fel.value.code == "ej_i_insats" and "mötesläget" in fel.value.message


def test_avslut_ends_every_open_insats_and_gives_the_places_on(world, pa_agendan):
    typ_id = _platser(world, 1)
    forst, andra = _i_insats(world, pa_agendan, 2)
    pl = world.users["projektledare"]
    praktik = _typ(world, "praktik")
    _platser(world, 0, "praktik")
    services.starta(pl, forst, InsatsForm.INSATS, insatstyp_id=typ_id)
    services.starta(pl, forst, InsatsForm.INSATS, insatstyp_id=praktik)  # queued: no places
    services.starta(pl, andra, InsatsForm.INSATS, insatstyp_id=typ_id)
    db.session.commit()
    arende_services.fire(pl, forst, "avsluta", version=None, avslutsorsak="arbete",
                         forsorjning_slut="lon", sysselsattning_slut="arbete")
    db.session.commit()
    assert {i.status for i in _insatser(forst)} == {InsatsStatus.AVSLUTAD}
    assert _typens(andra, typ_id).status == InsatsStatus.ERBJUDEN
    assert koer.platslage(pl, world.team.id).typer[0].ko == [] or all(
        k.insats.arende_id != forst for t in koer.platslage(pl, world.team.id).typer for k in t.ko)


# --- offers on the overview, and the reminder ---------------------------------------------

def _ett_erbjudande(world, pa_agendan) -> tuple[int, Insats]:
    typ_id = _platser(world, 1)
    forst, andra = _i_insats(world, pa_agendan, 2)
    pl = world.users["projektledare"]
    for a in (forst, andra):
        services.starta(pl, a, InsatsForm.INSATS, insatstyp_id=typ_id)
    services.avsluta_insats(pl, world.team.id, _typens(forst, typ_id).id)
    db.session.commit()
    return typ_id, _typens(andra, typ_id)


def test_an_offer_shows_on_the_overview_with_its_age_and_is_confirmed_there(world, pa_agendan, login):
    _, erbjuden = _ett_erbjudande(world, pa_agendan)
    satt_klockan(NU + dt.timedelta(days=4))
    client = login(world.users["projektledare"])
    html = client.get("/oversikt/").get_data(as_text=True)
    assert "Erbjudna platser" in html and erbjuden.arende.referens in html and "4 dagar" in html
    svar = client.post(f"/insatser/team/{world.team.id}/{erbjuden.id}/bekrafta", data={"tillbaka": "oversikt"})
    assert svar.status_code == 303 and svar.headers["Location"].endswith("/oversikt/#erbjudanden-rubrik")
    db.session.expire_all()
    insats = db.session.get(Insats, erbjuden.id)
    assert insats.status == InsatsStatus.AKTIV and insats.startad == NU.date() + dt.timedelta(days=4)
    assert "Inga erbjudna platser väntar" in client.get("/oversikt/").get_data(as_text=True)


def test_a_declined_offer_ends_and_the_place_goes_to_the_next(world, pa_agendan, login):
    typ_id, erbjuden = _ett_erbjudande(world, pa_agendan)
    (tredje,) = _i_insats(world, pa_agendan, 1)
    services.starta(world.users["projektledare"], tredje, InsatsForm.INSATS, insatstyp_id=typ_id)
    db.session.commit()
    svar = login(world.users["projektledare"]).post(f"/insatser/team/{world.team.id}/{erbjuden.id}/avboj",
                                                   data={"tillbaka": "oversikt"})
    assert svar.status_code == 303
    db.session.expire_all()
    assert db.session.get(Insats, erbjuden.id).status == InsatsStatus.AVSLUTAD
    assert _typens(tredje, typ_id).status == InsatsStatus.ERBJUDEN


def _paminnelser() -> list[Utskick]:
    db.session.expire_all()
    return db.session.execute(select(Utskick).where(Utskick.typ == UtskickTyp.ERBJUDANDE)).scalars().all()


def test_the_reminder_goes_out_once_when_the_offer_has_waited_the_teams_days(app, world, pa_agendan):
    world.team.erbjudande_paminnelse_dagar = 3
    db.session.commit()
    _, erbjuden = _ett_erbjudande(world, pa_agendan)
    referens, erbjuden_id = erbjuden.arende.referens, erbjuden.id

    def kor() -> int:
        db.session.commit()  # the job's own session must get the write lock (SQLite)
        return jobs.paminn_om_erbjudanden(app)["erbjudandepaminnelser"]

    satt_klockan(NU + dt.timedelta(days=2))
    assert kor() == 0 and _paminnelser() == []
    satt_klockan(NU + dt.timedelta(days=3))
    assert kor() == 1
    assert kor() == 0
    [brev] = _paminnelser()
    assert brev.mottagare_id == world.users["projektledare"].id
    assert "/oversikt/" in brev.text and referens not in brev.text + brev.amne
    assert db.session.get(Insats, erbjuden_id).paminnelse_skickad is not None


# --- the API --------------------------------------------------------------------------------

def test_the_api_lists_starts_and_sets_places(world, pa_agendan, client):
    (arende_id,) = _i_insats(world, pa_agendan, 1)
    pl, fk = _api(world, "projektledare"), _api(world, "ledamot_fk")
    typ_id = _typ(world)
    svar = client.put(f"/api/v1/teams/{world.team.id}/insatsplatser", headers=pl,
                      json={"platser": [{"insatstyp_id": typ_id, "antal": 0}], "paminnelse_dagar": 10})
    assert svar.status_code == 200, svar.json
    assert svar.json["paminnelse_dagar"] == 10
    svar = client.post(f"/api/v1/arenden/{arende_id}/insatser", headers=pl,
                       json={"form": "insats", "insatstyp_id": typ_id})
    assert svar.status_code == 201 and svar.json["status"] == "ko"
    assert client.post(f"/api/v1/arenden/{arende_id}/insatser", headers=pl,
                       json={"form": "insats", "insatstyp_id": typ_id}).status_code == 409
    assert client.post(f"/api/v1/arenden/{arende_id}/insatser", headers=fk,
                       json={"form": "insats", "insatstyp_id": _typ(world, "praktik")}).status_code == 403
    lista = client.get(f"/api/v1/arenden/{arende_id}/insatser", headers=fk).json
    assert [i["form"] for i in lista["insatser"]] == ["ordinarie", "insats"]
    lage = client.get(f"/api/v1/teams/{world.team.id}/insatsplatser", headers=fk).json
    [typ] = [t for t in lage["typer"] if t["insatstyp_id"] == typ_id]
    assert (typ["antal"], typ["ko"][0]["position"], typ["ko"][0]["insats"]["kodagar"]) == (0, 1, 0)
    # One place more: offered at once, listed as an offer, then declined.
    lage = client.put(f"/api/v1/teams/{world.team.id}/insatsplatser", headers=pl,
                      json={"platser": [{"insatstyp_id": typ_id, "antal": 1}]}).json
    [erbjudande] = lage["erbjudanden"]
    assert erbjudande["dagar"] == 0
    svar = client.post(f"/api/v1/teams/{world.team.id}/insatser/{erbjudande['insats']['id']}/avboj", headers=pl)
    assert svar.status_code == 200 and svar.json["status"] == "avslutad"
    dubbel = client.put(f"/api/v1/teams/{world.team.id}/insatsplatser", headers=pl, json={
        "platser": [{"insatstyp_id": typ_id, "antal": 1}, {"insatstyp_id": typ_id, "antal": 2}]})
    assert dubbel.status_code == 422 and dubbel.json["fel"]["meddelande"] == "Varje insats får anges en gång."


# --- simultaneous assignment ---------------------------------------------------------------

def _samtidigt(app, anrop: list[tuple[str, dict, dict]]) -> list:
    """POST each (path, headers, json) as its own request in its own thread, released together."""
    db.session.commit()  # and touch nothing after: on SQLite an open read would hold the lock
    start = threading.Barrier(len(anrop))

    def kor(rad):
        path, headers, body = rad
        klient = app.test_client()
        with app.app_context():
            start.wait(timeout=60)
            try:
                return klient.post(path, headers=headers, json=body)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(anrop)) as pool:
        return list(pool.map(kor, anrop))


def test_simultaneous_starts_never_exceed_the_places(app, world, pa_agendan):
    typ_id = _platser(world, 2)
    arenden = _i_insats(world, pa_agendan, 5)
    # A token each: one token's last-use row would otherwise queue the requests itself.
    fixed = clock._now
    svar = _samtidigt(app, [(f"/api/v1/arenden/{a}/insatser", _api(world, "projektledare"),
                             {"form": "insats", "insatstyp_id": typ_id}) for a in arenden])
    clock.set_clock(fixed)
    assert sorted(s.status_code for s in svar) == [201] * 5, [s.json for s in svar]
    assert sorted(s.json["status"] for s in svar) == ["aktiv"] * 2 + ["ko"] * 3
    db.session.expire_all()
    insatser = db.session.execute(select(Insats).where(Insats.insatstyp_id == typ_id)).scalars().all()
    assert sum(i.status == InsatsStatus.AKTIV for i in insatser) == 2
    ko = [k.insats.id for t in koer.platslage(world.users["projektledare"], world.team.id).typer
          if t.insatstyp.id == typ_id for k in t.ko]
    assert len(ko) == 3


def test_two_simultaneous_starts_of_one_kind_for_one_arende_give_one_insats(app, world, pa_agendan):
    (arende_id,) = _i_insats(world, pa_agendan, 1)
    body = {"form": "insats", "insatstyp_id": _typ(world)}
    svar = _samtidigt(app, [(f"/api/v1/arenden/{arende_id}/insatser", _api(world, "projektledare"), body)
                            for _ in range(2)])
    assert sorted(s.status_code for s in svar) == [201, 409]
    assert len([i for i in _insatser(arende_id) if i.form == InsatsForm.INSATS]) == 1


def test_further_insatser_start_only_in_open_states_after_samplanering():
    assert set(wf.PARALLELL_INSATS) <= set(wf.OPEN)
    assert not {wf.AKTUALISERAD, wf.PA_AGENDA, wf.SAMPLANERAD} & set(wf.PARALLELL_INSATS)
    # From i_ko, a started insats with a place moves the ärende through the insatser's entrance.
    assert wf.INSATSER in wf.via("anvisa_insats")


def test_the_forbund_admin_sets_a_teams_places_too(world, login):
    typ_id = _typ(world)
    admin = login(world.users["admin"])
    sida = admin.get(f"/admin/team/{world.team.id}/insatsplatser").get_data(as_text=True)
    assert "Insatsplatser" in sida and "Arbetsträning" in sida
    svar = admin.post(f"/admin/team/{world.team.id}/insatsplatser",
                      data={"insatstyp_id": [typ_id], f"antal_{typ_id}": "3", "paminnelse_dagar": "7"})
    assert svar.status_code == 303
    db.session.expire_all()
    assert db.session.execute(select(Insatsplatser.antal).where(Insatsplatser.insatstyp_id == typ_id)).scalar() == 3
    # The admin's page is the admin's: the projektledare sets places on the team's own page.
    assert login(world.users["projektledare"]).get(f"/admin/team/{world.team.id}/insatsplatser").status_code == 403


@pytest.mark.parametrize("sida", ["/insatser/team/{team}/platser", "/oversikt/", "/insatser/team/{team}"])
def test_the_places_pages_and_the_overview_cost_a_fixed_number_of_queries(world, pa_agendan, login, count_queries,
                                                                         sida):
    typ_id = _platser(world, 2)
    arenden = _i_insats(world, pa_agendan, 6)
    pl = world.users["projektledare"]
    client = login(pl)
    path = sida.format(team=world.team.id)

    def matt() -> int:
        db.session.commit()
        with count_queries() as q:
            assert client.get(path).status_code == 200
        return q.count

    for arende_id in arenden[:2]:
        services.starta(pl, arende_id, InsatsForm.INSATS, insatstyp_id=typ_id)
    fore = matt()
    for arende_id in arenden[2:]:
        services.starta(pl, arende_id, InsatsForm.INSATS, insatstyp_id=typ_id)
    services.avsluta_insats(pl, world.team.id, _typens(arenden[0], typ_id).id)  # an offer
    assert matt() == fore
