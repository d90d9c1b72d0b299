"""Issue 17, point 2: insatser per party, the party type as a subtotal, like the other
per-party tables: on the page, in the CSV, XLSX and PDF and in the API, exact for the
team's projektledare and with small numbers hidden for the styrgrupp (hand count of
2026 Q1 in test_period.FACIT["insats_part"])."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from samverkan.core.db import db
from samverkan.rapporter import services
from tests.rapporter.conftest import D, skapa_arende, skapa_insats
from tests.rapporter.test_sidor_och_export import Q1, _csv, _pdf_text, api_som  # noqa: F401  (fixture)

RUBRIK = "Deltagare i insats efter aktualiserande part"
KOLUMNER = ["Aktualiserande part", "Kvinna", "Man", "Annat / vill ej uppge", "Totalt"]
EXAKT = [KOLUMNER, ["Arbetsförmedlingen Testbygd", "1", "0", "1", "2"], ["Arbetsförmedlingen totalt", "1", "0", "1", "2"],
         ["Försäkringskassan Testbygd", "1", "0", "0", "1"], ["Försäkringskassan totalt", "1", "0", "0", "1"],
         ["Testby kommun, Arbetsmarknadsenheten", "0", "1", "0", "1"], ["Kommun totalt", "0", "1", "0", "1"],
         ["Region Testbygd, Hälsocentralen", "0", "0", "0", "0"], ["Region totalt", "0", "0", "0", "0"],
         ["Totalt", "2", "1", "1", "4"]]


def test_insatser_per_party_everywhere_the_other_party_tables_are(facit, login, api_som):  # noqa: F811
    pl = login(facit.users["projektledare"])
    assert _csv(pl.get(f"/rapporter/period/export.csv?tabell=insats_part&{Q1}"))[:len(EXAKT)] == EXAKT
    assert RUBRIK in pl.get(f"/rapporter/period?{Q1}").get_data(as_text=True)

    sg = login(facit.users["styrgrupp"])
    args = f"team={facit.team.id}&{Q1}"
    dold = _csv(sg.get(f"/rapporter/period/export.csv?tabell=insats_part&{args}"))
    rader = {r[0]: r[1:] for r in dold[1:] if len(r) == 5}
    # Every count is 0–2: each non-zero one is hidden, and nothing says 1 or 2. The row
    # "<3 + 0 + <3 = <3" would make the parts 1 and the total 2, and the kvinnor's column
    # "<3 + <3 + 0 + 0 = <3" the same: one "<3" of each reads "–" (any number).
    assert rader["Arbetsförmedlingen Testbygd"] == ["–", "0", "<3", "–"]
    assert not {"1", "2"} & {c for r in rader.values() for c in r}
    assert rader["Totalt"][3] == "4"
    html = sg.get(f"/rapporter/period?{args}").get_data(as_text=True)
    assert RUBRIK in html
    wb = load_workbook(io.BytesIO(sg.get(f"/rapporter/period/export.xlsx?{args}").get_data()))
    blad = next(b for b in wb.sheetnames if RUBRIK.startswith(b))
    xlsx = {r[0]: list(r[1:5]) for r in wb[blad].iter_rows(min_row=4, values_only=True) if r[0]}
    assert xlsx["Arbetsförmedlingen Testbygd"] == ["–", 0, "<3", "–"]
    pdf = sg.get(f"/rapporter/period/rapport.pdf?{args}")
    assert pdf.status_code == 200 and RUBRIK in _pdf_text(pdf.get_data())

    svar = api_som("styrgrupp").get(f"/rapporter/period?team_id={facit.team.id}&{Q1}").get_json()
    t = next(t for t in svar["tabeller"] if t["nyckel"] == "insats_part")
    assert t["rubrik"] == RUBRIK
    assert {r["etikett"]: r["varden"] for r in t["rader"]}["Arbetsförmedlingen Testbygd"] == ["–", 0, "<3", "–"]
    exakt = api_som("projektledare").get(f"/rapporter/period?{Q1}").get_json()
    t = next(t for t in exakt["tabeller"] if t["nyckel"] == "insats_part")
    assert {r["etikett"]: r["varden"] for r in t["rader"]}["Totalt"] == [2, 1, 1, 4]


def test_a_team_hidden_in_insats_per_party_is_not_the_forbund_minus_the_other_team(facit):
    # 2025: one deltagare of the team in insats through AF, six of the other team. The
    # förbund's AF row (7) less the other team's (6) would give the team's "<3".
    for i, team in enumerate([facit.team] + [facit.annat_team] * 6):
        a = skapa_arende(facit, kon="man", fodd=1980 + i, part="af", akt=D(2025, 2, 1 + i), team=team)
        skapa_insats(a, "samcoach", beslutad=D(2025, 2, 3 + i), startad=D(2025, 2, 5 + i))
    db.session.commit()
    kub = services.arets_kub(facit.forbund.id, 2025)
    teams = [facit.team.id, facit.annat_team.id]
    for nr in range(5):
        celler = {t: {r.etikett: r.celler for r in kub[(nr, t)].tabell("insats_part").rader} for t in [*teams, None]}
        for etikett in ("Arbetsförmedlingen Testbygd", "Arbetsförmedlingen totalt", "Totalt"):
            for k in range(4):
                linje = [celler[t][etikett][k] for t in [*teams, None]]
                assert sum(c.dold for c in linje) != 1, (nr, etikett, k, [c.text for c in linje])
        assert celler[facit.team.id]["Arbetsförmedlingen Testbygd"][1].dold
