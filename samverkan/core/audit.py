"""The audit log: who read or changed what, when, and from where. Append-only.

Entries name the object and the fields touched, never their values: the log itself
must not become a second copy of sensitive data. Writes go in the caller's transaction,
so a change and its audit row commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import String, event, insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from samverkan.core.db import UTCDateTime, db, utcnow

log = logging.getLogger(__name__)


class AuditEntry(db.Model):
    __tablename__ = "granskningslogg"

    id: Mapped[int] = mapped_column(primary_key=True)
    tid: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A plain number, not a foreign key: core knows no domain, and the log must
    # outlive any row it mentions.
    user_id: Mapped[int | None] = mapped_column(index=True)
    handling: Mapped[str] = mapped_column(String(60))
    objekt_typ: Mapped[str] = mapped_column(String(40))
    objekt_id: Mapped[int | None] = mapped_column(index=True)
    falt: Mapped[str] = mapped_column(String(500), default="")
    kanal: Mapped[str] = mapped_column(String(10), default="")  # webb, api, cli, jobb
    ip: Mapped[str] = mapped_column(String(64), default="")


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target):
    raise AppendOnlyError("Granskningsloggen går inte att ändra eller radera.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # The mapper events above see only loaded objects; a bulk UPDATE or DELETE through
    # a session (update(AuditEntry), delete(AuditEntry.__table__), Query.delete())
    # skips them, so refuse those here too. A raw connection bypasses both: see the
    # source scan in tests/core/test_audit.py.
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == AuditEntry.__tablename__:
        raise AppendOnlyError("Granskningsloggen går inte att ändra eller radera.")


def _kanal_ip() -> tuple[str, str]:
    if has_request_context():
        return ("api" if request.path.startswith("/api/") else "webb"), (request.remote_addr or "")
    return "cli", ""


def record_many(
    handling: str,
    objekt_typ: str,
    objekt_ids: Iterable[int],
    *,
    user_id: int | None,
    falt: Iterable[str] = (),
    also: Iterable[tuple[str, str, int | None, Iterable[str]]] = (),
) -> int:
    """One entry per object (a list read, a search, an export: each ärende it showed gets
    its own row, so the ärende's trail finds it), plus the entries in ``also``
    (handling, objekt_typ, objekt_id, falt), in one INSERT whatever their number, in the
    current transaction. Returns how many rows were written."""
    falt = list(falt)
    rows = [*also, *((handling, objekt_typ, objekt_id, falt) for objekt_id in sorted(set(objekt_ids)))]
    if not rows:
        return 0
    kanal, ip = _kanal_ip()
    tid = utcnow()
    db.session.execute(insert(AuditEntry), [
        {"tid": tid, "user_id": user_id, "handling": h, "objekt_typ": typ, "objekt_id": oid,
         "falt": ",".join(sorted(f)), "kanal": kanal, "ip": ip}
        for h, typ, oid, f in rows
    ])
    return len(rows)


def record(
    handling: str,
    objekt_typ: str,
    objekt_id: int | None,
    *,
    user_id: int | None,
    falt: Iterable[str] = (),
) -> AuditEntry:
    """Add one entry to the current transaction (the caller commits)."""
    kanal, ip = _kanal_ip()
    entry = AuditEntry(
        user_id=user_id,
        handling=handling,
        objekt_typ=objekt_typ,
        objekt_id=objekt_id,
        falt=",".join(sorted(falt)),
        kanal=kanal,
        ip=ip,
    )
    db.session.add(entry)
    return entry
