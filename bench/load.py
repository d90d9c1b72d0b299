"""The load generator: Debian's ``wrk``, bounded in time, against loopback only.

wrk reports requests per second and the latency distribution (``--latency``); we keep
req/s, p50, p99 and the count of non-2xx/3xx answers. The transition run uses a small
Lua script that gives every request its own fresh ärende and stops each wrk thread when
its share is used up, so every measured request is a real state change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass


@dataclass
class Matning:
    req_s: float
    p50_ms: float
    p99_ms: float
    anrop: int
    fel: int  # answers other than 2xx/3xx, and socket errors


def sakra_wrk() -> str:
    """The wrk binary; installed from Debian when missing and running as root."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk saknas. Installera det med: sudo apt-get install -y wrk")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def tolka(output: str) -> Matning:
    """Parse wrk's text report."""
    pct = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", output, re.M))

    def lat(key: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)$", pct[key])
        return _ms(m.group(1), m.group(2))

    fel = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        fel += sum(int(x) for x in socket.groups())
    return Matning(
        req_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=lat("50"), p99_ms=lat("99"),
        anrop=int(re.search(r"(\d+) requests in", output).group(1)), fel=fel,
    )


def kor(wrk: str, url: str, *, headers: dict[str, str], sekunder: int, anslutningar: int, tradar: int,
        skript: str | None = None) -> Matning:
    return samtidigt(wrk, [(url, headers, anslutningar, tradar, skript)], sekunder=sekunder)[0]


def samtidigt(wrk: str, korningar: list[tuple[str, dict[str, str], int, int, str | None]], *,
              sekunder: int) -> list[Matning]:
    """Several wrk runs at once, each (url, headers, connections, threads, Lua or None):
    the meeting room's readers and writers load the app together."""
    processer, skriptfiler = [], []
    try:
        for url, headers, anslutningar, tradar, skript in korningar:
            cmd = _kommando(wrk, headers, sekunder, anslutningar, tradar)
            if skript:
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                    f.write(skript)
                skriptfiler.append(f.name)
                cmd += ["-s", f.name]
            processer.append(subprocess.Popen([*cmd, url], stdout=subprocess.PIPE, text=True))
        utdata = [p.communicate(timeout=sekunder + 120)[0] for p in processer]
    finally:
        for p in processer:
            if p.poll() is None:
                p.kill()
        for namn in skriptfiler:
            os.unlink(namn)
    for p in processer:
        if p.returncode:
            raise subprocess.CalledProcessError(p.returncode, p.args)
    return [tolka(u) for u in utdata]


def _kommando(wrk: str, headers: dict[str, str], sekunder: int, anslutningar: int, tradar: int) -> list[str]:
    cmd = [wrk, "--latency", "-t", str(tradar), "-c", str(anslutningar), "-d", f"{sekunder}s",
           "--timeout", "30s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    return cmd


def lasskript(sokvagar: list[str]) -> str:
    """Lua for wrk: each request the next of ``sokvagar`` (GET), round the list: readers
    who open the list, a case and the agenda as people in a meeting do."""
    lista = ",".join(json.dumps(s) for s in sokvagar)
    return f"""
local paths = {{{lista}}}
local i = 0
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def overgangsskript(par: list[tuple[int, int]], trigger: str, tradar: int, takt_ms: int = 0) -> str:
    """Lua for wrk: thread k takes ärenden k, k+T, k+2T…; one POST each, then stops. With
    ``takt_ms`` each connection waits that long before each request (wrk's ``delay``, not
    counted in the latency): a writer at a steady pace for the whole run instead of a
    burst that uses the ärenden up in its first seconds."""
    ids = ",".join(str(i) for i, _ in par)
    versions = ",".join(str(v) for _, v in par)
    return f"""
local ids = {{{ids}}}
local versions = {{{versions}}}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
local i = 0
function request()
  local k = offset + 1 + i * {tradar}
  i = i + 1
  if k > #ids then k = #ids end
  local body = '{{"trigger": {json.dumps(trigger)}, "version": ' .. versions[k] .. '}}'
  -- A headers table given to wrk.format replaces the -H headers: copy them in.
  local headers = {{["Content-Type"] = "application/json"}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/api/v1/arenden/" .. ids[k] .. "/handelser", headers, body)
end
function response(status, headers, body)
  if offset + 1 + i * {tradar} > #ids then wrk.thread:stop() end
end
""" + (f"function delay()\n  return {takt_ms}\nend\n" if takt_ms else "")
