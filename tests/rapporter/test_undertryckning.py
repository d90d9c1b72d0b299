"""Suppression that never lies and cannot be undone (issue 17, point 1).

- A primary hidden cell (1–2 people) reads "<3"; a cell hidden only to protect it reads
  "–"; no shown figure differs from the truth.
- A role that sees hidden figures gets only ended calendar quarters and years, enforced
  on the server (page, export and API).
- Property: across every pair of reports the styrgrupp can get for one team, no
  subtraction singles out one or two people. Two offered periods are either disjoint or
  one holds the other (a quarter in its year). Disjoint periods count different
  populations, so their difference counts nobody in particular; for a nested pair the
  difference of a cell is exactly the people in the larger period's cell and not in the
  smaller's, and that must never be 1 or 2 where both cells are shown.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from samverkan.rapporter.tabell import PRIMAR, SKYDDAD, Rad, Tabell, antal
from tests.rapporter.conftest import PERSONENS_FALT, D, en_kub_per_ar, grundtal, skapa_arende
from tests.rapporter.granskning import dolj_tabell


def test_a_cell_hidden_to_protect_another_is_never_called_small():
    # The demo year's bug: "Man <3" where the truth was 16.
    rader = [Rad("Kvinna", [antal(2)]), Rad("Man", [antal(16)]), Rad("Annat", [antal(0)]),
             Rad("Totalt", [antal(18)], total=True)]
    t = dolj_tabell(Tabell("kon", "Kön", ["Deltagare"], rader))
    assert [r.celler[0].text for r in t.rader] == ["<3", "–", "0", "18"]
    assert t.cell(0, 0).markering == PRIMAR and t.cell(1, 0).markering == SKYDDAD


def test_a_party_type_subtotal_is_a_line_of_its_own():
    # Kommun IFO 1 and AMI 7 under the subtotal 8: hiding IFO alone would let AMI's
    # subtotal give it away, so AMI is hidden too.
    rader = [Rad("AF", [antal(5)], grupp="af"), Rad("Arbetsförmedlingen", [antal(5)], grupp="af", delsumma=True),
             Rad("IFO", [antal(1)], grupp="kommun"), Rad("AMI", [antal(7)], grupp="kommun"),
             Rad("Kommun", [antal(8)], grupp="kommun", delsumma=True), Rad("Totalt", [antal(13)], total=True)]
    t = dolj_tabell(Tabell("part", "Part", ["Deltagare"], rader))
    assert [r.celler[0].text for r in t.rader] == ["5", "5", "<3", "–", "8", "13"] or \
        sum(r.celler[0].dold for r in t.rader[2:5]) >= 2


def test_styrgrupp_gets_only_ended_quarters_and_years(facit, login):
    # The clock stands at 2026-06-01 (facit).
    val = [p.kod for p in services.periodval(clock.today(), exakt=False)]
    assert "2026-K1" in val and "2025" in val and "2025-K4" in val
    assert "2026" not in val and "2026-K2" not in val
    client = login(facit.users["styrgrupp"])
    html = client.get(f"/rapporter/period?team={facit.team.id}").get_data(as_text=True)
    assert "Kvartal 1 2026" in html  # the default: the last quarter that has ended
    assert 'value="egen"' not in html and 'name="fran"' not in html  # no custom dates offered
    for fel in ("period=egen&fran=2026-01-01&till=2026-01-02", "period=2026", "period=2026-K2"):
        for url in ("/rapporter/period", "/rapporter/period/export.csv", "/rapporter/period/export.xlsx",
                    "/rapporter/nyckeltal"):
            svar = client.get(f"{url}?team={facit.team.id}&{fel}")
            assert svar.status_code in (400, 422), (url, fel, svar.status_code)
    # The projektledare sees their own team exactly, any period.
    pl = login(facit.users["projektledare"])
    assert pl.get("/rapporter/period?period=egen&fran=2026-01-01&till=2026-01-02").status_code == 200


_person = st.tuples(*PERSONENS_FALT)


def _celler(rapport):
    for t in rapport.tabeller:
        for r in t.rader:
            for k, c in enumerate(r.celler):
                yield (t.nyckel, r.etikett, k), c


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(personer=st.lists(_person, min_size=0, max_size=14))
def test_no_two_offered_reports_single_anyone_out(facit, personer):
    sp = db.session.begin_nested()
    try:
        for kon, fodd, part, dag, langd, orsak in personer:
            akt = D(2025, 1, 1) + dt.timedelta(days=dag)
            slut = akt + dt.timedelta(days=langd) if langd else None
            if slut and slut >= clock.today():
                slut = None
            skapa_arende(facit, kon=kon, fodd=fodd, part=part, akt=akt, avslutad=slut,
                         orsak=orsak if slut else None, samplan=akt + dt.timedelta(days=10))
        perioder = [p for p in services.periodval(clock.today(), exakt=False) if p.fran.year >= 2025]
        rapporter = {}
        with en_kub_per_ar():
            for p in perioder:
                u = Urval(facit.forbund.id, facit.team.id, p.fran, p.till)
                dold = services.period_rapport(u, exakt=False, period=p)
                sann = dict(_celler(services.period_rapport(u, exakt=True, period=p)))
                rapporter[p.kod] = (p, dict(_celler(dold)))
                # Never a lie: a shown figure is the truth, "<3" is 1 or 2.
                for pos, c in rapporter[p.kod][1].items():
                    if not c.dold:
                        assert c.text == sann[pos].text, (p.kod, pos)
                    elif c.markering == PRIMAR:
                        assert c.typ == "antal" and 0 < sann[pos].varde < 3, (p.kod, pos)
        for (a, ca), (b, cb) in itertools.combinations(rapporter.values(), 2):
            if a.fran <= b.fran and b.till <= a.till:
                stor, liten = ca, cb
            elif b.fran <= a.fran and a.till <= b.till:
                stor, liten = cb, ca
            else:
                assert a.till < b.fran or b.till < a.fran  # disjoint: nothing to subtract
                continue
            for pos, c in stor.items():
                d = liten.get(pos)
                if d is None or c.dold or d.dold or c.typ != d.typ:
                    continue
                if pos[0] == "flode" and pos[2] in (0, 3) and (a.fran, a.till) != (b.fran, b.till):
                    continue  # stocks: counts on a day, and the two days differ (or are the same number)
                for x, y in zip(grundtal(c), grundtal(d), strict=True):
                    assert not 0 < abs(x - y) < 3, (a.kod, b.kod, pos, c.text, d.text)
    finally:
        sp.rollback()
