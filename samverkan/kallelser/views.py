"""Kallelser: the outbox, e-mail delivery and the scheduler's jobs. (pages)"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("kallelser", __name__, url_prefix="/kallelser")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
