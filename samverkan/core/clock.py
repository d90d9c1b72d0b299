"""The one place the application asks what time it is.

Tests replace the clock (``set_clock``) so that scheduling and effective-date rules can
be checked at any instant. Everything stored is UTC; everything shown or reasoned about
in calendar terms ("today", "the Friday before") is Europe/Stockholm.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return _now()


def today() -> dt.date:
    """Today's date in Stockholm."""
    return now().astimezone(STOCKHOLM).date()


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(STOCKHOLM)


def plus_manader(datum: dt.date, manader: int) -> dt.date:
    """The same day ``manader`` months later (earlier if negative); the month's last day
    when it is shorter (31 August + 6 months = 28 or 29 February)."""
    index = datum.year * 12 + datum.month - 1 + manader
    ar, manad = divmod(index, 12)
    manad += 1
    return dt.date(ar, manad, min(datum.day, calendar.monthrange(ar, manad)[1]))


def set_clock(fn: Callable[[], dt.datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the real one."""
    global _now
    _now = fn or (lambda: dt.datetime.now(dt.UTC))
