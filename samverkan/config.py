"""Configuration: defaults → instance/config.py → SAMVERKAN_* environment → test config.

``DATABASE_URL`` (or ``SAMVERKAN_DATABASE_URL``) selects PostgreSQL; without it the app
uses a SQLite file in the instance folder so a newcomer needs no server.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    SECRET_KEY = None
    DEMO = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Session cookie: not readable by scripts, not sent cross-site, HTTPS-only outside
    # debug/demo (which run on plain http://127.0.0.1).
    SESSION_COOKIE_NAME = "samverkan_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = dt.timedelta(0)
    # Idle timeout: the cookie is refreshed on each request and checked server-side.
    IDLE_TIMEOUT = dt.timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=30)
    WTF_CSRF_TIME_LIMIT = None  # the session's own idle timeout bounds the token
    # Throttle: failures per e-mail address and per IP address within the window.
    LOGIN_THROTTLE_WINDOW = dt.timedelta(minutes=15)
    LOGIN_THROTTLE_PER_ACCOUNT = 5
    LOGIN_THROTTLE_PER_IP = 30
    PAGE_SIZE = 25
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    PROXY_ANTAL = 0
    BASE_URL = "http://127.0.0.1:5000"


def _database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "samverkan.sqlite")
    # Heroku-style and plain URLs both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SAMVERKAN")
    if test_config:
        app.config.from_mapping(test_config)

    app.config.setdefault("SQLALCHEMY_DATABASE_URI", _database_url(app))
    relaxed = app.debug or app.config["DEMO"] or app.testing
    if relaxed:
        app.config["SESSION_COOKIE_SECURE"] = False
    # Two-factor login for everyone who can read case details: on in production unless
    # explicitly turned off (SAMVERKAN_TVAFAKTOR_KRAVS=false); off in debug, demo and tests.
    app.config.setdefault("TVAFAKTOR_KRAVS", not relaxed)
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise RuntimeError(
                "SECRET_KEY saknas. Sätt miljövariabeln SAMVERKAN_SECRET_KEY till en lång "
                "slumpmässig sträng (t.ex. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = _local_secret(Path(app.instance_path))


def _local_secret(instance: Path) -> str:
    """Debug/demo only: a key kept in the instance folder so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
