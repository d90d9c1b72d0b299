"""Aktualisering: a handläggare brings an ärende to the team, with consent. (pages)"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("aktualisering", __name__, url_prefix="/aktualisering")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
