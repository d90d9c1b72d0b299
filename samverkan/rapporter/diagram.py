"""Bar charts drawn on the server as SVG (no script, nothing external): the geometry is
computed here, the template only places it. The chart shows one column of a table; the
table beside it carries the same numbers for screen readers and print."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.rapporter.tabell import Tabell

ETIKETT_BREDD = 250
STAPEL_MAX = 280
RAD_HOJD = 26


@dataclass(frozen=True)
class Stapel:
    etikett: str
    text: str
    y: int
    bredd: int


@dataclass(frozen=True)
class Diagram:
    titel: str
    beskrivning: str
    staplar: list[Stapel]
    hojd: int
    stapel_x: int = ETIKETT_BREDD
    bredd: int = ETIKETT_BREDD + STAPEL_MAX + 60


def stapeldiagram(t: Tabell) -> Diagram | None:
    if not t.diagram or not t.rader:
        return None
    k = t.diagram_kolumn
    rader = [r for r in t.rader if not r.total and not r.delsumma]
    varden = [0 if r.celler[k].dold else float(r.celler[k].varde or 0) for r in rader]
    storst = max(varden, default=0) or 1
    staplar = [Stapel(r.etikett, r.celler[k].text, 8 + i * RAD_HOJD, round(STAPEL_MAX * v / storst))
               for i, (r, v) in enumerate(zip(rader, varden, strict=True))]
    beskrivning = (f"Stapeldiagram: {t.kolumner[k].lower()} per {t.radrubrik.lower() or 'rad'}. "
                   "Samma siffror finns i tabellen under diagrammet; <3 betyder färre än tre, – ett tal dolt "
                   "för att skydda ett litet tal (utan stapel).")
    return Diagram(t.rubrik, beskrivning, staplar, 16 + len(rader) * RAD_HOJD)
