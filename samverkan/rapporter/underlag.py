"""The period report's raw figures for a whole kub at once: every table's grouped rows
for several periods (a year and its quarters) and, when asked, the förbund and each of
its teams, fetched in a fixed number of statements (``queries``: one per table for the
whole kub, two per period for the meetings, which are few). ``Underlag.nod`` hands one
report (one period, the urval or one team) its share, so the table code reads rows as if
they had been fetched for it alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from samverkan.core.db import db
from samverkan.efterkontroll import rapport as efterkontroll_rapport
from samverkan.forbund import services as forbund_services
from samverkan.forbund.models import Part, Team
from samverkan.insatser.models import Insatstyp
from samverkan.rapporter import queries
from samverkan.rapporter.queries import Kub, Sammansattning, Urval


def team_parter(u: Urval) -> list[Sammansattning]:
    """Who sat in the team (or each of the förbund's teams) when: the pieces of each
    team's composition (``queries.sammansattningar``), in two statements."""
    teams = [u.team_id] if u.team_id is not None else list(
        db.session.execute(select(Team.id).where(Team.forbund_id == u.forbund_id)).scalars())
    return queries.sammansattningar(forbund_services.team_part_perioder(teams))


@dataclass
class Nod:
    """One report's share of the kub: period ``nr`` for the urval (``team`` None) or a team."""

    underlag: Underlag
    nr: int
    team: int | None

    def rader(self, namn: str) -> list[dict]:
        return self.underlag.rader.get((namn, self.nr, self.team), [])

    @property
    def urval(self) -> Urval:
        fran, till = self.underlag.kub.perioder[self.nr]
        k = self.underlag.kub
        return Urval(k.forbund_id, self.team if self.team is not None else k.team_id, fran, till)

    @property
    def sammansattningar(self) -> list[Sammansattning]:
        return [s for s in self.underlag.sammansattningar if self.team is None or s.team_id == self.team]

    def moten(self) -> list[dict]:
        """Meetings per team and piece of its composition (``queries.moten_per_team``);
        ``del`` indexes this node's ``sammansattningar``."""
        alla = self.underlag.sammansattningar
        egna = self.sammansattningar
        index = {id(s): i for i, s in enumerate(egna)}
        ut = []
        for m in self.underlag.moten[self.nr]:
            if self.team is not None and m["team_id"] != self.team:
                continue
            del_ = index.get(id(alla[m["del"]]), -1) if m["del"] >= 0 else -1
            ut.append({**m, "del": del_})
        return ut

    def narvaro(self) -> list[dict]:
        return [m for m in self.underlag.narvaro[self.nr] if self.team is None or m["team_id"] == self.team]

    def pagaende_samcoach(self, dagar: list[dt.date]) -> list[int]:
        rad = next((r for r in self.underlag.rader.get(("pagaende", 0, self.team), [])), None)
        return [int(rad[f"d{self.underlag.dagar.index(d)}"]) if rad else 0 for d in dagar]

    def budget(self) -> int | None:
        return self.underlag.budget.get(self.team)


class Underlag:
    """Every table's rows for the kub, fetched once (see the module's docstring)."""

    NAMN = ("kon", "flode", "alder", "part", "samtycke", "atgard", "samcoach", "insatstyp", "utfall",
            "tid_i_insats", "steg", "tider", "i_insats", "fore_efter", "alder_forbund", "efterkontroll",
            "insats_part")

    def __init__(self, kub: Kub, egna_band: list[tuple[int, int]], *, bara_raknade: bool = False):
        """``bara_raknade``: only the rows of the tables that hold the nyckeltal's counts (the
        deltagare, the flow, the outcomes, the ongoing at samcoach); the others come out empty."""
        self.kub, self.egna_band = kub, egna_band
        u = Urval(kub.forbund_id, kub.team_id, kub.forsta, kub.sista)
        self.parter = list(db.session.execute(
            select(Part).where(Part.forbund_id == kub.forbund_id).order_by(Part.namn)).scalars())
        self.insatstyper = list(db.session.execute(
            select(Insatstyp).where(Insatstyp.forbund_id == kub.forbund_id)
            .order_by(Insatstyp.ordning, Insatstyp.namn)).scalars())
        self.sammansattningar = team_parter(u)
        # Month ends of every period, in one statement; each report picks its own.
        self.dagar = sorted({d for fran, till in kub.perioder
                             for d in queries.manadsslut(Urval(kub.forbund_id, kub.team_id, fran, till))})
        with queries.rakneminne():
            if bara_raknade:
                kon, utfall = queries.kon_och_utfall(kub)
                rader = {"kon": kon, "flode": kon, "utfall": utfall}
                pagaende = queries.pagaende_samcoach(kub, self.dagar)
            else:
                tabeller = queries.kubens_tabeller(kub, egna_band, self.dagar)
                pagaende = tabeller["pagaende"]
                rader = {n: v for n, v in tabeller.items() if n not in ("pagaende", "alder_forbund")}
                rader |= {"flode": tabeller["kon"], **self._ovriga(kub)}
                if self.egna_band:
                    rader["alder_forbund"] = tabeller["alder_forbund"]
        self.rader: dict[tuple, list[dict]] = {}
        for namn, lista in rader.items():
            for r in lista:
                self.rader.setdefault((namn, r["nr"], r["team"]), []).append(r)
        for r in pagaende:
            self.rader.setdefault(("pagaende", 0, r["team"]), []).append(r)
        self.moten: list[list[dict]] = [[] for _ in kub.perioder]
        self.narvaro: list[list[dict]] = [[] for _ in kub.perioder]
        self.budget: dict[int | None, int] = {}
        if bara_raknade:
            return
        for m in queries.moten_per_team(kub, self.sammansattningar):
            self.moten[m["nr"]].append(m)
        for m in queries.narvaro_per_part(kub, self.sammansattningar):
            self.narvaro[m["nr"]].append(m)
        ar = {f.year for f, _ in kub.perioder}
        self.budget = queries.budget(u, per_team=kub.per_team) if len(ar) == 1 else {}

    @staticmethod
    def _ovriga(kub: Kub) -> dict[str, list[dict]]:
        """The tables ``queries.kubens_tabeller`` does not fetch."""
        return {"samtycke": queries.samtycke_per_part(kub), "atgard": queries.atgard_per_part(kub),
                "steg": queries.stegforflyttning_per_kon(kub),
                "efterkontroll": efterkontroll_rapport.per_utfall_och_kon(kub)}

    def nod(self, nr: int, team: int | None = None) -> Nod:
        return Nod(self, nr, team)
