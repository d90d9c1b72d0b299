"""A samcoach is told of a new assignment (or an offered place) once; each responsible
person gets a Monday digest of actions due soon and overdue, once per week. Both reach a
real SMTP server through the scheduler, carry nothing personal, link to a page that
works for the recipient, and stop when the user turns them off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.besked import jobs as besked_jobs
from samverkan.besked import services as besked
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, TeamRoll
from samverkan.insatser import services as insatser
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.samplanering import services as samplanering
from samverkan.schemalaggare import jobb as jobblista
from tests.besked import helpers
from tests.moten.conftest import under_motet
from tests.uppfoljning import fabrik

UPPDRAG = "Nytt uppdrag som samcoach"


def _till_samcoach(world, mote, punkt) -> None:
    samplanering.registrera_punkt(world.users["projektledare"], mote.id, punkt.id, beslut="samcoach",
                                  samcoach_id=world.users["samcoach"].id, folj_upp_den=dt.date(2026, 5, 5))


def _kapacitet(world, n: int) -> None:
    db.session.execute(select(Medlemskap).where(Medlemskap.user_id == world.users["samcoach"].id,
                                                Medlemskap.roll == TeamRoll.SAMCOACH)).scalar_one().kapacitet = n
    db.session.commit()


def _insats(punkt) -> Insats:
    return db.session.execute(select(Insats).where(Insats.arende_id == punkt.arende_id)).scalar_one()


def test_the_samcoach_is_told_of_each_assignment_once(world, pa_agendan, smtp, kor, login):
    _kapacitet(world, 1)
    mote, (forst, andra) = pa_agendan(2)
    under_motet(mote)
    _till_samcoach(world, mote, forst)
    _till_samcoach(world, mote, andra)  # full: queued, nobody is told yet
    db.session.commit()
    kor()
    [brev] = helpers.brev(smtp, UPPDRAG)
    assert brev.rcpt_tos == ["samcoach@example.org"]
    arenden = [db.session.get(fabrik.Arende, p.arende_id) for p in (forst, andra)]
    assert arenden[0].referens in helpers.text(brev) and arenden[1].referens not in helpers.text(brev)
    helpers.inget_personligt(brev, arenden=arenden)
    # The link is the samcoach's caseload, where the ärende is.
    sida = login(world.users["samcoach"]).get(helpers.lank(brev))
    assert sida.status_code == 200 and arenden[0].referens in sida.get_data(as_text=True)

    # The same assignment told again writes nothing; the place freed is offered on: one more.
    assert besked.nytt_uppdrag(_insats(forst)) is None
    insatser.avsluta_insats(world.users["projektledare"], world.team.id, _insats(forst).id)
    db.session.commit()
    assert _insats(andra).status == InsatsStatus.ERBJUDEN
    kor()
    # Confirmed by the projektledare: the same assignment, no second mail.
    insatser.bekrafta_plats(world.users["projektledare"], world.team.id, _insats(andra).id)
    db.session.commit()
    kor()
    brevlista = helpers.brev(smtp, UPPDRAG)
    assert len(brevlista) == 2
    assert arenden[1].referens in helpers.text(brevlista[1]) and "erbjudits" in helpers.text(brevlista[1])


def test_a_samcoach_who_turned_it_off_gets_nothing(world, pa_agendan, smtp, kor, login):
    client = login(world.users["samcoach"])
    assert client.post("/konto/epost", data={"besked_beslut": "y"}).status_code == 303
    mote, (punkt,) = pa_agendan(1)
    under_motet(mote)
    _till_samcoach(world, mote, punkt)
    db.session.commit()
    kor()
    assert helpers.brev(smtp, UPPDRAG) == []
    assert _insats(punkt).samcoach_id == world.users["samcoach"].id


# --- the Monday digest ------------------------------------------------------------------

MANDAG = dt.datetime(2026, 2, 2, 5, 30, tzinfo=dt.UTC)  # Monday 06:30 in Stockholm
VECKA = "Åtgärder att följa upp"


def _handlingsplan(world):
    """AF's actions in one ärende: one late, one due in three days, one in three weeks,
    one done; FK's one action is due in a month."""
    arende = fabrik.i_insats(world)
    idag = clock.today()
    fabrik.atgard(world, arende, "af", idag - dt.timedelta(days=2), beskrivning="Boka kartläggning")
    fabrik.atgard(world, arende, "af", idag + dt.timedelta(days=3), beskrivning="Ringa arbetsgivaren")
    fabrik.atgard(world, arende, "af", idag + dt.timedelta(days=21))
    klar = fabrik.atgard(world, arende, "af", idag - dt.timedelta(days=1))
    klar.klar_den = idag
    fabrik.atgard(world, arende, "fk", idag + dt.timedelta(days=30))
    db.session.commit()
    return arende


def _veckojobb(app):
    jobb = next(j for j in jobblista.JOBB if j.id == "veckosammanstallning")
    db.session.commit()
    antal = jobb(app)
    db.session.expire_all()
    return antal


def test_on_monday_each_responsible_person_gets_one_digest(world, app, smtp, kor, login):
    fabrik.satt_klockan(MANDAG)
    arende = _handlingsplan(world)
    assert _veckojobb(app)["veckosammanstallningar"] == 2
    assert _veckojobb(app)["veckosammanstallningar"] == 0  # a second run that Monday
    kor()
    brevlista = helpers.brev(smtp, VECKA)
    # AF's ledamot and ersättare sit for the party that owns the actions; FK's is not due.
    assert helpers.per_mottagare(brevlista) == {"ledamot_af@example.org": 1, "ersattare_af@example.org": 1}
    brev = brevlista[0]
    assert "1 åtgärd är försenad" in helpers.text(brev)
    assert "1 åtgärd ska vara klar inom 7 dagar" in helpers.text(brev)
    assert "vecka 6" in brev.meddelande["Subject"]
    helpers.inget_personligt(brev, arenden=[arende])
    assert "Boka kartläggning" not in helpers.text(brev)  # the plan's own words stay in the app
    # The link lists both, late and soon due, for the recipient.
    html = login(world.users["ledamot_af"]).get(helpers.lank(brev)).get_data(as_text=True)
    assert "Boka kartläggning" in html and "Ringa arbetsgivaren" in html

    # Tuesday: nothing. The next Monday: a new week's digest.
    fabrik.satt_klockan(MANDAG + dt.timedelta(days=1))
    assert _veckojobb(app)["veckosammanstallningar"] == 0
    fabrik.satt_klockan(MANDAG + dt.timedelta(days=7))
    assert _veckojobb(app)["veckosammanstallningar"] == 2
    assert db.session.scalar(select(func.count()).select_from(Utskick)
                             .where(Utskick.typ == UtskickTyp.VECKOSAMMANSTALLNING)) == 4


def test_the_digest_stops_when_turned_off_or_when_the_arende_closes(world, app, login):
    fabrik.satt_klockan(MANDAG)
    arende = _handlingsplan(world)
    svar = login(world.users["ersattare_af"]).post("/konto/epost", data={"besked_beslut": "y"})
    assert svar.status_code == 303
    _veckojobb(app)
    mottagare = db.session.execute(select(Utskick.epost).where(
        Utskick.typ == UtskickTyp.VECKOSAMMANSTALLNING)).scalars().all()
    assert mottagare == ["ledamot_af@example.org"]

    arende_services.fire(world.users["projektledare"], arende.id, "avsluta", version=None, avslutsorsak="arbete",
                         forsorjning_slut="lon", sysselsattning_slut="arbete")
    db.session.commit()
    fabrik.satt_klockan(MANDAG + dt.timedelta(days=7))
    assert _veckojobb(app)["veckosammanstallningar"] == 0


def test_the_weekly_job_is_a_nightly_one_in_the_list():
    jobb = next(j for j in jobblista.JOBB if j.id == "veckosammanstallning")
    assert (jobb.nar, jobb.klockan, jobb.kor) == (jobblista.NATT, dt.time(6, 30), besked_jobs.veckosammanstallning)
