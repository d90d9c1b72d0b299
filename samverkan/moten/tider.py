"""A meeting's time rules: Stockholm wall-clock times, the meeting day, whether it has
started, is going on today or is being recorded afterwards, when requests close, and the
agenda's time slots (each item's length and start).

Rules on a loaded meeting; nothing here reads the user or writes.
"""

from __future__ import annotations

import datetime as dt

from samverkan.core import clock
from samverkan.core.clock import STOCKHOLM
from samverkan.core.errors import DomainError
from samverkan.moten.models import Dagordningspunkt, Mote

MIN_LANGD, MAX_LANGD = 5, 600


def lokal_starttid(datum: dt.date, klockslag: dt.time) -> dt.datetime:
    """A Stockholm wall-clock time as a UTC instant: 13:00 stays 13:00 across DST."""
    return dt.datetime.combine(datum, klockslag, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def motesdatum(mote: Mote) -> dt.date:
    return clock.local(mote.starttid).date()


def kapacitet(mote: Mote) -> int:
    return mote.kapacitet or mote.team.agendakapacitet


def standardlangd(mote: Mote) -> int:
    """An item's default length: the team's time per ärende, else the meeting's length
    shared by its capacity."""
    if mote.team.minuter_per_arende:
        return mote.team.minuter_per_arende
    return max(MIN_LANGD, mote.langd_minuter // max(1, kapacitet(mote)))


def punktlangd(mote: Mote, punkt: Dagordningspunkt) -> int:
    return punkt.langd_minuter or standardlangd(mote)


def ar_passerat(mote: Mote) -> bool:
    """The meeting has started: its agenda is what it was, outcomes come next."""
    return mote.starttid <= clock.now()


def pagar_idag(mote: Mote) -> bool:
    """The meeting has started today (Stockholm) and is neither cancelled nor justerat:
    an extra ärende may still be added to its agenda (issue 15)."""
    from samverkan.protokoll.las import ar_justerat

    return (mote.installt is None and ar_passerat(mote) and motesdatum(mote) == clock.today()
            and not ar_justerat(mote.id))


def registreras_i_efterhand(mote: Mote) -> bool:
    """Recorded after the meeting day: shown as such on the page and in the history."""
    return motesdatum(mote) < clock.today()


def fore_motesdagen(mote: Mote) -> bool:
    """The meeting day (Stockholm) has not come: meeting mode is not open yet."""
    return motesdatum(mote) > clock.today()


def kontrollera_moteslage_oppet(mote: Mote) -> None:
    """Meeting mode opens on the meeting day (issue 15): attendance and decisions for a
    meeting ahead are refused, whichever entrance asks (meeting mode's pages or the API).
    After the day they are accepted until justering, marked as recorded afterwards."""
    if fore_motesdagen(mote):
        raise DomainError("fore_motesdagen", f"Mötesläget öppnar på mötesdagen {motesdatum(mote).isoformat()}. "
                          "Närvaro och beslut kan inte registreras före mötet.")


def registrerat_i_efterhand(mote: Mote, punkt: Dagordningspunkt) -> bool:
    """The item's outcome was recorded after the meeting day."""
    return punkt.behandlad is not None and clock.local(punkt.behandlad).date() > motesdatum(mote)


def anmalan_oppen(mote: Mote) -> bool:
    stanger = mote.anmalan_stanger or mote.starttid
    return mote.installt is None and clock.now() < stanger


def berakna_tidsluckor(mote: Mote, bokade: list[Dagordningspunkt]) -> bool:
    """Number the items 1..n and give each its start (local time of day): the meeting's
    start plus the lengths before it. True if anything changed."""
    andrat = False
    start = clock.local(mote.starttid).replace(tzinfo=None)
    for i, punkt in enumerate(sorted(bokade, key=lambda p: (p.ordning, p.id)), start=1):
        lucka = start.time()
        if punkt.ordning != i or punkt.tidslucka != lucka:
            punkt.ordning, punkt.tidslucka = i, lucka
            andrat = True
        start += dt.timedelta(minutes=punktlangd(mote, punkt))
    return andrat
