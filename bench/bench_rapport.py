"""Benchmark: a year's period report and nyckeltal over a bulk-seeded database.

Standalone (seeds a fresh database, then times the report):

    .venv/bin/python bench/bench_rapport.py --arenden 100000
    .venv/bin/python bench/bench_rapport.py --arenden 100000 --url postgresql+psycopg://postgres@127.0.0.1/bench

From another harness that seeds its own database, inside an app context:

    from bench.bench_rapport import tid_arsrapport
    resultat = tid_arsrapport(forbund_id, 2026)   # {"rapport_s": …, "nyckeltal_s": …, "fragor": …}

The report is computed in the database (GROUP BY), so its number of statements is fixed
and its time grows with the index scans, not with Python work per ärende.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samverkan.core.db import db  # noqa: E402
from samverkan.rapporter import services  # noqa: E402
from samverkan.rapporter.queries import Urval  # noqa: E402


def tid_arsrapport(forbund_id: int, ar: int, *, team_id: int | None = None, exakt: bool = False,
                   upprepningar: int = 3) -> dict:
    """Best-of-N wall time of the year's period report and of the nyckeltal (with their
    four-quarter trend), and the report's number of SQL statements."""
    period = services.helar(ar)
    urval = Urval(forbund_id, team_id, period.fran, period.till)
    fragor: list[str] = []

    def rakna(conn, cursor, statement, *args):
        fragor.append(statement)

    rapport_tider, nyckeltal_tider = [], []
    for i in range(upprepningar):
        if i == 0:
            event.listen(db.engine, "before_cursor_execute", rakna)
        start = time.perf_counter()
        services.period_rapport(urval, exakt=exakt, period=period)
        rapport_tider.append(time.perf_counter() - start)
        if i == 0:
            event.remove(db.engine, "before_cursor_execute", rakna)
        start = time.perf_counter()
        services.nyckeltal(services.Behorighet(forbund_id, None, exakt), period)
        nyckeltal_tider.append(time.perf_counter() - start)
        db.session.rollback()
    return {"rapport_s": min(rapport_tider), "nyckeltal_s": min(nyckeltal_tider), "fragor": len(fragor)}


def seed(antal: int, ar: int, *, seed_: int = 1) -> int:
    """Bulk-insert ``antal`` fictional ärenden over ``ar`` and the year before, with insatser
    and meetings; returns the förbund's id. Rows go in with executemany, not the services:
    this measures reading, not writing."""
    from samverkan.arenden.models import Arende
    from samverkan.auth.models import User
    from samverkan.deltagare.models import Deltagare, Kon
    from samverkan.forbund.models import Forbund, Part, PartTyp, Team
    from samverkan.forbund.standardlistor import skapa_standardlistor
    from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus, Insatstyp
    from samverkan.moten.models import Mote, Narvaro, NarvaroStatus

    rng = random.Random(seed_)  # noqa: S311  (fictional bench data)
    ALDRIG = dt.datetime(ar - 1, 1, 1, tzinfo=dt.UTC)  # noqa: N806
    forbund = Forbund(namn="Samordningsförbundet Bänkbygd", kod="BNK")
    db.session.add(forbund)
    skapa_standardlistor(forbund)
    parter = [Part(forbund_id=forbund.id, typ=t, namn=f"{t.label} Bänkbygd") for t in PartTyp]
    teams = [Team(forbund_id=forbund.id, namn=f"Trisam Bänk {i}", parter=parter) for i in range(1, 6)]
    db.session.add_all([*parter, *teams])
    db.session.flush()
    user = User(forbund_id=forbund.id, epost="bank@example.org", namn="Bänk Användare", losenord_hash="x")
    db.session.add(user)
    db.session.flush()
    typer = [t.id for t in db.session.execute(db.select(Insatstyp).where(Insatstyp.forbund_id == forbund.id)).scalars()]
    start = dt.date(ar - 1, 1, 1)
    for bit in range(0, antal, 5000):
        n = min(5000, antal - bit)
        deltagare = [{"forbund_id": forbund.id, "anonym_kod": f"BNK-{bit + i}", "kon": rng.choice(list(Kon)),
                      "fodelsear": rng.randrange(1960, 2006), "samordningsnummer": False,
                      "skapad": ALDRIG} for i in range(n)]
        db.session.execute(insert(Deltagare.__table__), deltagare)
        forsta = db.session.execute(db.select(Deltagare.id).where(Deltagare.anonym_kod == f"BNK-{bit}")).scalar_one()
        arenden = []
        for i in range(n):
            akt = start + dt.timedelta(days=rng.randrange(0, 700))
            slut = akt + dt.timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.5 else None
            arenden.append({
                "forbund_id": forbund.id, "team_id": rng.choice(teams).id, "deltagare_id": forsta + i,
                "referens": f"BNK-{bit + i:07d}", "aktualiserande_part_id": rng.choice(parter).id,
                "handlaggare_id": user.id, "fragestallning": "", "status": "avslutad" if slut else "i_insats",
                "version": 1, "aktualiserad_den": akt, "forsta_samplanering": akt + dt.timedelta(days=rng.randrange(10, 60)),
                "avslutad_den": slut, "avslutsorsak": rng.choice(["arbete", "studier", "sjukdom", "annan"]) if slut else None,
                "forsorjning_start": rng.choice(["forsorjningsstod", "sjukpenning", "a_kassa"]),
                "forsorjning_slut": rng.choice(["lon", "csn", "sjukpenning"]) if slut else None,
                "sysselsattning_start": "ingen", "sysselsattning_slut": "arbete" if slut else None,
                "skapad": ALDRIG, "andrad": ALDRIG})
        db.session.execute(insert(Arende.__table__), arenden)
        forsta_a = db.session.execute(db.select(Arende.id).where(Arende.referens == f"BNK-{bit:07d}")).scalar_one()
        insatser = []
        for i, a in enumerate(arenden):
            if rng.random() < 0.6:
                samcoach = rng.random() < 0.4
                beslutad = a["forsta_samplanering"] + dt.timedelta(days=rng.randrange(1, 20))
                insatser.append({"arende_id": forsta_a + i, "team_id": a["team_id"],
                                 "form": InsatsForm.SAMCOACH if samcoach else InsatsForm.INSATS,
                                 "insatstyp_id": None if samcoach else rng.choice(typer), "status": InsatsStatus.AKTIV,
                                 "beslutad": beslutad, "startad": beslutad + dt.timedelta(days=5),
                                 "avslutad": a["avslutad_den"], "skapad": ALDRIG})
        if insatser:
            db.session.execute(insert(Insats.__table__), insatser)
    for team in teams:
        for manad in range(1, 13):
            mote = Mote(team_id=team.id, starttid=dt.datetime(ar, manad, 10, 12, tzinfo=dt.UTC))
            db.session.add(mote)
            db.session.flush()
            db.session.execute(insert(Narvaro.__table__), [
                {"mote_id": mote.id, "part_id": p.id, "status": rng.choice([NarvaroStatus.NARVARANDE] * 5 + [NarvaroStatus.FRANVARANDE]),
                 "registrerad_av_id": user.id, "registrerad": dt.datetime(ar, manad, 10, 14, tzinfo=dt.UTC)} for p in parter])
    db.session.commit()
    return forbund.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arenden", type=int, default=100_000)
    parser.add_argument("--ar", type=int, default=dt.date.today().year)
    parser.add_argument("--url", help="database URL (default: a new SQLite file in a temp folder)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from samverkan import create_app
    from samverkan.core import clock

    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        clock.set_clock(lambda: dt.datetime(args.ar + 1, 1, 15, 9, tzinfo=dt.UTC))
        start = time.perf_counter()
        forbund_id = seed(args.arenden, args.ar)
        print(f"seedade {args.arenden} ärenden på {time.perf_counter() - start:.1f} s ({url})")
        resultat = tid_arsrapport(forbund_id, args.ar)
        print(f"årsrapport {args.ar}: {resultat['rapport_s']:.3f} s, {resultat['fragor']} SQL-satser; "
              f"nyckeltal med trend: {resultat['nyckeltal_s']:.3f} s")


if __name__ == "__main__":
    main()
