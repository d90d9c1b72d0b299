"""The protokoll as PDF (fpdf2, its core Helvetica font: latin-1 covers å, ä, ö).

Built from the same content as the page (``services.visa``), so it says exactly what the
page says and nothing more: reference codes, parties, decisions.
"""

from __future__ import annotations

from fpdf import FPDF

from samverkan.core import clock
from samverkan.protokoll.services import ProtokollSida

# Characters outside latin-1 that our own texts use, with their plain equivalents.
_ERSATT = str.maketrans({"–": "-", "—": "-", "…": "...", "’": "'", "”": '"', "“": '"'})


def _t(text: str | None) -> str:
    return (text or "").translate(_ERSATT).encode("latin-1", "replace").decode("latin-1")


def bygg(sida: ProtokollSida) -> bytes:
    inn = sida.innehall
    m = inn["mote"]
    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"Protokoll {m['team']} {m['datum']}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, _t(f"Protokoll, {m['team']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    rad = f"Möte {m['datum']} kl. {m['starttid']}-{m['sluttid']}"
    if m["plats"]:
        rad += f", {m['plats']}"
    pdf.multi_cell(0, 6, _t(rad), new_x="LMARGIN", new_y="NEXT")
    if sida.justerat:
        av = "teamets projektledare" + (f" och {sida.justerare.namn}" if sida.justerare else "")
        pdf.multi_cell(0, 6, _t(f"Justerat {_datumtid(sida)} av {av}."), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(0, 6, _t("Utkast: protokollet är inte justerat."), new_x="LMARGIN", new_y="NEXT")

    _rubrik(pdf, "Närvaro")
    with pdf.table(col_widths=(110, 70), text_align="LEFT") as tabell:
        _rad(tabell, ("Part", "Närvaro"))
        for n in inn["narvaro"]:
            _rad(tabell, (n["part"], n["text"]))

    _rubrik(pdf, "Ärenden")
    if inn["punkter"]:
        with pdf.table(col_widths=(10, 32, 50, 28, 60), text_align="LEFT") as tabell:
            _rad(tabell, ("Nr", "Referens", "Aktualiserande part", "Slag", "Beslut"))
            for p in inn["punkter"]:
                beslut = p["beslut_text"]
                if p["folj_upp_den"]:
                    beslut += f". Följs upp {p['folj_upp_den']}"
                _rad(tabell, (str(p["nummer"]), p["referens"], p["part"], p["slag"], beslut))
        for p in (p for p in inn["punkter"] if p.get("atgarder")):
            _rubrik(pdf, f"Handlingsplan, punkt {p['nummer']}: {p['referens']}")
            for g in p["atgarder"]:
                pdf.set_font("helvetica", "B", 10)
                pdf.multi_cell(0, 6, _t(g["part"]), new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("helvetica", size=10)
                for a in g["atgarder"]:
                    pdf.multi_cell(0, 5, _t(f"- {a['beskrivning']} ({a['ansvarig']}, klar senast {a['klar_senast']})"),
                                   new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(0, 6, _t("Inga ärenden på dagordningen."), new_x="LMARGIN", new_y="NEXT")

    if sida.tillagg:
        _rubrik(pdf, "Tillägg efter justering")
        for t in sida.tillagg:
            pdf.set_font("helvetica", "B", 10)
            pdf.multi_cell(0, 6, _t(f"Tillägg {_tid(t.skapad)}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", size=10)
            pdf.multi_cell(0, 5, _t(t.text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _rubrik(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 13)
    pdf.multi_cell(0, 8, _t(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)


def _rad(tabell, celler) -> None:
    # The first row of each table is its heading (fpdf2 repeats it on a new page).
    row = tabell.row()
    for c in celler:
        row.cell(_t(c))


def _tid(value) -> str:
    return clock.local(value).strftime("%Y-%m-%d %H:%M")


def _datumtid(sida: ProtokollSida) -> str:
    return _tid(sida.protokoll.justerat)
