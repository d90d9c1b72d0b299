"""A small förbund whose report for 2026 Q1 is known by hand count (see FACIT in
test_period.py). Rows are created directly: the report reads tables, not services."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools

import pytest
from hypothesis import strategies as st

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare, Kon
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus, Insatstyp
from samverkan.moten.models import Mote, MotesTyp, Narvaro, NarvaroStatus
from samverkan.rapporter import services
from samverkan.samplanering.models import Atgard
from tests import factories

D = dt.date

ORSAKER = ["arbete", "studier", "fortsatt_rehabilitering", "sjukdom", "eget_onskemal"]
# A person of the report property tests: kön, birth year, party, day of 2025 aktualiserad,
# days until avslut (or none), avslutsorsak. A test adds its own fields after these.
PERSONENS_FALT = (
    st.sampled_from(["kvinna", "man", "annat"]),
    st.integers(1956, 2006),
    st.sampled_from(["af", "fk", "kommun", "region"]),
    st.integers(0, 364),
    st.one_of(st.none(), st.integers(1, 300)),
    st.sampled_from(ORSAKER),
)
_nr = itertools.count(1)


def utc(datum: dt.date, timme: int = 10) -> dt.datetime:
    return dt.datetime.combine(datum, dt.time(timme), tzinfo=dt.UTC)


def skapa_arende(w, *, kon: str, fodd: int, part: str, akt: dt.date | None, team=None, status="i_insats",
                 samplan: dt.date | None = None, avslutad: dt.date | None = None, orsak: str | None = None,
                 fs: str | None = None, fs_slut: str | None = None, ss: str | None = None,
                 ss_slut: str | None = None) -> Arende:
    nr = next(_nr)
    # A birthday of its own in the year (a fixed day made two of the same year collide one
    # time in a few hundred: the personnummer is unique per förbund).
    deltagare = Deltagare(forbund_id=w.forbund.id,
                          personnummer=factories.personnummer(D(fodd, 1 + nr % 12, 1 + nr // 12 % 28)),
                          kon=Kon(kon), fodelsear=fodd)
    db.session.add(deltagare)
    db.session.flush()
    arende = Arende(forbund_id=w.forbund.id, team_id=(team or w.team).id, deltagare_id=deltagare.id,
                    referens=f"TST-2026-{nr:03d}", aktualiserande_part_id=w.parter[part].id,
                    handlaggare_id=w.users["ledamot_af"].id, status="avslutad" if avslutad else status,
                    aktualiserad_den=akt, forsta_samplanering=samplan, avslutad_den=avslutad,
                    avslutsorsak=orsak, forsorjning_start=fs, forsorjning_slut=fs_slut,
                    sysselsattning_start=ss, sysselsattning_slut=ss_slut)
    db.session.add(arende)
    db.session.flush()
    return arende


def skapa_insats(arende: Arende, form: str, *, typ: str | None = None, beslutad: dt.date,
                 startad: dt.date | None = None, avslutad: dt.date | None = None, ko: bool = False) -> Insats:
    insatstyp_id = None
    if typ:
        insatstyp_id = db.session.execute(
            db.select(Insatstyp.id).where(Insatstyp.forbund_id == arende.forbund_id, Insatstyp.kod == typ)
        ).scalar_one()
    status = InsatsStatus.AVSLUTAD if avslutad else InsatsStatus.AKTIV if startad else InsatsStatus.KO
    insats = Insats(arende_id=arende.id, team_id=arende.team_id, form=InsatsForm(form), insatstyp_id=insatstyp_id,
                    status=status, beslutad=beslutad, startad=startad, avslutad=avslutad,
                    i_ko_sedan=utc(beslutad) if ko else None)
    db.session.add(insats)
    db.session.flush()
    return insats


def skapa_mote(w, team, datum: dt.date, narvaro: dict[str, str], *, installt=False,
               typ=MotesTyp.ARENDEDRAGNING) -> Mote:
    mote = Mote(team_id=team.id, starttid=utc(datum, 12), typ=typ, installt=utc(datum, 8) if installt else None)
    db.session.add(mote)
    db.session.flush()
    for part, status in narvaro.items():
        db.session.add(Narvaro(mote_id=mote.id, part_id=w.parter[part].id, status=NarvaroStatus(status),
                               registrerad_av_id=w.users["projektledare"].id))
    db.session.flush()
    return mote


def atgard(w, arende: Arende, skapad: dt.datetime) -> None:
    db.session.add(Atgard(arende_id=arende.id, beskrivning="Kartläggning", part_id=w.parter["af"].id,
                          ansvarig="Handläggare", klar_senast=skapad.date() + dt.timedelta(days=30),
                          skapad_av_id=w.users["projektledare"].id, skapad=skapad))
    db.session.flush()


ALLA = {"af": "narvarande", "fk": "narvarande", "kommun": "genom_ersattare", "region": "per_telefon"}


@pytest.fixture
def facit(world):
    """The known world; its 2026 Q1 numbers are written out in test_period.FACIT."""
    clock.set_clock(lambda: dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))
    w = world
    a1 = skapa_arende(w, kon="kvinna", fodd=1990, part="af", akt=D(2025, 11, 10), samplan=D(2025, 12, 1),
                      fs="forsorjningsstod", ss="ingen")
    skapa_insats(a1, "samcoach", beslutad=D(2025, 12, 5), startad=D(2025, 12, 10))
    a2 = skapa_arende(w, kon="kvinna", fodd=1985, part="fk", akt=D(2026, 1, 15), samplan=D(2026, 2, 4),
                      avslutad=D(2026, 3, 20), orsak="fortsatt_rehabilitering", fs="sjukpenning",
                      fs_slut="rehabiliteringspenning", ss="ingen", ss_slut="arbetstraning")
    skapa_insats(a2, "insats", typ="rehabilitering", beslutad=D(2026, 2, 10), startad=D(2026, 2, 15),
                 avslutad=D(2026, 3, 20))
    atgard(w, a2, utc(D(2026, 2, 4)))
    a3 = skapa_arende(w, kon="man", fodd=2000, part="kommun", akt=D(2026, 2, 1), samplan=D(2026, 2, 21),
                      avslutad=D(2026, 3, 31), orsak="arbete", fs="forsorjningsstod", fs_slut="lonebidrag",
                      ss="ami", ss_slut="arbete")
    skapa_insats(a3, "insats", typ="lonebidrag", beslutad=D(2026, 3, 3), startad=D(2026, 3, 5),
                 avslutad=D(2026, 3, 31))
    atgard(w, a3, utc(D(2026, 5, 1)))
    a4 = skapa_arende(w, kon="man", fodd=1970, part="region", akt=D(2026, 3, 10), status="i_ko")
    skapa_insats(a4, "samcoach", beslutad=D(2026, 3, 15), ko=True)
    a5 = skapa_arende(w, kon="annat", fodd=1998, part="af", akt=D(2026, 1, 5), samplan=D(2026, 1, 25),
                      avslutad=D(2026, 3, 30), orsak="studier", fs="aktivitetsstod", fs_slut="csn",
                      ss="af_program", ss_slut="studier")
    skapa_insats(a5, "samcoach", beslutad=D(2026, 1, 26), startad=D(2026, 2, 1), avslutad=D(2026, 3, 30))
    atgard(w, a5, utc(D(2026, 1, 25)))
    # Outside the period, felregistrerad, a draft: none of them counts.
    skapa_arende(w, kon="kvinna", fodd=1960, part="af", akt=D(2025, 6, 1), avslutad=D(2025, 12, 15), orsak="arbete")
    skapa_arende(w, kon="kvinna", fodd=1995, part="af", akt=D(2026, 4, 10))
    skapa_arende(w, kon="man", fodd=1980, part="af", akt=D(2026, 1, 10), avslutad=D(2026, 1, 12),
                 orsak="felregistrering")
    skapa_arende(w, kon="kvinna", fodd=1994, part="af", akt=None, status="utkast")
    # The other team: counts for the förbund, not for the team.
    skapa_arende(w, kon="kvinna", fodd=1992, part="kommun", akt=D(2026, 2, 2), team=w.annat_team)

    skapa_mote(w, w.team, D(2026, 1, 20), ALLA)
    skapa_mote(w, w.team, D(2026, 2, 17), {**ALLA, "fk": "franvarande"})
    skapa_mote(w, w.team, D(2026, 3, 17), ALLA, installt=True)
    skapa_mote(w, w.team, D(2026, 3, 3), ALLA, typ=MotesTyp.PLANERING)
    skapa_mote(w, w.annat_team, D(2026, 2, 10), ALLA)
    db.session.commit()
    return w


def grundtal(c) -> list[int]:
    """The whole numbers a shown cell rests on: a count itself, a share's or mean's
    numerator and denominator (what a reader could difference)."""
    if c.typ == "antal":
        return [int(c.varde or 0)]
    if c.typ in ("andel", "medel"):
        return [int(c.n or 0), int(c.namnare or 0)]
    return []


@contextlib.contextmanager
def en_kub_per_ar():
    """``period_rapport`` cuts each report with hidden figures from its year's kub, which
    it builds again on every call. Nothing changes between the calls of one example, so
    the kub is built once per year (the same function on the same rows: the same reports;
    test_differens checks that a fresh call gives the kub's). Five of the six periods are
    in 2025 in test_undertryckning: this saves four kubs of six, most of the example's
    time; in test_nyckeltal_differens each of nine answers builds the one kub of 2025."""
    bygg = services.arets_kub
    services.arets_kub = functools.cache(bygg)
    try:
        yield
    finally:
        services.arets_kub = bygg
