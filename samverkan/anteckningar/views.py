"""Notes on an ärende (pages)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("anteckningar", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
