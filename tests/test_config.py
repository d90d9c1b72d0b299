"""Start-up configuration."""

import pytest

from samverkan import create_app
from samverkan.core import krypto


def _nycklar(monkeypatch):
    """Production mode also needs the encryption keys (tests/test_kryptering.py)."""
    for name, value in krypto.lokal_miljo().items():
        monkeypatch.setenv(name, value)


def test_missing_secret_key_stops_production_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SAMVERKAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("SAMVERKAN_DEMO", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY saknas"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_environment_overrides_and_postgres_url(monkeypatch):
    monkeypatch.setenv("SAMVERKAN_SECRET_KEY", "hemlig")
    _nycklar(monkeypatch)
    monkeypatch.setenv("SAMVERKAN_PAGE_SIZE", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/samverkan")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/samverkan"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMVERKAN_SECRET_KEY", "hemlig")
    _nycklar(monkeypatch)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/samverkan.sqlite"


def test_factory_starts_no_scheduler():
    import threading

    before = {t.name for t in threading.enumerate()}
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert {t.name for t in threading.enumerate()} == before
