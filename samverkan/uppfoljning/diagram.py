"""The progress chart on the case page: steg and sysselsättningsgrad (and ORS) over time,
as server-rendered SVG coordinates. No JavaScript; the template draws it and a data table
beside it carries the same numbers for screen readers and print."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.uppfoljning.models import Steg, Stegmatning

BREDD, HOJD = 600, 260
VANSTER, HOGER, TOPP, BOTTEN = 48, 48, 16, 40
# A date label (ÅÅÅÅ-MM-DD) is about 70 units wide: closer labels are left out (the table
# beside the chart has every date).
ETIKETTAVSTAND = 76


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
    """Coordinates for the measurements (oldest first); None without any. Time runs
    along the x axis in proportion, so a long gap between follow-ups shows as one."""
    if not matningar:
        return None
    hogsta_steg = max([s.nummer for s in stege] + [m.steg.nummer for m in matningar])
    yb, yt = HOJD - BOTTEN, TOPP
    xv, xh = VANSTER, BREDD - HOGER
    forsta = matningar[0].datum
    spann = (matningar[-1].datum - forsta).days
    xs = [(xv + xh) / 2 if spann == 0 else xv + (xh - xv) * (m.datum - forsta).days / spann for m in matningar]

    def x(i: int) -> float:
        return xs[i]

    def y(andel: float) -> float:
        return yb - (yb - yt) * andel

    steg = [Punkt(x(i), y((m.steg.nummer - 1) / max(1, hogsta_steg - 1)), f"Steg {m.steg.nummer}")
            for i, m in enumerate(matningar)]
    grad = [Punkt(x(i), y(m.sysselsattningsgrad / 100), f"{m.sysselsattningsgrad} %")
            for i, m in enumerate(matningar)]
    ors = [Punkt(x(i), y(m.ors / 40), f"ORS {m.ors}") for i, m in enumerate(matningar) if m.ors is not None]
    return Diagram(
        steg=steg, grad=grad, ors=ors,
        x_etiketter=_datumetiketter(matningar, xs, yb + 18),
        y_steg=[Punkt(xv - 8, y((nr - 1) / max(1, hogsta_steg - 1)), str(nr))
                for nr in range(1, hogsta_steg + 1)],
        y_grad=[Punkt(xh + 8, y(p / 100), f"{p} %") for p in (0, 50, 100)],
    )


def _datumetiketter(matningar: list[Stegmatning], xs: list[float], y: float) -> list[Punkt]:
    """Date labels that do not overlap: from the first on where they fit, and always the
    latest, which replaces the one too close before it."""
    etiketter: list[Punkt] = []
    for i, m in enumerate(matningar):
        if etiketter and xs[i] - etiketter[-1].x < ETIKETTAVSTAND:
            if i < len(matningar) - 1:
                continue
            etiketter.pop()
        etiketter.append(Punkt(xs[i], y, m.datum.isoformat()))
    return etiketter
