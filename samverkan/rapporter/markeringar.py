"""The suppression's marks kept for a kub it has already seen.

Suppressing a year's kub (``undertryckning.dolj_kub``) costs seconds for a förbund of many
small counts (issue 19: 2–3 s for six teams and 300 ärenden a year, ten for the largest),
and the styrgrupp asks for the same ended year again and again, while its figures seldom
change. ``dolj_kub`` is a function of what it reads: each cell's value and kind, the
tables' shape, the teams and the periods. So its result, the mark of every cell ("<3",
"–" or shown), is kept with a digest of all that and of the code that decides
(``_kodens_digest``). A request computes the raw kub as always (the statements), and where
the digest is the one kept, the marks are put back instead of worked out: the same figures,
without the work. Any changed count, team or age band, or a new version of the rule, gives
another digest, and the work is done again and kept in its place. Nothing is kept that the
figures could go stale with, and no count is stored: only which cells are hidden, and how,
which the report shows anyway.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from samverkan.core import anrop
from samverkan.core.db import db, utcnow
from samverkan.rapporter import granser, heltal, tabell, undertryckning
from samverkan.rapporter.models import KubMarkeringar
from samverkan.rapporter.tabell import PRIMAR, SKYDDAD, Cell

log = logging.getLogger(__name__)

# A mark as one character of the stored string, and back.
_TECKEN = {"": ".", PRIMAR: "<", SKYDDAD: "-"}
_MARK = {v: k for k, v in _TECKEN.items()}


def dolj(forbund_id: int, ar: int, urval: str, rapporter: dict[tuple[int, int | None], object],
         teams: list[int], kvartal: list[int]) -> None:
    """``undertryckning.dolj_kub`` on the year's kub, or the marks it set last time on the
    same raw kub (``urval``: which tables it holds)."""
    celler = list(_celler(rapporter))
    nyckel = _digest(rapporter, celler, teams, kvartal)
    sparad = db.session.execute(
        select(KubMarkeringar.nyckel, KubMarkeringar.markeringar)
        .where(KubMarkeringar.forbund_id == forbund_id, KubMarkeringar.ar == ar, KubMarkeringar.urval == urval)
    ).first()
    if sparad is not None and sparad.nyckel == nyckel and len(sparad.markeringar) == len(celler):
        for c, tecken in zip(celler, sparad.markeringar, strict=True):
            c.markering = _MARK[tecken]
        return
    undertryckning.dolj_kub(rapporter, teams, kvartal)
    _spara(forbund_id, ar, urval, nyckel, "".join(_TECKEN[c.markering] for c in celler))


def _celler(rapporter: dict) -> Iterable[Cell]:
    """Every cell of the kub in one fixed order: the reports as the kub lists them, each
    report's tables, rows and cells in theirs."""
    for r in rapporter.values():
        for t in r.tabeller:
            for rad in t.rader:
                yield from rad.celler


def _digest(rapporter: dict, celler: list[Cell], teams: list[int], kvartal: list[int]) -> str:
    """SHA-256 of what the suppression reads (the cells, the reports' periods, the tables'
    and rows' shape, the teams) and of the code that decides."""
    plats = {id(c): i for i, c in enumerate(celler)}
    h = hashlib.sha256(_kodens_digest().encode())
    h.update(repr((teams, kvartal)).encode())
    for nod, r in rapporter.items():
        h.update(repr((nod, r.period.fran, r.period.till)).encode())
        for t in r.tabeller:
            h.update(repr((t.nyckel, t.total_kolumn, len(t.kolumner))).encode())
            for rad in t.rader:
                h.update(repr((rad.etikett, rad.total, rad.delsumma, rad.grupp, [
                    (c.typ, c.varde, c.n, c.namnare, c.markering, -1 if c.kalla is None else plats.get(id(c.kalla)))
                    for c in rad.celler])).encode())
    return h.hexdigest()


@functools.cache
def _kodens_digest() -> str:
    """The rule's code (the modules that decide a mark) and the solver's version: a new
    version of either may mark otherwise, so marks kept by the old one are not reused."""
    h = hashlib.sha256(" ".join(importlib.metadata.version(p) for p in ("highspy", "numpy")).encode())
    for modul in (tabell, undertryckning, granser, heltal):
        h.update(inspect.getsource(modul).encode())
    return h.hexdigest()


def _spara(forbund_id: int, ar: int, urval: str, nyckel: str, markeringar: str) -> None:
    """Keep the marks, in place of those kept before for the same kub. In a read (a report
    page) apart from it, as its audit rows are (``anrop.kor_apart``): the read takes no
    write lock. Two requests that both worked it out write the same marks. Where the write
    fails (SQLite's lock held past a writer's bounded wait) the figures are shown all the
    same: they are right, only not kept, and the next look works them out again."""
    dialekt = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    varden = {"forbund_id": forbund_id, "ar": ar, "urval": urval, "nyckel": nyckel,
              "markeringar": markeringar, "skapad": utcnow()}
    sats = dialekt.insert(KubMarkeringar).values(**varden)
    sats = sats.on_conflict_do_update(index_elements=["forbund_id", "ar", "urval"],
                                      set_={k: sats.excluded[k] for k in ("nyckel", "markeringar", "skapad")})
    if anrop.laser_nu() and anrop.agd():
        try:
            anrop.kor_apart(sats)
        except OperationalError:
            log.warning("rapporter: markeringarna för förbund %d år %d sparades inte (databasen låst)",
                        forbund_id, ar)
    else:
        db.session.execute(sats)
