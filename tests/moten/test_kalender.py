"""The team's calendar: a year generated from a rule (in Stockholm time, across DST,
idempotently), editing and moving (the kallelse's due time follows, the sequence bumps),
cancelling, and who may see and change it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.kallelser import regler
from samverkan.moten import dagordning, motesar, redigering
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp
from tests import factories
from tests.moten.conftest import NU, satt_klockan


def _moten(team_id: int) -> list[Mote]:
    return db.session.execute(select(Mote).where(Mote.team_id == team_id).order_by(Mote.starttid)).scalars().all()


def _generera(world, **kw):
    args = {"veckodag": 1, "ordning": 2, "klockslag": dt.time(13, 0), "uppehall": {7},
            "startmanad": dt.date(2026, 3, 1), "plats": "Kommunhuset, rum 3"}
    args.update(kw)
    resultat = motesar.generera_ar(world.users["projektledare"], world.team.id, **args)
    db.session.commit()
    return resultat


def test_year_of_second_tuesdays_at_13_stockholm_without_july(world, nu):
    resultat = _generera(world)
    moten = _moten(world.team.id)
    assert len(resultat.skapade) == len(moten) == 11  # March 2026 – February 2027, no July
    for mote in moten:
        lokal = clock.local(mote.starttid)
        assert lokal.weekday() == 1 and 8 <= lokal.day <= 14
        assert lokal.time() == dt.time(13, 0)
        assert lokal.month != 7
        assert mote.plats == "Kommunhuset, rum 3" and mote.typ == MotesTyp.ARENDEDRAGNING
        # Planned through the kallelse rules: the Friday 09:00 of the week before.
        assert mote.kallelse_planerad == regler.kallelse_tid(mote.starttid, None)
        assert mote.anmalan_stanger == regler.anmalan_stanger(mote.starttid, None)
        assert mote.sekvens == 0 and mote.installt is None
    assert [clock.local(m.starttid).date() for m in moten][:2] == [dt.date(2026, 3, 10), dt.date(2026, 4, 14)]
    assert len({m.uid for m in moten}) == 11


def test_generation_is_idempotent_and_keeps_cancellations(world, nu):
    _generera(world)
    forsta = _moten(world.team.id)[0]
    redigering.installa_mote(world.users["projektledare"], forsta.id)
    db.session.commit()

    again = _generera(world)
    assert again.skapade == []
    assert len(again.fanns_redan) == 11
    assert len(_moten(world.team.id)) == 11
    db.session.refresh(forsta)
    assert forsta.installt is not None  # not resurrected


def test_dst_last_tuesday_keeps_13_local_in_late_march_and_late_october(world, nu):
    _generera(world, ordning=-1, uppehall=set())
    per_manad = {clock.local(m.starttid).month: m for m in _moten(world.team.id)}
    mars, oktober, februari = per_manad[3], per_manad[10], per_manad[2]
    # 2026-03-31 is after the spring change (29 March), 2026-10-27 after the autumn one (25 October).
    assert clock.local(mars.starttid).date() == dt.date(2026, 3, 31)
    assert clock.local(oktober.starttid).date() == dt.date(2026, 10, 27)
    for mote in (mars, oktober, februari):
        assert clock.local(mote.starttid).time() == dt.time(13, 0)
    assert mars.starttid.hour == 11  # summer time, UTC+2
    assert oktober.starttid.hour == 12 and februari.starttid.hour == 12  # winter time, UTC+1
    # The kallelse (Friday 27 March, still winter time) is 09:00 local as well.
    assert clock.local(mars.kallelse_planerad) == dt.datetime(2026, 3, 27, 9, 0, tzinfo=clock.STOCKHOLM)


def test_past_dates_in_the_first_month_are_skipped(world, nu):
    resultat = _generera(world, startmanad=dt.date(2026, 1, 1), ordning=1, uppehall=set())
    assert dt.date(2026, 1, 6) in resultat.passerade
    assert min(clock.local(m.starttid).date() for m in _moten(world.team.id)) == dt.date(2026, 2, 3)


def test_generation_form_creates_the_year_and_reports_it(world, nu, login):
    client = login(world.users["projektledare"])
    form = client.get(f"/moten/team/{world.team.id}/generera").get_data(as_text=True)
    assert 'checked id="uppehall-6" name="uppehall" type="checkbox" value="7"' in form  # summer break preselected
    response = client.post(f"/moten/team/{world.team.id}/generera", data={
        "veckodag": "1", "ordning": "2", "klockslag": "13:00", "uppehall": ["7"], "startmanad": "2026-03",
        "plats": "Kommunhuset", "videolank": "", "typ": "arendedragning", "langd_minuter": "120",
    })
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "11 möten skapade" in html
    assert "2026-03-10" in html and "2026-07-" not in html


def test_generation_refuses_a_javascript_link_beside_the_field(world, nu, login):
    client = login(world.users["projektledare"])
    response = client.post(f"/moten/team/{world.team.id}/generera", data={
        "veckodag": "1", "ordning": "2", "klockslag": "13:00", "startmanad": "2026-03",
        "videolank": "javascript:alert(1)", "typ": "arendedragning", "langd_minuter": "120",
    })
    assert response.status_code == 422
    assert 'id="videolank-fel"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Mote)) == 0


def test_move_recomputes_the_kallelse_and_bumps_the_sequence(world, nytt_mote):
    mote = nytt_mote()
    assert clock.local(mote.kallelse_planerad) == dt.datetime(2026, 3, 6, 9, 0, tzinfo=clock.STOCKHOLM)
    redigering.andra_mote(world.users["projektledare"], mote.id, datum=dt.date(2026, 3, 17),
                        klockslag=dt.time(9, 30))
    db.session.commit()
    assert clock.local(mote.starttid) == dt.datetime(2026, 3, 17, 9, 30, tzinfo=clock.STOCKHOLM)
    assert clock.local(mote.kallelse_planerad) == dt.datetime(2026, 3, 13, 9, 0, tzinfo=clock.STOCKHOLM)
    assert mote.anmalan_stanger == regler.anmalan_stanger(mote.starttid, None)
    assert mote.sekvens == 1 and mote.agendaversion == 0

    # A change of place bumps the sequence too; capacity alone does not.
    redigering.andra_mote(world.users["projektledare"], mote.id, plats="Biblioteket")
    redigering.andra_mote(world.users["projektledare"], mote.id, kapacitet_=3)
    db.session.commit()
    assert mote.sekvens == 2 and mote.kapacitet == 3


def test_move_through_the_page(world, nytt_mote, login):
    mote = nytt_mote()
    client = login(world.users["projektledare"])
    form = client.get(f"/moten/{mote.id}/andra").get_data(as_text=True)
    assert 'value="2026-03-10"' in form and 'value="13:00"' in form
    response = client.post(f"/moten/{mote.id}/andra", data={
        "datum": "2026-03-11", "klockslag": "13:00", "langd_minuter": "90", "plats": "Kommunhuset, rum 3",
        "videolank": "https://video.example.org/trisam", "typ": "arendedragning", "kapacitet": "",
    })
    assert response.status_code == 303
    db.session.expire_all()
    assert clock.local(mote.starttid).date() == dt.date(2026, 3, 11)
    assert mote.langd_minuter == 90 and mote.videolank == "https://video.example.org/trisam"
    assert mote.sekvens == 1


def test_move_into_the_past_is_refused(world, nytt_mote):
    mote = nytt_mote()
    with pytest.raises(DomainError) as error:
        redigering.andra_mote(world.users["projektledare"], mote.id, datum=dt.date(2026, 1, 13))
    assert error.value.field == "datum"


def test_cancel_keeps_the_meeting_visible_and_returns_the_agenda_to_the_inbox(world, nytt_mote, login):
    mote = nytt_mote()
    arende = factories.create_arende(world)
    dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id)
    db.session.commit()
    client = login(world.users["projektledare"])
    confirm = client.get(f"/moten/{mote.id}/installa").get_data(as_text=True)
    assert "1 ärende på dagordningen går tillbaka till inkorgen" in confirm
    assert client.post(f"/moten/{mote.id}/installa").status_code == 303
    db.session.expire_all()
    assert mote.installt == NU and mote.sekvens == 1
    assert arende.status == "aktualiserad"
    assert [h.trigger for h in arende.handelser][-1] == "bordlagg"
    html = client.get(f"/moten/team/{world.team.id}").get_data(as_text=True)
    assert "Inställt" in html and "2026-03-10" in html
    # A cancelled meeting is not changed any more.
    assert client.post(f"/moten/{mote.id}/installa").status_code == 422
    with pytest.raises(DomainError):
        redigering.andra_mote(world.users["projektledare"], mote.id, plats="Annan plats")


def test_calendar_lists_upcoming_first_and_past_collapsed(world, nytt_mote, login):
    satt_klockan(NU - dt.timedelta(days=40))
    gammalt = nytt_mote(dt.date(2026, 1, 13))
    satt_klockan(NU)
    kommande = nytt_mote()
    html = login(world.users["ledamot_fk"]).get(f"/moten/team/{world.team.id}").get_data(as_text=True)
    assert html.index("Kommande möten") < html.index(f"/moten/{kommande.id}") < html.index("Tidigare möten")
    assert html.index("<details") < html.index(f"/moten/{gammalt.id}")
    assert "Planerad 2026-03-06 09:00" in html
    assert "Skapa ett års möten" not in html  # not for a ledamot


@pytest.mark.parametrize("key", ["ledamot_fk", "ersattare_af", "samcoach"])
def test_members_view_but_cannot_change(world, nytt_mote, login, key):
    mote = nytt_mote()
    client = login(world.users[key])
    assert client.get(f"/moten/team/{world.team.id}").status_code == 200
    assert client.get(f"/moten/{mote.id}").status_code == 200
    assert client.get(f"/moten/team/{world.team.id}/generera").status_code == 403
    assert client.get(f"/moten/{mote.id}/andra").status_code == 403
    assert client.post(f"/moten/{mote.id}/installa").status_code == 403
    assert client.post(f"/moten/{mote.id}/andra", data={"datum": "2026-03-11", "klockslag": "13:00",
                                                        "langd_minuter": "120", "typ": "arendedragning"}
                       ).status_code == 403
    db.session.expire_all()
    assert mote.installt is None and mote.sekvens == 0


@pytest.mark.parametrize("key", ["granne", "admin", "styrgrupp"])
def test_outside_the_team_everything_is_404(world, nytt_mote, login, key):
    mote = nytt_mote()
    client = login(world.users[key])
    assert client.get(f"/moten/team/{world.team.id}").status_code == 404
    assert client.get(f"/moten/{mote.id}").status_code == 404
    assert client.post(f"/moten/{mote.id}/installa").status_code == 404
    assert client.post(f"/moten/{mote.id}/dagordning", data={"arende_id": "1"}).status_code == 404
    assert client.get("/moten/999999").status_code == 404


def test_calendar_costs_the_same_number_of_queries_at_any_size(world, nytt_mote, login, count_queries):
    def mat():
        with count_queries() as q:
            response = client.get(f"/moten/team/{world.team.id}?sida=1")
        assert response.status_code == 200
        return q.count

    forsta = nytt_mote()
    dagordning.lagg_till(world.users["projektledare"], forsta.id, factories.create_arende(world).id)
    db.session.commit()
    client = login(world.users["projektledare"])
    fa = mat()
    _generera(world, startmanad=dt.date(2026, 4, 1))
    satt_klockan(NU - dt.timedelta(days=60))
    for dag in (dt.date(2025, 12, 9), dt.date(2026, 1, 13)):
        nytt_mote(dag)
    satt_klockan(NU)
    mote = next(m for m in _moten(world.team.id) if clock.local(m.starttid).date() == dt.date(2026, 4, 14))
    mote.kapacitet = 10
    for _ in range(4):
        dagordning.lagg_till(world.users["projektledare"], mote.id, factories.create_arende(world).id)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Dagordningspunkt)) == 5
    client = login(world.users["projektledare"])
    assert mat() == fa
