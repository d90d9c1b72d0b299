"""The benchmark's CPU meter: it finds a server's worker processes and counts the CPU
time they spend inside the block, not before it and not the machine's other work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from bench import cpu

# A worker: idle until told, then 0.3 s of CPU, then idle again.
WORKER = """
import pathlib, sys, time
go, done = map(pathlib.Path, sys.argv[1:3])
while not go.exists():
    time.sleep(0.01)
t = time.process_time()
while time.process_time() - t < 0.3:
    pass
done.touch()
time.sleep(120)
"""
MASTER = "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', sys.argv[1], *sys.argv[2:]])\ntime.sleep(120)\n"


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_the_meter_counts_the_workers_cpu_inside_the_block(tmp_path):
    go, done = tmp_path / "go", tmp_path / "done"
    master = subprocess.Popen([sys.executable, "-c", MASTER, WORKER, str(go), str(done)],  # noqa: S603 (our own code)
                              start_new_session=True)
    try:
        _wait(lambda: cpu.barn(master.pid), "the worker never started")
        time.sleep(0.2)  # the worker's start-up CPU is before the block
        with cpu.Matare(master.pid) as m:
            go.touch()
            _wait(done.exists, "the worker never finished its work")
        assert 0.28 <= m.sekunder <= 0.6, m.sekunder
    finally:
        os.killpg(master.pid, signal.SIGKILL)
        master.wait(timeout=30)
