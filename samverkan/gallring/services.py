"""Which closed ärenden are past the förbund's retention period, and anonymising them.

Gallring here means anonymisation, not deletion: what identifies the person or tells
their story goes (personnummer, frågeställning, notes, handlingsplan text and the
responsible person's name, the individual's goals, the handover's who and how, consent
document references, comments in the history), and
what the statistics count stays (kön, birth year, parties, dates, states and history,
insatser, decisions, stegmätningar, start and end data, outcome). Reports over the
förbund therefore give the same numbers before and after.

The audit log (granskningslogg) is left as it is: it is append-only (migration 0004)
and holds object ids and field names, never values, so after gallring its rows point
at anonymised ärenden and identify no one. Each anonymised ärende gets one more entry,
``gallring``.

It runs every night from the scheduler (``jobs.py``), from ``flask gallring`` and from
the admin's page. The job changes data and flushes; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.deltagare.models import Deltagare, Samtycke
from samverkan.efterkontroll.models import Overlamning
from samverkan.forbund.models import Forbund
from samverkan.samplanering.models import Atgard, IndividensMal
from workflows import arende as wf

log = logging.getLogger(__name__)

STANGDA = (*wf.STANGDA, wf.ATERKALLAD)
# Bulk updates take ids in slices so no statement exceeds a driver's parameter limit.
SKIVA = 500


@dataclass
class Rapport:
    torrkorning: bool
    # förbund kod -> reference codes anonymised (or, in a dry run, that would be)
    per_forbund: dict[str, list[str]] = field(default_factory=dict)
    deltagare: int = 0

    @property
    def antal(self) -> int:
        return sum(len(koder) for koder in self.per_forbund.values())

    def text(self) -> str:
        verb = "skulle gallras" if self.torrkorning else "gallrade"
        rader = [f"{'Torrkörning: ' if self.torrkorning else ''}{self.antal} ärenden {verb}."]
        for kod, referenser in sorted(self.per_forbund.items()):
            rader.append(f"{kod}: {len(referenser)} — {', '.join(referenser) or 'inga'}")
        if not self.torrkorning:
            rader.append(f"Deltagare avidentifierade: {self.deltagare}.")
        return "\n".join(rader)


def manader_fore(datum: dt.date, manader: int) -> dt.date:
    """The same day ``manader`` months earlier (the month's last day if it is shorter)."""
    return clock.plus_manader(datum, -manader)


def _stangd_den():
    """The day an ärende was closed: its avslut date, else the last event's date."""
    senaste = (
        select(func.max(ArendeHandelse.galler_datum))
        .where(ArendeHandelse.arende_id == Arende.id)
        .scalar_subquery()
    )
    return func.coalesce(Arende.avslutad_den, senaste)


MAX_MANADER = 1200  # a hundred years: beyond that a number is a typing error


def satt_frist(forbund_id: int, manader: int | None, *, user_id: int | None) -> None:
    """The förbund's retention period in months after closing; None: no gallring."""
    if manader is not None and not 1 <= manader <= MAX_MANADER:
        raise DomainError("ogiltig_gallringsfrist", f"Ange gallringsfristen som ett antal månader, 1–{MAX_MANADER}, "
                          "eller lämna fältet tomt för ingen gallring.", field="manader")
    forbund = db.session.get(Forbund, forbund_id)
    forbund.gallringsfrist_manader = manader
    audit.record("gallringsfrist.andra", "forbund", forbund_id, user_id=user_id, falt=["gallringsfrist_manader"])
    db.session.flush()


def forfallna(idag: dt.date | None = None, *, forbund_id: int | None = None) -> list[tuple[int, str, str, int]]:
    """(id, referens, förbund kod, deltagare id) of closed, not yet anonymised ärenden
    whose förbund's retention period has passed, oldest first; one förbund's or all."""
    idag = idag or clock.today()
    rader = []
    urval = select(Forbund).where(Forbund.gallringsfrist_manader.is_not(None)).order_by(Forbund.kod)
    if forbund_id is not None:
        urval = urval.where(Forbund.id == forbund_id)
    for forbund in db.session.execute(urval).scalars():
        grans = manader_fore(idag, forbund.gallringsfrist_manader)
        rader += db.session.execute(
            select(Arende.id, Arende.referens, Forbund.kod, Arende.deltagare_id)
            .join(Forbund, Forbund.id == Arende.forbund_id)
            .where(
                Arende.forbund_id == forbund.id,
                Arende.status.in_(STANGDA),
                Arende.gallrad.is_(None),
                _stangd_den() < grans,
            )
            .order_by(Arende.id)
        ).all()
    return [tuple(rad) for rad in rader]


def gallra(*, torrkorning: bool, idag: dt.date | None = None, forbund_id: int | None = None,
           user_id: int | None = None) -> Rapport:
    """Anonymise what is due (one förbund's or all); ``user_id`` is who asked, None for
    the scheduler and the command line."""
    rapport = Rapport(torrkorning=torrkorning)
    arenden = forfallna(idag, forbund_id=forbund_id)
    for _id, referens, kod, _deltagare in arenden:
        rapport.per_forbund.setdefault(kod, []).append(referens)
    if torrkorning or not arenden:
        return rapport
    ids = [rad[0] for rad in arenden]
    nu = clock.now()
    for start in range(0, len(ids), SKIVA):
        _anonymisera(ids[start:start + SKIVA], nu)
    rapport.deltagare = _avidentifiera_deltagare({rad[3] for rad in arenden})
    for arende_id in ids:
        audit.record("gallring", "arende", arende_id, user_id=user_id,
                     falt=["fragestallning", "anteckningar", "handlingsplan", "samtycke", "kommentarer",
                           "individens_mal", "overlamning"])
    db.session.flush()
    log.info("gallring: %d ärenden, %d deltagare", len(ids), rapport.deltagare)
    return rapport


def _anonymisera(ids: list[int], nu: dt.datetime) -> None:
    def ratt(statement):
        db.session.execute(statement, execution_options={"synchronize_session": False})

    # The version goes up like any other change, so an open form gets a conflict.
    ratt(update(Arende).where(Arende.id.in_(ids))
         .values(fragestallning="", gallrad=nu, version=Arende.version + 1))
    ratt(update(ArendeHandelse).where(ArendeHandelse.arende_id.in_(ids)).values(kommentar=""))
    ratt(update(Anteckning).where(Anteckning.arende_id.in_(ids)).values(text=""))
    ratt(update(Atgard).where(Atgard.arende_id.in_(ids)).values(beskrivning="", ansvarig=""))
    ratt(update(Samtycke).where(Samtycke.arende_id.in_(ids)).values(dokumentreferens=""))
    # The individual's goals in their own words and the handover's who and how; the
    # attendance (counts by role), the starting step and the efterkontroll's outcome code
    # are statistics and stay.
    ratt(update(IndividensMal).where(IndividensMal.arende_id.in_(ids)).values(text=""))
    ratt(update(Overlamning).where(Overlamning.arende_id.in_(ids)).values(vem="", hur=""))


def _avidentifiera_deltagare(kandidater: set[int]) -> int:
    """Drop the personnummer of each person whose every ärende is now anonymised; a
    person with a later ärende still open keeps it until that one is gallrat too."""
    kvar = select(Arende.deltagare_id).where(Arende.gallrad.is_(None))
    antal = 0
    for deltagare in db.session.execute(
        select(Deltagare).where(
            Deltagare.id.in_(kandidater),
            Deltagare.personnummer.is_not(None),
            Deltagare.id.not_in(kvar),
        )
    ).scalars():
        # The CHECK wants a number or a code: a code that says what happened.
        deltagare.personnummer = None
        deltagare.anonym_kod = f"gallrad-{deltagare.id}"
        antal += 1
    db.session.flush()
    return antal

