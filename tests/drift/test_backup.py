"""Backup and restore from the command line, on SQLite (online backup API) and
PostgreSQL (pg_dump/pg_restore): data made, backed up, changed and wiped, restored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from samverkan.arenden.models import Arende
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests import factories


def _cli(ctx, *args):
    db.session.commit()
    result = ctx.test_cli_runner().invoke(args=list(args))
    return result


def _lage():
    db.session.expire_all()
    return (
        db.session.scalars(select(Arende.referens).order_by(Arende.referens)).all(),
        db.session.scalars(select(Arende.fragestallning).order_by(Arende.referens)).all(),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_backup_then_restore_brings_the_data_back(ctx, world, tmp_path):
    for _ in range(3):
        factories.create_arende(world)
    db.session.commit()
    fore = _lage()
    fil = tmp_path / "samverkan.backup"

    result = _cli(ctx, "backup", str(fil))
    assert result.exit_code == 0, result.output
    assert fil.stat().st_size > 0

    # After the backup: one ärende changed, one more made, then every ärende wiped.
    arende = db.session.scalars(select(Arende)).first()
    arende.fragestallning = "<p>Ändrad efter kopian</p>"
    factories.create_arende(world)
    db.session.commit()
    assert _lage() != fore
    tabeller = ["anteckning", "atgard", "dagordningspunkt", "forberedelse", "insats", "stegmatning",
                "samtycke_part", "samtycke", "arende_handelse", "arende"]
    for tabell in tabeller:
        db.session.execute(text(f"DELETE FROM {tabell}"))  # noqa: S608  (fixed names)
    db.session.commit()
    assert _lage()[0] == []

    result = _cli(ctx, "restore", "--ja", str(fil))
    assert result.exit_code == 0, result.output
    assert "återställd" in result.output
    # The data as at the backup; the audit log as at the backup plus the restore's own row.
    referenser, fragor, granskning = _lage()
    assert (referenser, fragor, granskning - 1) == fore


def test_restore_of_a_missing_or_broken_file_changes_nothing(ctx, world, tmp_path):
    factories.create_arende(world)
    db.session.commit()
    fore = _lage()
    trasig = tmp_path / "trasig.backup"
    trasig.write_bytes(b"inte en databas" * 100)

    for fil in (tmp_path / "saknas.backup", trasig):
        result = _cli(ctx, "restore", "--ja", str(fil))
        assert result.exit_code != 0
        assert "Error" in result.output
    assert _lage() == fore


@pytest.mark.parametrize("svar", ["n\n"])
def test_restore_asks_first(ctx, world, tmp_path, svar):
    fil = tmp_path / "k.backup"
    assert _cli(ctx, "backup", str(fil)).exit_code == 0
    result = ctx.test_cli_runner().invoke(args=["restore", str(fil)], input=svar)
    assert result.exit_code != 0
    assert "Fortsätta?" in result.output


@pytest.mark.parametrize("finns", [False, True])
def test_the_backup_is_readable_by_its_owner_alone(ctx, world, tmp_path, finns):
    import os
    import stat

    factories.create_arende(world)
    fil = tmp_path / "samverkan.backup"
    if finns:  # an old backup, world-readable, written over
        fil.write_bytes(b"gammal")
        fil.chmod(0o644)
    gammal = os.umask(0o022)
    try:
        result = _cli(ctx, "backup", str(fil))
    finally:
        os.umask(gammal)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(fil.stat().st_mode) == 0o600
    assert fil.stat().st_size > 100


def test_a_restore_leaves_a_trace_in_the_restored_audit_log(ctx, world, tmp_path):
    arende = factories.create_arende(world)
    admin_id = world.users["admin"].id
    admin_epost = world.users["admin"].epost
    referens = arende.referens
    db.session.commit()
    fil = tmp_path / "samverkan-2026-11-23.backup"
    assert _cli(ctx, "backup", str(fil)).exit_code == 0

    result = _cli(ctx, "restore", "--ja", "--av", admin_epost, str(fil))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    rader = db.session.scalars(select(AuditEntry).where(AuditEntry.handling == "databas.aterstall")).all()
    assert len(rader) == 1
    rad = rader[0]
    assert rad.user_id == admin_id and rad.kanal == "cli" and rad.objekt_typ == "databas"
    assert "fil:samverkan-2026-11-23.backup" in rad.falt
    assert "os-anvandare:" in rad.falt
    assert referens not in rad.falt and str(tmp_path) not in rad.falt  # the name, no path, no content
