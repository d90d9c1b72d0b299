"""Query budgets: every main page and API endpoint costs a fixed number of SQL queries,
whatever the amount of data behind it.

The table says, per endpoint, who asks and how many statements the request may cost
(SQLite's explicit BEGIN IMMEDIATE not counted, so both databases share one budget). Each is measured with
a small world (3 of everything: ärenden, agenda items, requests, meetings, kallelser,
notes) and again after it has grown to 30; both must equal the budget. A page that
starts loading per row fails here with the statements it ran. Raise a budget only for
a new fixed query, never for one that repeats.

Every logged-in request starts with one statement: the session user (or the API token
and its user) joined with the team memberships and förbund roles that the access rules
and the navigation read (issue 19).
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from samverkan.anteckningar import services as anteckningar
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser import services as kallelser
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten import anmalningar, dagordning, redigering
from tests import factories

# Monday 2 February 2026, 10:00 in Stockholm: agenda requests for March are open.
NU = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
MOTESDAG = dt.date(2026, 3, 10)

# (name, user, path, budget). Paths are formatted with the scenario's ids.
BUDGET = [
    ("startsidan", "ledamot_af", "/", 1),  # the user with memberships and förbund roles (one statement) picks the page
    ("ärendelistan", "projektledare", "/arenden/", 3),
    ("mina ärenden", "ledamot_af", "/arenden/mina", 3),
    ("inkorgen", "projektledare", "/arenden/inkorg", 5),  # + ärenden due for uppföljning
    ("samtycke går ut", "projektledare", "/arenden/samtycke-gar-ut", 4),
    ("sök på referens", "projektledare", "/arenden/sok?q={referens}", 3),
    # The access rule loads the ärende with its team, deltagare, parties, consents and the
    # consents' parties in one statement (the many-to-many joined in a chain: nested, SQLite
    # reads the whole samtycke_part table), as the page reads them (regel(ladda=…)): no lazy loads.
    # + stegmätningar, ladder, linked ärenden, the avslut form, the handlingsplan, the consent
    # history and renewal, meetings open for a request, the individual's attendance and goals,
    # the insatser link. The same statement asks which of the notes, the attendance, the goals
    # and the later ärende exist: an empty one costs no statement (here all but the notes; 15
    # with all four).
    ("ärendesidan", "ledamot_af", "/arenden/{arende}", 12),
    ("teamets stegförflyttning", "projektledare", "/team/{team}/stegforflyttning", 7),  # + measurements, insatser, audit rows
    ("min kaseload", "samcoach", "/min-kaseload", 2),
    ("möteskalendern", "projektledare", "/moten/team/{team}?sida=1", 5),
    # items with their consents' parties and who asked in one, the inbox without the user's teams
    ("mötessidan med agendabyggaren", "projektledare", "/moten/{mote}", 7),
    ("mötessidan för en ledamot", "ledamot_fk", "/moten/{mote}", 5),  # items with consents' parties and who asked in one
    ("utskick", "projektledare", "/kallelser/", 3),
    ("ett utskick", "projektledare", "/kallelser/{utskick}", 4),
    ("loggkontroll", "admin", "/loggkontroll/?fran=2026-01-01", 5),
    ("gallring", "admin", "/admin/gallring/", 4),
    ("API: ärenden", "token", "/api/v1/arenden", 3),
    ("API: ett ärende", "token", "/api/v1/arenden/{arende}", 8),
    ("API: ärendets händelser", "token", "/api/v1/arenden/{arende}/handelser", 4),
    ("API: team", "token", "/api/v1/teams", 3),
    ("API: teamets medlemmar", "token", "/api/v1/teams/{team}/medlemmar", 3),
    ("API: teamets möten", "token", "/api/v1/teams/{team}/moten", 3),
    # items with their consents and the consents' parties in one (see the case page)
    ("API: ett möte", "token", "/api/v1/moten/{mote}", 3),
    ("API: mötets utskick", "token", "/api/v1/moten/{mote}/utskick", 3),
]


@pytest.fixture
def scenario(world):
    """A team with one meeting at the centre; ``scenario.vaxa(n)`` adds n of everything."""
    clock.set_clock(lambda: NU)
    pl = world.users["projektledare"]
    mote = redigering.skapa_mote(pl, world.team.id, datum=MOTESDAG, klockslag=dt.time(13, 0),
                            langd_minuter=120, kapacitet_=50, plats="Kommunhuset, rum 3")
    arende = factories.create_arende(world)
    s = SimpleNamespace(team=world.team.id, mote=mote.id, arende=arende.id, referens=arende.referens,
                        antal=0)

    # The small world has one author and one handläggare, the large one four and three: a
    # lazy load per distinct person (or one hidden behind the identity map when the
    # person is the reader) then shows as a difference.
    forfattare = [world.users[k] for k in ("ledamot_af", "projektledare", "ledamot_fk", "ledamot_kommun")]
    handlaggare = ["ledamot_af", "ledamot_kommun", "ledamot_region"]

    def vaxa(n: int) -> None:
        for _ in range(n):
            i, s.antal = s.antal, s.antal + 1
            vem = handlaggare[i // 10 % 3]
            dagordning.lagg_till(pl, mote.id, factories.create_arende(world, handlaggare=vem).id)
            anmalningar.anmal(world.users["ledamot_fk"], mote.id,
                        factories.create_arende(world, handlaggare="ledamot_fk").id)
            factories.create_arende(world, handlaggare=vem)  # waits in the inbox
            anteckningar.create(forfattare[i // 8 % 4], arende.id, "<p>Samtal om nästa steg.</p>")
            extra = redigering.skapa_mote(pl, world.team.id, datum=MOTESDAG + dt.timedelta(days=i + 1),
                                     klockslag=dt.time(9, 0), langd_minuter=60, plats="Rum 2")
            dagordning.lagg_till(pl, extra.id, factories.create_arende(world).id)
            kallelser.skriv(UtskickTyp.KALLELSE, extra.id, extra.kallelse_planerad)
        s.utskick = db.session.query(Utskick.id).order_by(Utskick.id).limit(1).scalar()
        db.session.commit()

    s.vaxa = vaxa
    return s


def test_every_page_costs_its_budget_with_3_and_with_30_of_everything(world, scenario, client,
                                                                      count_queries):
    _, token = create_token(world.users["projektledare"], "budget")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def measure() -> dict[str, tuple[int, list[str]]]:
        counts, inloggad = {}, None
        for namn, user, path, _ in BUDGET:
            url = path.format(**vars(scenario))
            kw = {"headers": headers} if user == "token" else {}
            if user not in ("token", inloggad):
                _logga_in(client, world.users[user])
                inloggad = user
            client.get(url, **kw)  # warm-up: the first request may fill caches
            with count_queries() as q:
                response = client.get(url, **kw)
            assert response.status_code in (200, 303), (namn, response.status_code)
            statements = [st for st in q.statements if not st.startswith("BEGIN")]
            counts[namn] = (len(statements), statements)
        return counts

    scenario.vaxa(3)
    small = measure()
    scenario.vaxa(27)
    large = measure()
    budget = {namn: b for namn, _, _, b in BUDGET}
    problems = [
        f"{namn}: budget {budget[namn]}, {small[namn][0]} med 3, {large[namn][0]} med 30"
        for namn in budget if not small[namn][0] == large[namn][0] == budget[namn]
    ]
    assert not problems, "\n".join(problems + ["", "Frågorna med 30:"] + [
        f"  {namn}:\n" + "\n".join("    " + " ".join(s.split())[:140] for s in large[namn][1])
        for namn in budget if small[namn][0] != large[namn][0] or large[namn][0] != budget[namn]
    ])


def _logga_in(client, user) -> None:
    response = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert response.status_code == 303


# Tables that grow with the cases: a page's statement that reads one of them whole gets
# slower every month. SQLite's plan says "SCAN <table or its alias>" (a many-to-many joined
# by the ORM is a nested join that SQLite materialises: it read all of samtycke_part on
# every case page, 16 ms at 10⁴ ärenden).
VAXANDE = {"arende", "arende_handelse", "samtycke", "samtycke_part", "anteckning", "deltagare",
           "dagordningspunkt", "anmalan", "mote", "utskick", "granskningslogg", "insats",
           "stegmatning", "narvaro", "atgard", "forberedelse", "individ_mal", "individ_narvaro"}


def test_no_page_reads_a_growing_table_whole_on_sqlite(world, scenario, client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan (PostgreSQL's planner weighs its own statistics)")
    _, token = create_token(world.users["projektledare"], "budget")
    scenario.vaxa(30)
    headers = {"Authorization": f"Bearer {token}"}
    satser: list[tuple[str, object]] = []

    def fanga(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            satser.append((statement, parameters))

    inloggad = None
    event.listen(db.engine, "before_cursor_execute", fanga)
    try:
        for namn, user, path, _ in BUDGET:
            if user not in ("token", inloggad):
                _logga_in(client, world.users[user])
                inloggad = user
            kw = {"headers": headers} if user == "token" else {}
            assert client.get(path.format(**vars(scenario)), **kw).status_code in (200, 303), namn
    finally:
        event.remove(db.engine, "before_cursor_execute", fanga)
    rad = db.session.connection().connection.dbapi_connection
    fynd = set()
    for statement, parameters in satser:
        for *_, detalj in rad.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall():
            ord_ = detalj.split()
            if ord_[0] == "SCAN" and re.sub(r"_\d+$", "", ord_[1]) in VAXANDE:
                fynd.add(f"{detalj}: {' '.join(statement.split())[:160]}")
    assert not fynd, "\n".join(sorted(fynd))
