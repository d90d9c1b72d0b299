"""The list pages: mine, the projektledare's inkorg, consent expiring, and search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from samverkan.arenden import services
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import Forbidden, NotFound
from samverkan.deltagare import services as deltagare_services
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus, punktregler
from tests import factories
from workflows import arende as wf


def _arende(world, *, user="ledamot_af", nummer=None, giltigt_dagar=365, aktualisera=True,
            aktualiserad_for=20, parter=None, team=None):
    """An ärende for a chosen person, consent length and submission day."""
    u = world.users[user]
    today = clock.today()
    if nummer is not None:
        # Several ärenden of one person side by side: the team allows parallel ärenden
        # (issue 15 refuses a second open one otherwise).
        (team or world.team).parallella_arenden = True
    arende = services.create_utkast(u, team_id=(team or world.team).id, fragestallning="<p>Fråga</p>",
                                    kon="man", personnummer=nummer or factories.personnummer())
    deltagare_services.register_samtycke(
        arende.id, user_id=u.id, forbund_id=world.forbund.id,
        givet_den=today - dt.timedelta(days=30), giltigt_till=today + dt.timedelta(days=giltigt_dagar),
        satt="underskrivet", part_ids=[world.parter[k].id for k in (parter or list(world.parter))])
    db.session.refresh(arende)
    if aktualisera:
        services.fire(u, arende.id, "aktualisera", version=None,
                      datum=today - dt.timedelta(days=aktualiserad_for))
    db.session.flush()
    return arende


def _fire(world, arende, trigger, dagar_sedan, **context):
    """A back-dated transition. The meeting's triggers get the facts their guards read (a
    booked item on a meeting ahead, an insats with a place), written for the moment and
    removed again: the tests below make the meeting rows the lists read themselves."""
    datum = clock.today() - dt.timedelta(days=dagar_sedan)
    via = wf.via(trigger)
    kanal = wf.ARENDE if wf.ARENDE in via else sorted(via)[0]
    tillfalliga = []
    if trigger == "placera_pa_agenda":
        mote = factories.mote(world)
        punkt = Dagordningspunkt(mote_id=mote.id, arende_id=arende.id, status=punktregler.forsta(PunktStatus.BOKAD))
        db.session.add(punkt)
        db.session.flush()
        tillfalliga = [punkt, mote]
    elif trigger == "anvisa_insats":
        tillfalliga = [factories.insats(world, arende)]
    services.fire(world.users["projektledare"], arende.id, trigger, version=None, datum=datum,
                  kanal=kanal, **context)
    for rad in tillfalliga:
        db.session.delete(rad)
        db.session.flush()


def _mote(world, *, om_dagar, installt=False, team=None):
    start = clock.now() + dt.timedelta(days=om_dagar)
    mote = Mote(team_id=(team or world.team).id, starttid=start,
                installt=clock.now() if installt else None)
    db.session.add(mote)
    db.session.flush()
    return mote


def _referenser(html: str) -> list[str]:
    return re.findall(r"TST-\d{4}-\d{3}", html)


# --- Mina ärenden -----------------------------------------------------------------------
def test_mina_lists_my_arenden_drafts_first_with_an_edit_link(world, login):
    sent = _arende(world)
    draft = _arende(world, aktualisera=False)
    _arende(world, user="ledamot_fk")  # someone else's
    db.session.commit()
    html = login(world.users["ledamot_af"]).get("/arenden/mina").get_data(as_text=True)
    assert re.findall(r">(TST-\d{4}-\d{3})</a>", html) == [draft.referens, sent.referens]
    assert f"/aktualisering/{draft.id}/redigera" in html
    assert f"/aktualisering/{sent.id}/redigera" not in html
    assert "<caption>2 ärenden där du är handläggare</caption>" in html
    assert html.count("<h1>") == 1


def test_mina_singular_and_empty(world, login):
    client = login(world.users["ledamot_af"])
    assert "Du är inte handläggare för något ärende ännu." in client.get("/arenden/mina").get_data(as_text=True)
    _arende(world)
    db.session.commit()
    assert "<caption>1 ärende där du är handläggare</caption>" in client.get("/arenden/mina").get_data(as_text=True)


def test_mina_is_paginated(world, login, app):
    for _ in range(3):
        _arende(world, aktualisera=False)
    db.session.commit()
    app.config["PAGE_SIZE"] = 2
    try:
        client = login(world.users["ledamot_af"])
        first = client.get("/arenden/mina").get_data(as_text=True)
        second = client.get("/arenden/mina?sida=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 25
    assert len(set(_referenser(first))) == 2 and len(set(_referenser(second))) == 1
    assert "Sida 1 av 2" in first and "/arenden/mina?sida=2" in first


# --- Inkorg -------------------------------------------------------------------------------
def test_inkorg_shows_new_and_follow_up_oldest_first_with_carried_over(world, login):
    old_new = _arende(world, aktualiserad_for=20)
    recent_new = _arende(world, aktualiserad_for=2)
    carried = _arende(world, aktualiserad_for=15)
    _fire(world, carried, "placera_pa_agenda", 10)
    _fire(world, carried, "bordlagg", 10)
    mote = _mote(world, om_dagar=-10)
    db.session.add(Dagordningspunkt(mote_id=mote.id, arende_id=carried.id, utfall="bordlagd"))
    followed = _arende(world, aktualiserad_for=19)
    for trigger in ("placera_pa_agenda", "samplanera", "anvisa_insats"):
        _fire(world, followed, trigger, 18)
    _fire(world, followed, "kalla_till_uppfoljning", 5)
    on_agenda = _arende(world)
    _fire(world, on_agenda, "placera_pa_agenda", 1)
    draft = _arende(world, aktualisera=False)
    elsewhere = _arende(world, user="granne", team=world.annat_team, parter=["af", "kommun"])
    db.session.commit()

    response = login(world.users["projektledare"]).get("/arenden/inkorg")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r">(TST-\d{4}-\d{3})</a>", html) == [
        old_new.referens, carried.referens, followed.referens, recent_new.referens]
    for absent in (on_agenda, draft, elsewhere):
        assert absent.referens not in html
    assert html.count("Överförd") == 1
    row = html.split(carried.referens, 1)[1].split("</tr>", 1)[0]
    assert "Överförd" in row and (clock.today() - dt.timedelta(days=15)).isoformat() in row
    row = html.split(followed.referens, 1)[1].split("</tr>", 1)[0]
    assert "Uppföljning" in row and (clock.today() - dt.timedelta(days=5)).isoformat() in row
    assert "Arbetsförmedlingen Testbygd" in row
    assert "<caption>4 ärenden väntar</caption>" in html


def test_later_outcome_is_no_longer_carried_over(world, ctx):
    arende = _arende(world, aktualiserad_for=15)
    earlier, later = _mote(world, om_dagar=-40), _mote(world, om_dagar=-10)
    db.session.add_all([
        Dagordningspunkt(mote_id=earlier.id, arende_id=arende.id, utfall="bordlagd"),
        Dagordningspunkt(mote_id=later.id, arende_id=arende.id, utfall="samplanerad"),
    ])
    db.session.flush()
    (rad,) = services.inkorg(world.users["projektledare"]).rader
    assert rad.overford is False and rad.ny


def test_inkorg_service_for_the_agenda_builder(world, ctx):
    a = _arende(world)
    rader = services.inkorg(world.users["projektledare"], team_id=world.team.id).rader
    assert [r.arende.id for r in rader] == [a.id]
    with pytest.raises(Forbidden):
        services.inkorg(world.users["ledamot_af"], team_id=world.team.id)
    with pytest.raises(NotFound):
        services.inkorg(world.users["projektledare"], team_id=world.annat_team.id)
    with pytest.raises(Forbidden):
        services.inkorg(world.users["ledamot_af"])


@pytest.mark.parametrize("key", ["ledamot_af", "samcoach", "admin", "granne"])
def test_inkorg_is_for_projektledare(world, login, key):
    assert login(world.users[key]).get("/arenden/inkorg").status_code == 403


def test_inkorg_empty_and_team_filter(world, login):
    client = login(world.users["projektledare"])
    response = client.get(f"/arenden/inkorg?team={world.team.id}")
    assert response.status_code == 200
    assert "Inga ärenden väntar i inkorgen just nu." in response.get_data(as_text=True)
    assert client.get(f"/arenden/inkorg?team={world.annat_team.id}").status_code == 404


# --- Samtycke går ut ----------------------------------------------------------------------
def test_consent_expiring_within_30_days_or_before_the_next_meeting(world, login):
    soon = _arende(world, giltigt_dagar=10)
    later = _arende(world, giltigt_dagar=200)
    before_meeting = _arende(world, giltigt_dagar=60)
    closed = _arende(world, giltigt_dagar=5)
    _fire(world, closed, "avsluta", 1, avslutsorsak="flyttat", forsorjning_slut="lon",
          sysselsattning_slut="arbete")
    draft = _arende(world, giltigt_dagar=5, aktualisera=False)
    _mote(world, om_dagar=45, installt=True)  # cancelled: not the next meeting
    _mote(world, om_dagar=90)
    _mote(world, om_dagar=-3)  # past
    db.session.commit()

    html = login(world.users["ledamot_fk"]).get("/arenden/samtycke-gar-ut").get_data(as_text=True)
    assert re.findall(r">(TST-\d{4}-\d{3})</a>", html) == [soon.referens, before_meeting.referens]
    for absent in (later, closed, draft):
        assert absent.referens not in html
    next_day = clock.local(clock.now() + dt.timedelta(days=90)).date().isoformat()
    row = html.split(before_meeting.referens, 1)[1].split("</tr>", 1)[0]
    assert "Går ut före mötet" in row and next_day in row
    assert "<caption>2 ärenden med samtycke som går ut</caption>" in html


def test_consent_that_covers_the_next_meeting_is_not_flagged(world, login):
    _arende(world, giltigt_dagar=60)
    _mote(world, om_dagar=50)
    db.session.commit()
    html = login(world.users["projektledare"]).get("/arenden/samtycke-gar-ut").get_data(as_text=True)
    assert "Inga samtycken går ut den närmaste tiden." in html


def test_expired_consent_is_flagged_and_only_visible_arenden_are_listed(world, login):
    arende = _arende(world, giltigt_dagar=3)
    db.session.commit()
    clock.set_clock(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=5))
    html = login(world.users["projektledare"]).get("/arenden/samtycke-gar-ut").get_data(as_text=True)
    assert arende.referens in html and "Har gått ut" in html
    assert "<caption>1 ärende med samtycke som går ut</caption>" in html
    other = login(world.users["granne"]).get("/arenden/samtycke-gar-ut").get_data(as_text=True)
    assert arende.referens not in other


# --- Search -------------------------------------------------------------------------------
def test_search_by_reference_any_case(world, login):
    arende = _arende(world)
    _arende(world)
    db.session.commit()
    client = login(world.users["ledamot_fk"])
    for response in (client.get(f"/arenden/sok?q={arende.referens.lower()}"),
                     client.post("/arenden/sok", data={"q": f"  {arende.referens}  "})):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert _referenser(html.split("<table", 1)[1]) == [arende.referens]
        assert "<caption>1 ärende hittades</caption>" in html
    assert "Inget ärende med den referensen" in client.get("/arenden/sok?q=TST-1999-001").get_data(as_text=True)
    assert client.get("/arenden/sok").status_code == 200


def test_search_by_personnummer_is_audited_without_the_number(world, login):
    nummer = factories.personnummer()
    first, second = _arende(world, nummer=nummer), _arende(world, nummer=nummer)
    _arende(world)
    db.session.commit()
    user = world.users["ledamot_af"]
    response = login(user).post("/arenden/sok", data={"q": f"{nummer[:8]}-{nummer[8:]}"})
    html = response.get_data(as_text=True)
    assert sorted(_referenser(html.split("<table", 1)[1])) == sorted([first.referens, second.referens])
    assert "<caption>2 ärenden hittades</caption>" in html
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.handling == "arende.sok")).scalar_one()
    assert entry.user_id == user.id and entry.objekt_id == first.deltagare_id
    assert entry.falt == "personnummer" and entry.kanal == "webb"
    assert nummer not in repr(vars(entry))


def test_search_by_samordningsnummer(world, login):
    nummer = factories.personnummer(samordning=True)
    arende = _arende(world, nummer=nummer)
    db.session.commit()
    html = login(world.users["projektledare"]).post("/arenden/sok", data={"q": nummer[2:]}).get_data(as_text=True)
    assert _referenser(html.split("<table", 1)[1]) == [arende.referens]


def test_search_by_unknown_personnummer_is_audited_too(world, login):
    response = login(world.users["ledamot_af"]).get(f"/arenden/sok?q={factories.personnummer()}")
    assert "Inga ärenden som du har behörighet att se" in response.get_data(as_text=True)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.handling == "arende.sok")).scalar_one()
    assert entry.objekt_id is None


def test_search_does_not_leak_other_teams_or_reference_only_arenden(world, login):
    nummer = factories.personnummer()
    fk_not_covered = _arende(world, nummer=nummer, parter=["af", "kommun"])
    draft = _arende(world, nummer=nummer, aktualisera=False)
    db.session.commit()
    # Another team's member finds nothing, by reference or by number.
    granne = login(world.users["granne"])
    html = granne.get(f"/arenden/sok?q={fk_not_covered.referens}").get_data(as_text=True)
    assert "<table" not in html and "Inget ärende med den referensen" in html
    html = granne.post("/arenden/sok", data={"q": nummer}).get_data(as_text=True)
    assert "<table" not in html
    # A ledamot who knows these ärenden only by reference finds them by reference,
    # but a number search must not tie them to the person.
    fk = login(world.users["ledamot_fk"])
    assert fk_not_covered.referens in fk.get(f"/arenden/sok?q={fk_not_covered.referens}").get_data(as_text=True)
    html = fk.post("/arenden/sok", data={"q": nummer}).get_data(as_text=True)
    assert "<table" not in html and not _referenser(html)
    # The projektledare reads details of the submitted one; the draft is its author's
    # alone (issue 15), and she finds both.
    html = login(world.users["projektledare"]).post("/arenden/sok", data={"q": nummer}).get_data(as_text=True)
    assert _referenser(html.split("<table", 1)[1]) == [fk_not_covered.referens]
    html = login(world.users["ledamot_af"]).post("/arenden/sok", data={"q": nummer}).get_data(as_text=True)
    assert sorted(_referenser(html.split("<table", 1)[1])) == sorted([fk_not_covered.referens, draft.referens])


def test_bad_personnummer_gets_a_swedish_message_and_no_audit(world, login):
    response = login(world.users["ledamot_af"]).post("/arenden/sok", data={"q": "19800101-1235"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="q-fel">Kontrollsiffran stämmer inte' in html and 'aria-invalid="true"' in html
    assert db.session.execute(select(AuditEntry).where(AuditEntry.handling == "arende.sok")).first() is None


@pytest.mark.parametrize("key", ["admin", "styrgrupp", "samcoach"])
def test_number_search_only_for_case_roles(world, login, key):
    response = login(world.users[key]).post("/arenden/sok", data={"q": factories.personnummer()})
    assert response.status_code == 403
    assert "behörighet att söka på personnummer" in response.get_data(as_text=True)


# --- query budgets ------------------------------------------------------------------------
LIST_URLS = ["/arenden/mina", "/arenden/inkorg", "/arenden/samtycke-gar-ut", "/arenden/sok?q={nummer}"]


def test_every_list_costs_the_same_number_of_queries_for_10_and_60_rows(world, login, count_queries):
    nummer = factories.personnummer()
    _mote(world, om_dagar=7)

    def add(n):
        for i in range(n):
            # The projektledare's own ärenden: in mina, the inkorg, consent lists and search.
            _arende(world, user="projektledare", nummer=nummer, giltigt_dagar=10,
                    aktualiserad_for=20 - i % 20)
        db.session.commit()

    def measure():
        counts, rows = {}, {}
        for url in LIST_URLS:
            url = url.format(nummer=nummer)
            with count_queries() as q:
                html = client.get(url).get_data(as_text=True)
            counts[url] = q.count
            rows[url] = len(_referenser(html.split("<table", 1)[1]))
        return counts, rows

    client = login(world.users["projektledare"])
    add(10)
    small, small_rows = measure()
    add(50)
    large, large_rows = measure()
    assert set(small_rows.values()) == {10} and set(large_rows.values()) == {25}  # PAGE_SIZE
    assert small == large
    assert max(small.values()) <= 8, small
