"""``python -m bench`` (or ``bench/run``): seed, serve, load, and write the table.

For each database and size: a fresh database built by the migrations and seeded with N
fictional ärenden, the app under gunicorn on 127.0.0.1 and beside it the floor (a
one-line Flask app, ``bench.golv``, same gunicorn configuration). Each endpoint of
``bench.endpoints`` is loaded with wrk for a bounded time right after a run of the floor,
then the transition endpoint with fresh ärenden. Per row: req/s, p50, p99, CPU ms per
request of the workers and (PostgreSQL) the database backends, statements per request
(counted in-process), the floor's figures and the page's throughput as a share of the
floor's. The Markdown table goes to stdout and to ``--ut``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from bench import cpu, load, server
from bench.endpoints import ENDPOINTS, MOTESRUMMETS_SIDOR, OVERGANG, Endpoint


def maskin() -> str:
    """CPU model, cores and RAM from /proc, and the software measured."""
    cpu = "okänd processor"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return (f"{cpu}, {os.cpu_count()} kärnor, {kb / 1024 / 1024:.0f} GB RAM; "
            f"Linux {platform.release()}, Python {platform.python_version()}")


def _rubriker(ep: Endpoint, cookies: dict[str, str], token: str) -> dict[str, str]:
    if ep.vem == "ingen":
        return {}
    if ep.vem == "token":
        return {"Authorization": f"Bearer {token}"}
    return {"Cookie": cookies[ep.vem]}


@dataclass
class Rad:
    """One endpoint's run and the floor's run just before it."""

    ep: Endpoint
    sida: load.Matning
    sida_cpu_ms: float
    golv: load.Matning
    golv_cpu_ms: float
    satser: int | None


def _matt(wrk: str, server_: server.Server, url: str, headers: dict[str, str], args, pg_namn: str | None,
          **kw) -> tuple[load.Matning, float]:
    """One wrk run; its measurement and the CPU ms per request of workers and backends."""
    with cpu.Matare(server_.pid, server.PG_ADMIN_URL if pg_namn else None, pg_namn) as m:
        matning = load.kor(wrk, url, headers=headers, sekunder=args.sekunder,
                           anslutningar=kw.pop("anslutningar", args.anslutningar), tradar=args.tradar, **kw)
    return matning, 1000 * m.sekunder / max(matning.anrop, 1)


def en_korning(backend: str, n: int, args, workdir: Path) -> tuple[list[str], str]:
    """Rows of the table for one database and size, and a line on the seeding."""
    wrk = load.sakra_wrk()
    pg_namn = f"{args.pg_databas}_{n}" if backend == "postgresql" else None
    rader: list[Rad] = []
    logg = workdir / "gunicorn.log"
    aterbruk = backend == "postgresql" and args.behall and server.seedad(pg_namn)
    with server.databas(backend, n, workdir, pg_namn or "", behall=args.behall) as url:
        print(f"== {backend}, {n} ärenden: {'seedad förut, migreras' if aterbruk else 'seedar'} …", flush=True)
        forberett = server.forbered(url, n, seeda=not aterbruk)
        res = forberett.resultat
        organisation = f"{res.plan.forbund} förbund, {res.plan.forbund * res.plan.teams_per_forbund} team"
        seedning = (f"{backend}, {_tal(n)} ärenden: databasen {pg_namn} seedad förut (--behall; {organisation})"
                    if aterbruk else f"{backend}, {_tal(n)} ärenden: seedning {res.sekunder:.0f} s "
                    f"({_tal(sum(res.rader.values()))} rader; {organisation})")
        print(seedning, flush=True)
        epost = {"pl": res.bench_epost, "ledamot": res.ledamot_epost, "admin": "admin1@example.org"}
        if not args.bara_motesrummet:
            forsta: list[float] = []
            rader += _sidorna(wrk, url, args, logg, backend, n, pg_namn, forberett, epost, forsta)
            if forsta:
                seedning += (f"; periodrapportens första anrop för året (markeringarna räknas fram): "
                             f"{forsta[0]:.2f} s CPU")
        # The meeting room first, while the inbox holds only the seed's ärenden and the
        # writers' few: fresh ärenden wait in team 1's inbox, which the agenda builder lists
        # whole. Fresh ärenden are made with the app stopped (nothing else writes while
        # their ids are reserved), and those a run leaves untouched are put away after it.
        if args.lasare:
            # Enough for the writers' pace and a second spare (with --skrivtakt-ms 0, the old
            # burst: ten a second each, which they use up early).
            takt = args.skrivtakt_ms or 100
            par = server.nya_arenden_for_overgang(url, args.skrivare * (args.sekunder + 1) * 1000 // takt)
            with server.golv(args.workers, logg, args.golvport) as golv, \
                    server.gunicorn(url, args.workers, logg, args.port) as app:
                cookie = {"Cookie": server.logga_in(app.base, epost["pl"])}
                token = _rubriker(OVERGANG, {}, forberett.token)
                rader += _motesrummet(wrk, golv, app, args, pg_namn, forberett, cookie, token, par)
                for r in rader[-2:]:
                    print("  ", _rad(backend, n, r), flush=True)
            server.lagg_undan(url, par)
        if not args.bara_motesrummet:
            rader.append(_overgangsraden(wrk, url, args, logg, backend, n, pg_namn, forberett))
    return [_rad(backend, n, r) for r in rader], seedning


def _sidorna(wrk: str, url: str, args, logg: Path, backend: str, n: int, pg_namn: str | None,
             forberett: server.Forberett, epost: dict[str, str], forsta_rapporten: list[float]) -> list[Rad]:
    """Each endpoint of ``ENDPOINTS`` loaded alone, right after a run of the floor; and the
    CPU seconds of the period report's first request, its marks worked out (appended to
    ``forsta_rapporten``)."""
    rader: list[Rad] = []
    satser = server.satser_per_anrop(url, forberett, ENDPOINTS, epost)
    with server.golv(args.workers, logg, args.golvport) as golv, \
            server.gunicorn(url, args.workers, logg, args.port) as app:
        cookies = {vem: server.logga_in(app.base, adress) for vem, adress in epost.items()}
        for ep in ENDPOINTS:
            path = ep.sokvag.format(**forberett.parametrar)
            headers = _rubriker(ep, cookies, forberett.token)
            if ep.sokvag.startswith("/rapporter/period"):
                # The first look at the year: the marks worked out (the rows below put them back).
                server.glom_markeringar(url)
                with cpu.Matare(app.pid, server.PG_ADMIN_URL if pg_namn else None, pg_namn) as m:
                    server.status(app.base, path, headers)
                forsta_rapporten.append(m.sekunder)
            kod = server.status(app.base, path, headers)
            if kod == 404:
                print(f"   hoppar över {ep.namn} ({path}): 404, finns inte ännu", flush=True)
                continue
            if kod != 200:
                raise SystemExit(f"{ep.namn} ({path}) svarade {kod} före mätningen")
            # Floor, then page, back to back: whatever else loads the machine loads both.
            g, g_cpu = _matt(wrk, golv, golv.base + "/", {}, args, None)
            m, m_cpu = _matt(wrk, app, app.base + path, headers, args, pg_namn)
            rader.append(Rad(ep, m, m_cpu, g, g_cpu, satser.get(ep.namn)))
            print("  ", _rad(backend, n, rader[-1]), flush=True)
    return rader


def _overgangsraden(wrk: str, url: str, args, logg: Path, backend: str, n: int, pg_namn: str | None,
                    forberett: server.Forberett) -> Rad:
    """The transition row: ``aterkalla`` on a fresh ärende per request."""
    par = server.nya_arenden_for_overgang(url, args.overgangar)
    with server.golv(args.workers, logg, args.golvport) as golv, \
            server.gunicorn(url, args.workers, logg, args.port) as app:
        skript = load.overgangsskript(par, "aterkalla", args.tradar)
        g, g_cpu = _matt(wrk, golv, golv.base + "/", {}, args, None)
        m, m_cpu = _matt(wrk, app, app.base + "/", _rubriker(OVERGANG, {}, forberett.token), args, pg_namn,
                         anslutningar=args.tradar, skript=skript)
        rad = Rad(OVERGANG, m, m_cpu, g, g_cpu, None)
        print("  ", _rad(backend, n, rad), flush=True)
    server.lagg_undan(url, par)
    return rad


def _motesrummet(wrk: str, golv: server.Server, app: server.Server, args, pg_namn: str | None,
                 forberett: server.Forberett, cookie: dict[str, str], token: dict[str, str],
                 par: list[tuple[int, int]]) -> list[Rad]:
    """A meeting: ``--lasare`` people open the ärende list, a case page and the agenda in
    turn while ``--skrivare`` fire transitions, all at once (issue 19: on SQLite the
    readers must not queue behind the writers). Two rows, readers and writers; the CPU
    per request is of all the run's requests together."""
    sokvagar = [ep.sokvag.format(**forberett.parametrar) for ep in ENDPOINTS if ep.namn in MOTESRUMMETS_SIDOR]
    alla = args.lasare + args.skrivare
    g, g_cpu = _matt(wrk, golv, golv.base + "/", {}, args, None, anslutningar=alla)
    with cpu.Matare(app.pid, server.PG_ADMIN_URL if pg_namn else None, pg_namn) as matare:
        lasning, skrivning = load.samtidigt(wrk, [
            (app.base + "/", cookie, args.lasare, min(args.tradar, args.lasare), load.lasskript(sokvagar)),
            (app.base + "/", token, args.skrivare, args.skrivare,
             load.overgangsskript(par, "aterkalla", args.skrivare, takt_ms=args.skrivtakt_ms)),
        ], sekunder=args.sekunder)
    cpu_ms = 1000 * matare.sekunder / max(lasning.anrop + skrivning.anrop, 1)
    return [Rad(Endpoint(f"Mötesrummet: {args.lasare} läser (lista, ärendesida, agenda) …", "GET", "", "pl"),
                lasning, cpu_ms, g, g_cpu, None),
            Rad(Endpoint(f"… medan {args.skrivare} skriver (återkalla)", "POST", "", "token"),
                skrivning, cpu_ms, g, g_cpu, None)]


def _rad(backend: str, n: int, r: Rad) -> str:
    fel = f" ({r.sida.fel} fel)" if r.sida.fel else ""
    andel = f"{100 * r.sida.req_s / r.golv.req_s:.1f} %" if r.golv.req_s else "–"
    satser = "–" if r.satser is None else str(r.satser)
    return (f"| {backend} | {_tal(n)} | {r.ep.namn} | {r.sida.req_s:.0f}{fel} | {r.sida.p50_ms:.0f} | "
            f"{r.sida.p99_ms:.0f} | {r.sida_cpu_ms:.2f} | {satser} | {r.golv.req_s:.0f} | {r.golv.p99_ms:.0f} | "
            f"{r.golv_cpu_ms:.2f} | {andel} |")


def _tal(n: int) -> str:
    return f"{n:_}".replace("_", " ")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--storlekar", default="10000,100000", help="antal ärenden, kommaseparerat")
    parser.add_argument("--databaser", default="sqlite,postgresql")
    parser.add_argument("--sekunder", type=int, default=10, help="mättid per endpoint")
    parser.add_argument("--anslutningar", type=int, default=4)
    parser.add_argument("--tradar", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn-workers")
    parser.add_argument("--overgangar", type=int, default=2000, help="nya ärenden för övergångsmätningen")
    parser.add_argument("--lasare", type=int, default=10,
                        help="mötesrummet: samtidiga läsare (0: ingen mötesrumskörning)")
    parser.add_argument("--skrivare", type=int, default=2, help="mötesrummet: samtidiga skrivare")
    parser.add_argument("--skrivtakt-ms", type=int, default=100,
                        help="mötesrummet: varje skrivare skickar en övergång var N ms hela körningen "
                             "(0: så fort den hinner, tills dess ärenden är slut)")
    parser.add_argument("--bara-motesrummet", action="store_true",
                        help="mät bara mötesrummet (inga enskilda sidor, ingen övergångsrad)")
    parser.add_argument("--port", type=int, default=None, help="appens port (standard: en ledig)")
    parser.add_argument("--golvport", type=int, default=None, help="golvets port (standard: en ledig)")
    parser.add_argument("--pg-databas", default=f"samverkan_bench_{os.getpid()}",
                        help="PostgreSQL-databasens namn (storleken läggs till); skapas och tas bort")
    parser.add_argument("--behall", action="store_true",
                        help="PostgreSQL: behåll databasen efteråt och återanvänd en som redan är seedad "
                             "(10⁶ seedas en gång, mäts flera)")
    parser.add_argument("--ut", default="bench/senaste.md")
    parser.add_argument("--arbetsmapp", default="/tmp/samverkan-bench")
    args = parser.parse_args()
    workdir = Path(args.arbetsmapp)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rader, seedningar = [], []
    for backend in args.databaser.split(","):
        for n in (int(s) for s in args.storlekar.split(",")):
            r, s = en_korning(backend, n, args, workdir)
            rader += r
            seedningar.append(s)
    text = "\n".join([
        f"Uppmätt {dt.date.today().isoformat()} på {maskin()}. gunicorn med {args.workers} workers, "
        f"wrk {args.tradar} trådar × {args.anslutningar} anslutningar, {args.sekunder} s per endpoint, "
        f"allt på 127.0.0.1.",
        "",
        "| databas | ärenden | endpoint | req/s | p50 ms | p99 ms | CPU ms/anrop | satser/anrop "
        "| golv req/s | golv p99 ms | golv CPU ms/anrop | sida ÷ golv |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rader,
        "",
        *(f"- {s}" for s in seedningar),
        f"- hela körningen: {(time.monotonic() - started) / 60:.0f} min",
        "",
    ])
    Path(args.ut).write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
