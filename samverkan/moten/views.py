"""Meetings: the team's calendar and each meeting's agenda. (pages)"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("moten", __name__, url_prefix="/moten")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
