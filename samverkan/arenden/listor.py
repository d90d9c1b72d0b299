"""Lists of ärenden: mine, the projektledare's inbox, consent expiring, search (pages)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("listor", __name__, url_prefix="/arenden")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
