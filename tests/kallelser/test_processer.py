"""The scheduler as real processes against the test database (SQLite file and
PostgreSQL): two at once, one killed with SIGKILL in the middle of an SMTP conversation,
and one stopped with SIGTERM. Every message arrives exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from samverkan.core import krypto
from samverkan.core.db import db
from samverkan.kallelser.models import Utskick, UtskickStatus
from tests.kallelser.helpers import skapa_mote

ROOT = Path(__file__).resolve().parents[2]
KALLADE = 6  # projektledare, four ledamöter, one ersättare


def miljo(app, smtp, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMVERKAN_", "FLASK_")) and k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE")}
    # The processes read the bytecode beside the sources (the packages' from their install,
    # ours as the test workers wrote it; __pycache__ is ignored by git): a
    # PYTHONPYCACHEPREFIX made each worker's first process compile the standard library and
    # every package again (1.7 s of CPU) and later ones look there first.
    env.update({
        "SAMVERKAN_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SAMVERKAN_SECRET_KEY": "test-nyckel-for-processer",
        **krypto.lokal_miljo(),  # the test app's keys (it runs with the local ones)
        "SAMVERKAN_SMTP_HOST": "127.0.0.1",
        "SAMVERKAN_SMTP_PORT": str(smtp.port),
        "SAMVERKAN_SMTP_TIMEOUT": "20",
        "SAMVERKAN_MAIL_FROM": "kallelser@example.org",
        **{f"SAMVERKAN_{k}": str(v) for k, v in extra.items()},
    })
    return env


def scheduler(env, *args) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603  (our own command, fixed arguments)
        [sys.executable, "-m", "flask", "--app", "samverkan", "scheduler", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def vanta_klart(proc: subprocess.Popen, timeout: float = 90) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return out + err


def forfallna_moten(world, antal: int) -> list:
    """Meetings whose kallelse is due by the real clock (the processes use it)."""
    nu = dt.datetime.now(dt.UTC)
    moten = []
    for i in range(antal):
        mote = skapa_mote(world, start=nu + dt.timedelta(days=3, hours=i))
        mote.kallelse_planerad = nu - dt.timedelta(minutes=1)
        moten.append(mote)
    db.session.commit()  # and no open transaction while the processes run
    return moten


def rader() -> list:
    """The outbox as plain rows: reading an ORM object's attribute later would open a
    transaction, and on SQLite that holds the write lock the processes need."""
    db.session.expire_all()
    result = db.session.execute(
        select(Utskick.id, Utskick.epost, Utskick.amne, Utskick.status, Utskick.forsok, Utskick.message_id)
        .order_by(Utskick.id)
    ).all()
    db.session.commit()
    return result


def assert_exakt_en_gang(smtp, utskick: list) -> None:
    assert {r.status for r in utskick} == {UtskickStatus.SKICKAD}
    mottagna = smtp.mottagna
    assert sorted(m.message_id for m in mottagna) == sorted(r.message_id for r in utskick)
    assert sorted((m.rcpt_tos[0], m.meddelande["Subject"]) for m in mottagna) == \
        sorted((r.epost, r.amne) for r in utskick)


def assert_inga_adresser(world, logg: str) -> None:
    for user in world.users.values():
        assert user.epost not in logg


def test_two_schedulers_at_once_deliver_each_message_exactly_once(app, world, smtp):
    forfallna_moten(world, 3)
    smtp.handler.data_fordrojning = 0.02  # let the two senders overlap
    env = miljo(app, smtp)
    processer = [scheduler(env, "--once") for _ in range(2)]
    loggar = [vanta_klart(p) for p in processer]

    utskick = rader()
    assert len(utskick) == 3 * KALLADE
    assert_exakt_en_gang(smtp, utskick)
    assert_inga_adresser(world, "".join(loggar))


def test_a_scheduler_killed_mid_send_loses_nothing_and_sends_nothing_twice(app, world, smtp):
    langsam = world.users["ledamot_kommun"].epost  # fourth of six, by name
    forfallna_moten(world, 1)
    smtp.handler.langsam = langsam
    forsta = scheduler(miljo(app, smtp), "--once")
    try:
        # The sender is in the SMTP conversation for this message, before DATA.
        assert smtp.handler.i_langsam.wait(timeout=60), forsta.stderr.read() if forsta.poll() is not None else ""
    finally:
        forsta.kill()
        forsta.communicate(timeout=10)

    lamnat = {r.epost: r for r in rader()}
    assert lamnat[langsam].status == UtskickStatus.SKICKAR
    assert {r.status for r in lamnat.values()} == {UtskickStatus.SKICKAD, UtskickStatus.SKICKAR, UtskickStatus.KOAD}
    assert len(smtp.mottagna) == 3

    smtp.handler.slapp.set()
    time.sleep(1.2)  # the dead sender's claim goes stale (1 s here, 10 minutes by default)
    logg = vanta_klart(scheduler(miljo(app, smtp, UTSKICK_LAS_SEKUNDER=1), "--once"))

    utskick = rader()
    assert len(utskick) == KALLADE
    assert_exakt_en_gang(smtp, utskick)
    (overtaget,) = [r for r in utskick if r.epost == langsam]
    assert overtaget.forsok == 1
    assert_inga_adresser(world, logg)


def test_the_scheduler_runs_on_an_interval_and_stops_cleanly_on_sigterm(app, world, smtp):
    env = miljo(app, smtp)
    proc = scheduler(env, "--intervall", "1")
    try:
        time.sleep(1.5)  # started and idle: nothing due yet
        forfallna_moten(world, 1)  # then a kallelse falls due while it runs
        deadline = time.monotonic() + 60
        while len(smtp.mottagna) < KALLADE and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert len(smtp.mottagna) == KALLADE
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-3000:]
    assert "scheduler stopped" in err
    assert_exakt_en_gang(smtp, rader())
    assert_inga_adresser(world, out + err)

