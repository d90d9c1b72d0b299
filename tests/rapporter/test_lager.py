"""Issue 17, point 3: the flow table's stocks join up. Those ongoing at one period's end are
those carried into the next, per kön: a quarter's end and the next quarter's start, and
across a year's end (a year's ongoing against the next year's first quarter's carried in).
Exact for the projektledare, and, for the styrgrupp, the same text in both reports: the
two years are two kubs suppressed apart, so a stock shown in one and hidden in the other
would give the hidden one away."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from tests.rapporter.conftest import D, skapa_arende

KON = ["Kvinna", "Man", "Annat / vill ej uppge", "Totalt"]
INNE, PAGAENDE = 0, 3


def _flode(w, team, period, exakt=True) -> dict[str, list]:
    rapport = services.period_rapport(Urval(w.forbund.id, team, period.fran, period.till), exakt=exakt, period=period)
    return {r.etikett: r.celler for r in rapport.tabell("flode").rader}


def _par():
    """(period, the next one): quarters within a year and across the year's end."""
    ar25, ar26 = services.helar(2025), services.helar(2026)
    q = {(a, k): services.kvartal(a, k) for a in (2025, 2026) for k in (1, 2, 3, 4)}
    return [(q[(2025, 1)], q[(2025, 2)]), (q[(2025, 3)], q[(2025, 4)]), (q[(2025, 4)], q[(2026, 1)]),
            (ar25, q[(2026, 1)]), (q[(2026, 1)], q[(2026, 2)]), (ar25, ar26)]


def _grans(w):
    """People at the year's edge: closed on New Year's Eve (not ongoing at the end), closed
    on New Year's Day (ongoing, then carried in), aktualiserad on New Year's Day (new, not
    carried in), and one person with two open ärenden in two teams (one person each time)."""
    skapa_arende(w, kon="kvinna", fodd=1980, part="af", akt=D(2025, 5, 2), avslutad=D(2025, 12, 31), orsak="arbete")
    skapa_arende(w, kon="man", fodd=1981, part="af", akt=D(2025, 3, 3), avslutad=D(2026, 1, 1), orsak="studier")
    skapa_arende(w, kon="man", fodd=1982, part="fk", akt=D(2026, 1, 1))
    a = skapa_arende(w, kon="kvinna", fodd=1983, part="fk", akt=D(2025, 2, 1))
    andra = skapa_arende(w, kon="kvinna", fodd=1983, part="kommun", akt=D(2025, 9, 1), team=w.annat_team)
    andra.deltagare_id = a.deltagare_id
    for i in range(7):
        skapa_arende(w, kon=["kvinna", "man"][i % 2], fodd=1970 + i, part="region", akt=D(2025, 1 + i, 10),
                     avslutad=D(2026, 2, 1) if i % 3 == 0 else None, orsak="arbete" if i % 3 == 0 else None,
                     team=w.annat_team if i % 2 else w.team)
    db.session.commit()


def test_ongoing_at_the_end_is_carried_into_the_next_period_by_kon(facit):
    _grans(facit)
    for team in (facit.team.id, facit.annat_team.id, None):
        for fore, efter in _par():
            a, b = _flode(facit, team, fore), _flode(facit, team, efter)
            assert [a[k][PAGAENDE].varde for k in KON] == [b[k][INNE].varde for k in KON], (team, fore.kod, efter.kod)
    # The edge itself: the förbund's 2025 ends with the man closed on New Year's Day, not
    # the woman closed on New Year's Eve, and the man aktualiserad on New Year's Day is new.
    ar, q1 = _flode(facit, None, services.helar(2025)), _flode(facit, None, services.kvartal(2026, 1))
    assert q1["Man"][1].varde >= 1 and ar["Totalt"][PAGAENDE].varde == q1["Totalt"][INNE].varde > 0


_person = st.tuples(
    st.sampled_from(["kvinna", "man", "annat"]),
    st.integers(300, 800),  # day aktualiserad, from 2024-03-01 (into 2026)
    st.one_of(st.none(), st.integers(0, 400)),  # days until avslut
    st.booleans(),  # the other team
)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=14))
def test_the_styrgrupp_reads_the_same_stock_in_both_years(facit, personer):
    sp = db.session.begin_nested()
    try:
        for i, (kon, dag, langd, granne) in enumerate(personer):
            akt = D(2023, 5, 5) + dt.timedelta(days=dag)
            slut = akt + dt.timedelta(days=langd) if langd is not None else None
            if slut and slut >= clock.today():
                slut = None
            skapa_arende(facit, kon=kon, fodd=1970 + i, part="af", akt=akt, avslutad=slut,
                         orsak="arbete" if slut else None, team=facit.annat_team if granne else facit.team)
        # What each request gets: the report cut from its year's kub (services.period_rapport).
        kub = {ar: services.arets_kub(facit.forbund.id, ar) for ar in (2025, 2026)}

        def flode(ar, nr, team):
            return {r.etikett: r.celler for r in kub[ar][(nr, team)].tabell("flode").rader}

        # (year, node) ending → (year, node) starting: 2025 (0) or its Q4 (4) → 2026's Q1; Q1 → Q2.
        par = [((2025, 0), (2026, 1)), ((2025, 4), (2026, 1)), ((2025, 1), (2025, 2))]
        for team in (facit.team.id, facit.annat_team.id, None):
            for (ar_a, nr_a), (ar_b, nr_b) in par:
                a, b = flode(ar_a, nr_a, team), flode(ar_b, nr_b, team)
                assert [a[k][PAGAENDE].text for k in KON] == [b[k][INNE].text for k in KON], (team, ar_a, nr_a)
            sann = _flode(facit, team, services.helar(2025))
            for k in KON:  # never a false figure
                c = flode(2025, 0, team)[k][PAGAENDE]
                assert c.dold or c.varde == sann[k][PAGAENDE].varde
    finally:
        sp.rollback()
