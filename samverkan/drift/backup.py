"""Backup and restore of the whole database, consistent while the app runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies page by page under
the database's own locks, so a backup taken while workers write is still one consistent
snapshot, and a restore is seen by the next transaction of every worker.
PostgreSQL: ``pg_dump`` in its custom format and ``pg_restore --clean`` in one
transaction, so a failed restore leaves the database as it was. The password travels in
the environment (PGPASSWORD), not on the command line where ``ps`` would show it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404  # runs pg_dump/pg_restore with a fixed argument list
from pathlib import Path

from sqlalchemy.engine import URL, Engine


class BackupError(RuntimeError):
    pass


def backup(engine: Engine, fil: Path) -> None:
    """Write the whole database to ``fil``, readable by its owner alone (0600, whatever
    the umask): it holds every personnummer."""
    _privat_fil(Path(fil))
    if engine.dialect.name == "sqlite":
        _sqlite_kopiera(Path(engine.url.database), Path(fil))
    else:
        _pg("pg_dump", engine.url, ["--format=custom", "--no-owner", f"--file={fil}"])


def restore(engine: Engine, fil: Path) -> None:
    fil = Path(fil)
    if not fil.is_file():
        raise BackupError(f"Filen {fil} finns inte.")
    # No pooled connection may hold a lock or a cached schema across the swap.
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _sqlite_kontrollera(fil)
        _sqlite_kopiera(fil, Path(engine.url.database))
    else:
        _pg("pg_restore", engine.url,
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", str(fil)],
            databas_flagga=True)


def _privat_fil(fil: Path) -> None:
    """Create (or empty) ``fil`` as 0600 before anything is written to it; the copy then
    writes into this file, so it is never readable by others, not even for a moment."""
    try:
        fd = os.open(fil, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"{fil} går inte att skriva: {error.strerror}.") from error
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    finally:
        os.close(fd)


def _sqlite_kontrollera(fil: Path) -> None:
    kalla = sqlite3.connect(f"file:{fil}?mode=ro", uri=True)
    try:
        hel = kalla.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hel = hel and kalla.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError:
        hel = False
    finally:
        kalla.close()
    if not hel:
        raise BackupError(f"{fil} är ingen säkerhetskopia av Samverkan.")


def _sqlite_kopiera(kalla: Path, mal: Path) -> None:
    src = sqlite3.connect(kalla)
    dst = sqlite3.connect(mal)
    try:
        dst.execute("PRAGMA busy_timeout=15000")
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg(program: str, url: URL, argument: list[str], *, databas_flagga: bool = False) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} saknas (Debian: apt-get install postgresql-client).")
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    kommando = [program, *argument[:-1], f"--dbname={libpq}", argument[-1]] if databas_flagga \
        else [program, *argument, libpq]
    resultat = subprocess.run(kommando, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603  # fixed program, list argv, no shell
    if resultat.returncode != 0:
        raise BackupError(f"{program} misslyckades: {resultat.stderr.strip()[-1000:]}")
