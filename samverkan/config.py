"""Configuration: defaults → instance/config.py → SAMVERKAN_* environment → test config.

``DATABASE_URL`` (or ``SAMVERKAN_DATABASE_URL``) selects PostgreSQL; without it the app
uses a SQLite file in the instance folder so a newcomer needs no server.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    SECRET_KEY = None
    DEMO = False
    # No pool_pre_ping: core.db pings only a connection that lay idle (issue 19).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Session cookie: not readable by scripts, not sent cross-site, HTTPS-only outside
    # debug/demo (which run on plain http://127.0.0.1).
    SESSION_COOKIE_NAME = "samverkan_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = dt.timedelta(0)
    # Idle timeout, checked server-side; the last activity is written into the cookie at
    # most once a minute (web.SENAST_STEG), and the cookie is sent again only then.
    IDLE_TIMEOUT = dt.timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=30)
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the session's own idle timeout bounds the token
    # Login throttle (samverkan/auth/throttle.py), failures counted within the window:
    # from one address against one account the wait doubles after the first few
    # (LOGIN_THROTTLE_PER_PAR free, then 1 s, 2 s, 4 s … at most LOGIN_THROTTLE_MAX_VANTAN);
    # beyond PER_ACCOUNT for one account or PER_IP from one address, only a known device
    # (a signed cookie from an earlier login, kept LOGIN_KAND_ENHET) gets in.
    LOGIN_THROTTLE_WINDOW = dt.timedelta(minutes=15)
    LOGIN_THROTTLE_PER_PAR = 5
    LOGIN_THROTTLE_MAX_VANTAN = dt.timedelta(minutes=1)
    LOGIN_THROTTLE_PER_ACCOUNT = 5
    LOGIN_THROTTLE_PER_IP = 30
    # The largest request body (a member CSV import, any form or JSON): bigger is refused
    # with 413 before it is read into memory.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    LOGIN_KAND_ENHET = dt.timedelta(days=180)
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


# Settings that are a length of time or a count; whatever their source (environment,
# instance/config.py, test config) they are turned into timedelta / int here, once, so
# the code reading them never meets a string or a bare number.
DURATIONS = ("IDLE_TIMEOUT", "PERMANENT_SESSION_LIFETIME", "LOGIN_THROTTLE_WINDOW",
             "LOGIN_THROTTLE_MAX_VANTAN", "LOGIN_KAND_ENHET")
COUNTS = ("LOGIN_THROTTLE_PER_PAR", "LOGIN_THROTTLE_PER_ACCOUNT", "LOGIN_THROTTLE_PER_IP",
          "PAGE_SIZE", "PROXY_ANTAL")
_MINST_ETT = ("LOGIN_THROTTLE_PER_ACCOUNT", "LOGIN_THROTTLE_PER_IP", "PAGE_SIZE")


class ConfigError(RuntimeError):
    """A setting that cannot be understood: start-up stops and says which and why."""


# ISO 8601 durations as people write them for settings: P1D, PT15M, PT1H30M, PT90S, P1DT2H.
_ISO = re.compile(r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
                  r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE)
# Short forms: 90, 90s, 15m, 15 min, 2h, 1d (seconds without a unit).
_KORT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<enhet>s|sek|m|min|h|t|d)?$", re.IGNORECASE)
_ENHET = {"s": 1, "sek": 1, "m": 60, "min": 60, "h": 3600, "t": 3600, "d": 86400}


def parse_duration(name: str, value) -> dt.timedelta:
    """A duration setting: a timedelta, a number of seconds (int or digits), an ISO 8601
    duration (``PT1M``) or a short form (``15m``, ``2h``, ``1d``). Raises ConfigError."""
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (kort := _KORT.match(value.strip())):
        seconds = float(kort["n"]) * _ENHET[(kort["enhet"] or "s").lower()]
    elif isinstance(value, str) and (iso := _ISO.match(value.strip())) and any(iso.groupdict().values()) \
            and not value.strip().upper().endswith("T"):
        seconds = sum(float(iso[k] or 0) * f for k, f in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)))
    else:
        raise ConfigError(
            f"Inställningen {name}={value!r} är ingen tidslängd. Ange sekunder (t.ex. 900), "
            f"ISO 8601 (t.ex. PT15M) eller 15m / 2h / 1d. "
            f"(The setting {name} is not a duration: use seconds, ISO 8601 such as PT15M, or 15m.)")
    if seconds <= 0:
        raise ConfigError(f"Inställningen {name}={value!r} måste vara längre än noll. "
                          f"(The setting {name} must be longer than zero.)")
    return dt.timedelta(seconds=seconds)


def parse_count(name: str, value, minst: int = 0) -> int:
    """A whole-number setting (``5``, ``"5"``). Raises ConfigError."""
    if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise ConfigError(f"Inställningen {name}={value!r} ska vara ett heltal. "
                          f"(The setting {name} must be a whole number.)")
    tal = int(value)
    if tal < minst:
        raise ConfigError(f"Inställningen {name}={value!r} måste vara minst {minst}. "
                          f"(The setting {name} must be at least {minst}.)")
    return tal


def _normalise(config) -> None:
    for name in DURATIONS:
        if name in config:
            config[name] = parse_duration(name, config[name])
    for name in COUNTS:
        if name in config:
            config[name] = parse_count(name, config[name], 1 if name in _MINST_ETT else 0)


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SAMVERKAN")
    if test_config:
        app.config.from_mapping(test_config)
    _normalise(app.config)
    # The cookie must not expire before the server's idle timeout would end the session.
    app.config["PERMANENT_SESSION_LIFETIME"] = max(app.config["PERMANENT_SESSION_LIFETIME"],
                                                   app.config["IDLE_TIMEOUT"])

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
