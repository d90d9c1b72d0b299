"""A report table as plain data (Tabell, Rad, Cell), and the small-number rule's pieces that
work on one table (the marks, the lines, shares and averages, nested periods); the kub's
lines are settled together in ``undertryckning``.

Every page, export and API answer renders these same objects, so the suppression decided
here holds everywhere the styrgrupp looks.

The rule (for everyone but the team's own projektledare):
1. A count of individuals from 1 to 2 is shown as "<3" (0 is shown: it identifies nobody).
   This is the *primary* suppression, and the only cell that says "<3".
2. Complementary cells: in a table with totals, a line (a row or column ending in its
   total, or a party type's parties ending in the type's subtotal) in which exactly one
   cell is hidden would give it away by subtraction, so the smallest other non-zero cell
   of that line (the total only if nothing else is left) is hidden too; repeated until no
   line has exactly one hidden cell. Such a cell may hold any number, so it is marked
   "–", never "<3": a shown mark never states something false about the number behind it.
   In the styrgrupp's reports a "<3" that the lines with the marks' bounds would pin to
   one number reads "–" too (``undertryckning`` rule 5), as does every hidden stock.
3. A share or an average is hidden ("–") when the count it rests on is hidden or below 3,
   and a share also when its complement (the rest of its denominator) is 1 or 2.
Counts of meetings (not individuals) are never hidden. A cell with no value at all (a
share of nobody, an average over no one, a period not yet begun) reads "..".
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRANS = 3
PRIMAR = "<3"  # a count of 1 or 2 individuals
SKYDDAD = "–"  # hidden so that a small number elsewhere cannot be worked out
DOLD_TEXT = PRIMAR
INGET_VARDE = ".."
FOTNOT = ("<3 = 1 eller 2 personer (dolt så att ingen kan identifieras). "
          "– = dolt för att ett dolt litet tal annars skulle kunna räknas fram ur andra siffror, "
          "eller en andel/ett medeltal som vilar på färre än 3 personer; talet bakom kan vara vilket som helst, "
          "också 1 eller 2 där \"<3\" tillsammans med andra siffror skulle avslöja det exakta talet. "
          ".. = inget värde (ingen att räkna på).")


@dataclass
class Cell:
    varde: float | int | None
    # antal: individuals (suppressed); tal: not individuals; andel: percent; medel: days
    typ: str = "antal"
    n: int | None = None  # andel/medel: how many individuals it rests on
    namnare: int | None = None  # andel: the denominator
    kalla: Cell | None = None  # andel: the count cell it is a share of
    markering: str = ""  # "" shown; PRIMAR or SKYDDAD when hidden

    @property
    def dold(self) -> bool:
        return bool(self.markering)

    def dolj(self, markering: str) -> None:
        """Hide the cell; a primary mark, once set, is kept (it is the truer of the two)."""
        if self.markering != PRIMAR:
            self.markering = markering

    def nedgradera(self) -> None:
        """A "<3" that its lines would pin to one number (``granser``) reads "–" instead:
        "–" says nothing of the size, so it is no less true, and it gives nothing away."""
        self.markering = SKYDDAD

    @property
    def text(self) -> str:
        if self.dold:
            return self.markering
        if self.varde is None:
            return INGET_VARDE
        if self.typ == "andel":
            return f"{round(self.varde)} %"
        if self.typ == "medel":
            return f"{round(self.varde)}"
        return str(int(self.varde))

    @property
    def export_varde(self):
        """The value for CSV/XLSX/API: a number, or the mark ("<3" or "–") when hidden."""
        if self.dold:
            return self.markering
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
    delsumma: bool = False  # a subtotal of the rows above it with the same ``grupp``
    grupp: str | None = None  # e.g. the party type a party row belongs to


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

    @property
    def har_dolda(self) -> bool:
        return any(c.dold for r in self.rader for c in r.celler)

    @property
    def fotnot(self) -> str:
        return FOTNOT


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
    grupper: dict[str, list[Rad]] = {}
    for r in t.rader:
        if r.grupp is not None:
            grupper.setdefault(r.grupp, []).append(r)
    for k in range(len(t.kolumner)):
        if har_total_rad:
            # The detail rows and the total (subtotals would count them twice).
            kolumn = [r.celler[k] for r in t.rader if k < len(r.celler) and not r.delsumma]
            if kolumn and all(c.typ == "antal" for c in kolumn):
                linjer.append(kolumn)
        for rader in grupper.values():
            # A group's rows, its subtotal last.
            delar = [r for r in rader if not r.delsumma] + [r for r in rader if r.delsumma]
            kolumn = [r.celler[k] for r in delar if k < len(r.celler)]
            if any(r.delsumma for r in rader) and all(c.typ == "antal" for c in kolumn):
                linjer.append(kolumn)
    return linjer


def dolj_andelar(t: Tabell) -> None:
    """Rule 3 alone: shares and averages after their counts, once those are settled."""
    for c in (c for r in t.rader for c in r.celler):
        if c.typ == "andel":
            rest = (c.namnare or 0) - (c.n or 0)
            if ((c.kalla is not None and c.kalla.dold) or _smal(c.n or 0) or _smal(rest)
                    or _smal(c.namnare or 0)):
                c.dolj(SKYDDAD)
        elif c.typ == "medel" and _smal(c.n or 0):
            c.dolj(SKYDDAD)


def dolj_mot_delperioder(t: Tabell, delar: list[Tabell], etiketter: dict[int, tuple] | None = None) -> None:
    """Hide ("–") every cell of ``t`` whose population differs by one or two individuals
    from the same cell shown in a report of a period nested inside ``t``'s (``delar``,
    already suppressed): subtracting the two would otherwise single those people out.
    Cells are matched by row label and column. Run before the kub's line rules.
    ``etiketter``: a cache of each nested table's rows by label, for a caller that passes
    the same tables many times (a year's kub compares each with every report holding it)."""
    for del_ in delar:
        sparad = etiketter.get(id(del_)) if etiketter is not None else None
        if sparad is not None and sparad[0] is del_:
            rader = sparad[1]
        else:
            rader = {r.etikett: r for r in del_.rader}
            if etiketter is not None:
                etiketter[id(del_)] = (del_, rader)
        for r in t.rader:
            motsv = rader.get(r.etikett)
            if motsv is None:
                continue
            for c, d in zip(r.celler, motsv.celler, strict=False):
                # The markings read directly and counts compared inline: this runs for
                # every cell pair of a year's kub (some 10⁵), the hottest loop of a report.
                if c.typ != d.typ or d.markering or c.markering:
                    continue
                if c.typ == "antal":
                    if 0 < abs(int(c.varde or 0) - int(d.varde or 0)) < GRANS:
                        c.dolj(SKYDDAD)
                elif c.typ in ("andel", "medel") and (  # what it rests on: its n and denominator
                        0 < abs(int(c.n or 0) - int(d.n or 0)) < GRANS
                        or 0 < abs(int(c.namnare or 0) - int(d.namnare or 0)) < GRANS):
                    c.dolj(SKYDDAD)
