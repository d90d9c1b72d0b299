"""The system under test: a fresh database, seeded; gunicorn on 127.0.0.1; logged-in clients.

SQLite is a file in the work folder; PostgreSQL a database created on the server given by
``SAMVERKAN_BENCH_POSTGRES_URL`` (default 127.0.0.1:5432, trust auth) and dropped after.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import delete, func, select

from bench import seed as seeding
from samverkan import create_app
from samverkan.core import krypto
from samverkan.core.db import db

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("SAMVERKAN_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "bench-nyckel-endast-lokalt"


def pg_url(pg_namn: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{pg_namn}"


def seedad(pg_namn: str) -> bool:
    """Whether the PostgreSQL database ``pg_namn`` exists and holds a seed."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (pg_namn,)).fetchone() is None:
            return False
    with psycopg.connect(pg_url(pg_namn).replace("+psycopg", ""), autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('arende') IS NOT NULL AND EXISTS (SELECT 1 FROM arende)"
                            ).fetchone()[0]


@contextlib.contextmanager
def databas(backend: str, n: int, workdir: Path, pg_namn: str, *, behall: bool = False) -> Iterator[str]:
    """A fresh, empty database; its SQLAlchemy URL. Removed afterwards. ``pg_namn`` is the
    PostgreSQL database's name (a run's own, so two runs on one server never collide).
    ``behall``: a PostgreSQL database that already holds a seed is kept as it is (the
    caller skips seeding it), and none is removed afterwards."""
    if backend == "postgresql" and behall and seedad(pg_namn):
        yield pg_url(pg_namn)
        return
    if backend == "sqlite":
        path = workdir / f"bench-{n}.sqlite"
        for old in workdir.glob(f"bench-{n}.sqlite*"):
            old.unlink()
        yield f"sqlite:///{path}"
        return
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_namn}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{pg_namn}"')
    try:
        yield pg_url(pg_namn)
    finally:
        if not behall:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_namn}" WITH (FORCE)')


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, **krypto.lokal_konfiguration()})


@dataclass
class Forberett:
    resultat: seeding.Resultat
    parametrar: dict[str, int]
    token: str


def forbered(url: str, n: int, *, seeda: bool = True) -> Forberett:
    """Schema by the migrations, the seed, an API token and the path parameters.
    ``seeda=False``: the database holds a seed already (``--behall``); the migrations
    still run, so it is measured with the current schema and data migrations."""
    from samverkan.arenden.models import Arende
    from samverkan.auth.models import User
    from samverkan.auth.services import create_token
    from samverkan.core import clock
    from samverkan.moten.models import Mote

    app = app_for(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if seeda:
            resultat = seeding.seed(n)
        else:
            resultat = seeding.Resultat(rader={}, sekunder=0.0, plan=seeding.Plan.for_size(n))
        pl = db.session.execute(select(User).where(User.epost == resultat.bench_epost)).scalar_one()
        _, token = create_token(pl, "bench")
        db.session.commit()
        team_id = pl.medlemskap[0].team_id
        nu = clock.now()
        parametrar = {
            # The team's ärende with the longest history: the heaviest case page.
            "arende_id": db.session.execute(
                select(Arende.id).where(Arende.team_id == team_id).order_by(Arende.version.desc(), Arende.id)
                .limit(1)).scalar_one(),
            "kommande_mote_id": db.session.execute(
                select(Mote.id).where(Mote.team_id == team_id, Mote.starttid > nu)
                .order_by(Mote.starttid).limit(1)).scalar_one(),
            "hallet_mote_id": db.session.execute(
                select(Mote.id).where(Mote.team_id == team_id, Mote.starttid < nu)
                .order_by(Mote.starttid.desc()).limit(1)).scalar_one(),
        }
        parametrar["antal_arenden"] = db.session.scalar(select(func.count(Arende.id)))
        parametrar["forra_aret"] = clock.today().year - 1
        db.session.remove()
        db.engine.dispose()
    return Forberett(resultat, parametrar, token)


def nya_arenden_for_overgang(url: str, antal: int) -> list[tuple[int, int]]:
    """``antal`` fresh aktualiserade ärenden in team 1: (id, version) for the transition run."""
    app = app_for(url)
    with app.app_context():
        par = seeding.aktualiserade(antal)
        db.engine.dispose()
    return par


def lagg_undan(url: str, par: list[tuple[int, int]]) -> int:
    """Mark the fresh ärenden a run did not use återkallade (``seed.lagg_undan``)."""
    app = app_for(url)
    with app.app_context():
        antal = seeding.lagg_undan([i for i, _ in par])
        db.engine.dispose()
    return antal


def glom_markeringar(url: str) -> None:
    """Remove the suppression's kept marks (``rapporter.markeringar``): the next report
    works them out, as the first look at a year does."""
    from samverkan.rapporter.models import KubMarkeringar

    app = app_for(url)
    with app.app_context():
        db.session.execute(delete(KubMarkeringar))
        db.session.commit()
        db.engine.dispose()


def _fri_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    pid: int  # gunicorn's master; its children are the workers


@contextlib.contextmanager
def _gunicorn(wsgi: str, env: dict[str, str], workers: int, port: int | None, logg: Path,
              halsa: str) -> Iterator[Server]:
    """``wsgi`` under gunicorn on 127.0.0.1:``port`` (a free one when None), ready when
    ``halsa`` answers 200."""
    port = port or _fri_port()
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--log-level", "warning", wsgi]
    with open(logg, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn avslutades direkt (porten {port} upptagen?); se {logg}")
            try:
                with urllib.request.urlopen(base + halsa, timeout=2) as r:  # noqa: S310 (loopback)
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn svarade inte; se {logg}")
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # A worker still busy with a long request (the period report on a loaded
            # machine): the run's figures are taken, so it is stopped rather than waited for.
            proc.kill()
            proc.wait(timeout=30)


def gunicorn(url: str, workers: int, logg: Path, port: int | None = None):
    """The app under gunicorn."""
    env = {"SAMVERKAN_DATABASE_URL": url, "SAMVERKAN_SECRET_KEY": SECRET_KEY, **krypto.lokal_miljo(),
           "SAMVERKAN_TVAFAKTOR_KRAVS": "false", "SAMVERKAN_SESSION_COOKIE_SECURE": "false",
           # Plenty of headroom: the bench logs in once per user, never fails a login.
           "SAMVERKAN_LOGIN_THROTTLE_PER_IP": "100000"}
    return _gunicorn("samverkan:create_app()", env, workers, port, logg, "/halsa")


def golv(workers: int, logg: Path, port: int | None = None):
    """The floor (``bench.golv``) under the same gunicorn configuration."""
    return _gunicorn("bench.golv:app", {}, workers, port, logg, "/")


def satser_per_anrop(url: str, forberett: Forberett, endpoints, epost: dict[str, str]) -> dict[str, int]:
    """Statements each endpoint runs, counted in-process on the seeded database: the
    second of two identical requests, so one-off work (a token's last use) is not counted."""
    from sqlalchemy import event

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "WTF_CSRF_ENABLED": False,
                      "TVAFAKTOR_KRAVS": False, "LOGIN_THROTTLE_PER_IP": 100000, **krypto.lokal_konfiguration()})
    klienter = {}
    for vem, adress in epost.items():
        klient = app.test_client()
        svar = klient.post("/logga-in", data={"epost": adress, "losenord": seeding.PASSWORD})
        if svar.status_code != 303:
            raise RuntimeError(f"inloggningen som {adress} misslyckades ({svar.status_code})")
        klienter[vem] = klient
    klienter["ingen"] = klienter["token"] = app.test_client()
    satser: list[str] = []
    with app.app_context():
        motor = db.engine

    def rakna(conn, cursor, statement, *args):
        satser.append(statement)

    ut = {}
    for ep in endpoints:
        path = ep.sokvag.format(**forberett.parametrar)
        headers = {"Authorization": f"Bearer {forberett.token}"} if ep.vem == "token" else {}
        klienter[ep.vem].get(path, headers=headers)
        satser.clear()
        event.listen(motor, "before_cursor_execute", rakna)
        try:
            klienter[ep.vem].get(path, headers=headers)
        finally:
            event.remove(motor, "before_cursor_execute", rakna)
        ut[ep.namn] = len(satser)
    with app.app_context():
        db.engine.dispose()
    return ut


def logga_in(base: str, epost: str) -> str:
    """Log in through the real form (CSRF included); the Cookie header for the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/logga-in").read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    if csrf is None:
        raise RuntimeError("inloggningssidan saknar csrf_token")
    data = urllib.parse.urlencode({"csrf_token": csrf.group(1) or csrf.group(2), "epost": epost,
                                   "losenord": seeding.PASSWORD}).encode()
    opener.open(base + "/logga-in", data=data)
    cookies = {c.name: c.value for c in jar}
    if "samverkan_session" not in cookies:
        raise RuntimeError(f"inloggningen som {epost} misslyckades")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def status(base: str, path: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
            return r.status
    except urllib.error.HTTPError as error:
        return error.code
