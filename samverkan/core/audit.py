"""The audit log: who read or changed what, when, and from where. Append-only.

Entries name the object and the fields touched, never their values: the log itself
must not become a second copy of sensitive data. Writes go in the caller's transaction,
so a change and its audit row commit or roll back together. In a request that only reads
(``core.anrop``) the row is written after the read, before the response leaves: on
SQLite in its own short write transaction (the read then takes no write lock), on
PostgreSQL in the read's own transaction, just before it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import String, event, insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from samverkan.core import anrop
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


def record(
    handling: str,
    objekt_typ: str,
    objekt_id: int | None,
    *,
    user_id: int | None,
    falt: Iterable[str] = (),
) -> AuditEntry:
    """Add one entry to the current transaction (the request, job or command commits), or,
    in a read, to the rows written right after it."""
    entry = AuditEntry(**_rad(handling, objekt_typ, objekt_id, user_id, falt))
    if not anrop.granska_efterat(entry):
        db.session.add(entry)
    return entry


def record_many(handling: str, objekt_typ: str, objekt_ids: Iterable[int], *, user_id: int | None,
                falt: Iterable[str] = ()) -> None:
    """One entry per object in one statement: a page that reads many objects (a list of
    ärenden with their figures) audits each without a query per row. In a read they join
    the rows written right after it (one INSERT for all)."""
    falt = list(falt)
    rader = [_rad(handling, objekt_typ, i, user_id, falt) for i in sorted(set(objekt_ids))]
    if not rader:
        return
    if anrop.laser_nu() and anrop.agd():
        for rad in rader:
            anrop.granska_efterat(AuditEntry(**rad))
    else:
        db.session.execute(insert(AuditEntry), rader)


def record_apart(handling: str, objekt_typ: str, objekt_id: int | None, *, user_id: int | None,
                 falt: Iterable[str] = ()) -> None:
    """Write one entry now, in a short transaction of its own: for what must be logged
    although the request's own transaction was rolled back (a refused read)."""
    anrop.skriv_apart([AuditEntry(**_rad(handling, objekt_typ, objekt_id, user_id, falt))])


def _rad(handling: str, objekt_typ: str, objekt_id: int | None, user_id: int | None,
         falt: Iterable[str]) -> dict:
    kanal, ip = _kanal_ip()
    return {"user_id": user_id, "handling": handling, "objekt_typ": objekt_typ, "objekt_id": objekt_id,
            "falt": ",".join(sorted(falt)), "kanal": kanal, "ip": ip}
