"""Report tables out of the app: CSV, XLSX and a PDF laid out like the quarterly report.

All three take the same ``Rapport`` the page shows, so a hidden cell is hidden, and marked
the same way ("<3" for 1–2 people, "–" for a cell hidden to protect another), in every
format, with the footnote that explains both. Text typed by people (insats types, team and
party names) that looks like a formula is written inert: with a leading ' in the CSV and as
a string cell in the XLSX (core.kalkylblad, shared with the audit log's CSV).

CSV follows Swedish Excel's conventions, so a double-click opens it right: UTF-8 with a
byte order mark (without it Excel reads å ä ö as cp1252), ``;`` between fields (Excel in a
Swedish locale expects it, since the comma is the decimal sign) and decimal comma in
shares and averages. XLSX holds numbers as numbers (shares in percent, one decimal) and
"<3" as text.
"""

from __future__ import annotations

import csv
import io
import re

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from samverkan.core import clock
from samverkan.core.kalkylblad import csv_text, ser_ut_som_formel
from samverkan.rapporter.services import Rapport
from samverkan.rapporter.tabell import FOTNOT, Tabell

CSV_BOM = "\ufeff"
CSV_SEP = ";"


def _csv_varde(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}".replace(".", ",")
    if isinstance(v, int):
        return str(v)
    return csv_text(v)


def _tabell_rader(t: Tabell) -> list[list]:
    return [[t.radrubrik or "", *t.kolumner]] + [[r.etikett, *(c.export_varde for c in r.celler)] for r in t.rader]


def till_csv(rapport: Rapport, nycklar: list[str] | None = None) -> str:
    """One table, or every table one after the other under its heading."""
    ut = io.StringIO()
    w = csv.writer(ut, delimiter=CSV_SEP, lineterminator="\r\n")
    tabeller = [t for t in rapport.tabeller if nycklar is None or t.nyckel in nycklar]
    if len(tabeller) > 1:
        w.writerow([f"{rapport.omfattning}, {rapport.period.namn}"])
    for i, t in enumerate(tabeller):
        if len(tabeller) > 1:
            if i:
                w.writerow([])
            w.writerow([t.rubrik])
        for rad in _tabell_rader(t):
            w.writerow([_csv_varde(v) for v in rad])
    if any(_har_dolda(t) for t in tabeller):
        w.writerow([])
        w.writerow([FOTNOT])
    return CSV_BOM + ut.getvalue()


def _har_dolda(t: Tabell) -> bool:
    return any(c.dold for r in t.rader for c in r.celler)


def _lagg_till(ws, rad: list) -> None:
    """Append a row; a text that Excel would take for a formula stays a string cell."""
    ws.append(rad)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and ser_ut_som_formel(cell.value):
            cell.data_type = "s"


def _bladnamn(t: Tabell, anvanda: set[str]) -> str:
    namn = re.sub(r"[\[\]:*?/\\]", "", t.rubrik)[:31]
    while namn in anvanda:
        namn = namn[:29] + str(len(anvanda))
    anvanda.add(namn)
    return namn


def till_xlsx(rapport: Rapport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    anvanda: set[str] = set()
    for t in rapport.tabeller:
        ws = wb.create_sheet(_bladnamn(t, anvanda))
        _lagg_till(ws, [t.rubrik])
        ws["A1"].font = Font(bold=True, size=13)
        _lagg_till(ws, [f"{rapport.omfattning}, {rapport.period.namn}"])
        ws.append([])
        for i, rad in enumerate(_tabell_rader(t)):
            _lagg_till(ws, rad)
            if i == 0:
                for cell in ws[ws.max_row]:
                    cell.font = Font(bold=True)
        if _har_dolda(t):
            ws.append([])
            _lagg_till(ws, [FOTNOT])
        if t.forklaring:
            ws.append([])
            _lagg_till(ws, [t.forklaring])
        ws.column_dimensions["A"].width = 42
    ut = io.BytesIO()
    wb.save(ut)
    return ut.getvalue()


# The PDF's core font is Latin-1: a few typographic characters are mapped to their nearest.
_LATIN1 = str.maketrans({"–": "-", "—": "-", "’": "'", "”": '"', "“": '"', "…": "...", "\u2009": " "})


def _pdf_text(text: str) -> str:
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


class _Rapportsida(FPDF):
    def __init__(self, rubrik: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.rubrik = rubrik

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, _pdf_text(f"{self.rubrik} - sida {self.page_no()}"), align="C")


def _rad(pdf: FPDF, hojd: float, text: str) -> None:
    """A paragraph across the page, the cursor back at the left margin afterwards."""
    pdf.multi_cell(0, hojd, text, new_x="LMARGIN", new_y="NEXT")


def till_pdf(rapport: Rapport, forbund_namn: str) -> bytes:
    """Title page block, then each table with its heading and explanation, as the
    association's quarterly report is laid out."""
    slag = "Kvartalsrapport" if "Kvartal" in rapport.period.namn else "Verksamhetsrapport"
    pdf = _Rapportsida(f"{slag} {rapport.period.namn}, {rapport.omfattning}")
    pdf.set_title(_pdf_text(f"{slag} {rapport.period.namn}"))
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=18)
    _rad(pdf, 9, _pdf_text(f"{slag}: {rapport.period.namn}"))
    pdf.set_font("Helvetica", size=11)
    _rad(pdf, 6, _pdf_text(f"{forbund_namn} - {rapport.omfattning}"))
    _rad(pdf, 6, _pdf_text(f"Period {rapport.period.fran.isoformat()} - {rapport.period.till.isoformat()}. "
                        f"Uttag {clock.today().isoformat()}."))
    if not rapport.exakt:
        _rad(pdf, 6, _pdf_text("Antal under 3 personer visas som <3 så att ingen kan identifieras. " + FOTNOT))
    for t in rapport.tabeller:
        pdf.ln(4)
        pdf.set_font("Helvetica", style="B", size=12)
        _rad(pdf, 7, _pdf_text(t.rubrik))
        pdf.set_font("Helvetica", size=8 if len(t.kolumner) > 5 else 9)
        forsta = 0.34 if len(t.kolumner) <= 5 else 0.26
        ovriga = (1 - forsta) / max(len(t.kolumner), 1)
        bredd = [forsta] + [ovriga] * len(t.kolumner)
        with pdf.table(col_widths=[round(b * 1000) for b in bredd], text_align=["LEFT"] + ["RIGHT"] * len(t.kolumner),
                       headings_style=FontFace(emphasis="BOLD"), line_height=5) as tabell:
            for rad in [[t.radrubrik, *t.kolumner]] + [[r.etikett, *(c.text for c in r.celler)] for r in t.rader]:
                rr = tabell.row()
                for v in rad:
                    rr.cell(_pdf_text(v))
        if t.forklaring:
            pdf.set_font("Helvetica", style="I", size=8)
            _rad(pdf, 5, _pdf_text(t.forklaring))
        if _har_dolda(t):
            pdf.set_font("Helvetica", style="I", size=8)
            _rad(pdf, 5, _pdf_text(FOTNOT))
    return bytes(pdf.output())
