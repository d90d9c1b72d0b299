"""The efterkontroll in the reports: where people stood at the check after avslut, by
outcome and kön, for the checks due in a period.

A table of its own beside the period report (``rapporter.services.period_rapport``):
one grouped statement, the report's own Tabell shape and its suppression — small numbers
hidden (``tabell.dolj_sma_tal``) unless the viewer sees their own team exactly, and a
year compared with its quarters (``tabell.dolj_mot_delperioder``) as the period report
does. It plugs in as one more table: ``rapport.tabeller.append(tabell(urval, exakt=…))``.
"""

from __future__ import annotations

from sqlalchemy import func, select

from samverkan.arenden.kodlistor import EFTERKONTROLL_UTFALL
from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare
from samverkan.efterkontroll.models import Efterkontroll
from samverkan.rapporter import services as rapporter
from samverkan.rapporter.queries import Urval
from samverkan.rapporter.tabell import Tabell, dolj_mot_delperioder, dolj_sma_tal

NYCKEL = "efterkontroll"
EJ_REGISTRERAD = "ej_registrerad"


def _per_utfall_och_kon(u: Urval) -> dict:
    """{utfall code: {Kon: people}} for the checks put in the inbox with their day in the period."""
    villkor = [Arende.forbund_id == u.forbund_id, Efterkontroll.i_inkorg.is_not(None),
               Efterkontroll.forfaller.between(u.fran, u.till)]
    if u.team_id is not None:
        villkor.append(Efterkontroll.team_id == u.team_id)
    utfall = func.coalesce(Efterkontroll.utfall, EJ_REGISTRERAD)
    data: dict = {}
    for kod, kon, antal in db.session.execute(
        select(utfall, Deltagare.kon, func.count(func.distinct(Arende.deltagare_id)))
        .join(Arende, Arende.id == Efterkontroll.arende_id).join(Deltagare, Deltagare.id == Arende.deltagare_id)
        .where(*villkor).group_by(utfall, Deltagare.kon)
    ):
        data.setdefault(kod, {})[kon] = antal
    return data


def _tabell(u: Urval) -> Tabell:
    etiketter = [*EFTERKONTROLL_UTFALL.items(), (EJ_REGISTRERAD, "Inte registrerad ännu")]
    # The period report's own table of one row per code and a column per kön, with totals.
    return rapporter._kon_tabell(
        NYCKEL, "Efterkontroll efter avslut", "Var personen står", etiketter, _per_utfall_och_kon(u),
        forklaring="Personer vars efterkontroll (några månader efter avslut) infaller i perioden, "
                   "efter vad projektledaren registrerade.")


def tabell(u: Urval, *, exakt: bool) -> Tabell:
    """The table, small numbers hidden unless ``exakt`` (then ``u`` must cover an ended
    quarter or year, as ``rapporter.services.tolka_period`` ensures)."""
    t = _tabell(u)
    if not exakt:
        dolj_mot_delperioder(t, [dolj_sma_tal(_tabell(Urval(u.forbund_id, u.team_id, p.fran, p.till)))
                                 for p in rapporter.delperioder(u.fran, u.till)])
        dolj_sma_tal(t)
    return t
