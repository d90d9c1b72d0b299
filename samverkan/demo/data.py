"""The fictional demo world: Samordningsförbundet Exempelbygd and a year of its case work.

Everything is invented: people's names, e-mail addresses (example.org), personnummer
(a valid check digit over a random serial), questions and comments. ``create_demo``
builds the förbund, its parties, users, teams and a year of meetings, then plays about
thirty ärenden through the real services and the ärende flow. For each event the clock
is set back to the moment it happened, so reference codes, history, ``registrerad``
timestamps and the audit log read like a real year. The stories are written as short
plans (see ``_PLANER``) relative to the team's meetings: index -1 is the latest meeting
before today, 0 the next one.

It changes and flushes only; the command commits once. A fixed random seed makes the
output the same on every run for the same day.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.flow import team_part_ids
from samverkan.arenden.models import Arende
from samverkan.auth import services as auth_services
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare import services as deltagare_services
from samverkan.deltagare.personnummer import luhn_check_digit
from samverkan.forbund.models import (
    Forbund,
    ForbundRoll,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    PartTyp,
    Team,
    TeamRoll,
)
from samverkan.forbund.standardlistor import skapa_standardlistor
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus, Insatstyp, insatsregler
from samverkan.kallelser import regler
from samverkan.moten import tider
from samverkan.moten.models import (
    Dagordningspunkt,
    Mote,
    MotesTyp,
    Narvaro,
    NarvaroStatus,
    PunktStatus,
    punktregler,
)
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning.models import Steg, Stegmatning
from workflows import arende as wf

log = logging.getLogger(__name__)

FORBUND_NAMN = "Samordningsförbundet Exempelbygd"
FORBUND_KOD = "EXB"
LOSENORD = "demo-exempelbygd"
SEED = 20240611
SAMCOACH_KAPACITET = 10
SAMTYCKE_DAGAR = 365
MANADER_BAKAT = 11
MANADER_FRAMAT = 2
SOMMARUPPEHALL = 7  # no meetings in July

# --- the organisation -------------------------------------------------------------

_PARTER = {
    "af": (PartTyp.ARBETSFORMEDLINGEN, "Arbetsförmedlingen Exempelbygd"),
    "fk": (PartTyp.FORSAKRINGSKASSAN, "Försäkringskassan Exempelbygd"),
    "ame": (PartTyp.KOMMUN, "Exempelby kommun, Arbetsmarknadsenheten"),
    "ifo": (PartTyp.KOMMUN, "Exempelby kommun, Individ- och familjeomsorgen"),
    "region": (PartTyp.REGION, "Region Exempelbygd, Hälsocentralen Exempelby"),
    "region_norrby": (PartTyp.REGION, "Region Exempelbygd, Hälsocentralen Norrby"),
}

# key: (e-mail, name, party key or None). Names are invented and checked against the
# seed documents so that no real official's surname appears.
_ANVANDARE = {
    "projektledare": ("projektledare@example.org", "Maja Ekvall", None),
    "af": ("af.handlaggare@example.org", "Jonas Brännvik", "af"),
    "af_e": ("af.ersattare@example.org", "Elin Sävström", "af"),
    "fk": ("fk.handlaggare@example.org", "Therese Hallgrund", "fk"),
    "fk_e": ("fk.ersattare@example.org", "Oskar Lindfjäll", "fk"),
    "ame": ("ame.handlaggare@example.org", "Mikael Rosvall", "ame"),
    "ame_e": ("ame.ersattare@example.org", "Sofia Granlid", "ame"),
    "ifo": ("ifo.handlaggare@example.org", "Leila Norrvik", "ifo"),
    "ifo_e": ("ifo.ersattare@example.org", "Henrik Stjärnfelt", "ifo"),
    "region": ("region.handlaggare@example.org", "Ulrika Tjärnström", "region"),
    "region_e": ("region.ersattare@example.org", "Daniel Kvarnberg", "region"),
    "samcoach": ("samcoach@example.org", "Nils Hedemyr", None),
    "admin": ("admin@example.org", "Eva Mossgård", None),
    "styrgrupp": ("styrgrupp@example.org", "Per Alvhem", None),
    "norrby_pl": ("norrby.projektledare@example.org", "Karin Videbäck", None),
    "region_norrby": ("region.norrby@example.org", "Ali Rydelius", "region_norrby"),
}

HUVUDTEAM = "huvud"
NORRBY = "norrby"


@dataclass(frozen=True)
class _TeamSpec:
    namn: str
    veckodag: int  # 0 = Monday
    tid: dt.time
    plats: str
    agendakapacitet: int
    manader_bakat: int  # the smaller team started later in the year


_TEAM = {
    HUVUDTEAM: _TeamSpec("Trisam Exempelby", 1, dt.time(13, 0),
                         "Kommunhuset Exempelby, sammanträdesrum Tallen", 8, MANADER_BAKAT),
    NORRBY: _TeamSpec("Samverkanscirkel Norrby", 3, dt.time(9, 0),
                      "Hälsocentralen Norrby, konferensrummet", 4, 7),
}
# (team, user, role, stands in for, capacity)
_MEDLEMSKAP = [
    (HUVUDTEAM, "projektledare", TeamRoll.PROJEKTLEDARE, None, None),
    *[(HUVUDTEAM, k, TeamRoll.LEDAMOT, None, None) for k in ("af", "fk", "ame", "ifo", "region")],
    *[(HUVUDTEAM, f"{k}_e", TeamRoll.ERSATTARE, k, None) for k in ("af", "fk", "ame", "ifo", "region")],
    (HUVUDTEAM, "samcoach", TeamRoll.SAMCOACH, None, SAMCOACH_KAPACITET),
    (NORRBY, "norrby_pl", TeamRoll.PROJEKTLEDARE, None, None),
    *[(NORRBY, k, TeamRoll.LEDAMOT, None, None) for k in ("af", "fk", "ifo", "region_norrby")],
]
_FORBUNDSROLLER = [("admin", ForbundRoll.ADMIN), ("styrgrupp", ForbundRoll.STYRGRUPP)]

_ROLLNAMN = {
    TeamRoll.PROJEKTLEDARE: "projektledare",
    TeamRoll.LEDAMOT: "ledamot",
    TeamRoll.ERSATTARE: "ersättare",
    TeamRoll.SAMCOACH: "samcoach",
    ForbundRoll.ADMIN: "förbundsadministratör",
    ForbundRoll.STYRGRUPP: "styrgrupp (statistik)",
}

# --- the cases --------------------------------------------------------------------

_FRAGOR = {
    "langtid": "<p>Har stått utanför arbetsmarknaden i flera år och har försörjningsstöd. "
               "Vilka insatser kan parterna samordna för att komma närmare arbete?</p>",
    "sjukskriven": "<p>Lång sjukskrivning och oklar arbetsförmåga. Hur kan vården, "
                   "Försäkringskassan och Arbetsförmedlingen planera en gemensam väg tillbaka?</p>",
    "ung": "<p>Ung vuxen utan fullständiga gymnasiebetyg och utan sysselsättning. "
           "Vilket stöd behövs för att börja studera eller arbeta?</p>",
    "aktivitetsersattning": "<p>Aktivitetsersättningen upphör inom ett år. Vad behöver göras "
                            "för att klargöra fortsatt försörjning och sysselsättning?</p>",
    "ohalsa": "<p>Psykisk ohälsa och många parallella kontakter. Kan kontakterna samordnas "
              "och en gemensam kontaktperson utses?</p>",
    "nyanland": "<p>Kort utbildning och begränsade kunskaper i svenska. Hur kan "
                "språkstudier kombineras med praktik?</p>",
    "arbetssokande": "<p>Arbetssökande sedan länge, med behov av stöd i vardagen. "
                     "Finns förutsättningar för IPS-coachning?</p>",
    "utforsakrad": "<p>Sjukpenningen har upphört och försörjningen sker nu genom "
                   "försörjningsstöd. Vilken part äger planeringen framåt?</p>",
}

_INSATSER = {
    "samcoach": "Insats: samcoach.",
    "ips": "Insats: IPS-coachning via arbetsmarknadsenheten.",
    "arbetstraning": "Insats: arbetsträning via arbetsmarknadsenheten.",
    "vard": "Insats: samordnad vårdkontakt via hälsocentralen.",
    "praktik": "Insats: praktik via Arbetsförmedlingen.",
    "studier": "Insats: studievägledning och stöd inför studiestart.",
    "rehab": "Insats: arbetslivsinriktad rehabilitering via Försäkringskassan och hälsocentralen.",
    "lonebidrag": "Insats: subventionerad anställning via Arbetsförmedlingen.",
}
# Each insats token as the Insats row it becomes: samcoach, or a type from the förbund's list.
# The entrance each replayed trigger comes through (workflows.arende: the table's "via").
_KANAL = {"placera_pa_agenda": wf.MOTE, "bordlagg": wf.MOTE, "samplanera": wf.MOTE, "folj_upp": wf.MOTE,
          "anvisa_insats": wf.MOTE, "satt_i_ko": wf.MOTE}
_INSATSTYP = {"ips": "ips", "arbetstraning": "arbetstraning", "vard": "vardkontakt", "praktik": "praktik",
              "studier": "studier", "rehab": "rehabilitering", "lonebidrag": "lonebidrag"}
# The step reached at each follow-up (stegförflyttning), by the follow-up's order; and at
# avslut by outcome (egenförsörjning is the ladder's top).
_STEG_VID_UPPFOLJNING = [2, 3, 3, 4, 4, 5]
_STEG_VID_AVSLUT = {"arbete": 6, "studier": 6, "fortsatt_rehabilitering": 4}
_SYSSELSATTNINGSGRAD = {1: 0, 2: 10, 3: 25, 4: 50, 5: 75, 6: 100}
_ATGARDER = [
    ("af", "Kartlägga arbetsförmåga och intressen"),
    ("fk", "Utreda rätt till ersättning och planera rehabilitering"),
    ("ame", "Erbjuda plats i arbetsträning"),
    ("ifo", "Följa upp försörjning och boende"),
    ("region", "Samordna vårdkontakter och bedömning"),
]

_STEGFORFLYTTNINGAR = [
    "Deltar regelbundet i de planerade träffarna.",
    "Har börjat i gruppverksamhet en dag i veckan.",
    "Sysselsättningsgraden har höjts från 25 till 50 procent.",
    "Har påbörjat praktik två dagar i veckan.",
    "Oförändrat läge; planen ligger fast.",
    "Vårdkontakten är etablerad och fungerar.",
    "Har haft trepartssamtal med arbetsgivare.",
]

_SAMPLANERINGAR = [
    "Samlad plan upprättad; parterna har fördelat åtgärderna.",
    "Handlingsplan upprättad med en ansvarig part för varje åtgärd.",
    "Teamet är överens om en gemensam plan; deltagaren informeras av aktualiserande part.",
]

_AVSLUT_KOMMENTAR = {
    "arbete": "Har fått anställning.",
    "studier": "Har börjat studera.",
    "fortsatt_rehabilitering": "Fortsatt rehabilitering inom ordinarie verksamhet.",
    "sjukdom": "Insatsen avbryts av hälsoskäl.",
    "flyttat": "Deltagaren har flyttat från kommunen.",
    "samtycke_aterkallat": "Samtycket är återkallat; ärendet avslutas.",
}


@dataclass(frozen=True)
class _Plan:
    """One ärende: who brings it, the person (no name, ever) and its story.

    ``identitet`` is "pnr", "samordning", "anonym" or "som:<n>" (the same person as plan n,
    for a duplicate registration). ``steg`` are tokens, meeting indices relative to the
    team's meetings (-1 = latest past, 0 = next):

    - ``utkast{m}``  create without consent, about three weeks before meeting m
    - ``skapa{m}``   create and register consent
    - ``ny{m}``      create, consent and aktualisera
    - ``sam{m}``     on the agenda of m; samplanera at m (if m is past)
    - ``bord{m}``    on the agenda of m; not reached (bordlagg)
    - ``upp{m}``     kalla till uppföljning (when in insats), agenda of m; folj_upp at m
    - ``kalla{m}``   kalla till uppföljning ahead of m
    - ``insats:k`` / ``insats{m}:k``  anvisa insats k a few days later / after meeting m
    - ``ko``         the insats is full: queue
    - ``avsluta:orsak[:försörjning:sysselsättning]`` (``avsluta{m}:…`` at meeting m)
    - ``aterkalla`` / ``aterkalla{m}``; ``felreg``
    """

    team: str
    handlaggare: str
    kon: str
    fodelsear: int
    identitet: str
    forsorjning: str
    sysselsattning: str
    fraga: str
    steg: str


# fmt: off
_PLANER = [
    _Plan(HUVUDTEAM, "af", "man", 1988, "pnr", "forsorjningsstod", "ingen", "langtid",
          "ny-10 sam-10 insats:samcoach upp-8 upp-6 upp-4 avsluta-4:arbete:lonebidrag:arbete_med_stod"),
    _Plan(HUVUDTEAM, "fk", "kvinna", 1972, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-10 sam-10 insats:rehab upp-7 upp-5 avsluta-5:fortsatt_rehabilitering:rehabiliteringspenning:arbetstraning"),
    _Plan(HUVUDTEAM, "ifo", "kvinna", 1996, "pnr", "forsorjningsstod", "ingen", "ohalsa",
          "ny-10 bord-10 sam-9 ko insats-8:samcoach upp-6 upp-4 upp-1"),
    _Plan(HUVUDTEAM, "region", "man", 1981, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-9 sam-9 insats:vard upp-6 aterkalla-5 avsluta-4:samtycke_aterkallat"),
    _Plan(HUVUDTEAM, "ame", "man", 2001, "pnr", "forsorjningsstod", "ami", "ung",
          "ny-9 sam-9 insats:ips upp-7 upp-4 avsluta:studier:csn:studier"),
    _Plan(HUVUDTEAM, "af_e", "kvinna", 1993, "pnr", "aktivitetsstod", "af_program", "arbetssokande",
          "ny-9 sam-9 insats:samcoach upp-6 upp-3 kalla0"),
    _Plan(HUVUDTEAM, "fk_e", "man", 1999, "pnr", "aktivitetsersattning", "lss_daglig_verksamhet",
          "aktivitetsersattning", "ny-8 sam-8 insats:praktik upp-5 upp-2 upp0"),
    _Plan(HUVUDTEAM, "ifo_e", "kvinna", 1985, "pnr", "forsorjningsstod", "ingen", "langtid",
          "ny-8 sam-8 ko insats-6:samcoach upp-4 upp-2"),
    _Plan(HUVUDTEAM, "region_e", "annat", 1998, "pnr", "ingen", "ingen", "ohalsa",
          "ny-8 sam-8 insats:samcoach upp-5 bord-3 upp-2"),
    _Plan(HUVUDTEAM, "af", "kvinna", 1979, "pnr", "a_kassa", "af_program", "arbetssokande",
          "ny-7 sam-7 insats:ips upp-4 avsluta-4:arbete:lon:arbete"),
    _Plan(HUVUDTEAM, "ame_e", "man", 1990, "pnr", "forsorjningsstod", "ami", "langtid",
          "ny-7 sam-7 insats:arbetstraning upp-4 upp-1"),
    _Plan(HUVUDTEAM, "fk", "kvinna", 1970, "pnr", "sjukpenning", "ingen", "utforsakrad",
          "ny-7 sam-7 ko insats-5:samcoach upp-3 avsluta:flyttat:annan:annan"),
    _Plan(HUVUDTEAM, "ifo", "man", 1976, "pnr", "forsorjningsstod", "ingen", "langtid",
          "ny-6 bord-6 sam-5 insats:samcoach upp-2 upp-1"),
    _Plan(HUVUDTEAM, "region", "kvinna", 1983, "pnr", "rehabiliteringspenning", "arbetstraning",
          "sjukskriven", "ny-6 sam-6 insats:rehab upp-3 upp0"),
    _Plan(HUVUDTEAM, "af_e", "man", 1986, "pnr", "aktivitetsstod", "af_program", "arbetssokande",
          "ny-5 sam-5 ko insats-3:samcoach kalla0"),
    _Plan(HUVUDTEAM, "fk_e", "kvinna", 1968, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-5 sam-5 insats:vard upp-2 avsluta:sjukdom:sjukpenning:ingen"),
    _Plan(HUVUDTEAM, "region_e", "kvinna", 1991, "pnr", "sjukpenning", "ingen", "ohalsa",
          "ny-3 sam-3 ko"),
    _Plan(HUVUDTEAM, "ame", "man", 1997, "pnr", "forsorjningsstod", "ami", "langtid",
          "ny-4 bord-4 sam-3 ko"),
    _Plan(HUVUDTEAM, "af", "man", 2000, "samordning", "ingen", "ingen", "nyanland",
          "ny-2 sam-2 ko"),
    _Plan(HUVUDTEAM, "ifo", "kvinna", 1989, "pnr", "forsorjningsstod", "ingen", "ohalsa",
          "ny-3 sam-3 insats:vard aterkalla-1"),
    _Plan(HUVUDTEAM, "fk", "man", 1974, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-2 sam-2 insats:arbetstraning aterkalla-1"),
    _Plan(HUVUDTEAM, "region", "kvinna", 1995, "pnr", "aktivitetsersattning", "ingen",
          "aktivitetsersattning", "ny-1 sam-1"),
    _Plan(HUVUDTEAM, "ame_e", "man", 1980, "pnr", "forsorjningsstod", "ami", "langtid",
          "ny-1 sam-1"),
    _Plan(HUVUDTEAM, "ifo_e", "kvinna", 2002, "anonym", "forsorjningsstod", "ingen", "ung",
          "ny-1 bord-1 sam0"),
    _Plan(HUVUDTEAM, "af", "annat", 1987, "pnr", "aktivitetsstod", "af_program", "arbetssokande",
          "ny0 sam0"),
    _Plan(HUVUDTEAM, "fk_e", "man", 1965, "pnr", "sjukpenning", "ingen", "utforsakrad",
          "ny0"),
    _Plan(HUVUDTEAM, "region_e", "kvinna", 1999, "samordning", "ingen", "studier", "nyanland",
          "ny-1 bord-1"),
    _Plan(HUVUDTEAM, "af_e", "man", 1992, "pnr", "a_kassa", "ingen", "arbetssokande",
          "utkast0"),
    _Plan(HUVUDTEAM, "ifo", "kvinna", 1973, "pnr", "forsorjningsstod", "ingen", "langtid",
          "skapa0"),
    # A duplicate of the person in plan 18 (index 17): registered in error.
    _Plan(HUVUDTEAM, "ame_e", "man", 1997, "som:17", "forsorjningsstod", "ami", "langtid",
          "skapa-3 felreg"),
    _Plan(NORRBY, "region_norrby", "kvinna", 1977, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-6 sam-6 insats:arbetstraning upp-3 avsluta-3:arbete:lon:arbete"),
    _Plan(NORRBY, "af", "man", 1984, "pnr", "forsorjningsstod", "ingen", "langtid",
          "ny-2 sam-2 insats:lonebidrag upp-1"),
    _Plan(NORRBY, "region_norrby", "man", 1969, "pnr", "sjukpenning", "ingen", "ohalsa",
          "ny-5 sam-5 insats:vard upp-4 upp-1"),
    # Closed during the year, for the report's outcome tables; the insats types echo the
    # seeds' gender pattern (women to rehabilitation, men to subsidised jobs).
    _Plan(HUVUDTEAM, "af", "man", 1983, "pnr", "a_kassa", "af_program", "arbetssokande",
          "ny-10 sam-10 insats:lonebidrag upp-7 avsluta-7:arbete:lonebidrag:arbete_med_stod"),
    _Plan(HUVUDTEAM, "fk", "kvinna", 1977, "pnr", "sjukpenning", "ingen", "sjukskriven",
          "ny-9 sam-9 insats:rehab upp-8 avsluta-8:fortsatt_rehabilitering:rehabiliteringspenning:arbetstraning"),
    _Plan(HUVUDTEAM, "ame", "kvinna", 1994, "pnr", "forsorjningsstod", "ami", "ung",
          "ny-8 sam-8 insats:samcoach upp-7 upp-4 avsluta-4:studier:csn:studier"),
    _Plan(HUVUDTEAM, "region", "kvinna", 1988, "pnr", "sjukpenning", "ingen", "ohalsa",
          "ny-7 sam-7 insats:rehab upp-5 upp-3 avsluta:arbete:lon:arbete"),
    _Plan(HUVUDTEAM, "af_e", "man", 1995, "pnr", "aktivitetsstod", "af_program", "arbetssokande",
          "ny-6 sam-6 insats:lonebidrag upp-2 avsluta-2:arbete:lonebidrag:arbete_med_stod"),
]
# fmt: on


# --- results ----------------------------------------------------------------------


@dataclass
class Inloggning:
    epost: str
    namn: str
    roller: list[str]


@dataclass
class Resultat:
    forbund: Forbund
    inloggningar: list[Inloggning]
    arenden_per_status: Counter
    moten: int
    moten_passerade: int


def inloggningar() -> list[Inloggning]:
    """The demo's logins with their roles (printed by ``flask demo``, also when the data exists)."""
    rader = []
    for key, (epost, namn, _) in _ANVANDARE.items():
        roller = [f"{_ROLLNAMN[roll]}, {_TEAM[t].namn}" for t, u, roll, _, _ in _MEDLEMSKAP if u == key]
        roller += [_ROLLNAMN[roll] for u, roll in _FORBUNDSROLLER if u == key]
        rader.append(Inloggning(epost, namn, roller))
    return rader


def demo_exists() -> bool:
    return db.session.execute(
        select(func.count(Forbund.id)).where(Forbund.kod == FORBUND_KOD)
    ).scalar_one() > 0


def conflicting_emails() -> list[str]:
    """Demo e-mail addresses already taken by someone else (the demo would clash)."""
    wanted = [epost for epost, _, _ in _ANVANDARE.values()]
    return list(db.session.execute(select(User.epost).where(User.epost.in_(wanted))).scalars())


# --- time helpers -----------------------------------------------------------------


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    """A Stockholm wall-clock moment as an aware UTC datetime."""
    return dt.datetime.combine(day, at, tzinfo=clock.STOCKHOLM).astimezone(dt.UTC)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def meeting_days(veckodag: int, today: dt.date, manader_bakat: int = MANADER_BAKAT) -> list[dt.date]:
    """The team's rule: the second ``veckodag`` of every month except July."""
    days = []
    for offset in range(-manader_bakat, MANADER_FRAMAT + 1):
        year, month0 = divmod(today.year * 12 + today.month - 1 + offset, 12)
        if month0 + 1 == SOMMARUPPEHALL:
            continue
        days.append(_nth_weekday(year, month0 + 1, veckodag, 2))
    return days


def _friday_before(day: dt.date) -> dt.date:
    """The kallelse deadline: Friday of the week before the meeting."""
    return day - dt.timedelta(days=day.weekday() + 3)


# --- building ---------------------------------------------------------------------


@dataclass
class _Handelse:
    tid: dt.datetime
    fall: _Fall
    op: str
    args: dict


@dataclass
class _Fall:
    """One ärende being played: its plan, and what it has become so far."""

    nr: int
    plan: _Plan
    team: Team
    handlaggare: User
    nummer: str | None
    arende: Arende | None = None
    senast: dt.datetime | None = None
    status: str = "utkast"
    foljd: bool = False  # samplanerad at least once
    samtycke_till: dt.date | None = None
    punkt: Dagordningspunkt | None = None
    handelser: list[_Handelse] = field(default_factory=list)
    insatser: list[Insats] = field(default_factory=list)
    uppfoljningar: int = 0


class _Bygge:
    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = clock.local(now).date()
        self.yesterday = self.today - dt.timedelta(days=1)
        self.rng = random.Random(SEED)  # noqa: S311  # nosec B311  # demo data, not security
        self.parter: dict[str, Part] = {}
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.moten: dict[str, list[Mote]] = {}
        self.index0: dict[str, int] = {}  # position of the next meeting in self.moten[team]
        self.projektledare: dict[str, User] = {}
        self.team_parter: dict[str, list[int]] = {}
        self.anvanda_nummer: set[str] = set()
        self.insatstyper: dict[str, int] = {}
        self.steg: dict[int, int] = {}

    # -- organisation ------------------------------------------------------------
    def organisation(self, start: dt.date) -> Forbund:
        self._set(_local(start, dt.time(9, 0)))
        forbund = Forbund(namn=FORBUND_NAMN, kod=FORBUND_KOD, gallringsfrist_manader=36)
        db.session.add(forbund)
        skapa_standardlistor(forbund)
        for key, (typ, namn) in _PARTER.items():
            self.parter[key] = Part(forbund_id=forbund.id, typ=typ, namn=namn)
        for key, spec in _TEAM.items():
            self.teams[key] = Team(forbund_id=forbund.id, namn=spec.namn, motesveckodag=spec.veckodag,
                                   motestid=spec.tid, motesplats=spec.plats,
                                   agendakapacitet=spec.agendakapacitet)
        db.session.add_all([*self.parter.values(), *self.teams.values()])
        db.session.flush()

        losenord_hash = None
        for key, (epost, namn, part_key) in _ANVANDARE.items():
            user = User(forbund_id=forbund.id, epost=epost, namn=namn, sessionsversion=1,
                        part_id=self.parter[part_key].id if part_key else None)
            if losenord_hash is None:
                # argon2 is slow by design: hash once, share the hash (same password).
                auth_services.set_password(user, LOSENORD)
                losenord_hash = user.losenord_hash
            else:
                user.losenord_hash = losenord_hash
            db.session.add(user)
            self.users[key] = user
        db.session.flush()

        medlemskap: dict[tuple[str, str], Medlemskap] = {}
        for team_key, user_key, roll, ersatter, kapacitet in _MEDLEMSKAP:
            m = Medlemskap(team_id=self.teams[team_key].id, user_id=self.users[user_key].id,
                           roll=roll, kapacitet=kapacitet,
                           ersatter=medlemskap[(team_key, ersatter)] if ersatter else None)
            db.session.add(m)
            medlemskap[(team_key, user_key)] = m
            if roll == TeamRoll.PROJEKTLEDARE:
                self.projektledare[team_key] = self.users[user_key]
        for user_key, roll in _FORBUNDSROLLER:
            db.session.add(ForbundsRollTilldelning(forbund_id=forbund.id,
                                                   user_id=self.users[user_key].id, roll=roll))
        db.session.flush()
        # Each team seats the parties of its ledamöter.
        for team_key, user_key, roll, _, _ in _MEDLEMSKAP:
            part_id = self.users[user_key].part_id
            if roll == TeamRoll.LEDAMOT and part_id is not None:
                part = next(p for p in self.parter.values() if p.id == part_id)
                if part not in self.teams[team_key].parter:
                    self.teams[team_key].parter.append(part)
        db.session.flush()
        for key, team in self.teams.items():
            self.team_parter[key] = sorted(team_part_ids(team.id))
        self.insatstyper = dict(db.session.execute(
            select(Insatstyp.kod, Insatstyp.id).where(Insatstyp.forbund_id == forbund.id)).all())
        self.steg = dict(db.session.execute(
            select(Steg.nummer, Steg.id).where(Steg.forbund_id == forbund.id)).all())
        return forbund

    def moteplan(self, start: dt.date) -> None:
        for key, team in self.teams.items():
            moten = []
            days = meeting_days(team.motesveckodag, self.today, _TEAM[key].manader_bakat)
            for day in days:
                # Booked about two months ahead, never before the förbund existed.
                skapad = max(_local(start, dt.time(10, 0)),
                             _local(day - dt.timedelta(days=60), dt.time(10, 0)))
                self._set(min(skapad, self.now))
                mote = Mote(team_id=team.id, starttid=_local(day, team.motestid),
                            plats=team.motesplats, langd_minuter=120)
                db.session.add(mote)
                db.session.flush()
                regler.planera(mote)  # the kallelse's and the agenda deadline's due times
                moten.append(mote)
            self.moten[key] = moten
            self.index0[key] = next(i for i, d in enumerate(days) if d >= self.today)

    def mote(self, team_key: str, index: int) -> Mote:
        return self.moten[team_key][self.index0[team_key] + index]

    def motesdag(self, team_key: str, index: int) -> dt.date:
        return clock.local(self.mote(team_key, index).starttid).date()

    # -- identity numbers ----------------------------------------------------------
    def nummer(self, fodelsear: int, samordning: bool) -> str:
        while True:
            born = dt.date(fodelsear, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365))
            day = born.day + (60 if samordning else 0)
            nine = f"{born:%y%m}{day:02d}{self.rng.randrange(0, 1000):03d}"
            nummer = f"{born.year:04d}{nine[2:]}{luhn_check_digit(nine)}"
            if nummer not in self.anvanda_nummer:
                self.anvanda_nummer.add(nummer)
                return nummer

    # -- planning: turn a plan's tokens into dated events -------------------------------
    def planera(self, fall: _Fall) -> None:
        for token in fall.plan.steg.split():
            namn, _, rest = token.partition(":")
            args = rest.split(":") if rest else []
            verb = namn.rstrip("-0123456789")
            index = int(namn[len(verb):]) if namn[len(verb):] else None
            getattr(self, f"_steg_{verb}")(fall, index, args)

    def _add(self, fall: _Fall, day: dt.date, at: dt.time, op: str, **args) -> dt.date:
        """Queue an event on a weekday no later than yesterday, strictly after the case's last one."""
        if day.weekday() >= 5:
            day += dt.timedelta(days=7 - day.weekday())
        day = min(day, self.yesterday)
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
        tid = _local(day, at)
        if fall.senast is not None and tid <= fall.senast:
            tid = fall.senast + dt.timedelta(minutes=self.rng.randrange(5, 40))
        fall.senast = tid
        fall.handelser.append(_Handelse(tid, fall, op, args))
        return clock.local(tid).date()

    def _kontorstid(self) -> dt.time:
        return dt.time(self.rng.randrange(8, 16), self.rng.randrange(0, 60))

    def _efter(self, fall: _Fall, lo: int, hi: int) -> dt.date:
        return clock.local(fall.senast).date() + dt.timedelta(days=self.rng.randrange(lo, hi + 1))

    def _steg_utkast(self, fall, index, args, *, samtycke=False):
        day = self.motesdag(fall.plan.team, index) - dt.timedelta(days=self.rng.randrange(22, 30))
        if index >= 0:
            day = min(day, self.today - dt.timedelta(days=self.rng.randrange(2, 6)))
        day = self._add(fall, day, self._kontorstid(), "skapa")
        if samtycke:
            self._samtycke(fall, day, day - dt.timedelta(days=self.rng.randrange(0, 4)))

    def _steg_skapa(self, fall, index, args):
        self._steg_utkast(fall, index, args, samtycke=True)

    def _steg_ny(self, fall, index, args):
        self._steg_skapa(fall, index, args)
        self._add(fall, self._efter(fall, 1, 3), self._kontorstid(), "fire", trigger="aktualisera")
        fall.status = "aktualiserad"

    def _samtycke(self, fall: _Fall, day: dt.date, givet: dt.date) -> None:
        """Register consent on ``day``, given on ``givet`` (the same day or a little before)."""
        till = givet + dt.timedelta(days=SAMTYCKE_DAGAR)
        self._add(fall, day, self._kontorstid(), "samtycke", givet_den=givet, giltigt_till=till)
        fall.samtycke_till = till

    def _agenda(self, fall: _Fall, index: int, uppfoljning: bool) -> dt.date:
        motesdag = self.motesdag(fall.plan.team, index)
        planerad = _friday_before(motesdag) - dt.timedelta(days=self.rng.randrange(0, 3))
        if fall.samtycke_till is not None and fall.samtycke_till < motesdag:
            # A year has passed: the consent is renewed before the case goes on again.
            day = min(max(planerad - dt.timedelta(days=7), clock.local(fall.senast).date()),
                      self.yesterday)
            self._samtycke(fall, day, day)
        self._add(fall, planerad, self._kontorstid(), "fire", trigger="placera_pa_agenda",
                  mote_index=index, uppfoljning=uppfoljning)
        fall.status = "pa_agenda"
        return motesdag

    def _vid_motet(self, fall: _Fall, index: int, trigger: str, utfall: str, kommentar: str = "") -> None:
        motesdag = self.motesdag(fall.plan.team, index)
        self._add(fall, motesdag, dt.time(15, 30), "fire", trigger=trigger, utfall=utfall,
                  kommentar=kommentar)

    def _steg_sam(self, fall, index, args):
        self._agenda(fall, index, uppfoljning=False)
        if index < 0:
            self._vid_motet(fall, index, "samplanera", "samplanerad", self.rng.choice(_SAMPLANERINGAR))
            fall.status = "samplanerad"
            fall.foljd = True

    def _steg_bord(self, fall, index, args):
        if fall.status == "i_insats":
            self._steg_kalla(fall, index, args)
        self._agenda(fall, index, uppfoljning=fall.foljd)
        self._vid_motet(fall, index, "bordlagg", "bordlagd", "Hanns inte på mötet; tas upp nästa gång.")
        fall.status = "uppfoljning" if fall.foljd else "aktualiserad"

    def _steg_kalla(self, fall, index, args):
        motesdag = self.motesdag(fall.plan.team, index)
        day = max(motesdag - dt.timedelta(days=self.rng.randrange(18, 28)), self._efter(fall, 1, 3))
        self._add(fall, day, self._kontorstid(), "fire", trigger="kalla_till_uppfoljning")
        fall.status = "uppfoljning"

    def _steg_upp(self, fall, index, args):
        if fall.status == "i_insats":
            self._steg_kalla(fall, index, args)
        self._agenda(fall, index, uppfoljning=True)
        if index < 0:
            self._vid_motet(fall, index, "folj_upp", "foljd_upp", self.rng.choice(_STEGFORFLYTTNINGAR))
            fall.status = "i_insats"

    def _steg_insats(self, fall, index, args):
        if index is None:
            day = self._efter(fall, 2, 9)
        else:
            day = self.motesdag(fall.plan.team, index) + dt.timedelta(days=self.rng.randrange(1, 6))
        self._add(fall, day, self._kontorstid(), "fire", trigger="anvisa_insats",
                  kommentar=_INSATSER[args[0]], insats=args[0])
        fall.status = "i_insats"

    def _steg_ko(self, fall, index, args):
        self._add(fall, self._efter(fall, 1, 3), self._kontorstid(), "fire", trigger="satt_i_ko",
                  kommentar="Samcoachen har inga lediga platser; väntar på plats.")
        fall.status = "i_ko"

    def _steg_avsluta(self, fall, index, args):
        orsak, *slut = args
        context = {"avslutsorsak": orsak, "kommentar": _AVSLUT_KOMMENTAR.get(orsak, "")}
        if slut:
            context.update(forsorjning_slut=slut[0], sysselsattning_slut=slut[1])
        if index is None:
            day, at = self._efter(fall, 3, 12), self._kontorstid()
        else:
            day, at = self.motesdag(fall.plan.team, index), dt.time(15, 40)
        self._add(fall, day, at, "fire", trigger="avsluta", **context)
        fall.status = "avslutad"

    def _steg_aterkalla(self, fall, index, args):
        if index is None:
            day = self._efter(fall, 3, 10)
        else:
            day = self.motesdag(fall.plan.team, index) + dt.timedelta(days=self.rng.randrange(3, 12))
        self._add(fall, day, self._kontorstid(), "fire", trigger="aterkalla", handlaggare=True,
                  kommentar="Deltagaren har skriftligen återkallat sitt samtycke.")
        fall.status = "aterkallad"

    def _steg_felreg(self, fall, index, args):
        self._add(fall, self._efter(fall, 1, 2), self._kontorstid(), "fire", trigger="felregistrera",
                  handlaggare=True,
                  kommentar="Dubbelregistrering: deltagaren hade redan ett pågående ärende.")
        fall.status = "avslutad"

    # -- playing the events ------------------------------------------------------------
    def spela(self, h: _Handelse) -> None:
        self._set(h.tid)
        fall, args = h.fall, dict(h.args)
        datum = clock.today()
        if h.op == "skapa":
            plan = fall.plan
            ident = (
                {"anonym_kod": f"EXB-ANON-{fall.nr:02d}", "fodelsear": plan.fodelsear}
                if plan.identitet == "anonym" else {"personnummer": fall.nummer}
            )
            fall.arende = arende_services.create_utkast(
                fall.handlaggare, team_id=fall.team.id, fragestallning=_FRAGOR[plan.fraga],
                kon=plan.kon, forsorjning_start=plan.forsorjning,
                sysselsattning_start=plan.sysselsattning, **ident,
            )
            return
        arende = fall.arende
        if h.op == "samtycke":
            deltagare_services.register_samtycke(
                arende.id, user_id=fall.handlaggare.id, forbund_id=fall.team.forbund_id,
                givet_den=args["givet_den"], giltigt_till=args["giltigt_till"],
                satt="genom_ombud" if fall.nr % 11 == 5 else "underskrivet",
                part_ids=self.team_parter[fall.plan.team],
                dokumentreferens="Blanketten förvaras hos aktualiserande part.",
            )
            db.session.expire(arende, ["samtycken"])
            return
        trigger = args.pop("trigger")
        aktor = fall.handlaggare if args.pop("handlaggare", False) or trigger == "aktualisera" \
            else self.projektledare[fall.plan.team]
        mote_index = args.pop("mote_index", None)
        uppfoljning = args.pop("uppfoljning", False)
        utfall = args.pop("utfall", None)
        insats = args.pop("insats", None)
        if trigger == "placera_pa_agenda":
            # Booked first: the flow's guard reads the booked item and its meeting.
            mote = self.mote(fall.plan.team, mote_index)
            fall.punkt = Dagordningspunkt(mote=mote, arende_id=arende.id, uppfoljning=uppfoljning,
                                          ordning=len(mote.punkter) + 1,
                                          status=punktregler.forsta(PunktStatus.BOKAD))
            db.session.add(fall.punkt)
            db.session.flush()
        # The insats is decided before the flow moves the ärende (its guards read it).
        fore = trigger in ("satt_i_ko", "anvisa_insats")
        if fore:
            self.motesarbete(fall, trigger, datum, insats=insats, **args)
        arende_services.fire(aktor, arende.id, trigger, version=arende.version, datum=datum,
                             kanal=_KANAL.get(trigger, wf.ARENDE), **args)
        if not fore:
            self.motesarbete(fall, trigger, datum, insats=insats, **args)
        if trigger == "placera_pa_agenda":
            pass
        elif utfall is not None:
            fall.punkt.utfall = utfall
            fall.punkt = None

    # -- the meeting's work around each transition (insatser, queue, plan, ladder) --------
    def motesarbete(self, fall: _Fall, trigger: str, datum: dt.date, *, insats: str | None = None,
                    **context) -> None:
        """The rows the meeting's work leaves beside a transition, written directly: the
        handlingsplan at samplanering, the insats (or the queue place) when assigned, a
        stegmätning at each follow-up and the end of every insats at avslut."""
        arende, team_key = fall.arende, fall.plan.team
        projektledare = self.projektledare[team_key]
        if trigger == "samplanera":
            parter = self.rng.sample([k for k, _ in _ATGARDER if k in self.team_part_keys(team_key)], 2)
            for part_key in parter:
                beskrivning = dict(_ATGARDER)[part_key]
                db.session.add(Atgard(arende_id=arende.id, punkt_id=fall.punkt.id if fall.punkt else None,
                                      beskrivning=beskrivning, part_id=self.parter[part_key].id,
                                      ansvarig="Partens ledamot", klar_senast=datum + dt.timedelta(days=45),
                                      skapad_av_id=projektledare.id))
        elif trigger == "satt_i_ko":
            fall.insatser.append(Insats(arende_id=arende.id, team_id=fall.team.id, form=InsatsForm.SAMCOACH,
                                        status=insatsregler.forsta(InsatsStatus.KO), beslutad=datum, i_ko_sedan=clock.now()))
            db.session.add(fall.insatser[-1])
        elif trigger == "anvisa_insats":
            # Queued, or already offered a freed place by the closing hook in arenden.services.
            koad = next((i for i in fall.insatser if i.status in (InsatsStatus.KO, InsatsStatus.ERBJUDEN)), None)
            if insats == "samcoach" and koad is not None:
                if koad.status == InsatsStatus.KO:
                    insatsregler.byt(koad, InsatsStatus.ERBJUDEN)
                insatsregler.byt(koad, InsatsStatus.AKTIV)
                koad.startad = datum
                koad.samcoach_id = koad.samcoach_id or self.users["samcoach"].id
                koad.erbjuden = koad.erbjuden or clock.now()
            elif insats == "samcoach":
                fall.insatser.append(Insats(arende_id=arende.id, team_id=fall.team.id, form=InsatsForm.SAMCOACH,
                                            samcoach_id=self.users["samcoach"].id,
                                            status=insatsregler.forsta(InsatsStatus.AKTIV),
                                            beslutad=datum, startad=datum))
                db.session.add(fall.insatser[-1])
            else:
                fall.insatser.append(Insats(arende_id=arende.id, team_id=fall.team.id, form=InsatsForm.INSATS,
                                            insatstyp_id=self.insatstyper[_INSATSTYP[insats]],
                                            status=insatsregler.forsta(InsatsStatus.AKTIV), beslutad=datum,
                                            startad=datum + dt.timedelta(days=self.rng.randrange(3, 15))))
                db.session.add(fall.insatser[-1])
        elif trigger == "folj_upp":
            steg = _STEG_VID_UPPFOLJNING[min(fall.uppfoljningar, len(_STEG_VID_UPPFOLJNING) - 1)]
            fall.uppfoljningar += 1
            self._stegmatning(fall, datum, steg, projektledare)
        elif trigger in ("avsluta", "aterkalla"):
            for i in fall.insatser:
                if i.status != InsatsStatus.AVSLUTAD and (trigger == "avsluta" or i.status == InsatsStatus.KO):
                    insatsregler.byt(i, InsatsStatus.AVSLUTAD)
                    i.avslutad = max(datum, i.startad or datum)
            steg = _STEG_VID_AVSLUT.get(context.get("avslutsorsak", ""))
            if steg is not None:
                self._stegmatning(fall, datum, steg, projektledare)
        db.session.flush()

    def _stegmatning(self, fall: _Fall, datum: dt.date, steg: int, av: User) -> None:
        db.session.add(Stegmatning(arende_id=fall.arende.id, punkt_id=fall.punkt.id if fall.punkt else None,
                                   datum=datum, steg_id=self.steg[steg],
                                   sysselsattningsgrad=_SYSSELSATTNINGSGRAD[steg],
                                   ors=min(40, 12 + 4 * steg + self.rng.randrange(0, 5)), registrerad_av_id=av.id))

    def team_part_keys(self, team_key: str) -> set[str]:
        ids = set(self.team_parter[team_key])
        return {k for k, p in self.parter.items() if p.id in ids}

    def narvaro(self, mote: Mote, team_key: str) -> None:
        """Attendance at a held case meeting: usually every party, now and then one by its
        ersättare, by phone or absent (so the "every party present" figure has something to say)."""
        projektledare = self.projektledare[team_key]
        for part_id in self.team_parter[team_key]:
            slag = self.rng.random()
            status = (NarvaroStatus.FRANVARANDE if slag < 0.06 else NarvaroStatus.PER_TELEFON if slag < 0.14
                      else NarvaroStatus.GENOM_ERSATTARE if slag < 0.25 else NarvaroStatus.NARVARANDE)
            db.session.add(Narvaro(mote_id=mote.id, part_id=part_id, status=status,
                                   registrerad_av_id=projektledare.id, registrerad=mote.starttid
                                   + dt.timedelta(minutes=mote.langd_minuter)))

    def _set(self, when: dt.datetime) -> None:
        clock.set_clock(lambda: when)


def create_demo() -> Resultat:
    """Build the whole demo world in the current transaction (flushes, never commits)."""
    now = clock.now()
    previous = clock._now  # restored afterwards, whether real or a test's fixed clock
    bygge = _Bygge(now)
    try:
        forsta_mote = min(meeting_days(spec.veckodag, bygge.today, spec.manader_bakat)[0]
                          for spec in _TEAM.values())
        start = forsta_mote - dt.timedelta(days=45)
        forbund = bygge.organisation(start)
        bygge.moteplan(start)

        fall_lista: list[_Fall] = []
        for nr, plan in enumerate(_PLANER):
            if plan.identitet.startswith("som:"):
                nummer = fall_lista[int(plan.identitet[4:])].nummer
            elif plan.identitet == "anonym":
                nummer = None
            else:
                nummer = bygge.nummer(plan.fodelsear, plan.identitet == "samordning")
            fall = _Fall(nr=nr, plan=plan, team=bygge.teams[plan.team],
                         handlaggare=bygge.users[plan.handlaggare], nummer=nummer)
            bygge.planera(fall)
            fall_lista.append(fall)

        handelser = sorted((h for f in fall_lista for h in f.handelser), key=lambda h: (h.tid, h.fall.nr))
        for h in handelser:
            bygge.spela(h)
        for mote in (m for ms in bygge.moten.values() for m in ms):
            if mote.starttid < now and not mote.punkter:
                # Before the first cases arrived the team met to plan its work.
                mote.typ = MotesTyp.PLANERING
            tider.berakna_tidsluckor(mote, list(mote.punkter))
            if mote.starttid < now and mote.typ == MotesTyp.ARENDEDRAGNING:
                bygge.narvaro(mote, next(k for k, t in bygge.teams.items() if t.id == mote.team_id))
            if mote.starttid < now:
                # Held meetings had their kallelse sent on time, describing them as they are.
                mote.kallelse_skickad = mote.kallelse_planerad
                mote.skickad_sekvens = mote.sekvens
                mote.skickad_agendaversion = mote.agendaversion
        db.session.flush()
    finally:
        clock.set_clock(previous)

    per_status = Counter(f.arende.status for f in fall_lista)
    moten = [m for ms in bygge.moten.values() for m in ms]
    log.info("demo data created: %d ärenden", len(fall_lista))
    return Resultat(
        forbund=forbund,
        inloggningar=inloggningar(),
        arenden_per_status=per_status,
        moten=len(moten),
        moten_passerade=sum(1 for m in moten if m.starttid < now),
    )
