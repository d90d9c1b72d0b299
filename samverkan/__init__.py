"""Samverkan: case management for Trisam teams and Samverkanscirklar.

``create_app`` wires configuration, extensions and blueprints, and nothing else: it
starts no scheduler and runs no migration (those are CLI commands).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from samverkan.core.anrop import App

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    # App: Flask with one transaction per request (core/anrop.py).
    app = App(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    from samverkan import config

    config.load(app, test_config)

    from samverkan.core import krypto

    # Personnummer and TOTP secrets are stored encrypted: production stops here without keys.
    krypto.init_app(app, relaxed=bool(app.debug or app.config["DEMO"] or app.testing))

    from samverkan import models  # noqa: F401  (the whole schema, for Alembic)
    from samverkan.core import anrop, extensions

    extensions.init_app(app)
    anrop.init_app(app)

    from samverkan import api, web
    from samverkan.aktualisering import views as aktualisering_views
    from samverkan.anteckningar import views as anteckningar_views
    from samverkan.arenden import listor as arenden_listor
    from samverkan.arenden import views as arenden_views
    from samverkan.auth import cli as auth_cli
    from samverkan.auth import views as auth_views
    from samverkan.besked import views as besked_views
    from samverkan.demo import cli as demo_cli
    from samverkan.drift import cli as drift_cli
    from samverkan.drift import nycklar as nycklar_cli
    from samverkan.efterkontroll import views as efterkontroll_views
    from samverkan.forbund import cli as forbund_cli
    from samverkan.forbund import views as forbund_views
    from samverkan.gallring import cli as gallring_cli
    from samverkan.gallring import views as gallring_views
    from samverkan.insatser import views as insatser_views
    from samverkan.kallelser import views as kallelser_views
    from samverkan.loggkontroll import views as loggkontroll_views
    from samverkan.moten import views as moten_views
    from samverkan.oversikt import views as oversikt_views
    from samverkan.protokoll import views as protokoll_views
    from samverkan.rapporter import cli as rapporter_cli
    from samverkan.rapporter import views as rapporter_views
    from samverkan.samplanering import forsenade_views as atgarder_views
    from samverkan.samplanering import views as samplanering_views
    from samverkan.schemalaggare import cli as schemalaggare_cli
    from samverkan.uppfoljning import views as uppfoljning_views

    for module in (
        web, auth_views, besked_views, arenden_views, arenden_listor, aktualisering_views, anteckningar_views,
        oversikt_views, moten_views, samplanering_views, insatser_views, kallelser_views,
        loggkontroll_views, protokoll_views, atgarder_views, uppfoljning_views, rapporter_views,
        gallring_views, forbund_views, api, auth_cli, demo_cli, schemalaggare_cli, drift_cli, gallring_cli,
        nycklar_cli, forbund_cli, efterkontroll_views, rapporter_cli,
    ):
        module.init_app(app)
    return app
