"""A deltagare with several ärenden counts once per group. On PostgreSQL the kub's person
counts skip count(DISTINCT) for deltagare with a single ärende (``_personer_per_mangd``):
here, where some deltagare have two ärenden (in one team and in two, in one period and
across two), those counts must equal the count(DISTINCT) statements row for row."""

from __future__ import annotations

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.rapporter import queries, services
from samverkan.rapporter.queries import Kub, Urval
from tests.rapporter.conftest import D, skapa_arende, skapa_insats


def _andra_arende(w, forsta: Arende, team, **kw) -> None:
    """A further ärende for ``forsta``'s deltagare."""
    a = skapa_arende(w, team=team, **kw)
    tom = a.deltagare_id
    a.deltagare_id = forsta.deltagare_id
    db.session.flush()
    db.session.execute(db.text("DELETE FROM deltagare WHERE id = :id"), {"id": tom})


def _mangd(rader: list[dict], nycklar=None) -> list[tuple]:
    return sorted((tuple(sorted((k, v) for k, v in r.items() if nycklar is None or k in nycklar)) for r in rader),
                  key=repr)


def _lika(nya: list[dict], gamla: list[dict]) -> bool:
    """The same rows (PostgreSQL's grouped rows also carry the other groupings' keys, None)."""
    assert gamla
    return _mangd(nya, gamla[0].keys()) == _mangd(gamla)


def test_a_deltagare_with_several_arenden_counts_once_in_every_group(facit):
    w = facit
    ena = skapa_arende(w, kon="kvinna", fodd=1991, part="af", akt=D(2026, 1, 20), avslutad=D(2026, 5, 3),
                       orsak="arbete", fs="forsorjningsstod", fs_slut="lon", ss="ingen", ss_slut="arbete")
    # The same team, quarter and party; another team in the same quarter; a later quarter.
    _andra_arende(w, ena, w.team, kon="kvinna", fodd=1991, part="af", akt=D(2026, 2, 2), avslutad=D(2026, 3, 1),
                  orsak="arbete", fs="forsorjningsstod", fs_slut="lon", ss="ingen", ss_slut="arbete")
    _andra_arende(w, ena, w.annat_team, kon="kvinna", fodd=1991, part="fk", akt=D(2026, 3, 5))
    _andra_arende(w, ena, w.team, kon="kvinna", fodd=1991, part="kommun", akt=D(2026, 8, 9))
    andra = skapa_arende(w, team=w.annat_team, kon="man", fodd=1966, part="region", akt=D(2025, 12, 1),
                         avslutad=D(2026, 6, 30), orsak="studier", fs="sjukpenning", fs_slut="csn")
    _andra_arende(w, andra, w.annat_team, kon="man", fodd=1966, part="region", akt=D(2026, 4, 2))
    assert db.session.execute(db.select(db.func.count()).select_from(Arende)
                              .where(Arende.deltagare_id == ena.deltagare_id)).scalar_one() == 4

    perioder = services.arets_perioder(2026)
    kub = Kub(w.forbund.id, None, [(p.fran, p.till) for p in perioder], per_team=True)
    band = [(18, 29), (30, 64)]

    kon = queries.deltagare_och_flode_per_kon(kub)
    nyckel = ("nr", "team", "kon")
    flode = {tuple(r[k] for k in nyckel): r for r in queries.flode_per_kon(kub)}
    hela = [r | {k: v for k, v in flode[tuple(r[k] for k in nyckel)].items()}
            for r in queries.deltagare_per_kon(kub)]
    assert _lika(kon, hela)
    # Q1, the förbund: four ärenden of hers, one person (and she is new there).
    ettan = [r for r in kon if (r["nr"], r["team"], getattr(r["kon"], "value", r["kon"])) == (1, None, "kvinna")]
    assert len(ettan) == 1 and 1 <= ettan[0]["nya"] <= ettan[0]["antal"]

    # What the nyckeltal read (one statement on PostgreSQL), with an ärende closed in the
    # year but (wrongly) aktualiserat after it: an outcome, not a deltagare of the year.
    skapa_arende(w, kon="man", fodd=1980, part="af", akt=D(2027, 1, 5), avslutad=D(2026, 11, 30), orsak="arbete")
    kon2, utfall2 = queries.kon_och_utfall(kub)
    assert _lika(kon2, hela) and _lika(utfall2, queries.utfall_per_kon(kub))

    utfall, fore = queries.avslut_per_kon(kub)
    assert _lika(utfall, queries.utfall_per_kon(kub)) and _lika(fore, queries.fore_efter(kub))

    alder, egna, part = queries.deltagare_per_alder_och_part(kub, band)
    assert _lika(alder, queries.deltagare_per_alder(kub))
    assert _lika(egna, queries.deltagare_per_alder(kub, band))
    assert _lika(part, queries.deltagare_per_part(kub))


def test_the_insats_tables_in_one_statement_count_as_their_own(facit):
    """``insatser_per_kon`` (one statement on PostgreSQL) against the four tables' own
    count(DISTINCT) statements, for deltagare with several insatser of several forms (in
    one ärende and in two) or only the parties' ordinary one, a queue, a start after the period, a beslut dated after the
    start, an insats ended before the year and one ended in it."""
    w = facit
    ena = skapa_arende(w, kon="kvinna", fodd=1991, part="af", akt=D(2025, 11, 20))
    skapa_insats(ena, "samcoach", beslutad=D(2026, 1, 5), startad=D(2026, 2, 1), avslutad=D(2026, 8, 30), ko=True)
    skapa_insats(ena, "insats", typ="rehabilitering", beslutad=D(2026, 2, 10), startad=D(2026, 2, 15),
                 avslutad=D(2026, 5, 2))
    skapa_insats(ena, "ordinarie", beslutad=D(2026, 4, 1), startad=D(2026, 4, 3))
    skapa_insats(ena, "insats", typ="lonebidrag", beslutad=D(2026, 7, 20), startad=D(2026, 7, 1))
    _andra_arende(w, ena, w.annat_team, kon="kvinna", fodd=1991, part="fk", akt=D(2026, 3, 5))
    andra = db.session.execute(db.select(Arende).where(Arende.deltagare_id == ena.deltagare_id,
                                                       Arende.id != ena.id)).scalar_one()
    skapa_insats(andra, "samcoach", beslutad=D(2026, 3, 10), ko=True)
    skapa_insats(andra, "insats", typ="rehabilitering", beslutad=D(2025, 3, 1), startad=D(2025, 3, 2),
                 avslutad=D(2025, 10, 1))
    en = skapa_arende(w, kon="man", fodd=1970, part="region", akt=D(2026, 5, 1))
    skapa_insats(en, "samcoach", beslutad=D(2026, 5, 3), startad=D(2027, 1, 10), ko=True)
    bara_ordinarie = skapa_arende(w, kon="kvinna", fodd=1980, part="kommun", akt=D(2026, 6, 1))
    skapa_insats(bara_ordinarie, "ordinarie", beslutad=D(2026, 6, 2), startad=D(2026, 6, 3), avslutad=D(2026, 9, 9))

    perioder = services.arets_perioder(2026)
    # The year's kub per team, and one period alone (the exact report).
    for kub in (Kub(w.forbund.id, None, [(p.fran, p.till) for p in perioder], per_team=True),
                Kub(w.forbund.id, None, [(perioder[2].fran, perioder[2].till)])):
        rader = queries.insatser_per_kon(kub)
        assert _lika(rader["samcoach"], queries.samcoach_per_kon(kub))
        assert _lika(rader["insatstyp"], queries.insatstyp_per_kon(kub))
        assert _lika(rader["insats_part"], queries.insats_per_part(kub))
        assert _lika(rader["tid_i_insats"], queries.tid_i_insats_per_band(kub))


def test_the_kub_tables_read_together_are_their_own_statements(facit):
    """``kubens_tabeller`` (on PostgreSQL two statements: the ärenden and the insatser each
    joined once for three tables, ``queries._samla``) gives every table's rows as its own
    statement does, for the insatser above and a deltagare with two ärenden in two teams
    with steps in the year, and an ärende closed in the year but aktualiserat after it."""
    test_the_insats_tables_in_one_statement_count_as_their_own(facit)
    w = facit
    ena = skapa_arende(w, kon="kvinna", fodd=1985, part="af", akt=D(2026, 1, 20), samplan=D(2026, 2, 1),
                       avslutad=D(2026, 5, 3), orsak="arbete", fs="forsorjningsstod", fs_slut="lon")
    _andra_arende(w, ena, w.annat_team, kon="kvinna", fodd=1985, part="fk", akt=D(2026, 3, 5), samplan=D(2026, 3, 20))
    skapa_arende(w, kon="man", fodd=1980, part="af", akt=D(2027, 1, 5), avslutad=D(2026, 11, 30), orsak="arbete")

    perioder = [(p.fran, p.till) for p in services.arets_perioder(2026)]
    kub = Kub(w.forbund.id, None, perioder, per_team=True)
    band = [(18, 29), (30, 64)]
    dagar = sorted({d for f, t in perioder for d in queries.manadsslut(Urval(w.forbund.id, None, f, t))})
    samlat = queries.kubens_tabeller(kub, band, dagar)
    utfall, fore = queries.avslut_per_kon(kub)
    tider, i_insats = queries.tider_per_kon(kub)
    egna = {**queries.deltagare_i_perioden(kub, band), "utfall": utfall, "fore_efter": fore, "tider": tider,
            "i_insats": i_insats, **queries.insatser_per_kon(kub), "pagaende": queries.pagaende_samcoach(kub, dagar)}
    assert samlat.keys() == egna.keys() and all(egna[n] for n in egna if n != "alder_forbund")
    for namn, rader in egna.items():
        assert _mangd(samlat[namn]) == _mangd(rader), namn
