"""Issue 15: consent through the ärende's life, and the register kept clean.

Renewal on an open ärende (audited, with history), expiry (restricts access and booking
as a withdrawal does, until renewed), withdrawal (off every coming agenda, so the
tilläggskallelse follows; afterwards nothing but avslut, on every path), and the
register: no second open ärende, a draft never changes another team's person, and the
deltagare search answers nothing about a person the caller may not read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.anteckningar import services as anteckningar
from samverkan.arenden import services
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.deltagare.models import Deltagare, Kon, Samtycke
from samverkan.kallelser import services as kallelser
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten import dagordning, hamta, redigering
from samverkan.samplanering import forsenade
from samverkan.samplanering.models import Atgard
from tests import factories
from workflows import arende as wf

NU = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # Monday 10:00 in Stockholm
IDAG = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def klocka():
    clock.set_clock(lambda: NU)
    yield
    clock.set_clock(None)


def _fram(dagar: int) -> None:
    clock.set_clock(lambda: NU + dt.timedelta(days=dagar))


def _fornya(client, arende, **andra):
    data = {"samtycke-givet_den": (clock.today()).isoformat(),
            "samtycke-giltigt_till": (clock.today() + dt.timedelta(days=365)).isoformat(),
            "samtycke-satt": "underskrivet", "samtycke-dokumentreferens": "Akt 2026/14",
            "samtycke-parter": [str(a) for a in andra.pop("parter", [])], **andra}
    return client.post(f"/arenden/{arende.id}/samtycke", data=data)


def test_expiry_restricts_like_withdrawal_until_renewed(world, login):
    # Consent until 2026-03-09; the team meets on the 16th.
    arende = factories.create_arende(world, giltigt_dagar=7)
    mote = factories.mote(world, IDAG + dt.timedelta(days=14))
    db.session.commit()
    fk = world.users["ledamot_fk"]
    assert policy.access_to(fk, arende) == policy.Atkomst.DETALJER
    # Booking on a meeting after the expiry is refused.
    with pytest.raises(DomainError) as fel:
        dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    assert fel.value.message == wf.GUARD_MESSAGES["samtycke_tacker_motet"]
    db.session.rollback()

    _fram(10)  # expired
    arende = db.session.get(Arende, arende.id)
    assert policy.access_to(fk, arende) == policy.Atkomst.REFERENS
    html = login(fk).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert arende.fragestallning not in html and arende.referens in html
    with pytest.raises(DomainError) as fel:
        anteckningar.create(world.users["projektledare"], arende.id, "Ringde deltagaren")
    assert fel.value.code == "samtycke_utganget"
    db.session.rollback()

    # The handläggare registers the renewal on the open ärende.
    handlaggare = login(world.users["ledamot_af"])
    parter = [world.parter[k].id for k in ("af", "fk", "kommun")]
    svar = _fornya(handlaggare, arende, parter=parter)
    assert svar.status_code == 303, svar.get_data(as_text=True)[:500]
    db.session.expire_all()
    arende = db.session.get(Arende, arende.id)
    assert len(arende.samtycken) == 2
    assert arende.samtycke.dokumentreferens == "Akt 2026/14"
    assert arende.samtycke.registrerad_av_id == world.users["ledamot_af"].id
    assert {p.id for p in arende.samtycke.parter} == set(parter)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.handling == "samtycke.fornya")) == 1
    assert policy.access_to(fk, arende) == policy.Atkomst.DETALJER
    # The case page shows the earlier consent as history.
    assert "Tidigare samtycken (1)" in handlaggare.get(f"/arenden/{arende.id}").get_data(as_text=True)
    # And it can be booked again.
    dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    assert arende.status == wf.PA_AGENDA


def test_a_renewal_without_the_aktualiserande_party_is_refused_beside_the_field(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    svar = _fornya(login(world.users["ledamot_af"]), arende,
                   parter=[world.parter["fk"].id, world.parter["kommun"].id])
    assert svar.status_code == 422
    assert "Samtycket måste omfatta den aktualiserande parten." in svar.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Arende, arende.id).samtycken) == 1


def test_a_team_with_the_stricter_rule_shows_it_and_refuses_less(world, login):
    world.team.samtycke_alla_parter = True
    db.session.commit()
    html = login(world.users["ledamot_af"]).get("/aktualisering/ny").get_data(as_text=True)
    assert "kräver att samtycket omfattar alla teamets parter" in html
    with pytest.raises(DomainError):
        factories.create_arende(world, parter=["af", "kommun", "region"])
    db.session.rollback()


def test_withdrawal_takes_the_arende_off_the_agenda_and_the_tillagg_goes_out(world):
    arende = factories.create_arende(world)
    pl = world.users["projektledare"]
    mote = redigering.skapa_mote(pl, world.team.id, datum=IDAG + dt.timedelta(days=9), klockslag=dt.time(13, 0),
                            langd_minuter=120)
    dagordning.lagg_till(pl, mote.id, arende.id)
    db.session.commit()
    # The kallelse goes out the Friday before (the scheduler's job, as it runs it).
    _fram(5)
    for typ, mote_id in kallelser.forfallna(clock.now()):
        kallelser.skriv(typ, mote_id, clock.now())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Utskick)
                             .where(Utskick.typ == UtskickTyp.KALLELSE)) > 0

    services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=None)
    db.session.commit()
    assert hamta.mote_med_punkter(pl, mote.id)[1] == []
    clock.set_clock(lambda: NU + dt.timedelta(days=5, hours=1))  # past the tillägg's short wait
    skrivna = [kallelser.skriv(typ, mote_id, clock.now()) for typ, mote_id in kallelser.forfallna(clock.now())]
    db.session.commit()
    tillagg = [u for rader in skrivna for u in rader if u.typ == UtskickTyp.TILLAGG]
    assert tillagg and arende.referens not in tillagg[0].text and "dagordningen" in tillagg[0].text


def test_after_withdrawal_nothing_but_avslut_is_written(world, login):
    arende = factories.create_arende(world)
    atgard = Atgard(arende_id=arende.id, beskrivning="Boka kartläggning", part_id=world.parter["af"].id,
                    ansvarig="Handläggaren", klar_senast=IDAG + dt.timedelta(days=30),
                    skapad_av_id=world.users["projektledare"].id)
    db.session.add(atgard)
    services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=None)
    db.session.commit()
    pl = world.users["projektledare"]
    for forsok in (lambda: forsenade.markera_klar(pl, atgard.id),
                   lambda: anteckningar.create(pl, arende.id, "Ny anteckning"),
                   lambda: services.fornya_samtycke(
                       world.users["ledamot_af"], arende.id, givet_den=IDAG, giltigt_till=IDAG + dt.timedelta(days=90),
                       satt="underskrivet", part_ids=[world.parter["af"].id, world.parter["fk"].id],
                       dokumentreferens="Nytt")):
        with pytest.raises(DomainError) as fel:
            forsok()
        assert fel.value.code == "samtycke_aterkallat"
        db.session.rollback()
    # The handlingsplan action over the web: refused as well.
    svar = login(pl).post("/atgarder/klar", data={"atgard_id": atgard.id}, follow_redirects=True)
    assert "Samtycket är återkallat" in svar.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Atgard, atgard.id).klar_den is None
    services.fire(pl, arende.id, "avsluta", version=None, avslutsorsak="samtycke_aterkallat")
    assert arende.status == wf.AVSLUTAD


# --- the register -----------------------------------------------------------------------------

def test_a_second_open_arende_for_the_person_is_refused_with_a_link(world, login):
    forsta = factories.create_arende(world)
    db.session.commit()
    nummer = forsta.deltagare.personnummer
    # The FK ledamot brings the same person through the form: refused beside the number,
    # with the open ärende's code and page, and nothing sent.
    client = login(world.users["ledamot_fk"])
    idag = clock.today()
    svar = client.post("/aktualisering/ny", data={
        "team_id": world.team.id, "identitet": "personnummer", "personnummer": nummer, "kon": "kvinna",
        "parter": [world.parter["fk"].id, world.parter["af"].id], "givet_den": idag.isoformat(),
        "giltigt_till": (idag + dt.timedelta(days=200)).isoformat(), "satt": "underskrivet",
        "fragestallning": "Ny fråga", "skicka": "Skicka till teamet"})
    html = svar.get_data(as_text=True)
    assert svar.status_code == 422, html[:300]
    assert "redan ett öppet ärende i teamet" in html and forsta.referens in html and f"/arenden/{forsta.id}" in html
    assert db.session.scalar(select(func.count()).select_from(Arende)) == 1
    # A team that allows parallel ärenden takes it.
    world.team.parallella_arenden = True
    db.session.commit()
    andra = factories.create_arende(world, handlaggare="ledamot_fk")
    andra.deltagare_id = forsta.deltagare_id
    db.session.commit()


def test_a_draft_never_changes_another_teams_person(world, login):
    arende = factories.create_arende(world)  # kön kvinna, in the world's team
    db.session.commit()
    nummer = arende.deltagare.personnummer
    granne = world.users["granne"]
    utkast = services.create_utkast(granne, team_id=world.annat_team.id, fragestallning="<p>Fråga</p>",
                                    kon="man", personnummer=nummer)
    db.session.commit()
    from samverkan.aktualisering import services as aktualisering

    u = aktualisering.Uppgifter(team_id=world.annat_team.id, kon="man", fragestallning="Fråga",
                                personnummer=nummer)
    aktualisering.andra(granne, utkast.id, u, version=None, skicka=False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Deltagare, arende.deltagare_id).kon == Kon.KVINNA


def test_deltagare_search_answers_nothing_about_an_unreadable_person(world, client):
    arende = factories.create_arende(world, parter=["af", "kommun"])
    db.session.commit()
    nummer = arende.deltagare.personnummer

    def sok(key):
        _, secret = create_token(world.users[key], "test")
        db.session.commit()
        return client.post("/api/v1/deltagare/sok", json={"personnummer": nummer},
                           headers={"Authorization": f"Bearer {secret}"})

    # Another team's member, and a party the consent does not name: as if nobody had it.
    for key in ("granne", "ledamot_fk"):
        svar = sok(key)
        assert svar.status_code == 404, key
        assert "kon" not in svar.get_data(as_text=True)
    assert sok("ledamot_kommun").status_code == 200


def test_felregistrerad_is_its_own_state_and_label(world, login):
    arende = factories.create_arende(world)
    services.fire(world.users["ledamot_af"], arende.id, "felregistrera", version=None,
                  kommentar="Fel person registrerades.")
    db.session.commit()
    assert arende.status == wf.FELREGISTRERAD
    html = login(world.users["ledamot_af"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Status: Felregistrerad" in html and "Status: Avslutad" not in html
    assert db.session.scalar(select(func.count()).select_from(Samtycke)) == 1


def test_a_reminder_before_expiry_goes_to_the_handlaggare_and_the_projektledare_once(world, ctx):
    snart = factories.create_arende(world, giltigt_dagar=20)
    factories.create_arende(world, handlaggare="ledamot_fk")  # a year left: no reminder
    db.session.commit()
    assert kallelser.samtyckespaminnelser(clock.now()) == 2
    db.session.commit()
    assert kallelser.samtyckespaminnelser(clock.now()) == 0  # once per consent
    rader = db.session.execute(select(Utskick).where(Utskick.typ == UtskickTyp.SAMTYCKE)).scalars().all()
    assert {u.mottagare_id for u in rader} == {world.users["ledamot_af"].id, world.users["projektledare"].id}
    for u in rader:
        assert snart.referens in u.amne and f"/arenden/{snart.id}" in u.text
        assert snart.deltagare.personnummer not in u.text and "samordna" not in u.text
    # A renewal is a new consent: its own reminder comes before its own expiry.
    services.fornya_samtycke(world.users["ledamot_af"], snart.id, givet_den=IDAG,
                             giltigt_till=IDAG + dt.timedelta(days=365), satt="underskrivet",
                             part_ids=[world.parter["af"].id, world.parter["fk"].id], dokumentreferens="Akt 9")
    db.session.commit()
    assert kallelser.samtyckespaminnelser(clock.now()) == 0


# --- the meeting's time -------------------------------------------------------------------------

def test_an_extra_arende_is_added_during_the_meeting_and_ticks_belong_to_it(world):
    pl = world.users["projektledare"]
    # Today's meeting started at 09:00; it is 10:00. Next month's is planned too.
    idag = factories.mote(world, IDAG, dt.time(9, 0))
    nasta = factories.mote(world, IDAG + dt.timedelta(days=28))
    extra = factories.create_arende(world)
    db.session.commit()
    dagordning.lagg_till(pl, idag.id, extra.id)
    assert extra.status == wf.PA_AGENDA
    db.session.commit()
    # The FK ledamot's preparation tick is for today's meeting, where the item is booked.
    from samverkan.arenden import forberedelse

    rad = forberedelse.markera(world.users["ledamot_fk"], extra.id, part_id=world.parter["fk"].id,
                               mote_id=idag.id)
    assert rad.mote_id == idag.id != nasta.id
    # Another day's started meeting takes no more items.
    igar = factories.mote(world, IDAG - dt.timedelta(days=1), dt.time(9, 0))
    annat = factories.create_arende(world, handlaggare="ledamot_fk")
    db.session.commit()
    with pytest.raises(DomainError) as fel:
        dagordning.lagg_till(pl, igar.id, annat.id)
    assert fel.value.code == "mote_passerat"


def test_the_handlaggare_asks_for_a_place_from_the_case_page(world, login):
    arende = factories.create_arende(world)
    mote = redigering.skapa_mote(world.users["projektledare"], world.team.id, datum=IDAG + dt.timedelta(days=14),
                            klockslag=dt.time(13, 0), langd_minuter=120)
    db.session.commit()
    client = login(world.users["ledamot_af"])
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Be om plats på mötet" in html
    svar = client.post(f"/arenden/{arende.id}/anmal", data={"mote_id": mote.id})
    assert svar.status_code == 303
    punkter = hamta.mote_med_punkter(world.users["projektledare"], mote.id)[1]
    assert [(p.arende_id, p.status.value) for p in punkter] == [(arende.id, "anmald")]
