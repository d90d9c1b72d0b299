"""The progress chart on the case page: steg and sysselsättningsgrad (and ORS) over time,
as server-rendered SVG coordinates. No JavaScript; the template draws it and a data table
beside it carries the same numbers for screen readers and print."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.uppfoljning.models import Steg, Stegmatning

BREDD, HOJD = 600, 260
VANSTER, HOGER, TOPP, BOTTEN = 48, 48, 16, 40


@dataclass
class Punkt:
    x: float
    y: float
    text: str


@dataclass
class Diagram:
    steg: list[Punkt]
    grad: list[Punkt]
    ors: list[Punkt]
    x_etiketter: list[Punkt]
    y_steg: list[Punkt]  # left axis: step numbers
    y_grad: list[Punkt]  # right axis: percent
    bredd: int = BREDD
    hojd: int = HOJD
    vanster: int = VANSTER
    hoger: int = BREDD - HOGER
    topp: int = TOPP
    botten: int = HOJD - BOTTEN

    @staticmethod
    def linje(punkter: list[Punkt]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in punkter)


def bygg(matningar: list[Stegmatning], stege: list[Steg]) -> Diagram | None:
    """Coordinates for the measurements (oldest first); None without any."""
    if not matningar:
        return None
    hogsta_steg = max([s.nummer for s in stege] + [m.steg.nummer for m in matningar])
    yb, yt = HOJD - BOTTEN, TOPP
    xv, xh = VANSTER, BREDD - HOGER
    n = len(matningar)

    def x(i: int) -> float:
        return (xv + xh) / 2 if n == 1 else xv + (xh - xv) * i / (n - 1)

    def y(andel: float) -> float:
        return yb - (yb - yt) * andel

    steg = [Punkt(x(i), y((m.steg.nummer - 1) / max(1, hogsta_steg - 1)), f"Steg {m.steg.nummer}")
            for i, m in enumerate(matningar)]
    grad = [Punkt(x(i), y(m.sysselsattningsgrad / 100), f"{m.sysselsattningsgrad} %")
            for i, m in enumerate(matningar)]
    ors = [Punkt(x(i), y(m.ors / 40), f"ORS {m.ors}") for i, m in enumerate(matningar) if m.ors is not None]
    return Diagram(
        steg=steg, grad=grad, ors=ors,
        x_etiketter=[Punkt(x(i), yb + 18, m.datum.isoformat()) for i, m in enumerate(matningar)],
        y_steg=[Punkt(xv - 8, y((nr - 1) / max(1, hogsta_steg - 1)), str(nr))
                for nr in range(1, hogsta_steg + 1)],
        y_grad=[Punkt(xh + 8, y(p / 100), f"{p} %") for p in (0, 50, 100)],
    )
