"""Issue 17, point 1: no hidden figure can be worked out from the reports a role that sees
hidden figures can get, neither by comparing two of them nor by any linear combination.

The styrgrupp can ask for the whole förbund or either team, for an ended year or any of
its quarters: fifteen reports for 2025 here. The test states, on its own, every sum a
reader knows between their cells:

- within a table: the rows and columns to their totals, a party type's parties to its
  subtotal, the flow's inneliggande + nya − avslutade − pågående = 0;
- between teams: the förbund's cell is the sum of the teams' (each person here has one
  ärende in one team, so this holds exactly);
- between periods: the year's new, closed, outcome and efterkontroll counts are the sums
  of the quarters' (each ärende is aktualiserat and closed once, its check falls due once); those ongoing at one quarter's
  end are the next quarter's carried-in, the year's carried-in the first quarter's and
  its ongoing the last quarter's.

Then, for random teams: no shown figure is false, "<3" is 1 or 2; no two nested reports
(a year and its quarter, the förbund and its team) differ by 1–2 people in a cell both
show (a stock only against the same day's: the year's ongoing at its end holds no
quarter's ongoing); and no hidden count is fixed by the system of all those sums with every shown
figure put in (its unit vector is outside the span of the sums restricted to the hidden
cells; exact elimination modulo a 61-bit prime), nor pinned by the sums together with what
each mark says of its size ("<3" is 1 or 2, "–" at least 0; interval propagation).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.efterkontroll.models import Efterkontroll
from samverkan.rapporter import services
from samverkan.rapporter.models import KubMarkeringar
from samverkan.rapporter.queries import Urval
from samverkan.rapporter.tabell import PRIMAR
from tests.rapporter.conftest import PERSONENS_FALT, D, grundtal, skapa_arende, skapa_insats, utc
from tests.rapporter.granskning import bundna, markens_grans

PERIODSUMMA = {"kon": {1}, "flode": {1, 2}, "utfall": None, "forsorjning": None, "sysselsattning": None,
               "forsorjning_kon": None, "sysselsattning_kon": None, "efterkontroll": None}
# The flow's stocks: carried in on the first day, ongoing on the last (a count on a day).
LAGER = {("flode", 0), ("flode", 3)}
# The efterkontroll after avslut: none, due but not recorded, or its outcome.
EFTERKONTROLL = ["ingen", "ej", "arbete", "studier", "fortsatt_rehabilitering"]
P = (1 << 61) - 1

_person = st.tuples(
    *PERSONENS_FALT,
    st.booleans(),  # the other team
    st.sampled_from(EFTERKONTROLL),
    st.integers(0, 200),  # days from avslut to the efterkontroll
    st.booleans(),  # at samcoach from aktualisering until avslut (the insats tables)
)


def _antal(rapport):
    """(table, row, column) → count cell."""
    return {(t.nyckel, r.etikett, k): c for t in rapport.tabeller for r in t.rader
            for k, c in enumerate(r.celler) if c.typ == "antal"}


def _summor(rapporter, teams):
    """Every sum the reader knows, as [(key, coefficient)] with Σ coefficient·value = 0;
    a key is (team, period node, table, row, column)."""
    ekv = []
    for (nr, team), rapport in rapporter.items():
        for t in rapport.tabeller:
            nyckel = (team, nr, t.nyckel)
            if t.total_kolumn:
                for r in t.rader:
                    k = [i for i, c in enumerate(r.celler) if c.typ == "antal"]
                    if len(k) < 2:
                        continue
                    koef = [1, 1, -1, -1] if t.nyckel == "flode" else [1] * (len(k) - 1) + [-1]
                    ekv.append([((*nyckel, r.etikett, i), f) for i, f in zip(k, koef, strict=True)])
            total = next((r for r in t.rader if r.total), None)
            for i in range(len(t.kolumner)):
                if total is not None and all(i < len(r.celler) and r.celler[i].typ == "antal" for r in t.rader
                                             if not r.delsumma):
                    ekv.append([((*nyckel, r.etikett, i), 1) for r in t.rader if not r.delsumma and not r.total]
                               + [((*nyckel, total.etikett, i), -1)])
                for grupp in {r.grupp for r in t.rader if r.grupp}:
                    rader = [r for r in t.rader if r.grupp == grupp]
                    summa = next((r for r in rader if r.delsumma), None)
                    if summa is not None and rader[0].celler[i].typ == "antal":
                        ekv.append([((*nyckel, r.etikett, i), 1) for r in rader if not r.delsumma]
                                   + [((*nyckel, summa.etikett, i), -1)])
    celler = {(team, nr, *k): c for (nr, team), r in rapporter.items() for k, c in _antal(r).items()}
    for (_, nr, tabell, rad, kol) in [k for k in celler if k[0] is None]:
        ekv.append([((t, nr, tabell, rad, kol), 1) for t in teams] + [((None, nr, tabell, rad, kol), -1)])
        if nr == 0 and tabell in PERIODSUMMA and (PERIODSUMMA[tabell] is None or kol in PERIODSUMMA[tabell]):
            for t in [None, *teams]:
                ekv.append([((t, q, tabell, rad, kol), 1) for q in (1, 2, 3, 4)] + [((t, 0, tabell, rad, kol), -1)])
    noder = {nr for nr, _ in rapporter}  # a running year: its ended quarters only
    for t in [None, *teams]:
        for rad in {k[3] for k in celler if k[2] == "flode"}:
            par = [((q, 3), (q + 1, 0)) for q in (1, 2, 3)] + [((0, 0), (1, 0)), ((0, 3), (4, 3))]
            for (a, ka), (b, kb) in [(x, y) for x, y in par if x[0] in noder and y[0] in noder]:
                ekv.append([((t, a, "flode", rad, ka), 1), ((t, b, "flode", rad, kb), -1)])
    return celler, ekv


def _fixerade(celler, ekv) -> set:
    """The hidden cells the sums fix (a missing key is a known zero)."""
    rader = []
    for e in ekv:
        rad = {}
        for k, f in e:
            c = celler.get(k)
            if c is not None and c.dold:
                rad[k] = (rad.get(k, 0) + f) % P
        rad = {k: f for k, f in rad.items() if f}
        if rad:
            rader.append(rad)
    pivot = {}
    for rad in rader:
        for v in [v for v in list(rad) if v in pivot]:
            if v in rad:
                f = rad[v]
                for w, g in pivot[v].items():
                    rad[w] = (rad.get(w, 0) - f * g) % P
                rad = {w: g for w, g in rad.items() if g}
        if not rad:
            continue
        v = min(rad, key=repr)
        inv = pow(rad[v], P - 2, P)
        rad = {w: g * inv % P for w, g in rad.items()}
        for u in pivot:
            if v in pivot[u]:
                f = pivot[u][v]
                pivot[u] = {w: (pivot[u].get(w, 0) - f * rad.get(w, 0)) % P for w in set(pivot[u]) | set(rad)}
                pivot[u] = {w: g for w, g in pivot[u].items() if g}
        pivot[v] = rad
    return {v for v, rad in pivot.items() if len(rad) == 1}


@contextlib.contextmanager
def aret(facit, personer, ar: int = 2025):
    """The drawn people's ärenden of ``ar`` (``_person``) in the facit world's two teams, for
    one example: yields the teams' ids, sorted, and takes the rows away after."""
    sp = db.session.begin_nested()
    try:
        yield _bygg(facit, personer, ar)
    finally:
        sp.rollback()


def _bygg(facit, personer, ar: int = 2025) -> list[int]:
    for kon, fodd, part, dag, langd, orsak, granne, kontroll, efter, insats in personer:
        akt = D(ar, 1, 1) + dt.timedelta(days=dag)
        if akt >= clock.today():
            continue  # a running year: not yet aktualiserat
        slut = akt + dt.timedelta(days=langd) if langd else None
        if slut and slut >= clock.today():
            slut = None
        team = facit.annat_team if granne else facit.team
        a = skapa_arende(facit, kon=kon, fodd=fodd, part=part, akt=akt, avslutad=slut,
                         orsak=orsak if slut else None, team=team)
        if insats:
            skapa_insats(a, "samcoach", beslutad=akt, startad=akt, avslutad=slut)
        if slut and kontroll != "ingen":
            dag = slut + dt.timedelta(days=efter)
            db.session.add(Efterkontroll(arende_id=a.id, team_id=team.id, forfaller=dag, i_inkorg=utc(dag),
                                         utfall=None if kontroll == "ej" else kontroll))
            db.session.flush()
    return sorted([facit.team.id, facit.annat_team.id])


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=12))
def test_no_combination_of_offered_reports_fixes_a_hidden_figure(facit, personer):
    with aret(facit, personer) as teams:
        _inget_rakas_fram(facit, teams, 2025, range(5))


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=12))
def test_in_a_running_year_no_combination_of_its_ended_quarters_fixes_a_hidden_figure(facit, personer):
    """On 15 October 2026 the kub of 2026 holds its three ended quarters (not the year, not
    the fourth quarter): the same property among them."""
    clock.set_clock(lambda: dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC))
    with aret(facit, personer, 2026) as teams:
        _inget_rakas_fram(facit, teams, 2026, (1, 2, 3))


def _inget_rakas_fram(facit, teams: list[int], ar: int, noder) -> None:
    perioder = services.arets_perioder(ar)
    # Every one is offered to the styrgrupp (ended), and the kub is what each request gets.
    offered = {p.kod for p in services.periodval(clock.today(), exakt=False)}
    assert {perioder[nr].kod for nr in noder} <= offered
    assert not {p.kod for nr, p in enumerate(perioder) if nr not in noder} & offered
    rapporter = services.arets_kub(facit.forbund.id, ar)
    assert set(rapporter) == {(nr, t) for nr in noder for t in [None, *teams]}
    # The kub's marks are kept (``rapporter.markeringar``): the request below puts them
    # back on the same counts, and must show what was worked out.
    assert db.session.scalar(select(KubMarkeringar.ar).where(KubMarkeringar.forbund_id == facit.forbund.id)) == ar
    fraga = services.period_rapport(Urval(facit.forbund.id, facit.team.id, perioder[2].fran, perioder[2].till),
                                    exakt=False)
    assert [c.text for t in fraga.tabeller for r in t.rader for c in r.celler] == \
        [c.text for t in rapporter[(2, facit.team.id)].tabeller for r in t.rader for c in r.celler]

    for (nr, team), rapport in rapporter.items():
        p = perioder[nr]
        sann = _antal(services.period_rapport(Urval(facit.forbund.id, team, p.fran, p.till), exakt=True))
        for k, c in _antal(rapport).items():
            if not c.dold:
                assert c.varde == sann[k].varde, (p.kod, team, k)
            elif c.markering == PRIMAR:
                assert 0 < sann[k].varde < 3, (p.kod, team, k)

    # Pairs: nested reports never differ by 1–2 in a cell both show.
    for (a, ra), (b, rb) in itertools.permutations(rapporter.items(), 2):
        (nr_a, team_a), (nr_b, team_b) = a, b
        if not ((team_a is None or team_a == team_b) and (nr_a == 0 or nr_a == nr_b)):
            continue
        celler_b = {(t.nyckel, r.etikett, k): c for t in rb.tabeller for r in t.rader for k, c in enumerate(r.celler)}
        for t in ra.tabeller:
            for r in t.rader:
                for k, c in enumerate(r.celler):
                    d = celler_b.get((t.nyckel, r.etikett, k))
                    if d is None or c.dold or d.dold or c.typ != d.typ:
                        continue
                    if (t.nyckel, k) in LAGER and nr_a != nr_b:
                        continue  # stocks of two different days: neither holds the other
                    for x, y in zip(grundtal(c), grundtal(d), strict=True):
                        assert not 0 < abs(x - y) < 3, (a, b, t.nyckel, r.etikett, k, c.text, d.text)

    # Every combination: no hidden count is fixed by all the sums together.
    celler, ekv = _summor(rapporter, teams)
    assert not _fixerade(celler, ekv)
    # Nor by what the marks say of the size ("<3" is 1 or 2) with the sums.
    former = []
    for e in ekv:
        former.append({})
        for k, f in e:
            former[-1][k] = former[-1].get(k, 0) + f
    nycklar = {k for e in ekv for k, _ in e}
    grans = {k: markens_grans(celler[k]) if k in celler else [0, 0] for k in nycklar}
    dolda = {k for k in nycklar if k in celler and celler[k].dold}
    assert not bundna(former, grans, dolda)


def test_a_team_cell_hidden_in_one_team_is_not_the_forbund_minus_the_other(facit):
    # The gap of the old rule: team A hides "<3" kvinnor, team B shows its kvinnor, the
    # förbund shows its: the förbund minus B gave A's. Now one more cell of that line hides.
    sp = db.session.begin_nested()
    try:
        for i in range(6):
            skapa_arende(facit, kon="kvinna", fodd=1980 + i, part="af", akt=D(2025, 2, 1 + i),
                         team=facit.annat_team)
        rapporter = services.arets_kub(facit.forbund.id, 2025)
        teams = [facit.team.id, facit.annat_team.id]
        for nr in range(5):
            linje = [rapporter[(nr, t)].tabell("kon").rader[0].celler[0] for t in [*teams, None]]
            assert sum(c.dold for c in linje) != 1, (nr, [c.text for c in linje])
    finally:
        sp.rollback()
