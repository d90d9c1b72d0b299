"""The team's stegförflyttning at a meeting: every open ärende with its starting,
previous and latest step, the totals (up, still, down), figures only where the consent
covers the reader's party, every detailed read audited, and a fixed number of statements."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import NotFound
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
from samverkan.uppfoljning import stegoversikt
from tests import factories
from tests.uppfoljning import fabrik


def _team(world):
    """Four ärenden in insats (up 1→3, still 4→4, down 5→3, one measurement only) and
    one whose consent leaves FK out."""
    fabrik.satt_klockan()
    rader = {}
    for namn, steg in (("upp", [1, 3]), ("stilla", [4, 4]), ("ned", [5, 3]), ("en", [2])):
        arende = fabrik.i_insats(world)
        for i, nummer in enumerate(steg):
            fabrik.matning(world, arende, dt.date(2025, 11, 10) + dt.timedelta(days=35 * i), nummer, 10 * nummer)
        rader[namn] = arende
    # The samcoach place of "upp" started on 1 December (made directly: what is read here).
    db.session.add(Insats(arende_id=rader["upp"].id, team_id=world.team.id, form=InsatsForm.SAMCOACH,
                          status=InsatsStatus.AKTIV, beslutad=dt.date(2025, 11, 20),
                          startad=dt.date(2025, 12, 1), samcoach_id=world.users["samcoach"].id))
    # Aktualiserat only: an open ärende of the team all the same.
    rader["utan_fk"] = factories.create_arende(world, parter=["af", "kommun", "region"])
    fabrik.matning(world, rader["utan_fk"], dt.date(2025, 12, 1), 2, 25)
    db.session.commit()
    return rader


def test_totals_rows_and_sorting(world):
    rader = _team(world)
    o = stegoversikt.oversikt(world.users["projektledare"], world.team.id, sortera_pa="forandring", fallande=True)
    assert o.summor == {"upp": 1, "stilla": 1, "ned": 1, "utan_jamforelse": 2, "endast_referens": 0}
    forsta_tre = [r.arende_id for r in o.rader[:3]]
    assert forsta_tre == [rader["upp"].id, rader["stilla"].id, rader["ned"].id]
    upp = o.rader[0]
    assert (upp.start.nummer, upp.forra.nummer, upp.senaste.nummer, upp.forandring) == (1, 1, 3, 2)
    assert upp.senaste.sysselsattningsgrad == 30
    assert upp.dagar_i_insats == (dt.date(2026, 2, 2) - dt.date(2025, 12, 1)).days


def test_a_ledamot_sees_figures_only_where_the_consent_covers_the_party(world):
    rader = _team(world)
    o = stegoversikt.oversikt(world.users["ledamot_fk"], world.team.id)
    utan = next(r for r in o.rader if r.arende_id == rader["utan_fk"].id)
    assert not utan.detaljer and utan.senaste is None and o.rader[-1] is utan  # reference-only rows last
    assert o.summor["endast_referens"] == 1
    db.session.commit()
    lasta = set(db.session.scalars(select(AuditEntry.objekt_id).where(
        AuditEntry.handling == "stegforflyttning.visa", AuditEntry.user_id == world.users["ledamot_fk"].id)))
    assert lasta == {r.id for k, r in rader.items() if k != "utan_fk"}


def test_a_meeting_reads_the_measurements_up_to_its_day(world):
    rader = _team(world)
    mote = fabrik.mote(world, dt.date(2025, 12, 1))
    db.session.commit()
    o = stegoversikt.oversikt(world.users["projektledare"], world.team.id, mote_id=mote.id)
    upp = next(r for r in o.rader if r.arende_id == rader["upp"].id)
    # Only the first measurement (2025-11-10) lies on or before the meeting's day.
    assert upp.senaste.nummer == 1 and upp.forra is None
    assert o.summor["upp"] == 0


@pytest.mark.parametrize("vem", ["granne", "admin", "styrgrupp"])
def test_outside_the_team_it_does_not_exist(world, vem):
    _team(world)
    with pytest.raises(NotFound):
        stegoversikt.oversikt(world.users[vem], world.team.id)


def test_a_meeting_of_another_team_is_not_found(world):
    _team(world)
    annat = fabrik.mote(world, dt.date(2026, 3, 3))
    annat.team_id = world.annat_team.id
    db.session.commit()
    with pytest.raises(NotFound):
        stegoversikt.oversikt(world.users["projektledare"], world.team.id, mote_id=annat.id)


def test_statements_do_not_grow_with_the_team(world, count_queries):
    _team(world)
    pl = world.users["projektledare"]
    with count_queries() as q:
        stegoversikt.oversikt(pl, world.team.id)
        db.session.flush()
    fore = q.count
    for _ in range(4):
        arende = fabrik.i_insats(world)
        fabrik.matning(world, arende, dt.date(2025, 12, 1), 3, 50)
    db.session.commit()
    db.session.expire_all()
    pl = db.session.get(type(pl), pl.id)
    with count_queries() as q:
        stegoversikt.oversikt(pl, world.team.id)
        db.session.flush()
    assert q.count <= fore, "\n".join(x[:90] for x in q.statements)


def test_the_page(world, login):
    rader = _team(world)
    html = login(world.users["ledamot_fk"]).get(
        f"/team/{world.team.id}/stegforflyttning?sortera=senaste&ordning=fallande").get_data(as_text=True)
    assert "Flyttat uppåt: 1 ärende" in html and "Stått still: 1 ärende" in html
    assert 'aria-sort="descending"' in html
    assert "1 ärende visas bara med referens" in html
    assert rader["utan_fk"].referens in html and "Endast referens" in html
    # By latest step, highest first: 4 (stilla), 3 (upp, then ned: ties by reference), 2.
    assert html.index(rader["stilla"].referens) < html.index(rader["upp"].referens) < html.index(rader["en"].referens)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.handling == "stegforflyttning.visa")) == 4
