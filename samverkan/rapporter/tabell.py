"""A report table as plain data (Tabell, Rad, Cell), and the small-number rule applied to it.

Every page, export and API answer renders these same objects, so the suppression decided
here holds everywhere the styrgrupp looks.

The rule (for everyone but the team's own projektledare):
1. A count of individuals from 1 to 2 is shown as "<3" (0 is shown: it identifies nobody).
2. Complementary cells: in a table with totals, a row or column in which exactly one
   cell is hidden would give it away by subtraction, so the smallest other non-zero cell
   of that line (the total only if nothing else is left) is hidden too; repeated until no
   line has exactly one hidden cell.
3. A share or an average is hidden when the count it rests on is hidden or below 3, and
   a share also when its complement (the rest of its denominator) is 1 or 2.
Counts of meetings (not individuals) are never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRANS = 3
DOLD_TEXT = "<3"


@dataclass
class Cell:
    varde: float | int | None
    # antal: individuals (suppressed); tal: not individuals; andel: percent; medel: days
    typ: str = "antal"
    n: int | None = None  # andel/medel: how many individuals it rests on
    namnare: int | None = None  # andel: the denominator
    kalla: Cell | None = None  # andel: the count cell it is a share of
    dold: bool = False

    @property
    def text(self) -> str:
        if self.dold:
            return DOLD_TEXT
        if self.varde is None:
            return "–"
        if self.typ == "andel":
            return f"{round(self.varde)} %"
        if self.typ == "medel":
            return f"{round(self.varde)}"
        return str(int(self.varde))

    @property
    def export_varde(self):
        """The value for CSV/XLSX/API: a number, or the text "<3" when hidden."""
        if self.dold:
            return DOLD_TEXT
        if self.varde is None:
            return None
        if self.typ in ("andel", "medel"):
            return round(float(self.varde), 1)
        return int(self.varde)


@dataclass
class Rad:
    etikett: str
    celler: list[Cell]
    total: bool = False  # the table's total row


@dataclass
class Tabell:
    nyckel: str
    rubrik: str
    kolumner: list[str]  # the data columns' headings (the row label column is not included)
    rader: list[Rad]
    forklaring: str = ""
    radrubrik: str = ""
    total_kolumn: bool = False  # the last column is the row total
    diagram: bool = True  # a bar chart of the first (or total) column beside the table
    diagram_kolumn: int = 0
    extra: dict = field(default_factory=dict)

    def cell(self, rad: int, kolumn: int) -> Cell:
        return self.rader[rad].celler[kolumn]


def antal(v: int | None) -> Cell:
    return Cell(int(v or 0), "antal")


def tal(v: int | None) -> Cell:
    return Cell(int(v or 0), "tal")


def andel(kalla: Cell, namnare: int) -> Cell:
    taljare = int(kalla.varde or 0)
    varde = 100.0 * taljare / namnare if namnare else None
    return Cell(varde, "andel", n=taljare, namnare=namnare, kalla=kalla)


def medel(varde, n: int) -> Cell:
    return Cell(float(varde) if varde is not None and n else None, "medel", n=int(n or 0))


def _smal(v: int) -> bool:
    return 0 < v < GRANS


def _linjer(t: Tabell) -> list[list[Cell]]:
    """Rows and columns of count cells that end in a total (the lines subtraction works on)."""
    har_total_rad = any(r.total for r in t.rader)
    linjer = []
    if t.total_kolumn:
        for rad in t.rader:
            linjer.append([c for c in rad.celler if c.typ == "antal"])
    if har_total_rad:
        for k in range(len(t.kolumner)):
            kolumn = [r.celler[k] for r in t.rader if k < len(r.celler)]
            if kolumn and all(c.typ == "antal" for c in kolumn):
                linjer.append(kolumn)
    return linjer


def dolj_sma_tal(t: Tabell) -> Tabell:
    """Apply the rule above to ``t`` in place and return it."""
    celler = [c for r in t.rader for c in r.celler]
    for c in celler:
        if c.typ == "antal" and _smal(int(c.varde or 0)):
            c.dold = True
    linjer = _linjer(t)
    andrat = True
    while andrat:
        andrat = False
        for linje in linjer:
            dolda = [c for c in linje if c.dold]
            if len(dolda) != 1:
                continue
            # The total is the line's last cell; hide it only if nothing else can be hidden.
            kandidater = sorted((c for c in linje[:-1] if not c.dold and c.varde), key=lambda c: c.varde)
            if not kandidater and not linje[-1].dold and linje[-1].varde:
                kandidater = [linje[-1]]
            if kandidater:
                kandidater[0].dold = True
                andrat = True
    for c in celler:
        if c.typ == "andel":
            rest = (c.namnare or 0) - (c.n or 0)
            c.dold = bool((c.kalla is not None and c.kalla.dold) or _smal(c.n or 0) or _smal(rest)
                          or _smal(c.namnare or 0))
        elif c.typ == "medel":
            c.dold = _smal(c.n or 0)
    return t
