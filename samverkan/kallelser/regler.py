"""When things are due for a meeting, by the team's rule, in Europe/Stockholm.

Pure functions of the meeting's start and the team's rule, so they can be tested at any
instant (DST changes included) and recomputed whenever a meeting moves:

- the kallelse: N days before at 09:00 (7 by default, ``Team.kallelse_dagar_fore``); or,
  when the team chooses it (``None``), the Friday 09:00 of the week before the meeting (the
  seed's rule: "at the latest the Friday of the week before");
- the agenda deadline for handläggare's requests: the team's days before the kallelse (2);
- the reminder to handläggare: the team's days before that deadline (2).

Local wall-clock times are built as dates and times first and localised last, so 09:00 is
09:00 on both sides of a DST change.
"""

from __future__ import annotations

import datetime as dt

from samverkan.core.clock import STOCKHOLM

KALLELSE_KLOCKAN = dt.time(9, 0)
DEADLINE_FORE_KALLELSE = dt.timedelta(days=2)
PAMINNELSE_FORE_DEADLINE = dt.timedelta(days=2)
FREDAG = 4


def _lokal(datum: dt.date, klockan: dt.time) -> dt.datetime:
    return dt.datetime.combine(datum, klockan, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def kallelse_tid(starttid: dt.datetime, dagar_fore: int | None) -> dt.datetime:
    """When the kallelse for a meeting starting at ``starttid`` is due (UTC)."""
    motesdag = starttid.astimezone(STOCKHOLM).date()
    if dagar_fore is None:
        # Monday of the meeting's week, back to the Friday before it.
        mandag = motesdag - dt.timedelta(days=motesdag.weekday())
        dag = mandag - dt.timedelta(days=7 - FREDAG)
    else:
        dag = motesdag - dt.timedelta(days=dagar_fore)
    return _lokal(dag, KALLELSE_KLOCKAN)


def anmalan_stanger(starttid: dt.datetime, dagar_fore: int | None,
                    deadline_dagar: int | None = None) -> dt.datetime:
    """The last moment handläggare can ask for a place on the agenda (UTC)."""
    kallelse = kallelse_tid(starttid, dagar_fore).astimezone(STOCKHOLM)
    fore = DEADLINE_FORE_KALLELSE if deadline_dagar is None else dt.timedelta(days=deadline_dagar)
    return _lokal(kallelse.date() - fore, kallelse.timetz().replace(tzinfo=None))


def paminnelse_tid(starttid: dt.datetime, dagar_fore: int | None, deadline_dagar: int | None = None,
                   paminnelse_dagar: int | None = None) -> dt.datetime:
    """When handläggare are reminded that the agenda deadline approaches (UTC)."""
    deadline = anmalan_stanger(starttid, dagar_fore, deadline_dagar).astimezone(STOCKHOLM)
    fore = PAMINNELSE_FORE_DEADLINE if paminnelse_dagar is None else dt.timedelta(days=paminnelse_dagar)
    return _lokal(deadline.date() - fore, deadline.timetz().replace(tzinfo=None))


def team_paminnelse_tid(starttid: dt.datetime, team) -> dt.datetime:
    """The reminder's time by the whole rule of ``team``."""
    return paminnelse_tid(starttid, team.kallelse_dagar_fore, team.anmalan_dagar_fore_kallelse,
                          team.paminnelse_dagar_fore_anmalan)


def planera(mote) -> None:
    """Recompute a meeting's due times from its start and its team's rule."""
    dagar = mote.team.kallelse_dagar_fore
    mote.kallelse_planerad = kallelse_tid(mote.starttid, dagar)
    mote.anmalan_stanger = anmalan_stanger(mote.starttid, dagar, mote.team.anmalan_dagar_fore_kallelse)
