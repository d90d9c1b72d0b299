"""The benchmark's seeding, at a small size on both databases: the rows are there, every
ärende's history is a valid walk through the state machine that ends in its state, the
data the app writes beside it agrees, and the app serves the seeded world. The load test
itself is never run here (``bench/run`` does that)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select, text

from bench import seed as seeding
from bench.load import overgangsskript, tolka
from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.deltagare import personnummer
from samverkan.deltagare.models import Deltagare, Samtycke
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten.models import Dagordningspunkt, Mote
from workflows import arende as wf

N = 400


@pytest.fixture
def seedad(ctx):
    return seeding.seed(N)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_rows_are_there_and_counted(seedad):
    assert seedad.rader["arende"] == _count(Arende) == N
    assert _count(Deltagare) == _count(Samtycke) == N
    assert seedad.rader["arende_handelse"] == _count(ArendeHandelse) > 3 * N
    assert seedad.rader["granskningslogg"] == _count(AuditEntry) > _count(ArendeHandelse)
    assert seedad.plan.forbund >= 1 and _count(Mote) > 0 and _count(Insats) > 0
    states = Counter(db.session.scalars(select(Arende.status)))
    assert set(states) <= set(wf.STATES)
    # Old ärenden are closed, recent ones on their way: several states, most closed.
    assert states[wf.AVSLUTAD] > N // 2 and len(states) >= 5, states


def test_every_history_is_a_valid_walk_ending_in_the_state(seedad):
    allowed = {(r.trigger, s, r.dest) for r in wf.TRANSITIONS for s in r.source}
    handelser = defaultdict(list)
    for h in db.session.scalars(select(ArendeHandelse).order_by(ArendeHandelse.id)):
        handelser[h.arende_id].append(h)
    today = dt.datetime.now(clock.STOCKHOLM).date()
    for arende in db.session.scalars(select(Arende)):
        state, senast = wf.UTKAST, dt.date.min
        for h in handelser[arende.id]:
            assert (h.trigger, h.fran_status, h.till_status) in allowed, (arende.id, h.trigger)
            assert h.fran_status == state and senast <= h.galler_datum <= today
            state, senast = h.till_status, h.galler_datum
        assert state == arende.status
        assert arende.version == 1 + len(handelser[arende.id])  # as the flow's optimistic lock counts
        assert (arende.aktualiserad_den is None) == (arende.status == wf.UTKAST)
        assert (arende.avslutad_den is not None) == (arende.status == wf.AVSLUTAD)


def test_what_goes_beside_the_history_agrees(seedad):
    for d in db.session.scalars(select(Deltagare)):
        assert personnummer.parse(d.personnummer).nummer == d.personnummer
    nu = clock.now()
    for arende in db.session.scalars(select(Arende).where(Arende.status == wf.PA_AGENDA)):
        punkt = db.session.scalars(select(Dagordningspunkt).where(Dagordningspunkt.arende_id == arende.id)
                                   .order_by(Dagordningspunkt.id.desc())).first()
        assert punkt.utfall is None and db.session.get(Mote, punkt.mote_id).starttid > nu
    ko = set(db.session.scalars(select(Insats.arende_id).where(Insats.status == InsatsStatus.KO)))
    assert ko == set(db.session.scalars(select(Arende.id).where(Arende.status == wf.I_KO)))
    aterkallade = set(db.session.scalars(select(Arende.id).where(Arende.status == wf.ATERKALLAD)))
    # Withdrawn consent and the withdrawn state go together, as the flow writes them.
    assert aterkallade == set(db.session.scalars(select(Samtycke.arende_id).where(Samtycke.aterkallat.is_not(None))))


def test_the_app_serves_the_seeded_world(seedad, client):
    response = client.post("/logga-in", data={"epost": seedad.bench_epost, "losenord": seeding.PASSWORD})
    assert response.status_code == 303
    user = db.session.execute(select(User).where(User.epost == seedad.bench_epost)).scalar_one()
    team_id = user.medlemskap[0].team_id
    arende_id = db.session.scalar(select(Arende.id).where(Arende.team_id == team_id).limit(1))
    mote_id = db.session.scalar(select(Mote.id).where(Mote.team_id == team_id, Mote.starttid > clock.now()))
    for path in ("/arenden/", "/arenden/inkorg", f"/arenden/{arende_id}", f"/moten/{mote_id}"):
        assert client.get(path).status_code == 200, path


def test_fresh_arenden_for_the_transition_run_take_one_real_transition(seedad):
    par = seeding.aktualiserade(3)
    user = db.session.execute(select(User).where(User.epost == seedad.bench_epost)).scalar_one()
    for arende_id, version in par:
        handelse = arende_services.fire(user, arende_id, "aterkalla", version=version)
        assert handelse.fran_status == wf.AKTUALISERAD and handelse.till_status == wf.ATERKALLAD
    db.session.commit()
    assert _count(Arende) == N + 3
    ids = ",".join(str(i) for i, _ in par)
    assert f"local ids = {{{ids}}}" in overgangsskript(par, "aterkalla", 2)


def test_fresh_arenden_take_no_id_that_an_uncommitted_writer_holds(seedad):
    """The bench makes its fresh ärenden while the served app may still be answering
    queued requests, each writing an audit row: an id the sequence already handed out
    (to a transaction not yet committed) must not be handed out again."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("sekvenser finns bara i PostgreSQL; SQLite:s skrivlås serialiserar redan")
    with db.engine.connect() as other:
        taken = other.scalar(text("SELECT nextval(pg_get_serial_sequence('granskningslogg', 'id'))"))
        other.rollback()  # nextval survives the rollback, as an in-flight insert's id would
    seeding.aktualiserade(2)
    ids = set(db.session.scalars(select(AuditEntry.id)))
    assert taken not in ids and max(ids) > taken


def test_wrk_report_is_read():
    report = """Running 10s test @ http://127.0.0.1:8000/halsa
  2 threads and 4 connections
  Latency Distribution
     50%    2.10ms
     75%    3.00ms
     90%    5.00ms
     99%    1.20s
  1234 requests in 10.00s, 1.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    123.40
"""
    m = tolka(report)
    assert (m.req_s, m.p50_ms, m.p99_ms, m.anrop, m.fel) == (123.4, 2.1, 1200.0, 1234, 7)


def test_the_meeting_rooms_writers_keep_their_pace_for_the_whole_run():
    """The writers' script, run by the real wrk against a local server that counts the
    POSTs: with a pace of 100 ms two connections send at most about ten a second each for
    the run, where without it they send as fast as the server answers (and use their
    ärenden up at once)."""
    import shutil
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench.load import kor

    wrk = shutil.which("wrk")
    if wrk is None:
        # As the browser tests with Chromium: ./dev/test installs it as root.
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(
            "wrk saknas: apt-get install wrk (./dev/test gör det när den körs som root)")
    tider: list[float] = []

    class Svar(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  # http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            tider.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Svar)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    par = [(i, 1) for i in range(1, 2001)]
    try:
        utan = kor(wrk, url, headers={}, sekunder=1, anslutningar=2, tradar=2,
                   skript=overgangsskript(par, "aterkalla", 2))
        tider.clear()
        med = kor(wrk, url, headers={}, sekunder=2, anslutningar=2, tradar=2,
                  skript=overgangsskript(par, "aterkalla", 2, takt_ms=100))
    finally:
        server.shutdown()
        server.server_close()
    assert utan.anrop > 100
    # 2 connections × 2 s ÷ 100 ms = 40 at most (a busy machine sends fewer, never more);
    # and the writes are spread over the run, not sent in its first moments.
    assert 4 <= med.anrop <= 44 and len(tider) <= 44
    assert tider[-1] - tider[0] >= 1.0


def test_a_small_forbunds_year_is_suppressed_within_a_work_budget(ctx, monkeypatch):
    """The load bench's förbund of 1,300 ärenden (five teams, some 260 ärenden a year, most
    counts 1–2) is the shape where rule 5 of the suppression once took 22 s for a year:
    hundreds of "<3" pinned and loosened a few a round, each round integer programmes over
    a component of 1,700 hidden cells. Counted, not timed: the linear and integer programmes
    HiGHS solves for the year's kub (``rapporter.heltal``), and the report keeps its "<3"
    where a component has few."""
    from samverkan.forbund.models import Forbund
    from samverkan.rapporter import heltal, services

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the suppression's work is the same on both databases; the seed is quicker on SQLite")
    seeding.seed(1300)
    losningar = []
    los = heltal._Programme._los

    def raknad(self, h, riktning):
        losningar.append(self.n)
        return los(self, h, riktning)

    monkeypatch.setattr(heltal._Programme, "_los", raknad)
    forbund_id = db.session.scalars(select(Forbund.id).order_by(Forbund.id)).first()
    rapporter = services.arets_kub(forbund_id, clock.today().year - 1)
    stora = [n for n in losningar if n > 500]
    # 3,245 solves, 520 of them over the large component, before the change that set this.
    assert len(losningar) <= 600 and len(stora) <= 40, (len(losningar), len(stora))
    texter = [c.text for r in rapporter.values() for t in r.tabeller for rad in t.rader for c in rad.celler]
    assert "<3" in texter and "–" in texter
