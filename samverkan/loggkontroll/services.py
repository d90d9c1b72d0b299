"""Reading the audit log: the förbund admin's filtered, paginated list and CSV export.

Only the admin's own förbund: entries made by its users, or about its ärenden or users.
The log has no förbund column (it must outlive every row it names and core knows no
domain), so the scope is decided here with sub-selects on ``anvandare`` and ``arende``.
What is shown: who (the user's name), what (the action in words), which ärende (its
reference code only), which fields, channel and IP address; never case details.
Reading or exporting the log is itself audited. The caller commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.kalkylblad import csv_text
from samverkan.core.svenska import svensk_ordning, tal
from samverkan.insatser.models import Insats
from samverkan.loggkontroll.handlingar import handling_label, objekttyp_label
from samverkan.moten.models import Dagordningspunkt
from samverkan.samplanering.models import Atgard

# An export is built in memory; past this many rows the admin narrows the period rather
# than getting a silently cut file.
EXPORT_MAX = 100_000

KANALER = {"webb": "Webb", "api": "API", "cli": "Kommandorad", "jobb": "Schemalagt jobb"}


@dataclass(frozen=True)
class Urval:
    """The filters, as the form gives them; empty means no filter."""

    anvandare_id: int | None = None
    referens: str = ""
    handling: str = ""
    fran: dt.date | None = None
    till: dt.date | None = None

    def anvanda(self) -> list[str]:
        """Which filters are in use: their names go into the audit row, never the values."""
        named = {"anvandare": self.anvandare_id is not None, "arende": bool(self.referens),
                 "handling": bool(self.handling), "fran": self.fran is not None,
                 "till": self.till is not None}
        return [name for name, used in named.items() if used]


@dataclass(frozen=True)
class Rad:
    """One entry as shown: plain values, so nothing is loaded again after the commit."""

    tid: dt.datetime
    anvandare_id: int | None
    anvandare: str | None
    handling: str
    objekt_typ: str
    objekt_id: int | None
    objekt_anvandare: str | None
    arende_id: int | None
    referens: str | None
    falt: str
    kanal: str
    ip: str

    @property
    def handling_label(self) -> str:
        return handling_label(self.handling)

    @property
    def objekt_label(self) -> str:
        if self.referens:
            return f"Ärende {self.referens}"
        if self.objekt_anvandare:
            return f"Användare: {self.objekt_anvandare}"
        typ = objekttyp_label(self.objekt_typ)
        return f"{typ} {self.objekt_id}" if self.objekt_id is not None else typ

    @property
    def kanal_label(self) -> str:
        return KANALER.get(self.kanal, self.kanal)

    @property
    def anvandare_label(self) -> str:
        if self.anvandare:
            return self.anvandare
        return "–" if self.anvandare_id is None else f"Användare {self.anvandare_id} (utanför förbundet)"


@dataclass
class Sida:
    rader: list[Rad]
    sida: int
    per_sida: int
    totalt: int

    @property
    def sidor(self) -> int:
        return max(1, -(-self.totalt // self.per_sida))


def anvandare_val(admin: User) -> list[tuple[int, str]]:
    """The förbund's users for the filter's select, by name."""
    policy.require_admin(admin)
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.namn).where(User.forbund_id == admin.forbund_id).order_by(svensk_ordning(User.namn), User.id)
    )]


def lista(admin: User, urval: Urval, *, sida: int = 1, per_sida: int = 25) -> Sida:
    """One page of the admin's förbund's log, newest first, in a fixed number of queries."""
    where, arende_id = _where(admin, urval)
    totalt = db.session.scalar(select(func.count(AuditEntry.id)).where(*where))
    sida = max(1, sida)
    rader = _rader(admin, where, limit=per_sida, offset=(sida - 1) * per_sida)
    _audit("granskningslogg.visa", admin, urval, arende_id)
    return Sida(rader=rader, sida=sida, per_sida=per_sida, totalt=totalt)


def export(admin: User, urval: Urval) -> list[Rad]:
    """Every entry the filters select, newest first (audited as an export)."""
    where, arende_id = _where(admin, urval)
    totalt = db.session.scalar(select(func.count(AuditEntry.id)).where(*where))
    if totalt > EXPORT_MAX:
        raise DomainError("for_manga_rader",
                          f"Urvalet har {tal(totalt)} rader; en export får ha högst {tal(EXPORT_MAX)}. "
                          "Välj en kortare period.", field="fran")
    rader = _rader(admin, where)
    _audit("granskningslogg.export", admin, urval, arende_id)
    return rader


CSV_RUBRIKER = ["Tid", "Användare", "Användar-id", "Handling", "Handlingskod", "Objekt", "Objekttyp",
                "Objekt-id", "Ärende", "Fält", "Kanal", "IP-adress"]


def till_csv(rader: list[Rad]) -> str:
    """Semicolon-separated (what Excel expects with Swedish settings), times in Stockholm.

    The caller sends it as UTF-8 with a byte-order mark, so Excel reads å, ä, ö right.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_RUBRIKER)
    for r in rader:
        writer.writerow([_cell(v) for v in (
            clock.local(r.tid).strftime("%Y-%m-%d %H:%M:%S"), r.anvandare or "", r.anvandare_id,
            r.handling_label, r.handling, r.objekt_label, r.objekt_typ, r.objekt_id, r.referens or "",
            r.falt, r.kanal_label, r.ip,
        )])
    return out.getvalue()


# --- internals ------------------------------------------------------------------------
def _cell(value) -> str:
    # A cell starting like a formula would be run by Excel (CSV injection): names are
    # typed by people, so neutralise it (the one helper every export uses).
    return csv_text(value)


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in Stockholm that day, as UTC (the log stores UTC)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.STOCKHOLM).astimezone(dt.UTC)


def _scope(forbund_id: int):
    users = select(User.id).where(User.forbund_id == forbund_id)
    arenden = select(Arende.id).where(Arende.forbund_id == forbund_id)
    return or_(
        AuditEntry.user_id.in_(users),
        and_(AuditEntry.objekt_typ == "arende", AuditEntry.objekt_id.in_(arenden)),
        and_(AuditEntry.objekt_typ == "anvandare", AuditEntry.objekt_id.in_(users)),
    )


def _om_arendet(arende_id: int):
    """Every entry that concerns the ärende: about the ärende itself, and about what
    belongs to it (its notes, actions, insatser, agenda items, and its deltagare, whose
    reads and searches are reads of this ärende too)."""
    def av(typ: str, kolumn, villkor):
        return and_(AuditEntry.objekt_typ == typ, AuditEntry.objekt_id.in_(select(kolumn).where(villkor)))

    return or_(
        and_(AuditEntry.objekt_typ == "arende", AuditEntry.objekt_id == arende_id),
        av("anteckning", Anteckning.id, Anteckning.arende_id == arende_id),
        av("atgard", Atgard.id, Atgard.arende_id == arende_id),
        av("insats", Insats.id, Insats.arende_id == arende_id),
        av("dagordningspunkt", Dagordningspunkt.id, Dagordningspunkt.arende_id == arende_id),
        av("deltagare", Arende.deltagare_id, Arende.id == arende_id),
    )


def _where(admin: User, urval: Urval) -> tuple[list, int | None]:
    policy.require_admin(admin)
    fid = admin.forbund_id
    where = [_scope(fid)]
    arende_id = None
    if urval.anvandare_id is not None:
        known = db.session.scalar(
            select(User.id).where(User.id == urval.anvandare_id, User.forbund_id == fid)
        )
        if known is None:
            raise DomainError("okand_anvandare", "Välj en användare i listan.", field="anvandare")
        where.append(AuditEntry.user_id == urval.anvandare_id)
    if urval.referens:
        referens = urval.referens.strip().upper()
        arende_id = db.session.scalar(
            select(Arende.id).where(Arende.forbund_id == fid, Arende.referens == referens)
        )
        if arende_id is None:
            raise DomainError("okant_arende", f"Det finns inget ärende med referensen {referens} i förbundet.",
                              field="arende")
        where.append(_om_arendet(arende_id))
    if urval.handling:
        where.append(AuditEntry.handling == urval.handling)
    if urval.fran and urval.till and urval.till < urval.fran:
        raise DomainError("ogiltig_period", "Till och med kan inte vara före från och med.", field="till")
    if urval.fran:
        where.append(AuditEntry.tid >= _start_of(urval.fran))
    if urval.till:
        where.append(AuditEntry.tid < _start_of(urval.till + dt.timedelta(days=1)))
    return where, arende_id


def _rader(admin: User, where: list, *, limit: int | None = None, offset: int = 0) -> list[Rad]:
    fid = admin.forbund_id
    aktor = aliased(User)
    objekt_anv = aliased(User)
    # Names and reference codes only from the admin's own förbund.
    stmt = (
        select(AuditEntry, aktor.namn, objekt_anv.namn, Arende.id, Arende.referens)
        .outerjoin(aktor, and_(aktor.id == AuditEntry.user_id, aktor.forbund_id == fid))
        .outerjoin(objekt_anv, and_(AuditEntry.objekt_typ == "anvandare",
                                    objekt_anv.id == AuditEntry.objekt_id, objekt_anv.forbund_id == fid))
        .outerjoin(Arende, and_(AuditEntry.objekt_typ == "arende",
                                Arende.id == AuditEntry.objekt_id, Arende.forbund_id == fid))
        .where(*where)
        .order_by(AuditEntry.tid.desc(), AuditEntry.id.desc())
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        Rad(tid=e.tid, anvandare_id=e.user_id, anvandare=namn, handling=e.handling,
            objekt_typ=e.objekt_typ, objekt_id=e.objekt_id, objekt_anvandare=objekt_namn,
            arende_id=arende_id, referens=referens, falt=e.falt, kanal=e.kanal, ip=e.ip)
        for e, namn, objekt_namn, arende_id, referens in db.session.execute(stmt)
    ]


def _audit(handling: str, admin: User, urval: Urval, arende_id: int | None) -> None:
    # Looking at one ärende's log is a look at that ärende: it shows in its own log.
    if arende_id is not None:
        audit.record(handling, "arende", arende_id, user_id=admin.id, falt=urval.anvanda())
    else:
        audit.record(handling, "granskningslogg", None, user_id=admin.id, falt=urval.anvanda())
