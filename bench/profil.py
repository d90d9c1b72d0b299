"""CPU per request, in-process: ``python -m bench.profil --pg-databas samverkan_bench_x_100000``.

The app's own CPU time for one request at a time, without gunicorn, wrk or the machine's
other load in the figure: the app is built as the bench serves it (no debug, no testing),
logged in through its login form as the bench's users, and each page is asked
``--antal`` times after ``--uppvarmning`` warm-up requests through Flask's test client,
in ``--omgangar`` rounds; ``time.process_time`` before and after gives CPU ms per request
(the least round's) (this process only: the
database server's own CPU is not in it, see ``bench/cpu.py`` for that), and the second of
two identical requests gives the statements. The floor (``bench.golv``, a one-line Flask
view) is measured the same way, so the test client's own cost is visible beside it.

``--profil NAMN`` runs the pages whose name holds NAMN under cProfile with a CPU clock
and prints where the time goes: per package (SQLAlchemy, psycopg, Jinja …) and the
functions that cost most themselves. Nothing is written to the database but the login
audit rows and one API token, as ``bench.server.forbered`` makes.

The database is one the bench seeded and kept (``python -m bench … --behall``, or
``bench.server.forbered``); ``--url`` takes any SQLAlchemy URL instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from collections import defaultdict

from sqlalchemy import event

from bench import golv, server
from bench import seed as seeding
from bench.endpoints import ENDPOINTS, Endpoint
from samverkan import create_app
from samverkan.core import krypto
from samverkan.core.db import db

# The pages of issue 19's point 2, and the health check (the app's cheapest answer).
STANDARD = ("Hälsokontroll", "Inloggad, tom (omdirigering från /)", "Ärendelista", "Ärendesida",
            "Agendabyggaren (mötessida, projektledare)", "API: ärendelista")

# Packages the profile groups by: the first match of the file's path.
PAKET = (("sqlalchemy", "sqlalchemy"), ("psycopg", "psycopg"), ("jinja2", "jinja"), ("markupsafe", "jinja"),
         ("/templates/", "jinja (mallarna)"), ("<template>", "jinja (mallarna)"), ("wtforms", "wtforms"),
         ("flask_wtf", "wtforms"), ("flask_login", "flask"), ("flask_sqlalchemy", "flask"),
         ("/flask/", "flask"), ("werkzeug", "werkzeug"), ("itsdangerous", "flask"),
         ("/samverkan/", "samverkan"), ("/workflows/", "samverkan"), ("transitions", "transitions"),
         ("sqlite3", "sqlite"), ("/json/", "json"), ("/bench/", "bench"))


def app_och_klienter(url: str, parametrar_token: tuple[dict, str] | None = None):
    """The app as gunicorn serves it in the bench, and a logged-in test client per user."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": server.SECRET_KEY,
                      "TVAFAKTOR_KRAVS": False, "SESSION_COOKIE_SECURE": False, "LOGIN_THROTTLE_PER_IP": 100000,
                      **krypto.lokal_konfiguration()})
    klienter = {}
    for vem, adress in (("pl", seeding.Resultat.bench_epost), ("ledamot", seeding.Resultat.ledamot_epost),
                        ("admin", "admin1@example.org")):
        klient = app.test_client()
        html = klient.get("/logga-in").get_data(as_text=True)
        csrf = html.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        svar = klient.post("/logga-in", data={"csrf_token": csrf, "epost": adress, "losenord": seeding.PASSWORD})
        if svar.status_code != 303:
            raise SystemExit(f"inloggningen som {adress} misslyckades ({svar.status_code})")
        klienter[vem] = klient
    klienter["ingen"] = klienter["token"] = app.test_client()
    return app, klienter


def _anrop(klient, path: str, headers: dict):
    def ett():
        svar = klient.get(path, headers=headers)
        if svar.status_code not in (200, 303):
            raise SystemExit(f"{path} svarade {svar.status_code}")
        svar.close()
    return ett


def cpu_ms(ett, antal: int, uppvarmning: int, omgangar: int = 1) -> float:
    """CPU ms per request: the least of ``omgangar`` rounds of ``antal`` requests. Other
    work on the machine only ever adds (shared caches, a slower clock), so the least
    round is the one nearest the request's own cost."""
    for _ in range(uppvarmning):
        ett()
    basta = float("inf")
    for _ in range(omgangar):
        gc.collect()
        start = time.process_time()
        for _ in range(antal):
            ett()
        basta = min(basta, 1000 * (time.process_time() - start) / antal)
    return basta


def satser(app, ett) -> int:
    rakna: list[str] = []
    with app.app_context():
        motor = db.engine

    def lyssna(conn, cursor, statement, *args):
        rakna.append(statement)

    ett()
    event.listen(motor, "before_cursor_execute", lyssna)
    try:
        ett()
    finally:
        event.remove(motor, "before_cursor_execute", lyssna)
    return len(rakna)


def funktionsanrop(ett, antal: int = 20) -> int:
    """Python function calls per request, counted by cProfile: unlike CPU time the same
    on a busy machine as on an idle one, so a change's effect shows through the noise."""
    for _ in range(5):
        ett()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(antal):
        ett()
    profiler.disable()
    return round(sum(nc for (_cc, nc, _tt, _ct, _c) in pstats.Stats(profiler).stats.values()) / antal)


def profil(ett, antal: int, topp: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    for _ in range(10):
        ett()
    profiler.enable()
    for _ in range(antal):
        ett()
    profiler.disable()
    stats = pstats.Stats(profiler)
    per_paket: dict[str, float] = defaultdict(float)
    totalt = 0.0
    for (fil, _rad, _namn), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        grupp = next((g for monster, g in PAKET if monster in fil), "python (övrigt)")
        per_paket[grupp] += tt
        totalt += tt
    print(f"   totalt {1000 * totalt / antal:.2f} ms/anrop under cProfile")
    for grupp, tt in sorted(per_paket.items(), key=lambda p: -p[1]):
        print(f"   {grupp:<20} {100 * tt / totalt:5.1f} %  {1000 * tt / antal:6.2f} ms")
    stats.sort_stats("tottime").print_stats(topp)
    stats.sort_stats("cumulative").print_stats(topp)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.profil", description=__doc__.splitlines()[0])
    kalla = parser.add_mutually_exclusive_group(required=True)
    kalla.add_argument("--pg-databas", help="en seedad PostgreSQL-databas på SAMVERKAN_BENCH_POSTGRES_URL")
    kalla.add_argument("--url", help="SQLAlchemy-URL till en seedad databas")
    parser.add_argument("--antal", type=int, default=200, help="anrop per sida")
    parser.add_argument("--uppvarmning", type=int, default=20)
    parser.add_argument("--omgangar", type=int, default=3, help="mätomgångar per sida; den minsta räknas")
    parser.add_argument("--alla", action="store_true", help="alla endpoints i bench/endpoints.py")
    parser.add_argument("--profil", metavar="NAMN", help="kör sidorna vars namn innehåller NAMN under cProfile")
    parser.add_argument("--topp", type=int, default=30, help="funktioner i profilens listor")
    parser.add_argument("--funktionsanrop", action="store_true",
                        help="räkna också Python-funktionsanrop per anrop (samma på en belastad maskin)")
    args = parser.parse_args()
    url = args.url or server.pg_url(args.pg_databas)
    forberett = server.forbered(url, 0, seeda=False)
    app, klienter = app_och_klienter(url)
    endpoints: list[Endpoint] = [e for e in ENDPOINTS if args.alla or e.namn in STANDARD]
    if args.profil:
        endpoints = [e for e in endpoints if args.profil.lower() in e.namn.lower()]

    golvklient = golv.app.test_client()
    golvanrop = _anrop(golvklient, "/", {})
    rader = [("Golv (en rad Flask, testklient)", cpu_ms(golvanrop, args.antal, args.uppvarmning, args.omgangar), 0,
              funktionsanrop(golvanrop) if args.funktionsanrop else None)]
    for ep in endpoints:
        path = ep.sokvag.format(**forberett.parametrar)
        headers = {"Authorization": f"Bearer {forberett.token}"} if ep.vem == "token" else {}
        ett = _anrop(klienter[ep.vem], path, headers)
        if args.profil:
            print(f"== {ep.namn} ({path})")
            profil(ett, args.antal, args.topp)
            continue
        rader.append((ep.namn, cpu_ms(ett, args.antal, args.uppvarmning, args.omgangar), satser(app, ett),
                      funktionsanrop(ett) if args.funktionsanrop else None))
    if args.profil:
        return
    print(f"{args.antal} anrop per sida efter {args.uppvarmning} till uppvärmning, minsta av {args.omgangar} "
          "omgångar, "
          f"{forberett.parametrar['antal_arenden']} ärenden ({url.rsplit('/', 1)[-1]}), en i taget, i processen")
    extra = " funktionsanrop/anrop |" if args.funktionsanrop else ""
    print("| endpoint | CPU ms/anrop | satser/anrop |" + extra)
    print("|---|---:|---:|" + ("---:|" if extra else ""))
    for namn, ms, n, f in rader:
        print(f"| {namn} | {ms:.2f} | {n} |" + (f" {f} |" if extra else ""))
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
