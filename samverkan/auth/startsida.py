"""Where a person lands after login and at ``/``: one endpoint per role.

The page follows the work a role does every week. Access is still checked on the page
itself; this only picks the first page to show.
"""

from __future__ import annotations

from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.forbund.models import ForbundRoll, TeamRoll

# Role → start page, most specific work first: someone who leads a team and also sits in
# another as ledamot lands on the projektledare's overview.
STARTSIDOR: list[tuple[TeamRoll | ForbundRoll, str]] = [
    (TeamRoll.PROJEKTLEDARE, "oversikt.projektledare"),
    (TeamRoll.LEDAMOT, "listor.mina"),
    (TeamRoll.ERSATTARE, "listor.mina"),
    (TeamRoll.SAMCOACH, "insatser.min_kaseload"),
    (ForbundRoll.ADMIN, "loggkontroll.lista"),
    (ForbundRoll.STYRGRUPP, "rapporter.nyckeltal"),
]
# Everyone else (a user without roles).
STANDARD = "listor.mina"


def endpoint_for(user: User) -> str:
    har = policy.roller(user)
    return next((endpoint for roll, endpoint in STARTSIDOR if roll in har), STANDARD)
