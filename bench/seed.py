"""A fictional database of N ärenden with believable histories, written in bulk.

Everything is invented: förbund "Benchbygd 1…", people from a list of made-up names,
e-mail on example.org, personnummer generated with a valid check digit. Rows go in
through SQLAlchemy Core ``insert()`` with lists of dicts in chunks (executemany; on
PostgreSQL psycopg batches them into multi-row statements), with ids assigned here so no
row has to be read back. The schema must exist (``flask db upgrade``).

Each ärende walks the real state machine forward from a start date in the last five
years, one step at a time, and stops when the next step would lie in the future: old
ärenden are closed, recent ones are still on their way, and one on the agenda of a
coming meeting is ``pa_agenda`` with a booked item. Every step writes what the app
writes: the history row, the audit row, and for meeting steps the agenda item and its
outcome; samplanering adds a handlingsplan and a stegmätning, an assignment an insats.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text, update

from samverkan.arenden.kodlistor import AVSLUTSORSAK, FORSORJNING, SYSSELSATTNING, UTBILDNINGSNIVA
from samverkan.core import krypto
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.deltagare.personnummer import luhn_check_digit
from samverkan.insatser.models import STANDARD_INSATSTYPER
from samverkan.kallelser.regler import anmalan_stanger, kallelse_tid
from samverkan.uppfoljning.models import STANDARDSTEGE
from workflows import arende as wf

PASSWORD = "bench-losenord-exempel"
HISTORIA_DAGAR = 5 * 365
CHUNK = 5000
MOTESKLOCKAN = dt.time(13, 0)

FORNAMN = ["Alva", "Bengt", "Cecilia", "Dragan", "Elin", "Fredrik", "Greta", "Hamid", "Ida", "Jonas",
           "Karin", "Leo", "Maja", "Nils", "Olivia", "Per", "Rut", "Samir", "Tove", "Ulf", "Vera", "Yusuf"]
EFTERNAMN = ["Exempelsson", "Provberg", "Testlund", "Fiktivström", "Påhittsson", "Låtsasdal",
             "Benchqvist", "Modellgren", "Skissholm", "Utkastberg"]
PARTER = [("arbetsformedlingen", "Arbetsförmedlingen"), ("forsakringskassan", "Försäkringskassan"),
          ("kommun", "kommun, Arbetsmarknadsenheten"), ("region", "Region, Hälsocentralen")]


@dataclass
class Plan:
    """How N ärenden spread: a national deployment has up to 76 förbund and hundreds of
    teams; a team sees a few hundred ärenden over five years."""

    arenden: int
    forbund: int
    teams_per_forbund: int

    @classmethod
    def for_size(cls, n: int) -> Plan:
        forbund = min(76, max(1, n // 1300))
        teams = min(max(2, n // 250), 800)
        return cls(n, forbund, max(1, -(-teams // forbund)))


@dataclass
class Team:
    id: int
    forbund_id: int
    part_ids: list[int]
    pl: int  # the projektledare's user id
    ledamoter: list[tuple[int, int]]  # (user id, part id)
    samcoach: int
    moten: list[tuple[int, dt.date]] = field(default_factory=list)  # (id, day), in order
    ordning: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # last item per meeting


@dataclass
class Resultat:
    """What was seeded: counts per table, seconds, and the logins the bench uses."""

    rader: dict[str, int]
    sekunder: float
    plan: Plan
    bench_epost: str = "pl1@example.org"  # projektledare of team 1
    ledamot_epost: str = "ledamot1-1@example.org"


class _Rader:
    """Rows per table with ids handed out here, flushed to the database in chunks."""

    def __init__(self, conn):
        self.conn = conn
        self.buffer: dict[str, list[dict]] = defaultdict(list)
        self.next_id: dict[str, int] = defaultdict(lambda: 1)
        self.count: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: dict, *, with_id: bool = True) -> int:
        if with_id:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.buffer[table].append(row)
        self.count[table] += 1
        return row.get("id", 0)

    def maybe_flush(self) -> None:
        """Called between ärenden, when no buffered row will change any more."""
        if any(len(rows) >= CHUNK for rows in self.buffer.values()):
            self.flush()

    def flush(self) -> None:
        # All tables, parents before children, so every foreign key finds its row.
        for t in db.metadata.sorted_tables:
            if self.buffer.get(t.name):
                if self.conn.dialect.name == "postgresql":
                    self._copy(t, [_krypterad(t, row) for row in self.buffer[t.name]])
                else:
                    # INSERT goes through the column types, which encrypt.
                    self.conn.execute(insert(t), self.buffer[t.name])
                self.buffer[t.name] = []

    def _copy(self, table, rows: list[dict]) -> None:
        """PostgreSQL's COPY, several times faster than batched INSERTs. It applies no
        Python-side defaults, so every row names every column (``_full`` checks)."""
        columns = [c.name for c in table.columns if c.name in rows[0]]
        _full(table, columns)
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                # Aware UTC datetimes: PostgreSQL drops the +00 offset for a timestamp column.
                copy.write_row([row[c] for c in columns])


def _krypterad(table, row: dict) -> dict:
    """COPY bypasses the column types: encrypt what an encrypted column holds here."""
    for column in table.columns:
        if isinstance(column.type, krypto.Krypterad) and row.get(column.name) is not None:
            row = {**row, column.name: krypto.kryptera(row[column.name], column.type.syfte)}
    return row


def _full(table, columns: list[str]) -> None:
    missing = [c.name for c in table.columns
               if c.name not in columns and not c.nullable and c.server_default is None]
    if missing:
        raise AssertionError(f"{table.name}: no value for {missing}")


def personnummer(i: int) -> tuple[str, bool, int]:
    """The i-th fictional number: unique per i up to 15 million, valid check digit."""
    born = dt.date(1962, 1, 1) + dt.timedelta(days=i % 15000)
    samordning = i % 37 == 0
    day = born.day + (60 if samordning else 0)
    nine = f"{born:%y%m}{day:02d}{(i // 15000) % 1000:03d}"
    return f"{born.year:04d}{nine[2:]}{luhn_check_digit(nine)}", samordning, born.year


def _utc(day: dt.date, klockan: dt.time = dt.time(10, 0)) -> dt.datetime:
    return dt.datetime.combine(day, klockan, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def _motesdagar(forst: dt.date, sist: dt.date) -> Iterator[dt.date]:
    """The second Tuesday of every month but July, the teams' default rule."""
    year, month = forst.year, forst.month
    while True:
        first = dt.date(year, month, 1)
        day = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
        if day > sist:
            return
        if month != 7 and day >= forst:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def seed(n: int, *, today: dt.date | None = None, seed_value: int = 8) -> Resultat:
    """Fill the (empty, migrated) database of the current app with ``n`` ärenden."""
    from samverkan.auth.services import hash_password

    started = time.monotonic()
    plan = Plan.for_size(n)
    rng = random.Random(seed_value)
    today = today or dt.datetime.now(STOCKHOLM).date()
    start = today - dt.timedelta(days=HISTORIA_DAGAR)
    password_hash = hash_password(PASSWORD)  # the production parameters outside tests
    with db.engine.begin() as conn:
        rows = _Rader(conn)
        teams = _organisation(rows, plan, password_hash, start, today, rng)
        per_team = [n // len(teams) + (1 if i < n % len(teams) else 0) for i in range(len(teams))]
        serie: dict[tuple[int, int], int] = defaultdict(int)
        kod = {t.forbund_id: f"B{t.forbund_id:02d}" for t in teams}
        steg = {t.forbund_id: [(t.forbund_id - 1) * len(STANDARDSTEGE) + k + 1
                               for k in range(len(STANDARDSTEGE))] for t in teams}
        insatstyper = {t.forbund_id: [(t.forbund_id - 1) * len(STANDARD_INSATSTYPER) + k + 1
                                      for k in range(len(STANDARD_INSATSTYPER))] for t in teams}
        for team, antal in zip(teams, per_team, strict=True):
            for _ in range(antal):
                _arende(rows, team, rng, today, start, serie, kod, steg[team.forbund_id],
                        insatstyper[team.forbund_id])
        for (forbund_id, ar), senaste in serie.items():
            rows.add("referensserie", {"forbund_id": forbund_id, "ar": ar, "senaste": senaste}, with_id=False)
        rows.flush()
        _sequences(conn, rows)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    if db.engine.dialect.name == "sqlite":
        # Outside a transaction (the app's hook would open one). The seed went into the WAL
        # in one transaction; copy it into the database and empty it, as a running system
        # would have long since: otherwise every write of the measured requests tries,
        # and fails while readers are active, to checkpoint hundreds of megabytes.
        raw = db.engine.raw_connection()
        try:
            raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return Resultat(rader=dict(rows.count), sekunder=time.monotonic() - started, plan=plan)


def aktualiserade(antal: int, *, team_id: int = 1, seed_value: int = 9) -> list[tuple[int, int]]:
    """``antal`` fresh ärenden in a seeded team, aktualiserade today: (id, version) each.

    The bench's transition run fires one real transition per ärende, so it needs as many
    untouched ärenden as it sends requests."""
    rng = random.Random(seed_value)
    today = dt.datetime.now(STOCKHOLM).date()
    t = db.metadata.tables
    with db.engine.begin() as conn:
        rows = _Rader(conn)
        _reservera_id(conn, rows)
        forbund_id = conn.scalar(select(t["team"].c.forbund_id).where(t["team"].c.id == team_id))
        members = [(u, getattr(r, "value", r), p) for u, r, p in conn.execute(select(t["medlemskap"].c.user_id, t["medlemskap"].c.roll, t["anvandare"].c.part_id)
                               .join(t["anvandare"], t["anvandare"].c.id == t["medlemskap"].c.user_id)
                               .where(t["medlemskap"].c.team_id == team_id))]
        part_ids = list(conn.scalars(select(t["part"].c.id).where(t["part"].c.forbund_id == forbund_id)))
        team = Team(team_id, forbund_id, part_ids, pl=next(u for u, r, _ in members if r == "projektledare"),
                    ledamoter=[(u, p) for u, r, p in members if r == "ledamot"],
                    samcoach=next(u for u, r, _ in members if r == "samcoach"))
        serie = defaultdict(int, {(f, ar): n for f, ar, n in conn.execute(select(t["referensserie"]))})
        fore = dict(serie)
        kod = {forbund_id: conn.scalar(select(t["forbund"].c.kod).where(t["forbund"].c.id == forbund_id))}
        ids = []
        for _ in range(antal):
            ids.append(rows.next_id["arende"])
            _arende(rows, team, rng, today, today, serie, kod, [], [], kort=True)
        rows.flush()
        for (f, ar), senaste in serie.items():
            if (f, ar) in fore:
                conn.execute(update(t["referensserie"]).where(t["referensserie"].c.forbund_id == f,
                                                              t["referensserie"].c.ar == ar).values(senaste=senaste))
            else:
                conn.execute(insert(t["referensserie"]).values(forbund_id=f, ar=ar, senaste=senaste))
        _sequences(conn, rows)
        versions = dict(conn.execute(select(t["arende"].c.id, t["arende"].c.version)
                                     .where(t["arende"].c.id.in_(ids))).all())
    return [(i, versions[i]) for i in ids]


def lagg_undan(ids: list[int]) -> int:
    """The bench's own fresh ärenden that a run left untouched, marked återkallade (a
    direct UPDATE of bench data, not the flow): otherwise they wait in team 1's inbox, and
    the next run on a kept database (``--behall``) measures the agenda builder listing
    thousands of them. Returns how many were still waiting."""
    t = db.metadata.tables["arende"]
    with db.engine.begin() as conn:
        return conn.execute(update(t).where(t.c.id.in_(ids), t.c.status == wf.AKTUALISERAD)
                            .values(status=wf.ATERKALLAD)).rowcount


def _reservera_id(conn, rows: _Rader) -> None:
    """The next free id of every table: past the largest id and, on PostgreSQL, past the
    sequence, which also counts ids taken by transactions not yet committed.

    Call it with nothing else writing: ``bench`` stops the served app before it makes
    the transition run's ärenden. (Locking every table against a still-serving app, as
    this once did, deadlocked with the app's own inserts.)"""
    pg = conn.dialect.name == "postgresql"
    for table in (t for t in db.metadata.sorted_tables if "id" in t.c):
        senaste = conn.scalar(select(func.max(table.c.id))) or 0
        if pg:
            sekvens = conn.scalar(text(f"SELECT pg_get_serial_sequence('{table.name}', 'id')"))
            if sekvens:
                senaste = max(senaste, conn.scalar(text(f"SELECT last_value FROM {sekvens}")))
        rows.next_id[table.name] = senaste + 1


def _sequences(conn, rows: _Rader) -> None:
    if conn.dialect.name == "postgresql":
        # Ids were given explicitly: move each sequence past them for the app's inserts.
        for table, next_id in rows.next_id.items():
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {next_id})"))


def _organisation(rows: _Rader, plan: Plan, password_hash: str, start: dt.date, today: dt.date,
                  rng: random.Random) -> list[Team]:
    """Förbund with their lists, parties, teams with members and a calendar of meetings."""
    teams: list[Team] = []
    user_n = 0

    def user(forbund_id: int, part_id: int | None, epost: str) -> int:
        nonlocal user_n
        user_n += 1
        namn = f"{FORNAMN[user_n % len(FORNAMN)]} {EFTERNAMN[user_n // len(FORNAMN) % len(EFTERNAMN)]}"
        return rows.add("anvandare", {"forbund_id": forbund_id, "part_id": part_id, "epost": epost,
                                      "namn": namn, "losenord_hash": password_hash, "aktiv": True,
                                      "sessionsversion": 1, "totp_aktiv": False, "skapad": _utc(start)})

    for f in range(1, plan.forbund + 1):
        forbund_id = rows.add("forbund", {"namn": f"Samordningsförbundet Benchbygd {f}", "kod": f"B{f:02d}"})
        for ordning, (kod, namn) in enumerate(STANDARD_INSATSTYPER.items()):
            rows.add("insatstyp", {"forbund_id": forbund_id, "kod": kod, "namn": namn, "ordning": ordning,
                                   "aktiv": True})
        for nummer, namn, beskrivning in STANDARDSTEGE:
            rows.add("steg", {"forbund_id": forbund_id, "nummer": nummer, "namn": namn,
                              "beskrivning": beskrivning})
        part_ids = [rows.add("part", {"forbund_id": forbund_id, "typ": typ, "namn": f"{namn} Benchbygd {f}"})
                    for typ, namn in PARTER]
        admin = user(forbund_id, None, f"admin{f}@example.org")
        rows.add("forbundsroll", {"forbund_id": forbund_id, "user_id": admin, "roll": "admin"})
        for _ in range(plan.teams_per_forbund):
            t = len(teams) + 1
            team_id = rows.add("team", {"forbund_id": forbund_id, "namn": f"Trisam Benchby {t}",
                                        "motesveckodag": 1, "motestid": MOTESKLOCKAN,
                                        "motesplats": "Kommunhuset, rum 3", "agendakapacitet": 6,
                                        "motesordning": 2, "uppehall_manader": "7", "motesplats_video": ""})
            for part_id in part_ids:  # every party sits in the team (team_part)
                rows.add("team_part", {"team_id": team_id, "part_id": part_id}, with_id=False)

            def member(user_id: int, roll: str, *, team_id=team_id, **kw) -> int:
                return rows.add("medlemskap", {"team_id": team_id, "user_id": user_id, "roll": roll, **kw})

            pl = user(forbund_id, part_ids[2], f"pl{t}@example.org")
            member(pl, "projektledare")
            ledamoter = []
            for k, part_id in enumerate(part_ids, start=1):
                uid = user(forbund_id, part_id, f"ledamot{t}-{k}@example.org")
                ledamoter.append((uid, part_id))
                m = member(uid, "ledamot")
                if k == 1:
                    member(user(forbund_id, part_id, f"ersattare{t}@example.org"), "ersattare", ersatter_id=m)
            coach = user(forbund_id, part_ids[2], f"samcoach{t}@example.org")
            member(coach, "samcoach", kapacitet=10)
            team = Team(team_id, forbund_id, part_ids, pl, ledamoter, coach)
            mottagare = [pl, *(u for u, _ in ledamoter)]
            for day in _motesdagar(start, today + dt.timedelta(days=90)):
                team.moten.append((_mote(rows, team, day, today, mottagare, rng), day))
            teams.append(team)
            rows.maybe_flush()
    return teams


def _mote(rows: _Rader, team: Team, day: dt.date, today: dt.date, mottagare: list[int],
          rng: random.Random) -> int:
    starttid = _utc(day, MOTESKLOCKAN)
    kallelse = kallelse_tid(starttid, None)
    passerad = kallelse.astimezone(STOCKHOLM).date() <= today
    mote_id = rows.add("mote", {
        "team_id": team.id, "starttid": starttid, "langd_minuter": 120, "plats": "Kommunhuset, rum 3",
        "videolank": "", "typ": "arendedragning", "skapad": _utc(day - dt.timedelta(days=60)),
        "uid": f"bench-{team.id}-{day.isoformat()}@samverkan", "sekvens": 0, "agendaversion": 1,
        "anmalan_stanger": anmalan_stanger(starttid, None), "kallelse_planerad": kallelse,
        "kallelse_skickad": kallelse if passerad else None, "skickad_sekvens": 0 if passerad else None,
        "skickad_agendaversion": 1 if passerad else None,
    })
    if passerad:
        for user_id in mottagare:
            rows.add("utskick", {
                "mote_id": mote_id, "typ": "kallelse", "mottagare_id": user_id,
                "epost": f"mottagare{user_id}@example.org", "version": "0.1",
                "amne": f"Kallelse: Trisam Benchby {team.id} {day.isoformat()}",
                "text": "Kallelse till ärendedragning. Ärenden anges med referens.", "ics": None,
                "message_id": f"<bench-{mote_id}-{user_id}@samverkan>", "status": "skickad", "forsok": 1,
                "nasta_forsok": kallelse, "senaste_fel": "", "skapad": kallelse, "skickad": kallelse,
            })
    if day < today:
        for part_id in team.part_ids:
            status = "narvarande" if rng.random() < 0.85 else rng.choice(["per_telefon", "franvarande"])
            rows.add("narvaro", {"mote_id": mote_id, "part_id": part_id, "status": status,
                                 "registrerad_av_id": team.pl, "registrerad": starttid})
    return mote_id


def _audit(rows: _Rader, handling: str, objekt_typ: str, objekt_id: int, user_id: int, day: dt.date,
           falt: str = "") -> None:
    rows.add("granskningslogg", {"tid": _utc(day), "user_id": user_id, "handling": handling,
                                 "objekt_typ": objekt_typ, "objekt_id": objekt_id, "falt": falt,
                                 "kanal": "webb", "ip": "127.0.0.1"})


def _nasta_mote(team: Team, efter: dt.date) -> tuple[int, dt.date] | None:
    return next(((m, d) for m, d in team.moten if d >= efter), None)


def _arende(rows: _Rader, team: Team, rng: random.Random, today: dt.date, start: dt.date,
            serie: dict, kod: dict, steg: list[int], insatstyper: list[int], *, kort: bool = False) -> None:
    """One ärende walked forward through the state machine until its next step is in the
    future (``kort``: created and aktualiserat today, no further)."""
    arende_id = rows.next_id["arende"]
    handlaggare, part_id = rng.choice(team.ledamoter)
    skapad = start + dt.timedelta(days=rng.randrange((today - start).days + 1))
    serie[(team.forbund_id, skapad.year)] += 1
    nummer, samordning, fodelsear = personnummer(arende_id)
    deltagare_id = rows.add("deltagare", {
        # Stored as the app stores it: encrypted, with the keyed hash as the lookup key.
        "forbund_id": team.forbund_id, "personnummer": nummer, "personnummer_sok": krypto.sokhash(nummer),
        "samordningsnummer": samordning,
        "anonym_kod": None, "kon": rng.choices(["kvinna", "man", "annat"], [50, 48, 2])[0],
        "fodelsear": fodelsear, "skapad": _utc(skapad)})
    arende = {
        "id": arende_id, "forbund_id": team.forbund_id, "team_id": team.id, "deltagare_id": deltagare_id,
        "referens": f"{kod[team.forbund_id]}-{skapad.year}-{serie[(team.forbund_id, skapad.year)]:03d}",
        "aktualiserande_part_id": part_id, "handlaggare_id": handlaggare,
        "fragestallning": "<p>Hur kan parterna samordna stödet mot arbete eller studier?</p>",
        "status": wf.UTKAST, "forsorjning_start": rng.choice(list(FORSORJNING)),
        "sysselsattning_start": rng.choice(list(SYSSELSATTNING)),
        "utbildningsniva": rng.choice(list(UTBILDNINGSNIVA)), "tid_i_offentligt_stod": "1_3_ar",
        "forsorjning_slut": None, "sysselsattning_slut": None, "avslutsorsak": None,
        "aktualiserad_den": None, "forsta_samplanering": None, "avslutad_den": None,
        "nasta_uppfoljning": None, "foregaende_arende_id": None,
        "skapad": _utc(skapad), "andrad": _utc(skapad),
    }
    rows.next_id["arende"] += 1
    rows.add("arende", arende, with_id=False)
    givet = skapad - dt.timedelta(days=rng.randrange(10))
    samtycke = {"arende_id": arende_id, "givet_den": givet, "giltigt_till": givet + dt.timedelta(days=3 * 365),
                "satt": "underskrivet", "dokumentreferens": "", "aterkallat": None, "skapad": _utc(skapad)}
    rows.add("samtycke", samtycke)
    for pid in team.part_ids:
        rows.add("samtycke_part", {"samtycke_id": samtycke["id"], "part_id": pid}, with_id=False)
    _audit(rows, "deltagare.skapa", "deltagare", deltagare_id, handlaggare, skapad, "kon,personnummer")
    _audit(rows, "arende.skapa", "arende", arende_id, handlaggare, skapad, "fragestallning")
    _audit(rows, "samtycke.registrera", "arende", arende_id, handlaggare, skapad, "samtycke")
    if rng.random() < 0.5:
        rows.add("anteckning", {"arende_id": arende_id, "forfattare_id": handlaggare, "skapad": _utc(skapad),
                                "text": "<p>Fiktiv anteckning: samtal om mål och nästa steg.</p>"})

    walk = _Vandring(rows, team, arende, rng, today, skapad, samtycke, steg, insatstyper)
    if kort:
        walk.step("aktualisera", wf.AKTUALISERAD, skapad, handlaggare)
        arende["aktualiserad_den"] = skapad
    else:
        walk.run()
    # The flow bumps the version on every transition (optimistic locking).
    arende["version"] = 1 + walk.events
    for _ in range(rng.randrange(3)):  # someone opened the case page
        _audit(rows, "arende.visa", "arende", arende_id, rng.choice([team.pl, handlaggare]), walk.senast)
    rows.maybe_flush()


class _Vandring:
    """The steps of one ärende; ``step`` refuses (returns False) a step after today."""

    def __init__(self, rows, team, arende, rng, today, dag, samtycke, steg, insatstyper):
        self.rows, self.team, self.a, self.rng, self.today = rows, team, arende, rng, today
        self.senast, self.samtycke, self.steg, self.insatstyper = dag, samtycke, steg, insatstyper
        self.events = 0

    def step(self, trigger: str, till: str, dag: dt.date, aktor: int | None = None, kommentar: str = "") -> bool:
        if dag > self.today:
            return False
        aktor = aktor or self.team.pl
        self.rows.add("arende_handelse", {
            "arende_id": self.a["id"], "trigger": trigger, "fran_status": self.a["status"], "till_status": till,
            "aktor_id": aktor, "galler_datum": dag, "registrerad": _utc(dag, dt.time(16, 0)),
            "kommentar": kommentar, "ar_korrigering": False})
        _audit(self.rows, f"arende.{trigger}", "arende", self.a["id"], aktor, dag, "status")
        self.a["status"], self.a["andrad"], self.senast = till, _utc(dag, dt.time(16, 0)), dag
        self.events += 1
        return True

    def later(self, lo: int, hi: int) -> dt.date:
        return self.senast + dt.timedelta(days=self.rng.randint(lo, hi))

    def run(self) -> None:
        rng, a = self.rng, self.a
        if not self.step("aktualisera", wf.AKTUALISERAD, self.later(0, 14), a["handlaggare_id"]):
            return
        a["aktualiserad_den"] = self.senast
        if rng.random() < 0.02:
            if self.step("aterkalla", wf.ATERKALLAD, self.later(5, 60), a["handlaggare_id"]):
                self._aterkallat()
            return
        punkt = self.meeting(uppfoljning=False)
        if punkt is None:
            return
        form = rng.choices(["samcoach", "insats", "ordinarie"], [35, 45, 20])[0]
        typ = rng.choice(self.insatstyper) if form == "insats" else None
        punkt.update(beslut=form, insatstyp_id=typ)
        ko = form == "samcoach" and rng.random() < 0.25
        if ko:
            if not self.step("satt_i_ko", wf.I_KO, self.later(0, 5)):
                return
            if not self.step("anvisa_insats", wf.I_INSATS, self.later(14, 60)):
                self._insats(form, typ, punkt, "ko", ko_sedan=self.senast)
                return
        elif not self.step("anvisa_insats", wf.I_INSATS, self.later(0, 30)):
            return
        insats = self._insats(form, typ, punkt, "aktiv")
        for _ in range(rng.randint(0, 3)):
            nasta = self.later(60, 120)
            a["nasta_uppfoljning"] = nasta
            if not self.step("kalla_till_uppfoljning", wf.UPPFOLJNING, nasta):
                return
            a["nasta_uppfoljning"] = None
            if self.meeting(uppfoljning=True) is None:
                return
        if rng.random() < 0.03:
            if self.step("aterkalla", wf.ATERKALLAD, self.later(5, 60), a["handlaggare_id"]):
                self._aterkallat()
            return
        slut = self.later(30, 150)
        a["nasta_uppfoljning"] = slut
        if self.step("avsluta", wf.AVSLUTAD, slut):
            a.update(nasta_uppfoljning=None, avslutad_den=slut, avslutsorsak=rng.choice(list(AVSLUTSORSAK)),
                     forsorjning_slut=rng.choice(list(FORSORJNING)),
                     sysselsattning_slut=rng.choice(list(SYSSELSATTNING)))
            insats.update(status="avslutad", avslutad=slut)

    def meeting(self, *, uppfoljning: bool) -> dict | None:
        """Placed on the next meeting's agenda and dealt with there (or carried over);
        the agenda item, or None when the walk stops before the meeting's outcome."""
        while True:
            found = _nasta_mote(self.team, self.senast + dt.timedelta(days=8))
            if found is None:
                return None
            mote_id, dag = found
            # The agenda is built in the weeks before the meeting.
            placerad = max(self.senast, dag - dt.timedelta(days=self.rng.randint(7, 28)))
            if not self.step("placera_pa_agenda", wf.PA_AGENDA, placerad):
                return None
            self.team.ordning[mote_id] += 1
            punkt = {"mote_id": mote_id, "arende_id": self.a["id"], "ordning": self.team.ordning[mote_id],
                     "uppfoljning": uppfoljning,
                     "utfall": None, "status": "bokad", "anmald_av_id": None, "tidslucka": None,
                     "langd_minuter": None, "individen_medverkar": False, "beslut": None, "insatstyp_id": None,
                     "folj_upp_den": None, "behandlad": None, "behandlad_av_id": None,
                     "overford_fran_id": None}
            self.rows.add("dagordningspunkt", punkt)
            if self.rng.random() < 0.08 and dag <= self.today:  # not reached: carried over
                self.step("bordlagg", wf.UPPFOLJNING if uppfoljning else wf.AKTUALISERAD, dag)
                punkt["utfall"] = "bordlagd"
                continue
            trigger, till = ("folj_upp", wf.I_INSATS) if uppfoljning else ("samplanera", wf.SAMPLANERAD)
            if not self.step(trigger, till, dag):
                return None
            punkt.update(utfall="foljd_upp" if uppfoljning else "samplanerad", behandlad=_utc(dag, dt.time(15, 0)),
                         behandlad_av_id=self.team.pl)
            if not uppfoljning:
                self.a["forsta_samplanering"] = dag
                for _ in range(2):
                    part_id = self.rng.choice(self.team.part_ids)
                    self.rows.add("atgard", {
                        "arende_id": self.a["id"], "punkt_id": punkt["id"], "part_id": part_id,
                        "beskrivning": "Boka ett gemensamt samtal om nästa steg.", "ansvarig": "Handläggaren",
                        "klar_senast": dag + dt.timedelta(days=30), "skapad_av_id": self.team.pl,
                        "klar_den": dag + dt.timedelta(days=20) if dag + dt.timedelta(days=20) <= self.today
                        else None, "skapad": _utc(dag, dt.time(15, 0))})
            niva = min(len(self.steg) - 1, self.rng.randint(0, 2) + (2 if uppfoljning else 0))
            self.rows.add("stegmatning", {
                "arende_id": self.a["id"], "punkt_id": punkt["id"], "datum": dag, "steg_id": self.steg[niva],
                "sysselsattningsgrad": [0, 0, 25, 40, 75, 100][niva], "ors": self.rng.randint(10, 35),
                "registrerad_av_id": self.team.pl, "registrerad": _utc(dag, dt.time(15, 0))})
            return punkt

    def _insats(self, form: str, typ: int | None, punkt: dict, status: str,
                ko_sedan: dt.date | None = None) -> dict:
        row = {"arende_id": self.a["id"], "team_id": self.team.id, "form": form, "insatstyp_id": typ,
               "samcoach_id": self.team.samcoach if form == "samcoach" and status != "ko" else None,
               "status": status, "punkt_id": punkt["id"], "beslutad": self.a["forsta_samplanering"],
               "i_ko_sedan": _utc(ko_sedan) if ko_sedan else None, "erbjuden": None,
               "startad": self.senast if status == "aktiv" else None, "avslutad": None,
               "skapad": _utc(self.senast)}
        self.rows.add("insats", row)
        return row

    def _aterkallat(self) -> None:
        # The consent row marks the withdrawal too, as the flow does.
        self.samtycke["aterkallat"] = _utc(self.senast)
