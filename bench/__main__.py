"""``python -m bench`` (or ``bench/run``): seed, serve, load, and write the table.

For each database and size: a fresh database built by the migrations and seeded with N
fictional ärenden, the app under gunicorn on 127.0.0.1, each endpoint of
``bench.endpoints`` loaded with wrk for a bounded time, then the transition endpoint
with fresh ärenden. The Markdown table goes to stdout and to ``--ut``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from pathlib import Path

from bench import load, server
from bench.endpoints import ENDPOINTS, GOLV, OVERGANG, Endpoint


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


def en_korning(backend: str, n: int, args, workdir: Path) -> tuple[list[str], str]:
    """Rows of the table for one database and size, and a line on the seeding."""
    wrk = load.sakra_wrk()
    rader: list[str] = []
    with server.databas(backend, n, workdir) as url:
        print(f"== {backend}, {n} ärenden: seedar …", flush=True)
        forberett = server.forbered(url, n)
        res = forberett.resultat
        seedning = (f"{backend}, {_tal(n)} ärenden: seedning {res.sekunder:.0f} s "
                    f"({_tal(sum(res.rader.values()))} rader; {res.plan.forbund} förbund, "
                    f"{res.plan.forbund * res.plan.teams_per_forbund} team)")
        print(seedning, flush=True)
        with server.gunicorn(url, args.workers, workdir / "gunicorn.log") as base:
            cookies = {"pl": server.logga_in(base, res.bench_epost),
                       "ledamot": server.logga_in(base, res.ledamot_epost),
                       "admin": server.logga_in(base, "admin1@example.org")}
            golv = None
            for ep in ENDPOINTS:
                path = ep.sokvag.format(**forberett.parametrar)
                headers = _rubriker(ep, cookies, forberett.token)
                kod = server.status(base, path, headers)
                if kod == 404:
                    print(f"   hoppar över {ep.namn} ({path}): 404, finns inte ännu", flush=True)
                    continue
                if kod != 200:
                    raise SystemExit(f"{ep.namn} ({path}) svarade {kod} före mätningen")
                m = load.kor(wrk, base + path, headers=headers, sekunder=args.sekunder,
                             anslutningar=args.anslutningar, tradar=args.tradar)
                golv = golv or (m if ep is GOLV else None)
                rader.append(_rad(backend, n, ep, m, golv))
                print("  ", rader[-1], flush=True)
            # Last, so the fresh ärenden do not swell the lists measured above.
            par = server.nya_arenden_for_overgang(url, args.overgangar)
            skript = load.overgangsskript(par, "aterkalla", args.tradar)
            m = load.kor(wrk, base + "/", headers=_rubriker(OVERGANG, cookies, forberett.token),
                         sekunder=args.sekunder, anslutningar=args.tradar, tradar=args.tradar, skript=skript)
            rader.append(_rad(backend, n, OVERGANG, m, golv))
            print("  ", rader[-1], flush=True)
    return rader, seedning


def _rad(backend: str, n: int, ep: Endpoint, m: load.Matning, golv: load.Matning | None) -> str:
    ratio = f"{golv.req_s / m.req_s:.1f}×" if golv and m.req_s else "–"
    fel = f" ({m.fel} fel)" if m.fel else ""
    return f"| {backend} | {_tal(n)} | {ep.namn} | {m.req_s:.0f}{fel} | {m.p50_ms:.0f} | {m.p99_ms:.0f} | {ratio} |"


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
        "| databas | ärenden | endpoint | req/s | p50 ms | p99 ms | golvet / endpoint |",
        "|---|---:|---|---:|---:|---:|---:|",
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
