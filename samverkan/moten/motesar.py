"""A team's year of meetings, generated from its rule (e.g. the second Tuesday at 13:00,
no meeting in July), and the Swedish names the rule is written with.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.forbund.models import Team
from samverkan.moten.hamta import _team
from samverkan.moten.models import Mote, MotesTyp
from samverkan.moten.redigering import _langd, _nytt_mote, _text, _typ, _videolank
from samverkan.moten.tider import lokal_starttid

log = logging.getLogger(__name__)

MANADER = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"]
VECKODAGAR = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
ORDNINGAR = {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", -1: "sista"}
AR_MANADER = 12


def nte_veckodag(ar: int, manad: int, veckodag: int, ordning: int) -> dt.date:
    """The ``ordning``-th (1–4, or -1 for the last) ``veckodag`` (0 = Monday) of a month."""
    if ordning == -1:
        sista = dt.date(ar, manad, calendar.monthrange(ar, manad)[1])
        return sista - dt.timedelta(days=(sista.weekday() - veckodag) % 7)
    forsta = dt.date(ar, manad, 1)
    return forsta + dt.timedelta(days=(veckodag - forsta.weekday()) % 7 + 7 * (ordning - 1))


@dataclass
class Generering:
    skapade: list[Mote] = field(default_factory=list)
    fanns_redan: list[dt.date] = field(default_factory=list)  # a meeting already on that date
    passerade: list[dt.date] = field(default_factory=list)  # the rule's date has passed


def generera_ar(user: User, team_id: int, *, veckodag: int, ordning: int, klockslag: dt.time,
                uppehall: set[int], startmanad: dt.date, plats: str = "", videolank: str = "",
                typ: MotesTyp | str = MotesTyp.ARENDEDRAGNING, langd_minuter: int = 120) -> Generering:
    """Meetings for twelve months from ``startmanad`` by a rule (e.g. the second Tuesday at
    13:00, no meeting in July). Idempotent: a date that already has a meeting of the team
    (cancelled ones included, so a cancellation is not undone) is skipped, and so is a
    date already past."""
    return generera_for_team(user, _team(user, team_id, andra=True), veckodag=veckodag, ordning=ordning,
                             klockslag=klockslag, uppehall=uppehall, startmanad=startmanad, plats=plats,
                             videolank=videolank, typ=typ, langd_minuter=langd_minuter)


def generera_for_team(user: User, team: Team, *, veckodag: int, ordning: int, klockslag: dt.time,
                      uppehall: set[int], startmanad: dt.date, plats: str = "", videolank: str = "",
                      typ: MotesTyp | str = MotesTyp.ARENDEDRAGNING, langd_minuter: int = 120) -> Generering:
    """``generera_ar`` for a team whose access the caller has checked (the projektledare
    there, the förbund admin in ``forbund.services``)."""
    if veckodag not in range(7):
        raise DomainError("ogiltig_veckodag", "Välj en veckodag.", field="veckodag")
    if ordning not in ORDNINGAR:
        raise DomainError("ogiltig_ordning", "Välj vilken veckodag i månaden (första–fjärde eller sista).",
                          field="ordning")
    if not uppehall <= set(range(1, 13)):
        raise DomainError("ogiltig_manad", "Välj uppehållsmånader från listan.", field="uppehall")
    if len(uppehall) == 12:
        raise DomainError("ogiltig_manad", "Minst en månad måste ha möte.", field="uppehall")
    langd_minuter = _langd(langd_minuter)
    plats = _text(plats, "plats", 300, "Platsen")
    videolank = _videolank(videolank)
    typ = _typ(typ)

    forsta = dt.date(startmanad.year, startmanad.month, 1)
    manader = []
    for i in range(AR_MANADER):
        ar, m0 = divmod(forsta.year * 12 + forsta.month - 1 + i, 12)
        manader.append((ar, m0 + 1))
    fran = lokal_starttid(forsta, dt.time(0, 0))
    sista_ar, sista_manad = manader[-1]
    till = lokal_starttid(dt.date(sista_ar, sista_manad, calendar.monthrange(sista_ar, sista_manad)[1])
                          + dt.timedelta(days=1), dt.time(0, 0))
    befintliga = {
        clock.local(t).date()
        for t in db.session.execute(
            select(Mote.starttid).where(Mote.team_id == team.id, Mote.starttid >= fran, Mote.starttid < till)
        ).scalars()
    }
    resultat = Generering()
    nu = clock.now()
    for ar, manad in manader:
        if manad in uppehall:
            continue
        datum = nte_veckodag(ar, manad, veckodag, ordning)
        starttid = lokal_starttid(datum, klockslag)
        if datum in befintliga:
            resultat.fanns_redan.append(datum)
        elif starttid <= nu:
            resultat.passerade.append(datum)
        else:
            resultat.skapade.append(_nytt_mote(user, team, starttid, langd_minuter=langd_minuter, plats=plats,
                                               videolank=videolank, typ=typ))
    log.info("team %s: %d meetings generated", team.id, len(resultat.skapade))
    return resultat
