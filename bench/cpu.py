"""CPU seconds spent by the processes that serve a request: the gunicorn workers and,
on PostgreSQL, the database backends of the measured database.

Read from /proc (user + system time), before and after a run, so the figure per request
holds on a shared machine where wall-clock throughput does not: other work on the
machine slows the run down but does not add to these processes' own CPU time.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        # The command name in parentheses may hold spaces: split after its closing one.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def sekunder(pids: set[int]) -> dict[int, float]:
    """utime + stime per live pid (fields 14 and 15 of /proc/<pid>/stat)."""
    ut = {}
    for pid in pids:
        falt = _stat(pid)
        if falt is not None:
            ut[pid] = (int(falt[11]) + int(falt[12])) / TICK
    return ut


def barn(foralder: int) -> set[int]:
    """The direct children of a process (gunicorn's workers of its master)."""
    ut = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            falt = _stat(int(entry.name))
            if falt is not None and int(falt[1]) == foralder:
                ut.add(int(entry.name))
    return ut


def pg_backends(admin_url: str | None, databas: str | None) -> set[int]:
    if not admin_url or not databas:
        return set()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return {pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (databas,))}


class Matare:
    """``with Matare(master_pid, pg_url, databas) as m: …`` then ``m.sekunder``: the CPU
    the workers and backends spent inside the block. A process that started during the
    block counts from zero; one that ended is counted to its last reading before."""

    def __init__(self, master: int, pg_url: str | None = None, databas: str | None = None):
        self.master, self.pg_url, self.databas = master, pg_url, databas
        self.sekunder = 0.0

    def _las(self) -> dict[int, float]:
        return sekunder(barn(self.master) | pg_backends(self.pg_url, self.databas))

    def __enter__(self) -> Matare:
        self._fore = self._las()
        return self

    def __exit__(self, *exc) -> None:
        efter = self._las()
        self.sekunder = sum(s - self._fore.get(pid, 0.0) for pid, s in efter.items())
