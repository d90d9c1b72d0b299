"""CPU per test of the suite: the worker's own (all its threads, the browser tests' live
server included), its descendant processes' (Chromium and Playwright's driver, the
drills' scheduler processes) and its PostgreSQL backends' (the databases its apps use).

A pytest plugin, not loaded by default:

    CI=true PYTHONPATH=$PWD .venv/bin/python -m pytest -n 2 --dist worksteal -p bench.testprofil
    PYTHONPATH=$PWD .venv/bin/python -m bench.testprofil [folder] [rows]

The first writes one JSON line per test to <folder>/<worker>.jsonl (folder:
$TESTPROFIL_DIR, default test-profil/, emptied first by hand); the second sums them up:
totals per worker and kind, the top tests and test functions.

Processes are read from /proc (user + system time). A process that ends takes its time
with it unless someone waits for it, so the descendants are sampled every 0.2 s by a
thread and each process's growth is added up; a PostgreSQL backend is sampled between
tests (the pool keeps them). Wall times are printed but mean little on a shared machine.
"""

from __future__ import annotations

import collections
import glob
import json
import os
import re
import sys
import threading
import time
from pathlib import Path

import pytest

MAPP = Path(os.environ.get("TESTPROFIL_DIR", "test-profil"))
TICK = os.sysconf("SC_CLK_TCK")
ARBETARE = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _stat(pid: int | str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu(falt: list[str]) -> float:
    return (int(falt[11]) + int(falt[12])) / TICK  # utime + stime


class _Efterkommande:
    """The CPU of this process's descendants, summed as each one grew while it lived."""

    def __init__(self) -> None:
        self._senast: dict[tuple[int, str], float] = {}
        self.summa = 0.0
        self._las = threading.Lock()
        threading.Thread(target=self._slinga, name="testprofil", daemon=True).start()

    def _slinga(self) -> None:
        while True:
            time.sleep(0.2)
            self.las_av()

    def las_av(self) -> float:
        barn: dict[int, list[tuple[int, list[str]]]] = collections.defaultdict(list)
        for namn in os.listdir("/proc"):
            if namn.isdigit() and (falt := _stat(namn)) is not None:
                barn[int(falt[1])].append((int(namn), falt))
        nu: dict[tuple[int, str], float] = {}
        kvar = [os.getpid()]
        while kvar:
            for pid, falt in barn.get(kvar.pop(), []):
                nu[(pid, falt[19])] = _cpu(falt)  # keyed with the start time: pids are reused
                kvar.append(pid)
        with self._las:
            self.summa += sum(v - self._senast.get(k, 0.0) for k, v in nu.items())
            self._senast = nu
            return self.summa


class _Postgres:
    def __init__(self) -> None:
        self.databaser: set[str] = set()
        self._conn = None
        self._senast: dict[int, float] = {}
        self.summa = 0.0

    def las_av(self, *, rakna: bool = True) -> float:
        if not self.databaser:
            return self.summa
        import psycopg

        url = os.environ.get("SAMVERKAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
        if self._conn is None:
            self._conn = psycopg.connect(url, autocommit=True)
        pids = [r[0] for r in self._conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", (sorted(self.databaser),))]
        for pid in pids:
            if (falt := _stat(pid)) is not None:
                if rakna:
                    self.summa += _cpu(falt) - self._senast.get(pid, 0.0)
                self._senast[pid] = _cpu(falt)
        return self.summa

    def stang(self) -> None:
        if self._conn is not None:
            self._conn.close()


_efter: _Efterkommande | None = None
_pg = _Postgres()


def _nu() -> tuple[float, float, float, float]:
    return time.process_time(), _efter.las_av(), _pg.las_av(), time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield
    app = (getattr(item, "funcargs", None) or {}).get("app")
    url = app.config["SQLALCHEMY_DATABASE_URI"] if app is not None else ""
    if url.startswith("postgresql") and (namn := url.rsplit("/", 1)[1]) not in _pg.databaser:
        _pg.databaser.add(namn)
        # Its backends' time so far (the schema's build by the migrations) is no test's.
        _pg.las_av(rakna=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _efter
    if _efter is None:
        _efter = _Efterkommande()
    fore = _nu()
    yield
    efter = _nu()
    MAPP.mkdir(parents=True, exist_ok=True)
    with (MAPP / f"{ARBETARE}.jsonl").open("a") as fil:
        fil.write(json.dumps({"id": item.nodeid, "python": efter[0] - fore[0], "barn": efter[1] - fore[1],
                              "postgres": efter[2] - fore[2], "vagg": efter[3] - fore[3]}) + "\n")


def pytest_sessionfinish(session):
    _pg.stang()


def sammanfatta(mapp: Path, antal: int = 20) -> None:
    rader = []
    for fil in glob.glob(str(mapp / "*.jsonl")):
        for rad in Path(fil).read_text().splitlines():
            r = json.loads(rad)
            r["arbetare"] = Path(fil).stem
            r["cpu"] = r["python"] + r["barn"] + r["postgres"]
            rader.append(r)
    print(f"{len(rader)} tester")
    for arbetare in sorted({r["arbetare"] for r in rader}):
        egna = [r for r in rader if r["arbetare"] == arbetare]
        print(arbetare, " ".join(f"{k} {sum(r[k] for r in egna):.1f} s" for k in ("python", "barn", "postgres", "cpu")))
    print("totalt", " ".join(f"{k} {sum(r[k] for r in rader):.1f} s" for k in ("python", "barn", "postgres", "cpu")))
    print("--- tester")
    for r in sorted(rader, key=lambda r: -r["cpu"])[:antal]:
        print(f"{r['cpu']:6.1f} python {r['python']:5.1f} barn {r['barn']:5.1f} postgres {r['postgres']:4.1f}  {r['id']}")
    print("--- testfunktioner (parametrar ihop)")
    per: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0])
    for r in rader:
        per[re.sub(r"\[.*", "", r["id"])][0] += r["cpu"]
        per[re.sub(r"\[.*", "", r["id"])][1] += 1
    for namn, (cpu, n) in sorted(per.items(), key=lambda x: -x[1][0])[:antal]:
        print(f"{cpu:6.1f} n={n:<4} {namn}")


if __name__ == "__main__":
    sammanfatta(Path(sys.argv[1]) if len(sys.argv) > 1 else MAPP, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
