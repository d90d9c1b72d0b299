"""Encryption at rest (issue 18): personnummer and TOTP secrets are stored encrypted, an
exact personnummer is found through its keyed hash, keys rotate with ``rotera-nyckel``,
and the migration encrypts plain rows and can run twice. On both databases."""

from __future__ import annotations

import base64
import re

import pyotp
import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from samverkan import create_app
from samverkan.auth.models import User
from samverkan.core import krypto
from samverkan.core.db import db
from samverkan.deltagare import services as deltagare_services
from samverkan.deltagare.models import Deltagare
from tests import factories

MIGRERING = "0010_krypto_kryptering"
NY_NYCKEL = base64.b64encode(b"en-ny-nyckel-for-rotationstest!!").decode()


def forega(revision: str) -> str:
    """The revision before ``revision`` (whatever the history is chained to at merge)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def radata(tabell: str, kolumn: str) -> list:
    """The column as the database holds it, past every type of ours."""
    db.session.commit()
    rader = db.session.execute(text(f"SELECT id, {kolumn} FROM {tabell} ORDER BY id")).all()  # noqa: S608
    db.session.commit()  # no open transaction: on SQLite it would hold the write lock
    return rader


def test_the_raw_columns_hold_no_personnummer_and_no_totp_secret(world):
    arende = factories.create_arende(world)
    nummer = arende.deltagare.personnummer
    user = world.users["ledamot_af"]
    user.totp_hemlighet = hemlighet = pyotp.random_base32()
    db.session.commit()

    ((_, lagrat),) = radata("deltagare", "personnummer")
    assert lagrat.startswith("aes1:lokal:")
    assert nummer not in lagrat and nummer[2:] not in lagrat and not re.search(r"\d{10}", lagrat)
    ((_, sok),) = radata("deltagare", "personnummer_sok")
    assert sok == krypto.sokhash(nummer) and nummer not in sok
    (lagrad_hemlighet,) = [h for i, h in radata("anvandare", "totp_hemlighet") if i == user.id]
    assert lagrad_hemlighet.startswith("aes1:") and hemlighet not in lagrad_hemlighet

    # The application reads the plain values.
    db.session.expire_all()
    assert db.session.get(Deltagare, arende.deltagare_id).personnummer == nummer
    assert db.session.get(type(user), user.id).totp_hemlighet == hemlighet


def test_the_same_number_encrypts_differently_each_time_and_only_in_its_own_column(ctx):
    a, b = krypto.kryptera("198503121234", "deltagare.personnummer"), krypto.kryptera("198503121234", "deltagare.personnummer")
    assert a != b
    assert krypto.dekryptera(a, "deltagare.personnummer") == "198503121234"
    with pytest.raises(krypto.Nyckelfel, match="går inte att dekryptera"):
        krypto.dekryptera(a, "anvandare.totp_hemlighet")


def test_lookup_by_exact_number_finds_the_person_and_the_number_stays_unique(world):
    arende = factories.create_arende(world)
    nummer = arende.deltagare.personnummer
    user = world.users["ledamot_af"]
    kort = f"{nummer[2:8]}-{nummer[8:]}"  # the ten-digit form with a dash
    assert deltagare_services.find_by_personnummer(world.forbund.id, kort, user_id=user.id).id == arende.deltagare_id
    assert deltagare_services.find_by_personnummer(world.forbund.id, factories.personnummer(),
                                                   user_id=user.id) is None
    # find_or_create reuses the person rather than making a second one.
    again = deltagare_services.find_or_create(world.forbund.id, user_id=user.id, kon="kvinna",
                                              personnummer_raw=nummer)
    assert again.id == arende.deltagare_id
    db.session.commit()

    db.session.add(Deltagare(forbund_id=world.forbund.id, personnummer=nummer, kon=again.kon, fodelsear=1980))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_web_search_by_number_finds_the_arende(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    response = login(world.users["ledamot_af"]).post("/arenden/sok", data={"q": arende.deltagare.personnummer})
    assert arende.referens in response.get_data(as_text=True)


def test_the_api_search_by_number_finds_the_deltagare(world, client):
    from samverkan.auth import services as auth_services

    arende = factories.create_arende(world)
    _, secret = auth_services.create_token(world.users["ledamot_af"], "test")
    db.session.commit()
    response = client.post("/api/v1/deltagare/sok", json={"personnummer": arende.deltagare.personnummer},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"] == arende.deltagare_id


def test_comparing_the_encrypted_column_with_a_value_is_refused(ctx):
    with pytest.raises(TypeError, match="sökhash"):
        select(Deltagare).where(Deltagare.personnummer == "198503121234")
    select(Deltagare).where(Deltagare.personnummer.is_not(None))  # IS NULL tests stay possible


def test_dropping_the_number_drops_its_hash(world):
    arende = factories.create_arende(world)
    db.session.commit()
    deltagare = arende.deltagare
    deltagare.personnummer = None  # what gallring does to a person whose ärenden are all gallrade
    deltagare.anonym_kod = f"gallrad-{deltagare.id}"
    db.session.commit()
    assert radata("deltagare", "personnummer_sok") == [(deltagare.id, None)]


def _byt_nycklar(app, lista: str) -> krypto.Nycklar:
    gamla = app.extensions["samverkan.krypto"]
    app.config["KRYPTERINGSNYCKLAR"] = lista
    krypto.init_app(app, relaxed=True)
    return gamla


def test_rotation_rewrites_every_row_under_the_new_key_and_everything_stays_readable(ctx, world):
    app = ctx
    arenden = [factories.create_arende(world) for _ in range(5)]
    nummer = {a.deltagare_id: a.deltagare.personnummer for a in arenden}
    user = world.users["ledamot_af"]
    user.totp_hemlighet = hemlighet = pyotp.random_base32()
    db.session.commit()
    lokal = krypto.lokal_miljo()["SAMVERKAN_KRYPTERINGSNYCKLAR"]
    gamla = _byt_nycklar(app, f"ny:{NY_NYCKEL},{lokal}")
    try:
        # Before rotation: old rows read with the old key, new rows are written with the new.
        db.session.expire_all()
        assert {d.id: d.personnummer for d in db.session.scalars(select(Deltagare))} == nummer
        db.session.commit()

        result = app.test_cli_runner().invoke(args=["rotera-nyckel", "--batch", "2"])
        assert result.exit_code == 0, result.output
        assert "deltagare.personnummer: 5 rader omkrypterade med nyckeln ny" in result.output
        assert {v[:len("aes1:ny:")] for _, v in radata("deltagare", "personnummer")} == {"aes1:ny:"}
        assert all(v is None or v.startswith("aes1:ny:") for _, v in radata("anvandare", "totp_hemlighet"))
        # Run again: nothing left to do.
        again = app.test_cli_runner().invoke(args=["rotera-nyckel"])
        assert "deltagare.personnummer: 0 rader" in again.output

        # The old key can now go: everything reads and is found with the new one alone.
        _byt_nycklar(app, f"ny:{NY_NYCKEL}")
        db.session.expire_all()
        assert {d.id: d.personnummer for d in db.session.scalars(select(Deltagare))} == nummer
        assert db.session.get(type(user), user.id).totp_hemlighet == hemlighet
        for deltagare_id, pnr in nummer.items():
            assert deltagare_services.find_by_personnummer(world.forbund.id, pnr, user_id=user.id).id == deltagare_id
        db.session.commit()
    finally:
        app.extensions["samverkan.krypto"] = gamla
        app.config.pop("KRYPTERINGSNYCKLAR", None)


def test_a_value_under_a_removed_key_says_so(ctx, world):
    app = ctx
    factories.create_arende(world)
    db.session.commit()
    gamla = _byt_nycklar(app, f"ny:{NY_NYCKEL}")
    try:
        db.session.expire_all()
        with pytest.raises(krypto.Nyckelfel, match="nyckeln lokal finns inte"):
            db.session.scalars(select(Deltagare)).all()
        db.session.rollback()
    finally:
        app.extensions["samverkan.krypto"] = gamla
        app.config.pop("KRYPTERINGSNYCKLAR", None)


def test_the_migration_encrypts_plain_rows_and_can_run_twice(world):
    """Rows written before encryption (the revision before 0010_krypto_kryptering) are encrypted by the upgrade; run a
    second time (stamped back), it encrypts only what is still plain."""
    forbund_id, user_id, annan_id = world.forbund.id, world.users["ledamot_af"].id, world.users["ledamot_fk"].id
    db.session.commit()
    db.session.remove()
    from flask_migrate import downgrade

    fore = forega(MIGRERING)
    downgrade(revision=fore)
    forsta = factories.personnummer()
    hemlighet = pyotp.random_base32()
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO deltagare (forbund_id, personnummer, samordningsnummer, kon, fodelsear, "
                          "skapad) VALUES (:f, :p, false, 'man', 1980, CURRENT_TIMESTAMP)"),
                     {"f": forbund_id, "p": forsta})
        conn.execute(text("UPDATE anvandare SET totp_hemlighet = :h WHERE id = :u"), {"h": hemlighet, "u": user_id})
    upgrade(revision=MIGRERING)
    efter_forsta = radata("deltagare", "personnummer")
    assert len(efter_forsta) == 1 and efter_forsta[0][1].startswith("aes1:")
    db.session.commit()

    tidigare_totp = radata("anvandare", "totp_hemlighet")

    # A second run (stamped back, as after a restore of the version table) finds the
    # schema done and the rows encrypted, and encrypts only what is still plain.
    stamp(revision=fore)
    annan_hemlighet = pyotp.random_base32()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE anvandare SET totp_hemlighet = :h WHERE id = :u"),
                     {"h": annan_hemlighet, "u": annan_id})
    upgrade(revision=MIGRERING)
    assert radata("deltagare", "personnummer") == efter_forsta  # left alone: already encrypted
    efter_andra = dict(radata("anvandare", "totp_hemlighet"))
    assert {i: v for i, v in tidigare_totp if v} == {i: v for i, v in efter_andra.items() if v and i != annan_id}
    assert efter_andra[annan_id].startswith("aes1:")
    db.session.commit()
    upgrade()  # on to the head (the models' columns), also for the tests after this one
    db.session.expire_all()
    assert [d.personnummer for d in db.session.scalars(select(Deltagare))] == [forsta]
    assert db.session.get(User, user_id).totp_hemlighet == hemlighet
    assert db.session.get(User, annan_id).totp_hemlighet == annan_hemlighet
    assert deltagare_services.find_by_personnummer(forbund_id, forsta, user_id=user_id) is not None


def test_production_refuses_to_start_without_keys(monkeypatch, tmp_path):
    for name in ("SAMVERKAN_DEMO", "SAMVERKAN_KRYPTERINGSNYCKLAR", "SAMVERKAN_SOKNYCKEL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    base = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"}
    with pytest.raises(krypto.Nyckelfel, match="SAMVERKAN_KRYPTERINGSNYCKLAR och SAMVERKAN_SOKNYCKEL saknas"):
        create_app(base)
    with pytest.raises(krypto.Nyckelfel, match="32 slumpmässiga byte"):
        create_app({**base, "KRYPTERINGSNYCKLAR": "1:kort", "SOKNYCKEL": NY_NYCKEL})
    app = create_app({**base, "KRYPTERINGSNYCKLAR": f"2026b:{NY_NYCKEL}, 2026a:{NY_NYCKEL}",
                      "SOKNYCKEL": NY_NYCKEL})
    assert app.extensions["samverkan.krypto"].aktuell == "2026b"
    # Debug, demo and tests get the fixed local keys.
    assert create_app({**base, "DEMO": True}).extensions["samverkan.krypto"].aktuell == "lokal"
