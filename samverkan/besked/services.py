"""Writing the notices to the outbox: one message per person and event, nothing personal.

Each notice is written in the transaction of the event it tells of (the protokoll's last
justering, the samcoach's assignment) or by the Monday job, so it can neither be lost
nor go out for an event that was rolled back; the scheduler delivers it after commit.
The message's version names the event (``mote-<id>``, ``insats-<id>``,
``vecka-<ISO year>-W<week>``): an event whose code runs again, or a job run twice, finds
the message written and writes nothing (``kallelser.brev.redan_koad``); the unique keys on
the outbox are the last guard against two writers at once.

What a message says follows the kallelse's rule: the team, the meeting's date, reference
codes and counts, and a link into the app (``BASE_URL``); never a name, a personnummer or
anything from the case text. The user reads the rest behind the login.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from flask import current_app
from sqlalchemy import and_, case, func, select

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.besked import val
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.forbund.models import Medlemskap, Team, TeamRoll
from samverkan.insatser.models import InsatsStatus
from samverkan.kallelser import brev
from samverkan.kallelser import services as kallelser
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from samverkan.samplanering.models import Atgard
from workflows import arende as wf

log = logging.getLogger(__name__)

SLUT = "Meddelandet skickades automatiskt av Samverkan. Du kan stänga av det under Mitt konto, E-post."
# How far ahead the Monday digest looks.
SNART_DAGAR = 7
# The digest goes out on Mondays (Python's weekday 0), Stockholm time.
VECKODAG = 0


def _adress(vag: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}{vag}"


def _skriv(user: User, typ: UtskickTyp, *, version: str, amne: str, text: str, mote_id: int | None = None,
           nu: dt.datetime | None = None) -> Utskick | None:
    """One notice to ``user`` unless they turned the kind off or it was written before."""
    if not val.vill_ha(user, typ) or brev.redan_koad(user.id, typ, version, mote_id):
        return None
    rad = brev.koa(user, typ, version=version, amne=amne, text=f"{text.strip()}\n\n{SLUT}\n", nu=nu,
                   mote_id=mote_id)
    db.session.flush()
    # Stable and recognisable, as a kallelse's: the row's id and the site's domain.
    rad.message_id = kallelser.message_id(rad.id, rad.skapad)
    return rad


def _team(team: Team) -> str:
    # Free text in a subject line: one line, however it was typed.
    return " ".join(team.namn.split())


def _datum(mote: Mote) -> str:
    return f"{clock.local(mote.starttid):%Y-%m-%d}"


def _beslutade_punkter(mote: Mote) -> list[Dagordningspunkt]:
    """The booked items the team dealt with (a decision or an outcome other than 'not
    reached'), with their ärenden; one query."""
    return list(db.session.execute(
        select(Dagordningspunkt).join(Arende, Arende.id == Dagordningspunkt.arende_id)
        .where(Dagordningspunkt.mote_id == mote.id, Dagordningspunkt.status == PunktStatus.BOKAD,
               func.coalesce(Dagordningspunkt.utfall, "") != "bordlagd",
               func.coalesce(Dagordningspunkt.beslut, Dagordningspunkt.utfall).is_not(None),
               func.coalesce(Dagordningspunkt.beslut, "") != "bordlagd")
        .order_by(Dagordningspunkt.ordning, Dagordningspunkt.id)
    ).scalars())


def efter_justering(mote: Mote, nu: dt.datetime) -> Counter:
    """The protokoll of ``mote`` is justerat: its decisions are final. Each aktualiserande
    handläggare of an item decided there gets one message (how many of their ärenden,
    by reference code, and the protokoll's link), and each member of the team (ledamöter,
    ersättare, projektledare) one saying the protokoll is justerat. The caller commits."""
    antal: Counter = Counter()
    url = _adress(f"/moten/{mote.id}/protokoll")
    team, datum = _team(mote.team), _datum(mote)
    rubrik = f"{team} {datum}"

    per_handlaggare: dict[int, list[str]] = {}
    for punkt in _beslutade_punkter(mote):
        per_handlaggare.setdefault(punkt.arende.handlaggare_id, []).append(punkt.arende.referens)
    handlaggare = {u.id: u for u in db.session.execute(
        select(User).where(User.id.in_(per_handlaggare))).scalars()}
    for user_id, referenser in per_handlaggare.items():
        n = len(referenser)
        text = (f"Teamet {team} har vid mötet {datum} fattat beslut om "
                f"{n} {'ärende' if n == 1 else 'ärenden'} som du har aktualiserat: {', '.join(referenser)}.\n\n"
                f"Protokollet är justerat. Läs beslutet i protokollet:\n{url}")
        if _skriv(handlaggare[user_id], UtskickTyp.BESLUT, version=f"mote-{mote.id}", mote_id=mote.id, nu=nu,
                  amne=f"Beslut från {rubrik}", text=text):
            antal["beslut"] += 1

    text = f"Protokollet från mötet {rubrik} är justerat. Läs det i Samverkan:\n{url}"
    for user in kallelser.mottagare(mote.team_id, kallelser.KALLELSE_ROLLER):
        if _skriv(user, UtskickTyp.PROTOKOLL, version=f"mote-{mote.id}", mote_id=mote.id, nu=nu,
                  amne=f"Protokollet är justerat: {rubrik}", text=text):
            antal["protokoll"] += 1
    for typ in antal:
        audit.record(f"utskick.{typ}", "mote", mote.id, user_id=None)
    return antal


def nytt_uppdrag(insats) -> Utskick | None:
    """A samcoach holds (``aktiv``) or is offered (``erbjuden``) the place of ``insats``:
    one message per insats and samcoach, whether it was offered first and confirmed
    later or assigned at once. The caller (``insatser.services``) commits."""
    if insats.samcoach_id is None:
        return None
    coach = db.session.get(User, insats.samcoach_id)
    team = db.session.get(Team, insats.team_id)
    arende = db.session.get(Arende, insats.arende_id)
    erbjuden = insats.status == InsatsStatus.ERBJUDEN
    lage = ("En plats hos dig har blivit ledig och erbjuds ärendet; projektledaren bekräftar den."
            if erbjuden else "Ärendet har fått en plats hos dig.")
    text = (f"Du har {'erbjudits' if erbjuden else 'fått'} ett nytt uppdrag som samcoach i "
            f"{_team(team)}: ärende {arende.referens}.\n{lage}\n\n"
            f"Se dina ärenden i Samverkan:\n{_adress('/min-kaseload')}")
    rad = _skriv(coach, UtskickTyp.UPPDRAG, version=f"insats-{insats.id}", amne="Nytt uppdrag som samcoach",
                 text=text)
    if rad is not None:
        audit.record("utskick.uppdrag", "insats", insats.id, user_id=None, falt=["samcoach_id"])
    return rad


# --- the Monday digest ------------------------------------------------------------------


def veckoversion(idag: dt.date) -> str:
    ar, vecka, _ = idag.isocalendar()
    return f"vecka-{ar}-W{vecka:02d}"


def _ansvariga() -> list[User]:
    """Who answers for actions: active users of a party who sit for it (ledamot or
    ersättare) in some team."""
    sitter = select(Medlemskap.user_id).where(Medlemskap.roll.in_([TeamRoll.LEDAMOT, TeamRoll.ERSATTARE]))
    return list(db.session.execute(
        select(User).where(User.aktiv.is_(True), User.part_id.is_not(None), User.id.in_(sitter),
                           User.besked_vecka.is_(True))
        .order_by(User.id)
    ).scalars())


def _rakna(user: User, idag: dt.date) -> tuple[int, int]:
    """(overdue, due within SNART_DAGAR) open actions of the user's party in the teams where
    they sit for it, in ärenden whose details they may read: the actions they could tick
    off (``policy.may_markera_atgard``). One query."""
    teams = select(Medlemskap.team_id).where(Medlemskap.user_id == user.id,
                                             Medlemskap.roll.in_([TeamRoll.LEDAMOT, TeamRoll.ERSATTARE]))
    sena = func.sum(case((Atgard.klar_senast < idag, 1), else_=0))
    rad = db.session.execute(
        select(func.count(Atgard.id), sena)
        .join(Arende, Arende.id == Atgard.arende_id)
        .where(Atgard.part_id == user.part_id, Atgard.klar_den.is_(None),
               Atgard.klar_senast <= idag + dt.timedelta(days=SNART_DAGAR),
               and_(Arende.team_id.in_(teams), Arende.status.not_in([*wf.STANGDA, wf.ATERKALLAD])),
               policy.detail_arenden_clause(user))
    ).one()
    totalt, forsenade = rad[0] or 0, rad[1] or 0
    return forsenade, totalt - forsenade


def _veckotext(forsenade: int, snart: int) -> str:
    rader = []
    if forsenade:
        rader.append(f"{forsenade} {'åtgärd är försenad' if forsenade == 1 else 'åtgärder är försenade'}")
    if snart:
        rader.append(f"{snart} {'åtgärd ska' if snart == 1 else 'åtgärder ska'} vara klar inom {SNART_DAGAR} dagar")
    return ("Veckans sammanställning av handlingsplanernas åtgärder som din part ansvarar för:\n"
            + "\n".join(f"- {r}" for r in rader)
            + f"\n\nSe åtgärderna och markera dem klara i Samverkan:\n{_adress('/atgarder/forsenade?inom=7')}")


def veckosammanstallning(nu: dt.datetime) -> int:
    """On Mondays (Stockholm): one digest per responsible person with actions overdue or
    due within a week, once per ISO week. Any other day: nothing. The caller commits.
    Returns how many were written."""
    idag = clock.local(nu).date()
    if idag.weekday() != VECKODAG:
        return 0
    version = veckoversion(idag)
    antal = 0
    for user in _ansvariga():
        if brev.redan_koad(user.id, UtskickTyp.VECKOSAMMANSTALLNING, version):
            continue
        forsenade, snart = _rakna(user, idag)
        if not (forsenade or snart):
            continue
        if _skriv(user, UtskickTyp.VECKOSAMMANSTALLNING, version=version, nu=nu,
                  amne=f"Åtgärder att följa upp, vecka {idag.isocalendar()[1]}", text=_veckotext(forsenade, snart)):
            antal += 1
    if antal:
        audit.record("utskick.veckosammanstallning", "utskick", None, user_id=None)
    return antal
