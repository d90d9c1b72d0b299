"""The ärende flow against the database: every (trigger, state) pair of the table.

Legal pairs succeed with one history row and a bumped version; illegal pairs and failed
guards raise a DomainError with a Swedish message and change nothing. Then the
optimistic lock (stale version, a real concurrent update), effective dates, the admin's
correction, consent withdrawal and access from another team.

Starting states: most tests put the ärende straight into the state they need by setting
``arende.status`` (and ``forsta_samplanering`` for a case being followed up) and
committing, see ``make_arende``. That is deliberate: it gives every pair a known start in
one step. ``test_every_state_is_reached_through_legal_transitions_only`` proves the same
states are reachable through the service, guards and all.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services
from samverkan.arenden.flow import ArendeFlow
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import Conflict, DomainError, Forbidden, NotFound
from samverkan.deltagare.models import Samtycke
from samverkan.moten.models import Dagordningspunkt, PunktStatus, punktregler
from tests import factories
from workflows import arende as wf

# A Thursday morning in Stockholm; every test in this module runs at this instant.
NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 12)
DAY = dt.timedelta(days=1)

ALL_TRIGGERS = sorted({r.trigger for r in wf.TRANSITIONS})
ALL_GUARDS = sorted({g for r in wf.TRANSITIONS for g in r.guards})

# Keyword arguments that make each guard hold (guards not listed hold for the ärende
# the factory makes: a frågeställning and consent for all four parties for a year, or
# hold on the facts ``write_facts`` puts in the database: issue 15 made the guards look
# the meeting and the insats up instead of taking them from the caller).
GUARD_CONTEXT: dict[str, dict] = {
    "har_avslutsorsak": {"avslutsorsak": "arbete"},
    "har_slutdata": {"forsorjning_slut": "lon", "sysselsattning_slut": "arbete"},
    "har_kommentar": {"kommentar": "Registrerades på fel person."},
}


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


# --- helpers -------------------------------------------------------------------------

def make_arende(world, state: str, *, foljt: bool = False, **factory_kwargs) -> Arende:
    """A draft with consent, then put straight into ``state`` (no history) and committed.

    ``foljt``: the case has been samplanerat before (``forsta_samplanering`` set), which
    the ar_nytt / ar_foljt guards read.
    """
    arende = factories.create_arende(world, aktualisera=False, **factory_kwargs)
    arende.status = state
    if foljt:
        arende.forsta_samplanering = TODAY - 60 * DAY
    db.session.commit()
    return arende


@dataclass(frozen=True)
class Snapshot:
    status: str
    version: int
    handelser: int
    audit: int


def snapshot(arende_id: int) -> Snapshot:
    """What is in the database now (not what the session holds in memory)."""
    status, version = db.session.execute(
        select(Arende.status, Arende.version).where(Arende.id == arende_id)
    ).one()
    handelser = db.session.execute(
        select(func.count(ArendeHandelse.id)).where(ArendeHandelse.arende_id == arende_id)
    ).scalar_one()
    audit = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    return Snapshot(status, version, handelser, audit)


def refused(arende: Arende, call, error_type: type[DomainError] = DomainError) -> DomainError:
    """Run ``call``; it must raise, leave the status alone, and change nothing after the
    caller's rollback (what every view and API handler does on a DomainError)."""
    before = snapshot(arende.id)
    status = arende.status
    with pytest.raises(error_type) as info:
        call()
    assert arende.status == status
    db.session.rollback()
    assert snapshot(arende.id) == before
    return info.value


def write_facts(world, arende: Arende, guards) -> None:
    """What the meeting writes before it fires: the booked item on a meeting a week ahead,
    the insats decided with a place, or the insats waiting in the queue."""
    if "samtycke_tacker_motet" in guards:
        punkt = Dagordningspunkt(mote_id=factories.mote(world, TODAY + 7 * DAY).id, arende_id=arende.id,
                                 status=punktregler.forsta(PunktStatus.BOKAD))
        db.session.add(punkt)
    if "insats_har_plats" in guards:
        factories.insats(world, arende)
    if "insats_ar_full" in guards:
        factories.insats(world, arende, ko=True)
    db.session.commit()


def aktor(state: str) -> str:
    """Who fires from ``state``: a draft is its author's alone (issue 15), the rest the
    projektledare runs."""
    return "ledamot_af" if state == wf.UTKAST else "projektledare"


def kanal(trigger: str) -> str:
    """The entrance a trigger is fired through in these tests: the case page where the
    table allows it, else the first the table names."""
    via = wf.via(trigger)
    return wf.ARENDE if wf.ARENDE in via or not via else sorted(via)[0]


def context_for(guards) -> dict:
    context: dict = {}
    for guard in guards:
        context.update(GUARD_CONTEXT.get(guard, {}))
    return context


def only_handelse(arende_id: int) -> ArendeHandelse:
    return db.session.execute(
        select(ArendeHandelse).where(ArendeHandelse.arende_id == arende_id)
    ).scalar_one()


# --- every (trigger, state) pair, generated from the table ----------------------------

LEGAL = [
    pytest.param(state, row, id=f"{row.trigger}-fran-{state}-till-{row.dest}")
    for row in wf.TRANSITIONS
    for state in row.source
]
# Illegal pairs, grouped by state: one ärende per state, each pair a subtest of its own
# (reported as "otillaten <trigger> fran <state>"). One database test per pair would
# cost a fresh world and a TRUNCATE each, 69 times per database, for the same check.
ILLEGAL = {
    state: [t for t in ALL_TRIGGERS if t not in wf.triggers_from(state)] for state in wf.STATES
}

# What each trigger records on the ärende besides its status (from the context it got).
EFFECTS = {
    "aktualisera": lambda a, c: a.aktualiserad_den == TODAY,
    "samplanera": lambda a, c: a.forsta_samplanering == TODAY,
    "avsluta": lambda a, c: (a.avslutad_den, a.avslutsorsak, a.forsorjning_slut, a.sysselsattning_slut)
    == (TODAY, c["avslutsorsak"], c.get("forsorjning_slut"), c.get("sysselsattning_slut")),
    "felregistrera": lambda a, c: (a.avslutad_den, a.avslutsorsak) == (TODAY, "felregistrering"),
    "aterkalla": lambda a, c: a.samtycke.aterkallat == NOW,
}


def test_the_pairs_cover_the_whole_table():
    legal = {(p.values[1].trigger, p.values[0]) for p in LEGAL}
    illegal = {(t, s) for s, triggers in ILLEGAL.items() for t in triggers}
    assert not legal & illegal
    assert legal | illegal == {(t, s) for t in ALL_TRIGGERS for s in wf.STATES}


@pytest.mark.parametrize(("state", "row"), LEGAL)
def test_legal_transition_with_guards_met_writes_one_history_row_and_bumps_the_version(world, state, row):
    arende = make_arende(world, state, foljt="ar_foljt" in row.guards)
    user = world.users[aktor(state)]
    context = context_for(row.guards)
    write_facts(world, arende, row.guards)
    before = snapshot(arende.id)

    services.fire(user, arende.id, row.trigger, version=before.version, kanal=kanal(row.trigger), **context)
    db.session.commit()

    after = snapshot(arende.id)
    assert after == Snapshot(row.dest, before.version + 1, before.handelser + 1, before.audit + 1)
    handelse = only_handelse(arende.id)
    assert (handelse.trigger, handelse.fran_status, handelse.till_status) == (row.trigger, state, row.dest)
    assert (handelse.aktor_id, handelse.galler_datum) == (user.id, TODAY)
    assert handelse.registrerad == NOW
    assert handelse.ar_korrigering is False
    assert handelse.kommentar == context.get("kommentar", "")
    audit = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert (audit.handling, audit.objekt_id, audit.user_id) == (f"arende.{row.trigger}", arende.id, user.id)
    if row.trigger in EFFECTS:
        db.session.expire_all()
        assert EFFECTS[row.trigger](db.session.get(Arende, arende.id), context)


@pytest.mark.parametrize("state", wf.STATES)
def test_illegal_pairs_are_refused_in_swedish_and_change_nothing(world, subtests, state):
    arende = make_arende(world, state)
    # Every guard's condition is met: the state alone must be the reason for the refusal.
    context = context_for(ALL_GUARDS)
    for trigger in ILLEGAL[state]:
        with subtests.test(msg=f"otillaten {trigger} fran {state}"):
            error = refused(arende, lambda trigger=trigger: services.fire(
                world.users[aktor(state)], arende.id, trigger, version=arende.version,
                kanal=kanal(trigger), **context))
            assert error.code == "otillaten_overgang"
            assert error.status == 422
            assert error.message.startswith("Åtgärden ")
            assert wf.TRIGGER_LABELS[trigger] in error.message
            assert wf.STATE_LABELS[state] in error.message


def test_unknown_trigger_is_refused_like_an_illegal_one(world):
    arende = make_arende(world, wf.I_INSATS)
    error = refused(arende, lambda: services.fire(
        world.users["projektledare"], arende.id, "hoppa_over", version=arende.version))
    assert error.code == "otillaten_overgang"


def _legal_path(target: str) -> list[wf.Row]:
    """Shortest list of rows from INITIAL to ``target`` whose guards can all hold.

    The search runs over (state, samplanerat yet?), since ar_nytt / ar_foljt depend on it.
    """
    start = (wf.INITIAL, False)
    paths = {start: []}
    todo = deque([start])
    while todo:
        state, foljt = todo.popleft()
        if state == target:
            return paths[(state, foljt)]
        for row in wf.TRANSITIONS:
            if state not in row.source:
                continue
            if ("ar_nytt" in row.guards and foljt) or ("ar_foljt" in row.guards and not foljt):
                continue
            nxt = (row.dest, foljt or row.trigger == "samplanera")
            if nxt not in paths:
                paths[nxt] = [*paths[(state, foljt)], row]
                todo.append(nxt)
    raise AssertionError(f"{target} cannot be reached")


@pytest.mark.parametrize("target", [s for s in wf.STATES if s != wf.INITIAL])
def test_every_state_is_reached_through_legal_transitions_only(world, target):
    arende = factories.create_arende(world, aktualisera=False)
    db.session.commit()
    user = world.users["projektledare"]
    path = _legal_path(target)
    for row in path:
        write_facts(world, arende, row.guards)
        user = world.users[aktor(arende.status)]
        services.fire(user, arende.id, row.trigger, version=arende.version, kanal=kanal(row.trigger),
                      **context_for(row.guards))
        db.session.commit()

    assert arende.status == target
    assert arende.version == 1 + len(path)
    chain = [(h.trigger, h.fran_status, h.till_status) for h in services.history(arende)]
    assert chain == [(r.trigger, src, r.dest) for r, src in
                     zip(path, [wf.INITIAL] + [r.dest for r in path][:-1], strict=True)]


# --- guards --------------------------------------------------------------------------

# (guard, starting state, trigger, make_arende kwargs, context): the guard must refuse.
GUARD_FAILURES = [
    pytest.param("har_fragestallning", wf.UTKAST, "aktualisera", {"fragestallning": "<p> <br></p>"}, {},
                 id="har_fragestallning-bara-markup"),
    pytest.param("har_fragestallning", wf.UTKAST, "aktualisera", {"fragestallning": "<p>&nbsp;</p>"}, {},
                 id="har_fragestallning-tom-redigerare"),
    pytest.param("har_giltigt_samtycke", wf.UTKAST, "aktualisera", {"giltigt_dagar": -1}, {},
                 id="har_giltigt_samtycke-utganget"),
    pytest.param("har_giltigt_samtycke", wf.UTKAST, "aktualisera", {}, {"datum": TODAY - 31 * DAY},
                 id="har_giltigt_samtycke-fore-givet"),
    pytest.param("samtycke_omfattar_parter", wf.UTKAST, "aktualisera", {"parter": ["fk", "kommun"]}, {},
                 id="samtycke_omfattar_parter-utan-aktualiserande"),
    pytest.param("samtycke_omfattar_parter", wf.UTKAST, "aktualisera", {"parter": ["af"]}, {},
                 id="samtycke_omfattar_parter-bara-en"),
    pytest.param("inget_annat_oppet_arende", wf.UTKAST, "aktualisera", {"dubblett": True}, {},
                 id="inget_annat_oppet_arende"),
    # No booked item: the guard finds no meeting (a date from the caller is not taken).
    pytest.param("samtycke_tacker_motet", wf.AKTUALISERAD, "placera_pa_agenda", {"fakta": ()}, {},
                 id="samtycke_tacker_motet-ingen-bokad-punkt"),
    pytest.param("samtycke_tacker_motet", wf.AKTUALISERAD, "placera_pa_agenda",
                 {"parter": ["fk", "kommun", "region"]}, {},
                 id="samtycke_tacker_motet-aktualiserande-part-saknas"),
    pytest.param("samtycke_tacker_motet", wf.UPPFOLJNING, "placera_pa_agenda",
                 {"giltigt_dagar": 5}, {}, id="samtycke_tacker_motet-gar-ut-fore-motet"),
    pytest.param("samtycke_galler", wf.PA_AGENDA, "samplanera", {"giltigt_dagar": -1}, {},
                 id="samtycke_galler-utganget"),
    pytest.param("ar_nytt", wf.PA_AGENDA, "samplanera", {"foljt": True}, {}, id="ar_nytt"),
    pytest.param("ar_foljt", wf.PA_AGENDA, "folj_upp", {}, {}, id="ar_foljt"),
    pytest.param("insats_har_plats", wf.SAMPLANERAD, "anvisa_insats", {"fakta": ()}, {},
                 id="insats_har_plats-ingen-insats"),
    pytest.param("insats_har_plats", wf.I_KO, "anvisa_insats", {"fakta": ("insats_ar_full",)}, {},
                 id="insats_har_plats-fran-ko-utan-erbjuden-plats"),
    pytest.param("insats_ar_full", wf.SAMPLANERAD, "satt_i_ko", {"fakta": ("insats_har_plats",)}, {},
                 id="insats_ar_full-har-plats"),
    pytest.param("har_avslutsorsak", wf.I_INSATS, "avsluta", {}, GUARD_CONTEXT["har_slutdata"],
                 id="har_avslutsorsak-saknas"),
    pytest.param("har_avslutsorsak", wf.I_INSATS, "avsluta", {},
                 {"avslutsorsak": "pensionerad", **GUARD_CONTEXT["har_slutdata"]},
                 id="har_avslutsorsak-okand-kod"),
    pytest.param("har_avslutsorsak", wf.ATERKALLAD, "avsluta", {}, {}, id="har_avslutsorsak-aterkallad"),
    pytest.param("har_slutdata", wf.I_INSATS, "avsluta", {}, {"avslutsorsak": "arbete"},
                 id="har_slutdata-saknas"),
    pytest.param("har_slutdata", wf.UPPFOLJNING, "avsluta", {},
                 {"avslutsorsak": "arbete", "forsorjning_slut": "lon", "sysselsattning_slut": "golf"},
                 id="har_slutdata-okand-kod"),
    pytest.param("har_kommentar", wf.I_INSATS, "felregistrera", {}, {"kommentar": "   "},
                 id="har_kommentar-blanksteg"),
    pytest.param("overlamning_giltig", wf.I_INSATS, "avsluta", {},
                 {"avslutsorsak": "arbete", **GUARD_CONTEXT["har_slutdata"],
                  "overlamning_vem": "Arbetsförmedlingen", "overlamning_hur": "Trepartsmöte"},
                 id="overlamning_giltig-utan-nar"),
]


def test_every_guard_has_a_failing_case_here():
    assert {p.values[0] for p in GUARD_FAILURES} == set(ALL_GUARDS)


@pytest.mark.parametrize("guard", ALL_GUARDS)
def test_every_guard_is_implemented_by_the_flow(guard):
    assert callable(getattr(ArendeFlow, guard, None))


@pytest.mark.parametrize(("guard", "state", "trigger", "setup", "context"), GUARD_FAILURES)
def test_failing_guard_refuses_with_its_own_message_and_changes_nothing(
    world, guard, state, trigger, setup, context
):
    rows = [r for r in wf.TRANSITIONS if r.trigger == trigger and state in r.source]
    assert any(guard in r.guards for r in rows)
    setup = dict(setup)
    # The facts the other guards of the row need (a booked item for the meeting guard):
    # ``fakta`` names the guards whose facts are written instead.
    fakta = setup.pop("fakta", None)
    dubblett = setup.pop("dubblett", False)
    if fakta is None:
        fakta = [g for r in rows for g in r.guards if g != guard]
        if guard == "samtycke_tacker_motet":
            fakta.append(guard)  # booked: the consent is what fails
    arende = make_arende(world, state, **setup)
    if dubblett:
        # The same person already has an open ärende in the team.
        forsta = factories.create_arende(world, handlaggare="ledamot_fk")
        forsta.deltagare_id = arende.deltagare_id
        db.session.commit()
    write_facts(world, arende, fakta)
    error = refused(arende, lambda: services.fire(
        world.users[aktor(state)], arende.id, trigger, version=arende.version, kanal=kanal(trigger),
        **context))
    assert error.code == "villkor_ej_uppfyllt"
    if guard == "samtycke_omfattar_parter":
        assert error.field == "parter" and error.message.startswith("Samtycket måste omfatta")
    elif guard == "inget_annat_oppet_arende":
        assert error.field == "personnummer" and error.message.startswith(wf.GUARD_MESSAGES[guard])
    else:
        assert error.message == wf.GUARD_FIELD_MESSAGES.get(guard, {}).get(error.field, wf.GUARD_MESSAGES[guard])


def test_bordlagg_goes_back_to_where_the_case_came_from(world):
    # Two rows for one trigger, told apart by ar_nytt / ar_foljt.
    ny = make_arende(world, wf.PA_AGENDA)
    foljd = make_arende(world, wf.PA_AGENDA, foljt=True)
    pl = world.users["projektledare"]
    services.fire(pl, ny.id, "bordlagg", version=ny.version, kanal=wf.MOTE)
    services.fire(pl, foljd.id, "bordlagg", version=foljd.version, kanal=wf.MOTE)
    db.session.commit()
    assert (ny.status, foljd.status) == (wf.AKTUALISERAD, wf.UPPFOLJNING)


def test_available_triggers_are_those_of_the_table(world):
    arende = make_arende(world, wf.PA_AGENDA)
    assert ArendeFlow(arende).available_triggers() == wf.triggers_from(wf.PA_AGENDA)


# --- optimistic lock -----------------------------------------------------------------

@pytest.mark.parametrize("offset", [-1, 1], ids=["aldre", "nyare"])
def test_a_version_other_than_the_current_is_a_conflict_and_changes_nothing(world, offset):
    arende = make_arende(world, wf.I_INSATS)
    error = refused(arende, lambda: services.fire(
        world.users["projektledare"], arende.id, "kalla_till_uppfoljning", version=arende.version + offset),
        Conflict)
    assert (error.status, error.code) == (409, "konflikt")
    assert "Ladda om" in error.message


def test_a_stale_version_on_a_correction_is_a_conflict(world):
    arende = make_arende(world, wf.AVSLUTAD)
    error = refused(arende, lambda: services.fire(
        world.users["admin"], arende.id, "korrigera", version=arende.version - 1,
        kommentar="Fel avslut", till=wf.I_INSATS), Conflict)
    assert error.status == 409


def test_a_concurrent_update_in_another_session_makes_the_stale_write_a_conflict(app, world):
    """Two requests load the same ärende; the first commits; the second's flush fails.

    The second request is a nested app context: Flask-SQLAlchemy gives it its own session
    and connection. On SQLite this test's read took the write lock (BEGIN IMMEDIATE), so it
    closes its session first, keeping the loaded object as it was, and adds it back
    afterwards; on PostgreSQL the two transactions really overlap.
    """
    arende = factories.create_arende(world)  # aktualiserad, consent for all parties
    db.session.commit()
    arende_id, pl_id = arende.id, world.users["projektledare"].id

    stale = db.session.get(Arende, arende_id)
    version = stale.version
    assert stale.handelser and stale.samtycke.parter  # loaded now, as by the first request
    sqlite = app.config["BACKEND"] == "sqlite"
    if sqlite:
        db.session.close()

    with app.app_context():
        assert db.session.get(Arende, arende_id) is not stale
        services.fire(db.session.get(User, pl_id), arende_id, "aterkalla", version=version)
        db.session.commit()

    if sqlite:
        db.session.add(stale)
    assert stale.status == wf.AKTUALISERAD and stale.version == version  # still the old copy
    with pytest.raises(Conflict) as info:
        # A trigger whose guards need no facts (the withdrawal would have taken the ärende
        # off a booked agenda): the stale version is what must fail.
        ArendeFlow(stale).fire("felregistrera", aktor_id=pl_id, forvantad_version=version,
                               kommentar="Dubbelregistrering")
    assert info.value.status == 409
    db.session.rollback()

    after = snapshot(arende_id)
    assert (after.status, after.version, after.handelser) == (wf.ATERKALLAD, version + 1, 2)
    triggers = db.session.execute(
        select(ArendeHandelse.trigger).where(ArendeHandelse.arende_id == arende_id).order_by(ArendeHandelse.id)
    ).scalars().all()
    assert triggers == ["aktualisera", "aterkalla"]


# --- effective dates -----------------------------------------------------------------

def _aktualiserad(world) -> Arende:
    """Aktualiserad through the service, back-dated to TODAY - 20 (the factory's choice)."""
    arende = factories.create_arende(world)
    db.session.commit()
    assert only_handelse(arende.id).galler_datum == TODAY - 20 * DAY
    write_facts(world, arende, ["samtycke_tacker_motet"])
    return arende


def _placera(world, arende, datum):
    return services.fire(world.users["projektledare"], arende.id, "placera_pa_agenda",
                         version=arende.version, datum=datum, kanal=wf.MOTE)


def test_a_future_date_is_refused(world):
    arende = _aktualiserad(world)
    error = refused(arende, lambda: _placera(world, arende, TODAY + DAY))
    assert (error.code, error.field) == ("datum_i_framtiden", "datum")
    assert error.message == "Datumet kan inte ligga i framtiden."


def test_a_date_before_the_previous_event_is_refused(world):
    arende = _aktualiserad(world)
    error = refused(arende, lambda: _placera(world, arende, TODAY - 21 * DAY))
    assert (error.code, error.field) == ("datum_fore_forra", "datum")
    assert (TODAY - 20 * DAY).isoformat() in error.message


@pytest.mark.parametrize("days_back", [20, 5, 0], ids=["samma-dag-som-forra", "bakatdaterad", "i-dag"])
def test_a_back_dated_date_within_range_is_stored_as_galler_datum(world, days_back):
    arende = _aktualiserad(world)
    handelse = _placera(world, arende, TODAY - days_back * DAY)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ArendeHandelse, handelse.id)
    assert stored.galler_datum == TODAY - days_back * DAY
    assert stored.registrerad == NOW  # when it was recorded stays the real instant


@pytest.mark.parametrize("datum", [None, dt.date(2026, 3, 12)], ids=["standard", "angivet"])
def test_today_is_the_date_in_stockholm_not_in_utc(world, datum):
    arende = _aktualiserad(world)
    # 23:30 UTC on the 11th is 00:30 on the 12th in Stockholm (CET, UTC+1): the 12th is
    # today, not a future date.
    clock.set_clock(lambda: dt.datetime(2026, 3, 11, 23, 30, tzinfo=dt.UTC))
    handelse = _placera(world, arende, datum)
    assert handelse.galler_datum == dt.date(2026, 3, 12)


# --- the admin's correction ----------------------------------------------------------

@pytest.mark.parametrize("till", [wf.AKTUALISERAD, wf.I_INSATS, wf.UTKAST])
def test_admin_may_correct_to_any_state_with_a_reason_and_it_is_marked_as_such(world, till):
    arende = make_arende(world, wf.AVSLUTAD)
    admin = world.users["admin"]
    before = snapshot(arende.id)
    services.fire(admin, arende.id, "korrigera", version=before.version,
                  kommentar="  Avslutades av misstag ", till=till)
    db.session.commit()

    assert snapshot(arende.id) == Snapshot(till, before.version + 1, 1, before.audit + 1)
    handelse = only_handelse(arende.id)
    assert handelse.ar_korrigering is True
    assert (handelse.trigger, handelse.fran_status, handelse.till_status) == ("korrigera", wf.AVSLUTAD, till)
    assert (handelse.aktor_id, handelse.kommentar, handelse.galler_datum) == (
        admin.id, "Avslutades av misstag", TODAY)


@pytest.mark.parametrize(
    ("user_key", "error_type"),
    [("projektledare", Forbidden), ("ledamot_af", Forbidden), ("ledamot_fk", Forbidden),
     ("styrgrupp", NotFound), ("granne", NotFound)],
)
def test_only_the_admin_may_correct(world, user_key, error_type):
    # Team members are told they may not (403); users outside the team, that there is
    # no such ärende (404).
    arende = make_arende(world, wf.AVSLUTAD)
    error = refused(arende, lambda: services.fire(
        world.users[user_key], arende.id, "korrigera", version=arende.version,
        kommentar="Jag vill ändra", till=wf.AKTUALISERAD), error_type)
    assert error.status == (403 if error_type is Forbidden else 404)


@pytest.mark.parametrize("orsak", ["", "   "])
def test_a_correction_needs_a_reason(world, orsak):
    arende = make_arende(world, wf.AVSLUTAD)
    error = refused(arende, lambda: services.fire(
        world.users["admin"], arende.id, "korrigera", version=arende.version,
        kommentar=orsak, till=wf.AKTUALISERAD))
    assert (error.code, error.field) == ("orsak_saknas", "orsak")


def test_a_correction_to_an_unknown_state_is_refused(world):
    arende = make_arende(world, wf.AVSLUTAD)
    error = refused(arende, lambda: services.fire(
        world.users["admin"], arende.id, "korrigera", version=arende.version,
        kommentar="Orsak", till="borttagen"))
    assert error.code == "okand_status"


def test_a_correction_to_the_current_state_is_refused(world):
    arende = make_arende(world, wf.AVSLUTAD)
    error = refused(arende, lambda: services.fire(
        world.users["admin"], arende.id, "korrigera", version=arende.version,
        kommentar="Orsak", till=wf.AVSLUTAD))
    assert error.code == "samma_status"


def test_the_admin_may_not_fire_ordinary_triggers(world):
    # The admin sees the ärende by reference only; running the case is the team's work.
    arende = make_arende(world, wf.I_INSATS)
    refused(arende, lambda: services.fire(
        world.users["admin"], arende.id, "kalla_till_uppfoljning", version=arende.version), Forbidden)


# --- consent withdrawal and access ---------------------------------------------------

def test_aterkalla_stamps_the_consent_as_withdrawn_now(world):
    arende = make_arende(world, wf.SAMPLANERAD)
    samtycke_id = arende.samtycke.id
    services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=arende.version)
    db.session.commit()
    db.session.expire_all()
    samtycke = db.session.get(Samtycke, samtycke_id)
    assert samtycke.aterkallat == NOW
    assert not samtycke.galler(TODAY)


@pytest.mark.parametrize("trigger", ["aterkalla", "avsluta", "korrigera"])
def test_a_user_in_another_team_is_told_the_arende_does_not_exist(world, trigger):
    arende = make_arende(world, wf.I_INSATS)
    error = refused(arende, lambda: services.fire(
        world.users["granne"], arende.id, trigger, version=arende.version,
        kommentar="x", till=wf.AKTUALISERAD, **GUARD_CONTEXT["har_avslutsorsak"],
        **GUARD_CONTEXT["har_slutdata"]), NotFound)
    assert (error.status, error.code) == (404, "hittades_inte")
