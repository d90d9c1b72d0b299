"""Issue 17, point 2: "alla parter närvarande" is judged against the parties that sat in
the team on the meeting's date. The admin's change of a team's parties is dated
(``TeamPartHistorik``), so a party that leaves mid-year does not make the earlier
meetings incomplete, and one that joins does not make later meetings complete when it is
absent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from samverkan.arenden.flow import team_part_ids
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund import services as forbund_services
from samverkan.forbund.models import PartTyp, TeamPartHistorik
from samverkan.moten.models import Narvaro, NarvaroStatus
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from tests.rapporter.conftest import ALLA, D, skapa_mote


def _stall_klockan(dag: dt.date) -> None:
    clock.set_clock(lambda: dt.datetime.combine(dag, dt.time(9), tzinfo=dt.UTC))


def _byt_parter(w, part_ids: list[int]) -> None:
    """The admin saves the team with another set of parties (as the admin page does)."""
    forbund_services.spara_team(w.users["admin"], forbund_services.TeamRegler(
        namn=w.team.namn, part_ids=part_ids, motesplats=w.team.motesplats), team_id=w.team.id)


def test_parties_that_leave_or_join_change_only_the_meetings_after(world):
    w = world
    _stall_klockan(D(2026, 3, 1))
    _byt_parter(w, [w.parter[k].id for k in ("af", "kommun", "region")])  # FK leaves on 1 March
    _stall_klockan(D(2026, 5, 1))
    ami = forbund_services.spara_part(w.users["admin"], typ=PartTyp.KOMMUN, namn="Testby kommun, AMI")
    _byt_parter(w, [w.parter[k].id for k in ("af", "kommun", "region")] + [ami.id])  # AMI joins on 1 May
    # Today's parties are those without an end: FK gone, AMI there.
    assert team_part_ids(w.team.id) == {w.parter["af"].id, w.parter["kommun"].id, w.parter["region"].id, ami.id}
    historik = db.session.execute(select(TeamPartHistorik.part_id, TeamPartHistorik.fran, TeamPartHistorik.till)
                                  .where(TeamPartHistorik.team_id == w.team.id)).all()
    assert sorted(historik, key=lambda h: h[0]) == sorted(
        [(w.parter["fk"].id, None, D(2026, 3, 1)), (ami.id, D(2026, 5, 1), None)], key=lambda h: h[0])

    utan_fk = {k: v for k, v in ALLA.items() if k != "fk"}
    skapa_mote(w, w.team, D(2026, 1, 20), ALLA)  # all four sat then, all there: complete
    skapa_mote(w, w.team, D(2026, 2, 17), utan_fk)  # FK still sat and was away: not complete
    skapa_mote(w, w.team, D(2026, 4, 14), utan_fk)  # FK had left: complete without it
    utan_ami = skapa_mote(w, w.team, D(2026, 6, 9), utan_fk)  # AMI had joined and is not there
    med_ami = skapa_mote(w, w.team, D(2026, 6, 16), utan_fk)
    db.session.add(Narvaro(mote_id=med_ami.id, part_id=ami.id, status=NarvaroStatus.NARVARANDE,
                           registrerad_av_id=w.users["projektledare"].id))
    db.session.add(Narvaro(mote_id=utan_ami.id, part_id=ami.id, status=NarvaroStatus.FRANVARANDE,
                           registrerad_av_id=w.users["projektledare"].id))
    db.session.flush()

    _stall_klockan(D(2026, 7, 1))
    r = services.period_rapport(Urval(w.forbund.id, w.team.id, D(2026, 1, 1), D(2026, 6, 30)), exakt=True)
    moten = r.tabell("moten")
    assert [c.varde for c in moten.rader[0].celler] == [5, 3, 0]  # held, all parties, planning
    narvaro = {rad.etikett: [c.varde for c in rad.celler] for rad in r.tabell("narvaro").rader}
    # A party's possible meetings are those held while it sat in the team.
    assert narvaro[w.parter["fk"].namn] == [2, 1]
    assert narvaro["Testby kommun, AMI"] == [2, 1]
    assert narvaro[w.parter["af"].namn] == [5, 5]

    # The quarter before anyone left reads as it did then: one complete of two.
    q1 = services.period_rapport(Urval(w.forbund.id, w.team.id, D(2026, 1, 1), D(2026, 3, 31)), exakt=True)
    assert [c.varde for c in q1.tabell("moten").rader[0].celler] == [2, 1, 0]
    # The nyckeltal count the same meetings.
    b = services.Behorighet(w.forbund.id, w.team, True)
    varden = {v.definition.nyckel: v.cell.varde for v in services.nyckeltal(b, services.kvartal(2026, 2))}
    assert varden["moten_alla_parter"] == 2  # 14 April and 16 June; not 9 June


def test_a_party_that_joins_and_leaves_the_same_day_never_sat(world):
    w = world
    _stall_klockan(D(2026, 5, 1))
    alla = [p.id for p in w.parter.values()]
    _byt_parter(w, [w.parter["af"].id])
    _byt_parter(w, alla)
    # FK, kommun and region left and came back the same day: one closed period each from
    # the team's beginning, and one open from today.
    rader = db.session.execute(select(TeamPartHistorik).where(TeamPartHistorik.team_id == w.team.id)).scalars().all()
    assert len(rader) == 6
    _byt_parter(w, [w.parter["af"].id])  # and left again the same day: the new period goes
    rader = db.session.execute(select(TeamPartHistorik).where(TeamPartHistorik.team_id == w.team.id)).scalars().all()
    assert len(rader) == 3 and all(r.till == D(2026, 5, 1) and r.fran is None for r in rader)
