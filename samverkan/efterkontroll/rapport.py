"""The efterkontroll in the reports: where people stood at the check after avslut, by
outcome and kön, for the checks due in a period.

One table of the period report (``rapporter.services.period_rapport``, key ``NYCKEL``),
so it is on the report page, in its CSV, XLSX and PDF and in the API, and suppressed with
the rest of the year's kub (``rapporter.undertryckning``): the förbund against its teams,
the year against its quarters. A table suppressed on its own gave a team's hidden cell
away as the förbund's minus the other teams'. This module owns the one grouped statement
that fetches it for a whole kub; the page of its own shows the report's table.
"""

from __future__ import annotations

from sqlalchemy import select

from samverkan.arenden.kodlistor import EFTERKONTROLL_UTFALL
from samverkan.arenden.models import Arende
from samverkan.deltagare.models import Deltagare
from samverkan.efterkontroll.models import Efterkontroll
from samverkan.rapporter.queries import Kub, _deltagaren, _grupperat, _personer

NYCKEL = "efterkontroll"
EJ_REGISTRERAD = "ej_registrerad"
RUBRIK = "Efterkontroll efter avslut"
RADRUBRIK = "Var personen står"
ETIKETTER = [*EFTERKONTROLL_UTFALL.items(), (EJ_REGISTRERAD, "Inte registrerad ännu")]
FORKLARING = ("Personer vars efterkontroll (några månader efter avslut) infaller i perioden, efter vad "
              "projektledaren registrerade.")


def per_utfall_och_kon(k: Kub) -> list[dict]:
    """People (distinct deltagare) by outcome and kön, for the checks put in the inbox with
    their day in the period: per period of the kub and, with ``per_team``, per team (the
    check's team). Each check falls due once, so a year's count is its quarters' sum."""
    villkor = [Arende.forbund_id == k.forbund_id, Efterkontroll.i_inkorg.is_not(None),
               Efterkontroll.forfaller.between(k.fran, k.till)]
    if k.team_id is not None:
        villkor.append(Efterkontroll.team_id == k.team_id)
    rader = _grupperat(k,
        select(Efterkontroll.utfall.label("utfall"), Deltagare.kon.label("kon"), _personer().label("antal"))
        .select_from(Efterkontroll)
        .join(Arende, Arende.id == Efterkontroll.arende_id)
        .join(Deltagare, _deltagaren(k))
        .where(*villkor)
        .group_by(Efterkontroll.utfall, Deltagare.kon),
        team=Efterkontroll.team_id)
    return [{**r, "utfall": r["utfall"] or EJ_REGISTRERAD} for r in rader]  # NULL: not yet recorded
