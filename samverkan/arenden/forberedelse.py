"""Preparing an ärende for its next meeting: which meeting that is, whether the consent
reaches it, and the per-party checklist ("förberett") with its one write, ``markera``.

The meeting is the next one the ärende is on the agenda of; if none, the team's next
meeting. Only meetings for case work (ärendedragning) that are not cancelled and start
after now count. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from samverkan.arenden import flow
from samverkan.arenden.flow import BOKAD_PUNKT_VILLKOR, team_part_ids
from samverkan.arenden.models import Arende, Forberedelse
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import Conflict, DomainError
from samverkan.core.svenska import sortera, sorteringsnyckel
from samverkan.deltagare.models import Samtycke
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp
from workflows import arende as wf

log = logging.getLogger(__name__)


# The team's next meeting for case work, and the next with the ärende on its agenda:
# built once, the team, the ärende and the time bound per call (issue 19).
_KOMMANDE = (
    select(Mote)
    .where(
        Mote.team_id == bindparam("team_id"),
        Mote.installt.is_(None),
        Mote.typ == MotesTyp.ARENDEDRAGNING,
        Mote.starttid > bindparam("nu"),
    )
    .order_by(Mote.starttid, Mote.id)
    .limit(1)
)
_KOMMANDE_MED_ARENDET = (_KOMMANDE.join(Dagordningspunkt, Dagordningspunkt.mote_id == Mote.id)
                         .where(Dagordningspunkt.arende_id == bindparam("arende_id")))


def nasta_mote(team_id: int) -> Mote | None:
    """The team's next meeting for case work (not cancelled, starting after now)."""
    return db.session.execute(_KOMMANDE, {"team_id": team_id, "nu": clock.now()}).scalar_one_or_none()


@dataclass(frozen=True)
class Motesval:
    """The meeting the ärende is being prepared for, and the team's next meeting."""

    # The meetings as rows of what is read of them (``id``, ``starttid``), not entities.
    mote: Row | None  # what the checklist is for
    pa_agendan: bool  # True: ``mote`` has the ärende on its agenda
    teamets_nasta: Row | None


def _forsta(sats, val: int):
    """The first meeting's id of ``sats`` (ordered by start, limited to one), with ``val``."""
    return select(sats.with_only_columns(Mote.id.label("id"), literal_column(str(val)).label("val")).subquery())


# The three meetings ``motesval`` weighs, in one statement (issue 19): the one the ärende's
# booked item is on (1), the next with the ärende on its agenda (2), the team's next (3).
_BOKAD, _MED_ARENDET, _TEAMETS = 1, 2, 3
_MOTESVAL_RADER = union_all(
    _forsta(select(Mote).join(Dagordningspunkt, Dagordningspunkt.mote_id == Mote.id)
            .where(*BOKAD_PUNKT_VILLKOR).order_by(Mote.starttid, Mote.id).limit(1), _BOKAD),
    _forsta(_KOMMANDE_MED_ARENDET, _MED_ARENDET),
    _forsta(_KOMMANDE, _TEAMETS),
).subquery()
# Rows, not entities: the case page and ``markera`` read the meetings' id and start only.
_MOTESVAL = (select(Mote.id, Mote.starttid, _MOTESVAL_RADER.c.val)
             .join(_MOTESVAL_RADER, _MOTESVAL_RADER.c.id == Mote.id))


def motesval(arende: Arende) -> Motesval:
    """One query: the meeting the ärende is on the agenda of, and the team's next.

    The meeting an item is booked on counts from the start of its day until the item is
    dealt with (issue 15: a tick given during today's meeting belongs to today's meeting,
    not to next month's); otherwise the next meeting with it on the agenda or asked for."""
    moten = {mote.val: mote for mote in rader(_MOTESVAL, {
        "team_id": arende.team_id, "nu": clock.now(), "arende_id": arende.id,
        "borjan": flow.bokad_borjan()})}
    pa_agenda = moten[_BOKAD] if _BOKAD in moten else moten.get(_MED_ARENDET)
    teamets = moten.get(_TEAMETS)
    if pa_agenda is not None:
        return Motesval(mote=pa_agenda, pa_agendan=True, teamets_nasta=teamets)
    return Motesval(mote=teamets, pa_agendan=False, teamets_nasta=teamets)


def motesdatum(mote: Mote | Row) -> dt.date:
    return clock.local(mote.starttid).date()


@dataclass(frozen=True)
class Samtyckesvarning:
    """Why the consent needs attention, in words (shown as text, not only colour)."""

    kod: str  # saknas, aterkallat, utgangen, gar_ut_fore_mote, tacker_inte_parter
    text: str


def samtyckesvarningar(arende: Arende, val: Motesval, part_ids: set[int],
                       parter: dict[int, Row]) -> list[Samtyckesvarning]:
    """What the case page warns about: no consent, withdrawn, expired, expiring before
    the team's next meeting (or the meeting the ärende is on), or not covering the team."""
    s: Samtycke | None = arende.samtycke
    if arende.status in wf.STANGDA:
        return []  # nothing more will be done with a closed ärende
    if s is None:
        return [Samtyckesvarning("saknas", "Inget samtycke är registrerat för ärendet.")]
    if policy.samtycke_aterkallat(arende):
        nar = f" {clock.local(s.aterkallat).date().isoformat()}" if s.aterkallat else ""
        return [Samtyckesvarning(
            "aterkallat",
            f"Samtycket återkallades{nar}. Ingen behandling får ske; ärendet kan bara avslutas.",
        )]
    idag = clock.today()
    if s.giltigt_till < idag:
        return [Samtyckesvarning(
            "utgangen",
            f"Samtycket gick ut {s.giltigt_till.isoformat()}. Ett nytt samtycke behövs innan "
            "ärendet kan tas upp i teamet igen.",
        )]
    varningar = []
    moten = {m.id: m for m in (val.teamets_nasta, val.mote) if m is not None}
    for mote in sorted(moten.values(), key=lambda m: m.starttid):
        if s.giltigt_till < motesdatum(mote):
            vilket = "mötet där ärendet står på dagordningen" if (
                val.pa_agendan and mote is val.mote) else "teamets nästa möte"
            varningar.append(Samtyckesvarning(
                "gar_ut_fore_mote",
                f"Samtycket gäller till {s.giltigt_till.isoformat()}, alltså inte vid {vilket} "
                f"{motesdatum(mote).isoformat()}. Förnya samtycket före mötet.",
            ))
            break
    saknade = sortera(parter[pid].namn for pid in part_ids - {p.id for p in s.parter} if pid in parter)
    if saknade:
        varningar.append(Samtyckesvarning(
            "tacker_inte_parter",
            "Samtycket omfattar inte alla teamets parter (saknas: " + ", ".join(saknade)
            + "). Ärendet kan inte tas upp på ett möte förrän det gör det.",
        ))
    return varningar


@dataclass(frozen=True)
class Checkrad:
    part: Row  # the party's id, namn and typ
    forberedelse: Forberedelse | None  # None: not yet marked
    kan_markera: bool


@dataclass(frozen=True)
class Checklista:
    val: Motesval
    rader: list[Checkrad]

    @property
    def mote(self) -> Row | None:
        return self.val.mote


def team_parter(team_id: int) -> tuple[set[int], dict[int, Row]]:
    """The team's parties (``team_part``, as ``flow.team_part_ids``): their ids, and
    each by id, as rows of the id, namn and typ the case page reads. One query."""
    parter = {p.id: p for p in rader(flow.TEAM_PARTER_RADER, {"team_id": team_id})}
    return set(parter), parter


def checklista(user: User, arende: Arende, val: Motesval, parter: dict[int, Row]) -> Checklista | None:
    """One row per team party for the meeting in ``val``; None when there is nothing to
    prepare (no meeting, or the ärende is not in an open state). One query."""
    if val.mote is None or arende.status not in wf.OPEN or policy.samtycke_aterkallat(arende):
        return None
    gjorda = {
        f.part_id: f
        for f in db.session.execute(
            select(Forberedelse)
            .where(Forberedelse.arende_id == arende.id, Forberedelse.mote_id == val.mote.id)
            .options(joinedload(Forberedelse.markerad_av))
        ).scalars()
    }
    rader = [
        Checkrad(part=p, forberedelse=gjorda.get(p.id),
                 kan_markera=policy.may_mark_forberedelse(user, arende, p.id))
        for p in sorted(parter.values(), key=lambda p: (p.typ.value, sorteringsnyckel(p.namn)))
    ]
    return Checklista(val=val, rader=rader)


def markera(user: User, arende_id: int, *, part_id: int | None, mote_id: int | None) -> Forberedelse:
    """Mark ``part_id`` as prepared for the ärende's current meeting. Marking twice is
    harmless: the existing mark is returned and nothing new is written."""
    arende = db.session.get(Arende, arende_id)
    policy.require_forberedelse(user, arende, part_id)
    if part_id not in team_part_ids(arende.team_id):
        raise DomainError("okand_part", "Parten ingår inte i teamet.")
    mote = motesval(arende).mote
    if mote is None:
        raise DomainError("inget_mote", "Det finns inget kommande möte att förbereda ärendet för.")
    if mote_id != mote.id:
        # The page was built for another meeting (moved, cancelled or held since).
        raise Conflict("Mötet har ändrats sedan sidan laddades. Ladda om sidan och försök igen.")
    where = (Forberedelse.arende_id == arende.id, Forberedelse.mote_id == mote.id,
             Forberedelse.part_id == part_id)
    befintlig = db.session.execute(select(Forberedelse).where(*where)).scalar_one_or_none()
    if befintlig is not None:
        return befintlig
    forberedelse = Forberedelse(arende_id=arende.id, mote_id=mote.id, part_id=part_id,
                                markerad_av_id=user.id, markerad=clock.now())
    try:
        # A savepoint: two members of the same party clicking at once must not fail the
        # request; the unique constraint decides and the loser gets the winner's row.
        with db.session.begin_nested():
            db.session.add(forberedelse)
    except IntegrityError:
        return db.session.execute(select(Forberedelse).where(*where)).scalar_one()
    audit.record("forberedelse.markera", "arende", arende.id, user_id=user.id, falt=["forberedelse"])
    log.info("arende %s: part %s förberedd för möte %s", arende.id, part_id, mote.id)
    return forberedelse
