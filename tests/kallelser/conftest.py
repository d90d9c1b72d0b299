"""Kallelser fixtures: the SMTP server, the clock and running the scheduler's jobs."""

from __future__ import annotations

import datetime as dt

import pytest

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser import jobs
from samverkan.schemalaggare import korning
from tests.kallelser.helpers import Klocka, SmtpServer


@pytest.fixture
def smtp(ctx, monkeypatch):
    """A running SMTP server the app is configured to deliver to."""
    server = SmtpServer()
    server.start()
    monkeypatch.setitem(ctx.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(ctx.config, "SMTP_PORT", server.port)
    monkeypatch.setitem(ctx.config, "SMTP_TIMEOUT", 5)
    monkeypatch.setitem(ctx.config, "MAIL_FROM", "kallelser@example.org")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def klocka(ctx):
    """A controllable clock, at 20 November 2026 10:00 Stockholm (the ctx fixture restores it)."""
    k = Klocka(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
    clock.set_clock(lambda: k.nu)
    return k


@pytest.fixture
def kor(ctx):
    """``kor()`` runs one scheduler tick in-process (its own app context and sessions, as
    in the real process) after committing the test's data; returns the counts."""

    def _kor(*, bara: str | None = None):
        db.session.commit()
        if bara == "planera":
            antal = jobs.planera(ctx)
        elif bara == "leverera":
            antal = jobs.leverera(ctx)
        else:
            antal = korning.kor(ctx)
        db.session.expire_all()
        return antal

    return _kor
