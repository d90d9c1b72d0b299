"""Factories for test data. All fictional: invented names, example.org, generated numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from sqlalchemy import func as sqlfunc
from sqlalchemy import insert, select, text, union_all

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende
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

PASSWORD = "ett-langt-testlosenord"
# Hashing with argon2 is slow by design; tests reuse one hash per hasher.
_HASH: dict[int, str] = {}
_seq = itertools.count(1)


def personnummer(born: dt.date | None = None, *, samordning: bool = False, rng=None) -> str:
    """A valid-checksum 12-digit number for an invented person."""
    rng = rng or random
    born = born or dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
    day = born.day + (60 if samordning else 0)
    nine = f"{born:%y%m}{day:02d}{rng.randrange(0, 1000):03d}"
    return f"{born.year:04d}{nine[2:4]}{nine[4:6]}{nine[6:]}{luhn_check_digit(nine)}"


def create_user(forbund: Forbund, part: Part | None, namn: str, epost: str | None = None, *,
                flush: bool = True) -> User:
    from samverkan.auth.services import _hasher_for_app

    # The test configuration's cheap argon2 parameters (samverkan/auth/services.py).
    hasher = _hasher_for_app()
    if id(hasher) not in _HASH:
        _HASH[id(hasher)] = hasher.hash(PASSWORD)
    n = next(_seq)
    user = User(forbund_id=forbund.id, part=part, namn=namn,
                epost=epost or f"anvandare{n}@example.org", losenord_hash=_HASH[id(hasher)])
    db.session.add(user)
    if flush:
        db.session.flush()
    return user


@dataclass
class World:
    """A förbund with one team of every role, and a second team next door."""

    forbund: Forbund
    team: Team
    annat_team: Team
    parter: dict[str, Part]
    users: dict[str, User] = field(default_factory=dict)

    def team_part_ids(self) -> list[int]:
        return [p.id for p in self.parter.values()]


def create_world(*, kod: str = "TST", ort: str = "Test", prefix: str = "") -> World:
    """The world; ``kod``, ``ort`` and the e-mail ``prefix`` make a second förbund beside
    another one (the browser tests' demo) without a clash of codes, names or logins."""
    forbund = Forbund(namn=f"Samordningsförbundet {ort}bygd", kod=kod)
    db.session.add(forbund)
    skapa_standardlistor(forbund)
    parter = {
        "af": Part(forbund_id=forbund.id, typ=PartTyp.ARBETSFORMEDLINGEN, namn=f"Arbetsförmedlingen {ort}bygd"),
        "fk": Part(forbund_id=forbund.id, typ=PartTyp.FORSAKRINGSKASSAN, namn=f"Försäkringskassan {ort}bygd"),
        "kommun": Part(forbund_id=forbund.id, typ=PartTyp.KOMMUN, namn=f"{ort}by kommun, Arbetsmarknadsenheten"),
        "region": Part(forbund_id=forbund.id, typ=PartTyp.REGION, namn=f"Region {ort}bygd, Hälsocentralen"),
    }
    db.session.add_all(parter.values())
    # The team seats all four parties; the team next door only AF (its one ledamot's).
    team = Team(forbund_id=forbund.id, namn=f"Trisam {ort}by", motesplats="Kommunhuset, rum 3",
                parter=list(parter.values()))
    annat = Team(forbund_id=forbund.id, namn="Trisam Grannby", parter=[parter["af"]])
    db.session.add_all([team, annat])
    db.session.flush()
    w = World(forbund=forbund, team=team, annat_team=annat, parter=parter)

    # Users and their places by relationship, written together by two flushes (in the
    # order added, so every id is as before): a flush each took half the world's time.
    def member(key, part_key, namn, roll, team_=team, **kw):
        user = create_user(forbund, parter.get(part_key), namn, epost=f"{prefix}{key}@example.org", flush=False)
        m = Medlemskap(team=team_, user=user, roll=roll, **kw)
        db.session.add(m)
        w.users[key] = user
        return m

    member("projektledare", "kommun", "Petra Projektsson", TeamRoll.PROJEKTLEDARE)
    ledamoter = {k: member(f"ledamot_{k}", k, f"Ledamot {k.upper()}", TeamRoll.LEDAMOT) for k in parter}
    db.session.flush()  # the ersättare's place names one of these: written in its turn after them
    member("ersattare_af", "af", "Erik Ersättarsson", TeamRoll.ERSATTARE, ersatter=ledamoter["af"])
    member("samcoach", "kommun", "Sam Coachberg", TeamRoll.SAMCOACH, kapacitet=10)
    member("granne", "af", "Greta Grannberg", TeamRoll.LEDAMOT, team_=annat)
    for key, roll in (("admin", ForbundRoll.ADMIN), ("styrgrupp", ForbundRoll.STYRGRUPP)):
        user = create_user(forbund, None, f"{key.title()} Testsson", epost=f"{prefix}{key}@example.org",
                           flush=False)
        db.session.add(ForbundsRollTilldelning(forbund_id=forbund.id, user=user, roll=roll))
        w.users[key] = user
    db.session.flush()
    return w


# Most tests start from the same world: it is built through the models once per database
# (and worker), its rows kept, and later copied in with one INSERT per table and loaded
# back (about a third of the time of building it again). Creation times are the test's clock.
_VARLDAR: dict[str, tuple[dict, dict]] = {}


def standardvarld() -> World:
    """``create_world()``, from the kept rows when this database has them and is empty."""
    nyckel = str(db.engine.url)
    mall = _VARLDAR.get(nyckel)
    if mall is None or _nagon_rad(mall[0]):
        tom = mall is None and not _nagon_rad(db.metadata.sorted_tables)
        w = create_world()
        if tom:
            db.session.flush()
            rader = {t: [dict(r) for r in db.session.execute(select(t)).mappings()]
                     for t in db.metadata.sorted_tables}
            _VARLDAR[nyckel] = ({t: r for t, r in rader.items() if r}, {
                "forbund": w.forbund.id, "team": w.team.id, "annat_team": w.annat_team.id,
                "parter": {k: p.id for k, p in w.parter.items()}, "users": {k: u.id for k, u in w.users.items()}})
        return w
    rader, ids = mall
    nu = clock.now()
    for tabell, rr in rader.items():
        db.session.execute(insert(tabell), [{k: nu if isinstance(v, dt.datetime) else v for k, v in r.items()}
                                            for r in rr])
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind: the next row would take id 1 again.
        db.session.execute(text("".join(
            f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), {max(r['id'] for r in rr)});"
            for t, rr in rader.items() if "id" in t.c and t.c.id.autoincrement)))
    parter = {p.id: p for p in db.session.scalars(select(Part).where(Part.id.in_(ids["parter"].values())))}
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_([ids["team"], ids["annat_team"]])))}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids["users"].values())))}
    return World(forbund=db.session.get(Forbund, ids["forbund"]), team=teams[ids["team"]],
                 annat_team=teams[ids["annat_team"]], parter={k: parter[i] for k, i in ids["parter"].items()},
                 users={k: users[i] for k, i in ids["users"].items()})


def _nagon_rad(tabeller) -> bool:
    """Whether any of ``tabeller`` holds a row (one statement)."""
    return bool(db.session.scalar(select(sqlfunc.count()).select_from(union_all(
        *(select(sqlfunc.count().label("n")).select_from(t).having(sqlfunc.count() > 0) for t in tabeller)
    ).subquery())))


def create_arende(w: World, *, handlaggare: str = "ledamot_af", parter: list[str] | None = None,
                  aktualisera: bool = True, fragestallning: str = "<p>Hur kan vi samordna stödet?</p>",
                  giltigt_dagar: int = 365) -> Arende:
    """An ärende with consent for the given parties (default: all four), submitted."""
    user = w.users[handlaggare]
    arende = arende_services.create_utkast(
        user, team_id=w.team.id, fragestallning=fragestallning, kon="kvinna",
        personnummer=personnummer(),
    )
    today = clock.today()
    deltagare_services.register_samtycke(
        arende.id, user_id=user.id, forbund_id=w.forbund.id,
        givet_den=today - dt.timedelta(days=30), giltigt_till=today + dt.timedelta(days=giltigt_dagar),
        satt="underskrivet",
        part_ids=[w.parter[k].id for k in (parter or list(w.parter))],
    )
    db.session.refresh(arende)
    if aktualisera:
        arende_services.fire(user, arende.id, "aktualisera", version=arende.version,
                             datum=today - dt.timedelta(days=20))
    db.session.flush()
    return arende


# --- the meeting's facts, for tests that need an ärende further along -----------------
# The flow's guards read what the meeting wrote (the booked item and its meeting, the
# insats decided there), so these helpers write those facts first and then fire through
# the meeting's entrance, as the agenda and meeting mode do.

def mote(w: World, dag: dt.date | None = None, klockslag: dt.time = dt.time(13, 0)):
    """A meeting of the world's team on ``dag`` (default: a week ahead), made directly."""
    from samverkan.moten.models import Mote
    from samverkan.moten.tider import lokal_starttid

    dag = dag or clock.today() + dt.timedelta(days=7)
    m = Mote(team_id=w.team.id, starttid=lokal_starttid(dag, klockslag), langd_minuter=120)
    db.session.add(m)
    db.session.flush()
    return m


def placera(w: World, arende: Arende, *, dag: dt.date | None = None, datum: dt.date | None = None,
            aktor: str = "projektledare"):
    """Book ``arende`` on a meeting on ``dag`` and move it to på agenda."""
    from samverkan.moten.models import Dagordningspunkt, PunktStatus, punktregler
    from workflows import arende as wf

    m = mote(w, dag)
    punkt = Dagordningspunkt(mote_id=m.id, arende_id=arende.id, ordning=1,
                             uppfoljning=arende.status == wf.UPPFOLJNING,
                             status=punktregler.forsta(PunktStatus.BOKAD))
    db.session.add(punkt)
    db.session.flush()
    arende_services.fire(w.users[aktor], arende.id, "placera_pa_agenda", version=None, datum=datum,
                         kanal=wf.MOTE)
    return punkt


def fire_mote(w: World, arende: Arende, trigger: str, *, datum: dt.date | None = None, **context):
    """A meeting trigger (samplanera, folj_upp, bordlagg) through the meeting's entrance."""
    from workflows import arende as wf

    return arende_services.fire(w.users["projektledare"], arende.id, trigger, version=None, datum=datum,
                                kanal=wf.MOTE, **context)


def insats(w: World, arende: Arende, *, ko: bool = False):
    """An insats decided for ``arende``: active (a place) or queued (``ko``), written
    through its rules; the ärende's state is left to the caller."""
    from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus, insatsregler

    rad = Insats(arende_id=arende.id, team_id=arende.team_id, form=InsatsForm.ORDINARIE,
                 beslutad=clock.today(), startad=None if ko else clock.today(),
                 i_ko_sedan=clock.now() if ko else None,
                 status=insatsregler.forsta(InsatsStatus.KO if ko else InsatsStatus.AKTIV))
    db.session.add(rad)
    db.session.flush()
    return rad


def anvisa(w: World, arende: Arende, *, datum: dt.date | None = None):
    """An active insats decided, and the ärende moved to i_insats (anvisa_insats)."""
    insats(w, arende)
    return fire_mote(w, arende, "anvisa_insats", datum=datum)


def till_insats(w: World, arende: Arende, *, dag: dt.date | None = None, datum: dt.date | None = None) -> Arende:
    """Aktualiserad → på agenda (a meeting on ``dag``) → samplanerad → i insats."""
    placera(w, arende, dag=dag, datum=datum)
    fire_mote(w, arende, "samplanera", datum=datum)
    anvisa(w, arende, datum=datum)
    return arende
