"""Loggkontroll: the förbund admin reads the audit log. (pages)"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("loggkontroll", __name__, url_prefix="/loggkontroll")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
