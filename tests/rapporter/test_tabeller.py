"""The tables the förbund write (issue 17, point 3) beyond the hand-counted ones in
test_period: stegförflyttning by kön."""

from __future__ import annotations

from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from tests.rapporter.conftest import D
from tests.rapporter.granskning import inget_givet
from tests.uppfoljning.fabrik import matning

Q1 = (D(2026, 1, 1), D(2026, 3, 31))


def _arende(ref_nr: int) -> Arende:
    return db.session.execute(select(Arende).where(Arende.referens == f"TST-2026-{ref_nr:03d}")).scalar_one()


def test_share_with_a_step_forward_and_steps_moved(facit):
    forsta = db.session.execute(select(Arende).order_by(Arende.id)).scalars().all()[:5]
    a1, a2, a3, a4, a5 = forsta
    matning(facit, a1, D(2025, 12, 1), 1, 0)
    matning(facit, a1, D(2026, 3, 1), 3, 25)  # kvinna: two steps
    matning(facit, a1, D(2026, 5, 1), 4, 50)  # after the period: not counted
    matning(facit, a2, D(2026, 2, 4), 2, 0)
    matning(facit, a2, D(2026, 3, 10), 2, 0)  # kvinna: no move
    matning(facit, a3, D(2026, 2, 21), 1, 0)
    matning(facit, a3, D(2026, 3, 20), 2, 50)  # man: one step
    matning(facit, a4, D(2026, 3, 12), 1, 0)  # man: one measurement only
    db.session.commit()
    t = services.period_rapport(Urval(facit.forbund.id, facit.team.id, *Q1), exakt=True).tabell("stegforflyttning")
    rader = {r.etikett: [c.text for c in r.celler] for r in t.rader}
    assert rader["Kvinna"] == ["2", "1", "50 %", "1"]  # two steps over two measured
    assert rader["Man"] == ["2", "1", "50 %", "0"]  # 0.5 rounds to 0
    assert t.cell(1, 3).varde == 0.5
    assert rader["Annat / vill ej uppge"] == ["0", "0", "..", ".."]
    assert rader["Totalt"] == ["4", "2", "50 %", "1"]
    assert t.cell(3, 3).varde == 0.75
    # For the styrgrupp: counts of 1–2 hidden, the share and the mean on them "–". The
    # kvinnor's "<3" would be pinned by the columns (<3 + <3 + 0 = 4 makes both 2, and
    # <3 + <3 + 0 = <3 both 1), so they read "–"; nothing in the table gives a count away.
    dold = services.period_rapport(Urval(facit.forbund.id, facit.team.id, *Q1), exakt=False).tabell("stegforflyttning")
    assert [c.text for c in dold.rader[0].celler] == ["–", "–", "–", "–"]
    assert [c.text for c in dold.rader[1].celler] == ["<3", "<3", "–", "–"]
    assert not inget_givet(dold)


def test_before_and_after_by_kon(facit):
    t = services.period_rapport(Urval(facit.forbund.id, facit.team.id, *Q1), exakt=True).tabell("forsorjning_kon")
    rader = {r.etikett: [c.text for c in r.celler] for r in t.rader}
    # Columns: kvinna start/avslut, man start/avslut, annat start/avslut. a2 (kvinna)
    # sjukpenning → rehabiliteringspenning, a3 (man) försörjningsstöd → lönebidrag,
    # a5 (annat) aktivitetsstöd → CSN.
    assert rader["Sjukpenning"] == ["1", "0", "0", "0", "0", "0"]
    assert rader["Rehabiliteringspenning"] == ["0", "1", "0", "0", "0", "0"]
    assert rader["Försörjningsstöd"] == ["0", "0", "1", "0", "0", "0"]
    assert rader["Lönebidrag / subventionerad anställning"] == ["0", "0", "0", "1", "0", "0"]
    assert rader["Studiemedel (CSN)"] == ["0", "0", "0", "0", "0", "1"]
    assert rader["Totalt"] == ["1", "1", "1", "1", "1", "1"]


def test_cost_per_deltagare_from_the_budget_the_admin_enters(facit, login):
    admin = login(facit.users["admin"])
    svar = admin.post("/rapporter/budget", data={"team": facit.team.id, "ar": "2025", "belopp": "500 000"})
    assert svar.status_code == 303
    # 2025: a1 (from November) and a6 (June–December) in the team.
    t = services.period_rapport(Urval(facit.forbund.id, facit.team.id, D(2025, 1, 1), D(2025, 12, 31)),
                                exakt=True).tabell("kostnad")
    assert [c.text for c in t.rader[0].celler] == ["500000", "2", "250000"]
    # The styrgrupp: two deltagare are "<3", so the cost that would give them away is "–".
    dold = services.period_rapport(Urval(facit.forbund.id, facit.team.id, D(2025, 1, 1), D(2025, 12, 31)),
                                   exakt=False).tabell("kostnad")
    assert [c.text for c in dold.rader[0].celler] == ["500000", "<3", "–"]
    # Only the admin enters a budget; bad input is refused with nothing saved.
    pl = login(facit.users["projektledare"])
    assert pl.post("/rapporter/budget", data={"team": facit.team.id, "ar": "2025", "belopp": "1"}).status_code == 403
    admin.post("/rapporter/budget", data={"team": facit.team.id, "ar": "2025", "belopp": "-5"})
    from samverkan.rapporter.models import TeamBudget

    assert db.session.execute(select(TeamBudget.belopp)).scalars().all() == [500000]
    # No cost table for a quarter.
    assert "kostnad" not in {t.nyckel for t in services.period_rapport(
        Urval(facit.forbund.id, facit.team.id, D(2025, 10, 1), D(2025, 12, 31)), exakt=True).tabeller}


def test_the_forbunds_own_age_bands(facit, login):
    admin = login(facit.users["admin"])
    assert admin.post("/rapporter/aldersband", data={"granser": "16-29, 30-44, 45-65"}).status_code == 303
    t = services.period_rapport(Urval(facit.forbund.id, facit.team.id, *Q1), exakt=True).tabell("alder_forbund")
    rader = {r.etikett: [c.text for c in r.celler] for r in t.rader}
    # Ages in 2026: a1 36 (kvinna), a2 41 (kvinna), a3 26 (man), a4 56 (man), a5 28 (annat).
    assert rader["16–29 år"] == ["0", "1", "1", "2"]
    assert rader["30–44 år"] == ["2", "0", "0", "2"]
    assert rader["45–65 år"] == ["0", "1", "0", "1"]
    assert rader["Utanför indelningen"] == ["0", "0", "0", "0"] and rader["Okänd ålder"] == ["0", "0", "0", "0"]
    # Overlapping bands are refused, the old ones kept; only the admin sets them.
    admin.post("/rapporter/aldersband", data={"granser": "16-30, 30-44"})
    assert services.aldersband(facit.forbund.id) == [(16, 29), (30, 44), (45, 65)]
    pl = login(facit.users["projektledare"])
    assert pl.post("/rapporter/aldersband", data={"granser": "16-99"}).status_code == 403
