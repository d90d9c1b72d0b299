"""The team's own parties (issue 17, point 2): "every party present" means every party of
that team, a kommun may be two parties (IFO and AMI) and a team may lack Försäkringskassan;
remitterande part, attendance, consent and actions are reported per party with the party
type as a subtotal."""

from __future__ import annotations

from samverkan.core.db import db
from samverkan.deltagare.models import Samtycke, SamtyckeSatt
from samverkan.forbund.models import Medlemskap, Part, PartTyp, TeamRoll
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from tests import factories
from tests.rapporter.conftest import ALLA, D, atgard, skapa_arende, skapa_mote

Q1 = (D(2026, 1, 1), D(2026, 3, 31))


def _ifo(w):
    ifo = Part(forbund_id=w.forbund.id, typ=PartTyp.KOMMUN, namn="Testby kommun, IFO")
    db.session.add(ifo)
    db.session.flush()
    user = factories.create_user(w.forbund, ifo, "Ledamot IFO", epost="ledamot_ifo@example.org")
    db.session.add(Medlemskap(team_id=w.team.id, user_id=user.id, roll=TeamRoll.LEDAMOT))
    w.team.parter.append(ifo)  # the team seats the party (team_part), as the admin does
    db.session.flush()
    w.parter["ifo"] = ifo
    return ifo


def _texter(t):
    return {r.etikett: [c.text for c in r.celler] for r in t.rader}


def test_every_party_of_the_team_not_the_four_types(facit):
    _ifo(facit)
    # AF, FK, kommun's AMI and region there, IFO away: not every party of the team.
    skapa_mote(facit, facit.team, D(2026, 2, 24), ALLA)
    skapa_mote(facit, facit.team, D(2026, 3, 24), {**ALLA, "ifo": "narvarande"})
    a = skapa_arende(facit, kon="kvinna", fodd=1980, part="ifo", akt=D(2026, 2, 3))
    db.session.add(Samtycke(arende_id=a.id, givet_den=D(2026, 2, 3), giltigt_till=D(2027, 2, 3),
                            satt=SamtyckeSatt(list(SamtyckeSatt)[0].value),
                            parter=[facit.parter["ifo"], facit.parter["af"]]))
    atgard(facit, a, dt_utc(D(2026, 2, 24)))
    db.session.commit()

    rapport = services.period_rapport(Urval(facit.forbund.id, None, *Q1), exakt=True)
    # Testby: 20 Jan (IFO not yet there… it is a party now: not all), 17 Feb (FK away),
    # 24 Feb (IFO away), 24 Mar (all five). Grannby has only AF as its party: all there.
    assert _texter(rapport.tabell("moten")) == {"Trisam Grannby": ["1", "1", "0"],
                                                "Trisam Testby": ["4", "1", "1"], "Totalt": ["5", "2", "1"]}
    part = _texter(rapport.tabell("part"))
    assert part["Testby kommun, IFO"] == ["1", "0", "0", "1"]
    assert part["Testby kommun, Arbetsmarknadsenheten"] == ["1", "1", "0", "2"]  # a3, and Grannby's a9
    assert part["Kommun totalt"] == ["2", "1", "0", "3"]
    assert part["Totalt"] == [str(sum(int(v[i]) for k, v in part.items() if k != "Totalt" and "totalt" not in k))
                              for i in range(4)]
    narvaro = _texter(rapport.tabell("narvaro"))
    assert narvaro["Testby kommun, IFO"] == ["4", "1"]
    assert narvaro["Försäkringskassan Testbygd"] == ["4", "3"]
    # AF belongs to both teams: 4 + 1 meetings, there at all five.
    assert narvaro["Arbetsförmedlingen Testbygd"] == ["5", "5"]
    samtycke = _texter(rapport.tabell("samtycke"))
    assert samtycke["Testby kommun, IFO"] == ["1", "0", "0", "1"]
    assert _texter(rapport.tabell("atgard_part"))["Arbetsförmedlingen Testbygd"][3] == "3"  # a2, a5, and a


def dt_utc(d):
    from tests.rapporter.conftest import utc

    return utc(d)
