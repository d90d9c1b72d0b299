"""The nyckeltal with small numbers hidden, across the förbund and its teams (issue 17,
point 1): the styrgrupp can get the nyckeltal of the förbund and of each team for the same
ended period, and the förbund's count is the sum of its teams'. A cell hidden in one team
must not be the förbund's figure minus the other teams' shown ones; the same for the counts
a share rests on. Nothing shown may differ from the truth."""

from __future__ import annotations

from sqlalchemy import select

from samverkan.core.db import db
from samverkan.forbund.models import Team
from samverkan.rapporter import services
from samverkan.rapporter.tabell import PRIMAR
from tests.rapporter.conftest import D, grundtal, skapa_arende


def _nyckeltal(w, team, exakt, kod):
    return {v.definition.nyckel: v for v in services.nyckeltal(
        services.Behorighet(w.forbund.id, team, exakt), services.tolka_period(kod))}


def _celler(varden) -> dict:
    ut = {}
    for nyckel, v in varden.items():
        ut[(nyckel, "")] = v.cell
        for namn, c in v.trend:
            ut[(nyckel, namn)] = c
    return ut


def _kontrollera(w, kod):
    teams = list(db.session.execute(select(Team).where(Team.forbund_id == w.forbund.id).order_by(Team.id)).scalars())
    scope = [None, *teams]
    dolda = {t: _celler(_nyckeltal(w, t, False, kod)) for t in scope}
    sanna = {t: _celler(_nyckeltal(w, t, True, kod)) for t in scope}
    for t in scope:
        for pos, c in dolda[t].items():
            if not c.dold:
                assert c.text == sanna[t][pos].text, (kod, t, pos)  # never a lie
            elif c.markering == PRIMAR:
                assert c.typ == "antal" and 0 < sanna[t][pos].varde < 3, (kod, t, pos)
    if not kod.count("-"):  # a year: its counts are its quarters' (not the ongoing at the end)
        for t in scope:
            for nyckel, v in _nyckeltal(w, t, False, kod).items():
                if nyckel in ("samcoach_pagaende", "moten_alla_parter"):
                    continue
                linje = [v.cell, *(c for _, c in v.trend)]
                assert sum(c.dold for c in linje) != 1, (kod, t, nyckel, [c.text for c in linje])
    for pos, forbundets in dolda[None].items():
        if forbundets.typ not in ("antal", "andel"):
            continue  # meetings are not individuals
        linje = [dolda[t][pos] for t in scope]
        dolda_i_linjen = [t for t, c in zip(scope, linje, strict=True) if c.dold]
        # Exactly one hidden: it is the förbund minus the rest (or the sum of the teams).
        assert len(dolda_i_linjen) != 1, (kod, pos, [c.text for c in linje])
        if not dolda_i_linjen:
            # All shown: the teams add up to the förbund (the line the reader knows).
            delar = [grundtal(dolda[t][pos]) for t in teams]
            assert [sum(x) for x in zip(*delar, strict=True)] == grundtal(forbundets), (kod, pos)


def test_a_team_hidden_nyckeltal_is_not_the_forbund_minus_the_other_teams(facit):
    # 2026 Q1: the team has four aktualiseringar, the other team one ("<3"), the förbund
    # five: before, the styrgrupp read 5 − 4 = 1 for the other team.
    forbund = _nyckeltal(facit, None, False, "2026-K1")["aktualiseringar"].cell
    team = _nyckeltal(facit, facit.team, False, "2026-K1")["aktualiseringar"].cell
    annat = _nyckeltal(facit, facit.annat_team, False, "2026-K1")["aktualiseringar"].cell
    assert annat.dold  # "<3", or "–" where the report reads it so (rule 5: the bounds)
    assert team.dold or forbund.dold, (forbund.text, team.text)
    for kod in ("2026-K1", "2025", "2025-K4"):
        _kontrollera(facit, kod)


def test_shares_and_counts_across_teams_with_more_cases(facit):
    # Enough cases that most figures are shown: the other team's closed cases and
    # aktualiseringar in 2025 Q3–Q4, a few small, a few not.
    for i in range(7):
        skapa_arende(facit, kon="kvinna", fodd=1980 + i, part="af", akt=D(2025, 7, 1 + i),
                     samplan=D(2025, 7, 10 + i), avslutad=D(2025, 11, 1 + i) if i < 4 else None,
                     orsak="arbete" if i < 3 else ("studier" if i < 4 else None))
    for i in range(2):
        skapa_arende(facit, kon="man", fodd=1990 + i, part="kommun", akt=D(2025, 8, 1 + i),
                     avslutad=D(2025, 10, 1 + i), orsak="arbete", team=facit.annat_team)
    db.session.commit()
    for kod in ("2025", "2025-K3", "2025-K4", "2026-K1"):
        _kontrollera(facit, kod)


def test_a_year_beside_three_shown_quarters_does_not_give_the_fourth_away(facit):
    # The team in 2024: 5, 5, 5 and 1 aktualiseringar by quarter, 16 in the year; the other
    # team none. 16 − 15 would be the fourth quarter's "<3".
    for kvartal, antal in ((1, 5), (2, 5), (3, 5), (4, 1)):
        for i in range(antal):
            skapa_arende(facit, kon="man", fodd=1980 + i, part="af", akt=D(2024, 3 * kvartal - 2, 2 + i))
    db.session.commit()
    ar = _nyckeltal(facit, facit.team, False, "2024")["aktualiseringar"]
    assert dict(ar.trend)["Kvartal 4 2024"].text == "<3"
    # Another of the line is hidden too: the one the period report hides (the nyckeltal
    # hide as the report does, so the two together give nothing away either).
    assert sum(c.dold for c in [ar.cell, *dict(ar.trend).values()]) >= 2
    for kod in ("2024", "2024-K4"):
        _kontrollera(facit, kod)
