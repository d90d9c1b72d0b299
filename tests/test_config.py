"""Start-up configuration."""

import pytest

from samverkan import create_app
from samverkan.core import krypto


def _nycklar(monkeypatch):
    """Production mode also needs the encryption keys (tests/test_kryptering.py)."""
    for name, value in krypto.lokal_miljo().items():
        monkeypatch.setenv(name, value)


def test_missing_secret_key_stops_production_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SAMVERKAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("SAMVERKAN_DEMO", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY saknas"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_environment_overrides_and_postgres_url(monkeypatch):
    monkeypatch.setenv("SAMVERKAN_SECRET_KEY", "hemlig")
    _nycklar(monkeypatch)
    monkeypatch.setenv("SAMVERKAN_PAGE_SIZE", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/samverkan")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/samverkan"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMVERKAN_SECRET_KEY", "hemlig")
    _nycklar(monkeypatch)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/samverkan.sqlite"


def test_factory_starts_no_scheduler():
    import threading

    before = {t.name for t in threading.enumerate()}
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert {t.name for t in threading.enumerate()} == before


# --- durations and counts: every documented form, and a clear stop for a bad one --------

def _app_med(monkeypatch, app, **env):
    for name, value in env.items():
        monkeypatch.setenv(f"SAMVERKAN_{name}", value)
    return create_app({k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "SERVER_NAME")})


@pytest.mark.parametrize("varde", ["60", "PT1M", "1m", "1 min"])
def test_idle_timeout_from_the_environment_keeps_logged_in_pages_working(monkeypatch, app, world, varde):
    import datetime as dt

    from samverkan.core.db import db
    from tests import factories

    epost = world.users["ledamot_af"].epost
    db.session.commit()  # and touch no row after: on SQLite that would hold the write lock
    annan = _app_med(monkeypatch, app, IDLE_TIMEOUT=varde)
    assert annan.config["IDLE_TIMEOUT"] == dt.timedelta(minutes=1)
    try:
        with annan.app_context():
            klient = annan.test_client()
            svar = klient.post("/logga-in", data={"epost": epost,
                                                  "losenord": factories.PASSWORD})
            assert svar.status_code == 303
            for _ in range(3):
                assert klient.get("/arenden/").status_code == 200
    finally:
        with annan.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("varde", ["900", "PT15M", "15m"])
def test_throttle_window_from_the_environment_keeps_login_working(monkeypatch, app, world, varde):
    import datetime as dt

    from samverkan.core.db import db
    from tests import factories

    epost = world.users["ledamot_af"].epost
    db.session.commit()  # and touch no row after: on SQLite that would hold the write lock
    annan = _app_med(monkeypatch, app, LOGIN_THROTTLE_WINDOW=varde, LOGIN_THROTTLE_PER_IP="40")
    assert annan.config["LOGIN_THROTTLE_WINDOW"] == dt.timedelta(minutes=15)
    assert annan.config["LOGIN_THROTTLE_PER_IP"] == 40
    try:
        with annan.app_context():
            klient = annan.test_client()
            assert klient.post("/logga-in", data={"epost": epost,
                                                  "losenord": "fel-losenord-x"}).status_code == 401
            assert klient.post("/logga-in", data={"epost": epost,
                                                  "losenord": factories.PASSWORD}).status_code == 303
    finally:
        with annan.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize(("namn", "varde", "ord"), [
    ("IDLE_TIMEOUT", "en halvtimme", "ingen tidslängd"),
    ("IDLE_TIMEOUT", "0", "längre än noll"),
    ("LOGIN_THROTTLE_WINDOW", "PT", "ingen tidslängd"),
    ("LOGIN_THROTTLE_PER_ACCOUNT", "fem", "heltal"),
    ("LOGIN_THROTTLE_PER_ACCOUNT", "0", "minst 1"),
    ("PROXY_ANTAL", "-1", "minst 0"),
    ("PROXY_ANTAL", "ett", "heltal"),
])
def test_a_bad_setting_stops_start_up_with_a_clear_message(monkeypatch, tmp_path, namn, varde, ord):
    from samverkan.config import ConfigError

    monkeypatch.setenv("SAMVERKAN_SECRET_KEY", "hemlig")
    monkeypatch.setenv(f"SAMVERKAN_{namn}", varde)
    with pytest.raises(ConfigError, match=namn) as fel:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert ord in str(fel.value) and "(The setting" in str(fel.value)


def test_gunicorn_started_in_the_project_freezes_the_loaded_app_in_each_worker(tmp_path):
    """gunicorn reads ``./gunicorn.conf.py`` when it starts in the project; its worker hook,
    run once the app is loaded, moves what the app built out of the cycle collector's
    sight (a full collection during a request walked the whole app: the tail of a page's
    latency, issue 19). In a process of its own: a freeze lasts as long as the process."""
    import subprocess
    import sys
    from pathlib import Path

    from gunicorn.config import Config

    root = Path(__file__).resolve().parent.parent
    assert Config().settings["config"].default == "./gunicorn.conf.py"
    assert (root / "gunicorn.conf.py").is_file()
    kod = ("import gc, runpy\n"
           "from samverkan import create_app\n"
           f"create_app({{'TESTING': True, 'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/g.sqlite'}})\n"
           "assert gc.get_freeze_count() == 0\n"
           "runpy.run_path('gunicorn.conf.py')['post_worker_init'](None)\n"
           "print(gc.get_freeze_count())\n")
    ut = subprocess.run([sys.executable, "-c", kod], cwd=root, capture_output=True, text=True,  # noqa: S603  (our own code, fixed arguments)
                        timeout=120)
    assert ut.returncode == 0, ut.stderr
    assert int(ut.stdout.split()[-1]) > 100_000  # the app's objects, not a handful


def test_gunicorn_runs_two_workers_per_core_and_one_unless_told(monkeypatch):
    """gunicorn's own default is one sync worker: a meeting's requests would queue behind
    each other and behind any report. The project's settings give two per core and one
    more; WEB_CONCURRENCY, gunicorn's own variable, still decides when it is set."""
    import os
    import runpy
    from pathlib import Path

    fil = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(fil)["workers"] == 2 * os.cpu_count() + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert runpy.run_path(fil)["workers"] == 4
