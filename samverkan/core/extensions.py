"""Extensions, created unbound and attached in ``init_app``."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from samverkan.core.db import UTCDateTime, db, pinga_efter_vila
from samverkan.core.krypto import Krypterad

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


def init_app(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        pinga_efter_vila(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_item)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.session_protection = "strong"


def render_item(type_, obj, autogen_context):
    """Migrations name plain SQL types, never our Python type wrappers, so they stay
    valid however the application code changes."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, Krypterad):
        return f"sa.String(length={obj.impl.length})"
    return False
