"""Benchmark: a year's period report and nyckeltal over a bulk-seeded database.

Standalone (seeds a fresh database, then times the report):

    .venv/bin/python bench/bench_rapport.py --arenden 100000
    .venv/bin/python bench/bench_rapport.py --arenden 100000 --url postgresql+psycopg://postgres@127.0.0.1/bench

With ``--behall`` a database that already holds the bench's förbund is not seeded again
(seed once, time again after a change). Each figure is the best of N runs, as wall time
and as CPU time (this process's, plus on PostgreSQL the time of its database backend,
read from /proc): on a shared machine the CPU time is the one that holds.

From another harness that seeds its own database, inside an app context:

    from bench.bench_rapport import tid_arsrapport
    resultat = tid_arsrapport(forbund_id, 2026)   # {"rapport_s": …, "rapport_cpu_s": …, "nyckeltal_s": …, …}

The report is computed in the database (GROUP BY), so its number of statements is fixed
and its time grows with the index scans, not with Python work per ärende.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samverkan.core.db import db  # noqa: E402
from samverkan.rapporter import services  # noqa: E402
from samverkan.rapporter.queries import Urval  # noqa: E402


def _backendens_cpu() -> float:
    """CPU seconds (user + system) of the session's PostgreSQL backend so far, read from
    /proc (the server runs on this machine); 0 on SQLite, which runs in this process."""
    if db.session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        falt = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server on another machine: only this process's CPU counts
        return 0.0
    return (int(falt[11]) + int(falt[12])) / os.sysconf("SC_CLK_TCK")


def _tid(fn) -> tuple[float, float]:
    """Wall and CPU seconds (this process and the database backend) of ``fn()``."""
    cpu, backend, start = time.process_time(), _backendens_cpu(), time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu + _backendens_cpu() - backend


def tid_arsrapport(forbund_id: int, ar: int, *, team_id: int | None = None, exakt: bool = False,
                   upprepningar: int = 3) -> dict:
    """Best-of-N wall and CPU time of the year's period report and of the nyckeltal (with
    their four-quarter trend), and the report's number of SQL statements."""
    period = services.helar(ar)
    urval = Urval(forbund_id, team_id, period.fran, period.till)
    fragor: list[str] = []

    def rakna(conn, cursor, statement, *args):
        fragor.append(statement)

    rapport, nyckeltal = [], []
    for i in range(upprepningar):
        _backendens_cpu()  # the session's connection, before the clock starts
        if i == 0:
            event.listen(db.engine, "before_cursor_execute", rakna)
        rapport.append(_tid(lambda: services.period_rapport(urval, exakt=exakt, period=period)))
        if i == 0:
            event.remove(db.engine, "before_cursor_execute", rakna)
        nyckeltal.append(_tid(lambda: services.nyckeltal(services.Behorighet(forbund_id, None, exakt), period)))
        db.session.rollback()  # and the marks kept with it: each round works them out
    # A year seen before: the marks the first look kept are put back (``rapporter.markeringar``).
    services.period_rapport(urval, exakt=exakt, period=period)
    services.nyckeltal(services.Behorighet(forbund_id, None, exakt), period)
    igen = [(_tid(lambda: services.period_rapport(urval, exakt=exakt, period=period)),
             _tid(lambda: services.nyckeltal(services.Behorighet(forbund_id, None, exakt), period)))
            for _ in range(upprepningar)]
    db.session.rollback()
    return {"rapport_s": min(w for w, _ in rapport), "rapport_cpu_s": min(c for _, c in rapport),
            "nyckeltal_s": min(w for w, _ in nyckeltal), "nyckeltal_cpu_s": min(c for _, c in nyckeltal),
            "rapport_igen_cpu_s": min(r[1] for r, _ in igen), "nyckeltal_igen_cpu_s": min(n[1] for _, n in igen),
            "fragor": len(fragor)}


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
    # Planner statistics, as autovacuum would have gathered them on a running system (and
    # does not when it is off, as on this machine's server): without them PostgreSQL
    # guesses a handful of rows per table and the nyckeltal ran for minutes.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return forbund.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arenden", type=int, default=100_000)
    parser.add_argument("--ar", type=int, default=dt.date.today().year)
    parser.add_argument("--url", help="database URL (default: a new SQLite file in a temp folder)")
    parser.add_argument("--behall", action="store_true",
                        help="reuse the bench's förbund if the database already holds it (no new seed)")
    parser.add_argument("--upprepningar", type=int, default=3, help="runs to take the best of")
    parser.add_argument("--exakt", action="store_true", help="time the exact report (no small numbers hidden)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from samverkan import create_app
    from samverkan.core import clock

    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        clock.set_clock(lambda: dt.datetime(args.ar + 1, 1, 15, 9, tzinfo=dt.UTC))
        from samverkan.forbund.models import Forbund

        forbund_id = db.session.execute(db.select(Forbund.id).where(Forbund.kod == "BNK")).scalar() \
            if args.behall else None
        if forbund_id is None:
            start = time.perf_counter()
            forbund_id = seed(args.arenden, args.ar)
            print(f"seedade {args.arenden} ärenden på {time.perf_counter() - start:.1f} s ({url})")
        else:
            print(f"återanvänder förbundet {forbund_id} i {url} (--behall)")
        r = tid_arsrapport(forbund_id, args.ar, exakt=args.exakt, upprepningar=args.upprepningar)
        print(f"årsrapport {args.ar}{' (exakt)' if args.exakt else ''}: {r['rapport_s']:.3f} s "
              f"(CPU {r['rapport_cpu_s']:.3f} s), {r['fragor']} SQL-satser; "
              f"nyckeltal med trend: {r['nyckeltal_s']:.3f} s (CPU {r['nyckeltal_cpu_s']:.3f} s); "
              f"med behållna markeringar: årsrapport CPU {r['rapport_igen_cpu_s']:.3f} s, "
              f"nyckeltal CPU {r['nyckeltal_igen_cpu_s']:.3f} s")


if __name__ == "__main__":
    main()
