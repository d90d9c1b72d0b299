"""The audit log: append-only (ORM, bulk statements, and no such path in the source), and
complete for what exists: reading case details, state changes, deltagare search, token
creation and login each leave a row naming the user, the object and the channel."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from samverkan.auth.models import ApiToken, Inloggningsforsok
from samverkan.auth.services import create_token
from samverkan.core import audit
from samverkan.core.audit import AppendOnlyError, AuditEntry
from samverkan.core.db import db
from tests import factories
from tests.api.helpers import Api

ROOT = Path(__file__).resolve().parents[2]


# --- append-only ------------------------------------------------------------------------
def _entry() -> AuditEntry:
    entry = audit.record("arende.visa", "arende", 1, user_id=None, falt=["status"])
    db.session.commit()
    return entry


def test_orm_update_is_refused(ctx):
    entry = _entry()
    entry.falt = "ändrat"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).falt == "status"


def test_orm_delete_is_refused(ctx):
    entry = _entry()
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


@pytest.mark.parametrize("statement", [
    lambda: update(AuditEntry).values(falt="x"),
    lambda: delete(AuditEntry),
    lambda: delete(AuditEntry).where(AuditEntry.id > 0),
    lambda: update(AuditEntry.__table__).values(ip=""),
    lambda: delete(AuditEntry.__table__),
], ids=["orm-update", "orm-delete", "orm-delete-where", "core-update", "core-delete"])
def test_bulk_statements_through_the_session_are_refused(ctx, statement):
    _entry()
    with pytest.raises(AppendOnlyError):
        db.session.execute(statement())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_legacy_query_update_and_delete_are_refused(ctx):
    _entry()
    with pytest.raises(AppendOnlyError):
        db.session.query(AuditEntry).filter(AuditEntry.id > 0).delete()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.query(AuditEntry).update({"falt": "x"})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_the_guard_concerns_the_audit_table_only(ctx):
    db.session.add(Inloggningsforsok(epost="x@example.org", ip="127.0.0.1"))
    db.session.flush()
    db.session.execute(delete(Inloggningsforsok))
    assert db.session.scalar(select(func.count()).select_from(Inloggningsforsok)) == 0


# Ways to change or remove audit rows that bypass the ORM's objects; none may exist in the
# application or its migrations. (A raw connection would pass the session's guard.)
_FORBIDDEN = [
    re.compile(r"\b(?:update|delete)\(\s*AuditEntry\b"),
    re.compile(r"\bAuditEntry\.__table__\s*\.\s*(?:update|delete)\("),
    re.compile(r"\bquery\(\s*AuditEntry\s*\)[^\n]*\.(?:update|delete)\("),
    re.compile(r"\bAuditEntry\.query\b[^\n]*\.(?:update|delete)\("),
    re.compile(r"\b(?:update|delete\s+from|truncate(?:\s+table)?)\s+[\"'`]?granskningslogg\b", re.IGNORECASE),
]


def _code_without_comments(path: Path) -> str:
    # Comments may name the patterns (to explain the guard); code and strings may not.
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return tokenize.untokenize((t.type, t.string) for t in tokens if t.type != tokenize.COMMENT)


def _violations(text: str) -> list[str]:
    return [m.group(0) for pattern in _FORBIDDEN for m in pattern.finditer(text)]


@pytest.mark.parametrize("snippet", [
    "db.session.execute(update(AuditEntry).values(falt=''))",
    "db.session.execute(delete( AuditEntry ).where(AuditEntry.tid < x))",
    "conn.execute(AuditEntry.__table__.delete())",
    "db.session.query(AuditEntry).filter(AuditEntry.id == 1).delete()",
    "AuditEntry.query.filter_by(user_id=1).delete()",
    'db.session.execute(text("DELETE FROM granskningslogg WHERE id = 1"))',
    "op.execute('UPDATE granskningslogg SET ip = NULL')",
    'op.execute("TRUNCATE TABLE granskningslogg")',
])
def test_the_source_scan_recognises_a_change_path(snippet):
    assert _violations(snippet)


def test_no_update_or_delete_path_for_the_audit_log_in_the_source():
    files = [*(ROOT / "samverkan").rglob("*.py"), *(ROOT / "migrations").rglob("*.py")]
    assert len(files) > 20  # the scan really looks at the package
    found = {str(p.relative_to(ROOT)): v for p in files if (v := _violations(_code_without_comments(p)))}
    assert found == {}


# --- completeness -----------------------------------------------------------------------
@pytest.fixture
def api(world, client):
    """``api("ledamot_af")``: the API as that user, with a token made outside a request."""

    def _api(key: str) -> Api:
        _, secret = create_token(world.users[key], "test")
        db.session.commit()
        return Api(client, secret)

    return _api


def _rows(handling: str, user) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.execute(
        select(AuditEntry).where(AuditEntry.handling == handling, AuditEntry.user_id == user.id)
        .order_by(AuditEntry.id)
    ).scalars().all()


def _assert_no_values(entry: AuditEntry, *values: str) -> None:
    columns = f"{entry.handling}|{entry.objekt_typ}|{entry.falt}|{entry.kanal}|{entry.ip}"
    for value in values:
        assert value not in columns


def test_reading_a_case_on_the_web_is_audited(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    user = world.users["ledamot_fk"]
    assert login(user).get(f"/arenden/{arende.id}").status_code == 200
    [entry] = _rows("arende.visa", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal, entry.ip) == ("arende", arende.id, "webb", "127.0.0.1")


def test_reading_a_case_through_the_api_is_audited(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    user = world.users["ledamot_fk"]
    assert api("ledamot_fk").get(f"/arenden/{arende.id}").status_code == 200
    [entry] = _rows("arende.visa", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal) == ("arende", arende.id, "api")


def test_a_refused_read_leaves_no_read_row(world, login, api):
    arende = factories.create_arende(world)
    db.session.commit()
    assert login(world.users["granne"]).get(f"/arenden/{arende.id}").status_code == 404
    assert api("granne").get(f"/arenden/{arende.id}").status_code == 404
    assert _rows("arende.visa", world.users["granne"]) == []


_AVSLUT = {"avslutsorsak": "flyttat", "forsorjning_slut": "lon", "sysselsattning_slut": "arbete"}


def test_a_state_change_on_the_web_is_audited(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    user = world.users["projektledare"]
    response = login(user).post(f"/arenden/{arende.id}/handelse",
                                data={"trigger": "avsluta", "version": arende.version, **_AVSLUT})
    assert response.status_code == 303
    [entry] = _rows("arende.avsluta", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.falt, entry.kanal) == ("arende", arende.id, "status", "webb")


def test_a_state_change_through_the_api_is_audited(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    user = world.users["projektledare"]
    response = api("projektledare").post(f"/arenden/{arende.id}/handelser",
                                         json={"trigger": "avsluta", "version": arende.version, **_AVSLUT})
    assert response.status_code == 201
    [entry] = _rows("arende.avsluta", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.falt, entry.kanal) == ("arende", arende.id, "status", "api")


def test_a_deltagare_search_is_audited_without_the_number(world, api):
    arende = factories.create_arende(world)
    db.session.commit()
    nummer = arende.deltagare.personnummer
    user = world.users["ledamot_af"]
    assert api("ledamot_af").post("/deltagare/sok", json={"personnummer": nummer}).status_code == 200
    unknown = factories.personnummer()
    assert api("ledamot_af").post("/deltagare/sok", json={"personnummer": unknown}).status_code == 404
    # (Registering the ärende looked the number up too: that row says "cli".)
    found, missing = [e for e in _rows("deltagare.sok", user) if e.kanal == "api"]
    assert (found.objekt_typ, found.objekt_id, found.falt, found.kanal) == (
        "deltagare", arende.deltagare_id, "personnummer", "api")
    assert (missing.objekt_id, missing.kanal) == (None, "api")
    for entry in (found, missing):
        _assert_no_values(entry, nummer, nummer[2:], unknown)


def test_creating_a_token_on_the_web_is_audited(world, login):
    user = world.users["ledamot_af"]
    assert login(user).post("/konto/api-tokens", data={"namn": "Verksamhetssystem"}).status_code == 200
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    [entry] = _rows("token.skapa", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal) == ("api_token", token_id, "webb")


def test_creating_a_token_through_the_api_is_audited(world, api):
    user = world.users["ledamot_af"]
    response = api("ledamot_af").post("/tokens", json={"namn": "Verksamhetssystem"})
    assert response.status_code == 201
    entry = _rows("token.skapa", user)[-1]  # the first is the fixture's own token
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal) == ("api_token", response.get_json()["id"], "api")
    _assert_no_values(entry, response.get_json()["token"])


def test_login_is_audited_and_a_failed_one_is_not(world, client):
    user = world.users["ledamot_af"]
    client.post("/logga-in", data={"epost": user.epost, "losenord": "fel-losenord-123"})
    assert _rows("inloggning", user) == []
    response = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert response.status_code == 303
    [entry] = _rows("inloggning", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal, entry.ip) == ("anvandare", user.id, "webb", "127.0.0.1")


def test_postgresql_itself_refuses_changes_to_the_audit_log(world, ctx):
    """Migration 0004: even a raw statement past the application is refused."""
    import sqlalchemy.exc
    from sqlalchemy import text as sql

    if ctx.config["BACKEND"] != "postgresql":
        pytest.skip("database-level guard exists on PostgreSQL only")
    audit.record("test.rad", "arende", 1, user_id=world.users["admin"].id)
    db.session.commit()
    for statement in ("UPDATE granskningslogg SET handling = 'x'", "DELETE FROM granskningslogg",
                      "TRUNCATE granskningslogg"):
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="går inte att ändra"):
            db.session.execute(sql(statement))
        db.session.rollback()
