"""The ärende state table (workflows.arende) checked as data, without the app.

Every case is generated from TRANSITIONS, STATES and GUARD_MESSAGES, so a row added or
changed in the table is checked by the same rules: all states reachable, AVSLUTAD final,
every case can be closed, consent can be withdrawn from every open state, and
``triggers_from`` tells the UI exactly what the table allows.
"""

from __future__ import annotations

from collections import deque

import pytest

from workflows import arende as wf

ALL_GUARDS = sorted({g for row in wf.TRANSITIONS for g in row.guards})
ALL_TRIGGERS = sorted({row.trigger for row in wf.TRANSITIONS})
NOT_FINAL = [s for s in wf.STATES if s not in wf.FINAL]
# Guards that split one trigger into two rows from the same state; exactly one holds.
COMPLEMENTARY = [{"ar_nytt", "ar_foljt"}, {"insats_har_plats", "insats_ar_full"}]


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {s: set() for s in wf.STATES}
    for row in wf.TRANSITIONS:
        for source in row.source:
            edges[source].add(row.dest)
    return edges


def _reachable_from(start: str) -> set[str]:
    edges, seen, todo = _edges(), {start}, deque([start])
    while todo:
        for nxt in edges[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# --- the table is well-formed ------------------------------------------------------

@pytest.mark.parametrize("row", wf.TRANSITIONS, ids=lambda r: f"{r.trigger}->{r.dest}")
def test_row_names_only_known_states(row):
    assert row.source, "a row needs at least one source state"
    assert set(row.source) <= set(wf.STATES)
    assert row.dest in wf.STATES
    assert len(set(row.source)) == len(row.source), "a source state is listed twice"


@pytest.mark.parametrize("row", wf.TRANSITIONS, ids=lambda r: f"{r.trigger}->{r.dest}")
def test_every_row_changes_the_state(row):
    # The optimistic lock bumps the version only when the row is updated: a transition
    # that kept the status would write history without guarding against a lost update.
    assert row.dest not in row.source


def test_initial_open_and_final_are_states():
    assert wf.INITIAL in wf.STATES
    assert set(wf.OPEN) <= set(wf.STATES)
    assert set(wf.FINAL) <= set(wf.STATES)
    assert wf.INITIAL not in wf.OPEN and not set(wf.FINAL) & set(wf.OPEN)
    assert len(set(wf.STATES)) == len(wf.STATES)


@pytest.mark.parametrize("guard", ALL_GUARDS)
def test_every_guard_named_in_the_table_has_a_swedish_message(guard):
    message = wf.GUARD_MESSAGES.get(guard, "")
    assert message.strip(), f"guard {guard} has no message"
    assert message.rstrip().endswith("."), "messages are whole sentences"


def test_no_message_for_a_guard_the_table_does_not_use():
    assert set(wf.GUARD_MESSAGES) == set(ALL_GUARDS)


@pytest.mark.parametrize("state", wf.STATES)
def test_every_state_has_a_label(state):
    assert wf.STATE_LABELS[state].strip()


@pytest.mark.parametrize("trigger", [*ALL_TRIGGERS, "korrigera"])
def test_every_trigger_has_a_label(trigger):
    assert wf.TRIGGER_LABELS[trigger].strip()


def test_labels_name_nothing_outside_the_table():
    assert set(wf.STATE_LABELS) == set(wf.STATES)
    assert set(wf.TRIGGER_LABELS) == {*ALL_TRIGGERS, "korrigera"}


def test_korrigera_is_not_a_row_of_the_machine():
    # The admin override is deliberately outside the table: no guard could stop it.
    assert "korrigera" not in ALL_TRIGGERS


@pytest.mark.parametrize(
    ("trigger", "state"),
    sorted({(r.trigger, s) for r in wf.TRANSITIONS for s in r.source
            if sum(s in o.source and o.trigger == r.trigger for o in wf.TRANSITIONS) > 1}),
)
def test_a_trigger_with_two_rows_from_one_state_is_split_by_complementary_guards(trigger, state):
    rows = [r for r in wf.TRANSITIONS if r.trigger == trigger and state in r.source]
    assert len(rows) == 2
    only_first = set(rows[0].guards) - set(rows[1].guards)
    only_second = set(rows[1].guards) - set(rows[0].guards)
    assert any({a, b} in COMPLEMENTARY for a in only_first for b in only_second), (
        f"{trigger} from {state}: rows must exclude each other, else the first one wins silently"
    )
    assert rows[0].dest != rows[1].dest


# --- reachability ------------------------------------------------------------------

@pytest.mark.parametrize("state", wf.STATES)
def test_every_state_is_reachable_from_initial(state):
    assert state in _reachable_from(wf.INITIAL)


@pytest.mark.parametrize("final", wf.FINAL)
def test_final_states_have_no_way_out(final):
    assert [r for r in wf.TRANSITIONS if final in r.source] == []
    assert wf.triggers_from(final) == []
    assert _reachable_from(final) == {final}


def test_avslutad_is_final():
    assert wf.AVSLUTAD in wf.FINAL


@pytest.mark.parametrize("state", NOT_FINAL)
def test_every_state_that_is_not_final_can_reach_avslutad(state):
    assert wf.AVSLUTAD in _reachable_from(state)


@pytest.mark.parametrize("state", wf.OPEN)
def test_every_open_state_can_be_closed_in_one_step(state):
    assert "avsluta" in wf.triggers_from(state)
    assert "felregistrera" in wf.triggers_from(state)


def test_nothing_returns_to_the_draft():
    assert [r for r in wf.TRANSITIONS if r.dest == wf.INITIAL] == []


# --- consent withdrawal --------------------------------------------------------------

@pytest.mark.parametrize("state", wf.OPEN)
def test_aterkalla_is_possible_from_every_open_state(state):
    rows = [r for r in wf.TRANSITIONS if r.trigger == "aterkalla" and state in r.source]
    assert [r.dest for r in rows] == [wf.ATERKALLAD]
    # Withdrawal stops processing at once: no condition may hold it back.
    assert rows[0].guards == ()


def test_aterkalla_starts_only_from_open_states():
    sources = {s for r in wf.TRANSITIONS if r.trigger == "aterkalla" for s in r.source}
    assert sources == set(wf.OPEN)


def test_from_aterkallad_only_avsluta():
    assert wf.triggers_from(wf.ATERKALLAD) == ["avsluta"]
    rows = [r for r in wf.TRANSITIONS if wf.ATERKALLAD in r.source]
    # overlamning_giltig: no handover after withdrawn consent (efterkontroll.overlamning).
    assert [(r.dest, r.guards) for r in rows] == [(wf.AVSLUTAD, ("har_avslutsorsak", "overlamning_giltig"))]


# --- triggers_from -------------------------------------------------------------------

@pytest.mark.parametrize("state", wf.STATES)
def test_triggers_from_lists_each_trigger_with_a_row_from_the_state_once_in_table_order(state):
    expected: list[str] = []
    for row in wf.TRANSITIONS:
        if state in row.source and row.trigger not in expected:
            expected.append(row.trigger)
    got = wf.triggers_from(state)
    assert got == expected
    assert len(got) == len(set(got))
    for trigger in ALL_TRIGGERS:
        has_row = any(r.trigger == trigger and state in r.source for r in wf.TRANSITIONS)
        assert (trigger in got) == has_row


def test_triggers_from_an_unknown_state_is_empty():
    assert wf.triggers_from("finns_inte") == []


def test_triggers_from_known_examples():
    # Written out by hand so a reordering or a lost row shows up as a readable diff.
    assert wf.triggers_from(wf.UTKAST) == ["aktualisera", "felregistrera"]
    assert wf.triggers_from(wf.PA_AGENDA) == [
        "bordlagg", "samplanera", "folj_upp", "avsluta", "aterkalla", "felregistrera",
    ]
