"""Status rules for the rows beside the ärende: a status is set only through its table.

An insats, an agenda item and an outbox message each have a small life of their own
(queued, offered, active, ended; asked for, booked; queued, sending, sent, failed). Each
table below says where a row may start and which steps it may take; ``Statusregler``
checks every change against it. A step the table does not list is a programming error,
not user input, and raises ``OtillatenStatus``. ``tests/test_statusskrivningar.py``
reads the source and fails on a status written any other way.
"""

from __future__ import annotations


class OtillatenStatus(RuntimeError):
    """A status change the table does not declare."""


class Statusregler:
    def __init__(self, namn: str, start: set[str], steg: dict[str, set[str]]):
        self.namn = namn
        self.start = frozenset(start)
        self.steg_fran = {fran: frozenset(till) for fran, till in steg.items()}

    @staticmethod
    def _varde(status) -> str:
        return getattr(status, "value", status)

    def tillaten(self, fran, till) -> bool:
        return self._varde(till) in self.steg_fran.get(self._varde(fran), frozenset())

    def forsta(self, status):
        """The status a new row starts in (checked against the table)."""
        if self._varde(status) not in self.start:
            raise OtillatenStatus(f"{self.namn}: kan inte börja som {self._varde(status)}")
        return status

    def steg(self, fran, till):
        """``till``, if the table allows the step from ``fran`` (for compare-and-set
        updates, whose WHERE names ``fran``)."""
        if not self.tillaten(fran, till):
            raise OtillatenStatus(f"{self.namn}: {self._varde(fran)} -> {self._varde(till)} är inte tillåtet")
        return till

    def byt(self, rad, till) -> None:
        """Move one loaded row to ``till``."""
        rad.status = self.steg(rad.status, till)


# Insats: decided with a place (aktiv) or queued (ko); a queued one is offered a freed
# place in queue order (erbjuden) and confirmed (aktiv); any open one can end.
INSATS = Statusregler("insats", {"aktiv", "ko"}, {
    "ko": {"erbjuden", "avslutad"},
    "erbjuden": {"aktiv", "avslutad"},
    "aktiv": {"avslutad"},
})

# Agenda item: asked for by a handläggare (anmald) or booked by the projektledare; a
# request becomes the booking. Taking an item off the agenda deletes the row.
DAGORDNINGSPUNKT = Statusregler("dagordningspunkt", {"anmald", "bokad"}, {
    "anmald": {"bokad"},
})

# Outbox message: queued, claimed by a sender (a stale claim is taken over: skickar ->
# skickar), then sent, queued again after a failed attempt, or given up; a failed one can
# be queued again by the projektledare.
UTSKICK = Statusregler("utskick", {"koad"}, {
    "koad": {"skickar"},
    "skickar": {"skickar", "skickad", "koad", "misslyckad"},
    "misslyckad": {"koad"},
})
