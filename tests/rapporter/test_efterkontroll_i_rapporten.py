"""Issue 17: the förbund reports where people stood at the efterkontroll after avslut, so
the table is one of the period report's: on the page, in the CSV, XLSX and PDF and in the
API, with the same suppression as every other table (the year's kub, förbund against
teams), and the efterkontroll's own page shows the report's cells, not a table suppressed
on its own (which gave a team's hidden cell away as the förbund's minus the other team's)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from samverkan.auth.services import create_token
from samverkan.core.db import db
from samverkan.efterkontroll import rapport as efterkontroll_rapport
from samverkan.efterkontroll.models import Efterkontroll
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval
from tests.api.helpers import Api
from tests.rapporter.conftest import D, skapa_arende, utc
from tests.rapporter.test_sidor_och_export import _pdf_text

K3 = "period=2025-K3"
RUBRIK = "Efterkontroll efter avslut"
AUGUSTI = D(2025, 8, 20)


def _kontroll(w, team, kon: str, utfall: str | None, forfaller=AUGUSTI) -> None:
    a = skapa_arende(w, kon=kon, fodd=1985, part="af", akt=D(2024, 9, 1), avslutad=D(2025, 2, 20),
                     orsak="arbete", team=team)
    db.session.add(Efterkontroll(arende_id=a.id, team_id=team.id, forfaller=forfaller, i_inkorg=utc(forfaller),
                                 utfall=utfall))
    db.session.flush()


def _varld(w):
    """Q3 2025: Testby has two women in work and one not yet recorded; Grannby five women
    in work and three in studies. The förbund: seven in work."""
    for utfall in ("arbete", "arbete", None):
        _kontroll(w, w.team, "kvinna", utfall)
    for utfall in ["arbete"] * 5 + ["studier"] * 3:
        _kontroll(w, w.annat_team, "kvinna", utfall)
    _kontroll(w, w.team, "man", "arbete", forfaller=D(2026, 4, 2))  # outside 2025
    db.session.commit()


def _texter(t):
    return {r.etikett: [c.text for c in r.celler] for r in t.rader}


def test_the_table_is_in_the_report_exact_for_the_teams_projektledare(facit):
    _varld(facit)
    t = services.period_rapport(Urval(facit.forbund.id, facit.team.id, D(2025, 7, 1), D(2025, 9, 30)),
                                exakt=True).tabell(efterkontroll_rapport.NYCKEL)
    rader = _texter(t)
    assert rader["I arbete"] == ["2", "0", "0", "2"]
    assert rader["Inte registrerad ännu"] == ["1", "0", "0", "1"]
    assert rader["Totalt"] == ["3", "0", "0", "3"]
    forbund = _texter(services.period_rapport(Urval(facit.forbund.id, None, D(2025, 1, 1), D(2025, 12, 31)),
                                              exakt=True).tabell(efterkontroll_rapport.NYCKEL))
    assert forbund["I arbete"] == ["7", "0", "0", "7"] and forbund["I studier"] == ["3", "0", "0", "3"]


def test_a_teams_hidden_cell_is_not_the_forbund_minus_the_other_team(facit):
    _varld(facit)
    kub = services.arets_kub(facit.forbund.id, 2025)
    teams = [facit.team.id, facit.annat_team.id]
    for nr in range(5):
        t = {team: _texter(kub[(nr, team)].tabell(efterkontroll_rapport.NYCKEL)) for team in [*teams, None]}
        for rad in t[None]:
            for k in range(4):
                linje = [t[team][rad][k] for team in [*teams, None]]
                assert sum(v in ("<3", "–") for v in linje) != 1, (nr, rad, k, linje)
    # The old table, suppressed on its own, showed Grannby 5 and the förbund 7 in work.
    q3 = _texter(kub[(3, facit.team.id)].tabell(efterkontroll_rapport.NYCKEL))
    assert q3["I arbete"][0] == "<3"


def test_page_csv_xlsx_pdf_and_api_say_the_same(facit, login, client):
    _varld(facit)
    kub = services.arets_kub(facit.forbund.id, 2025)
    vantat = kub[(3, facit.team.id)].tabell(efterkontroll_rapport.NYCKEL)
    celler = [[c.text for c in r.celler] for r in vantat.rader]
    assert any("<3" in rad for rad in celler)

    styrgrupp = login(facit.users["styrgrupp"])
    fraga = f"team={facit.team.id}&{K3}"
    for sida in (f"/rapporter/period?{fraga}", f"/rapporter/efterkontroll?{fraga}"):
        html = styrgrupp.get(sida).get_data(as_text=True)
        assert RUBRIK in html, sida
    csv_text = styrgrupp.get(f"/rapporter/period/export.csv?{fraga}").get_data().decode("utf-8-sig")
    rader = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    start = rader.index([RUBRIK])
    assert [r[1:] for r in rader[start + 2:start + 2 + len(celler)]] == celler
    wb = load_workbook(io.BytesIO(styrgrupp.get(f"/rapporter/period/export.xlsx?{fraga}").get_data()))
    ws = wb[RUBRIK]
    xlsx = [[str(v) for v in rad[1:]] for rad in ws.iter_rows(min_row=5, max_row=4 + len(celler), values_only=True)]
    assert xlsx == celler
    pdf = _pdf_text(styrgrupp.get(f"/rapporter/period/rapport.pdf?{fraga}").get_data())
    assert f"({RUBRIK})" in pdf

    _, secret = create_token(facit.users["styrgrupp"], "test")
    db.session.commit()
    api = Api(client, secret)
    for url in (f"/rapporter/period?team_id={facit.team.id}&{K3}", f"/rapporter/efterkontroll?team_id={facit.team.id}&{K3}"):
        svar = api.get(url).get_json()
        t = svar["tabell"] if "tabell" in svar else next(
            t for t in svar["tabeller"] if t["nyckel"] == efterkontroll_rapport.NYCKEL)
        assert [[v if v is not None else ".." for v in r["varden"]] for r in t["rader"]] == [
            [c.export_varde if c.export_varde is not None else ".." for c in r.celler] for r in vantat.rader], url
