"""How much does binding the ärende state machine cost per object?

Compares our approach (one ``Machine`` built at import in ``samverkan.arenden.flow``;
``ArendeFlow`` wraps an object with ``.status`` and fires ``MACHINE.events[...]``) with
building a ``transitions.Machine(model=...)`` per object from the same table, which is
what the transitions README does and what PITFALLS.md warns against for list views.

Three cases, each for N objects: bind only; bind and fire one guarded trigger
(anvisa_insats, guard insats_har_plats); bind and list the triggers the state allows (what
a list view would do per row). Objects are plain stand-ins with ``.status`` and real
``Arende`` instances without a session (no database is touched). Timed with ``timeit``
with the garbage collector on (per-object machines create reference cycles, so their
real cost includes collection); best of several repeats.

Run: .venv/bin/python bench/bench_flow.py [--n 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import timeit
from types import SimpleNamespace

from transitions import Machine

import samverkan.models  # noqa: F401  (registers every model, so Arende's mapper configures)
from samverkan.arenden.flow import MACHINE, ArendeFlow
from samverkan.arenden.models import Arende
from workflows import arende as wf

START = wf.SAMPLANERAD
TRIGGER = "anvisa_insats"
TABLE = [
    {"trigger": r.trigger, "source": list(r.source), "dest": r.dest, "conditions": list(r.guards)}
    for r in wf.TRANSITIONS
]


# --- the two ways to bind ----------------------------------------------------------------

def shared_bind(obj) -> ArendeFlow:
    return ArendeFlow(obj)


def shared_fire(obj) -> None:
    flow = ArendeFlow(obj)
    assert MACHINE.events[TRIGGER].trigger(flow, ledig_plats=True)


def shared_triggers(obj) -> list[str]:
    return ArendeFlow(obj).available_triggers()


def per_instance_bind(obj) -> ArendeFlow:
    # The flow object is the model, so the guards are the same methods as in ours.
    flow = ArendeFlow(obj)
    Machine(model=flow, states=wf.STATES, transitions=TABLE, initial=obj.status,
            auto_transitions=False, send_event=True)
    return flow


def per_instance_fire(obj) -> None:
    flow = per_instance_bind(obj)
    assert flow.trigger(TRIGGER, ledig_plats=True)


def per_instance_triggers(obj) -> list[str]:
    flow = ArendeFlow(obj)
    machine = Machine(model=flow, states=wf.STATES, transitions=TABLE, initial=obj.status,
                      auto_transitions=False, send_event=True)
    return machine.get_triggers(obj.status)


CASES = [
    ("bind", shared_bind, per_instance_bind),
    ("bind + fire", shared_fire, per_instance_fire),
    ("bind + list triggers", shared_triggers, per_instance_triggers),
]
KINDS = {
    "stand-in": lambda: SimpleNamespace(status=START),
    "Arende (no session)": lambda: Arende(status=START),
}


# --- measuring -----------------------------------------------------------------------

def best_ms(fn, make, n: int, repeat: int) -> float:
    """Best of ``repeat`` runs of ``fn`` over ``n`` fresh objects, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        objs = [make() for _ in range(n)]
        # Results are dropped at once, so the numbers are the binding itself, not the
        # cost of keeping N machines alive.
        timer = timeit.Timer("for o in objs: fn(o)", setup="gc.enable()",
                             globals={"gc": gc, "fn": fn, "objs": objs})
        best = min(best, timer.timeit(number=1) * 1000)
    return best


def check_equivalent(make) -> None:
    """Both ways must do the same thing, or the numbers mean nothing."""
    a, b = make(), make()
    shared_fire(a)
    per_instance_fire(b)
    assert a.status == b.status == wf.I_INSATS
    assert shared_triggers(make()) == wf.triggers_from(START)
    assert sorted(per_instance_triggers(make())) == sorted(wf.triggers_from(START))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="objects per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is shown")
    args = parser.parse_args()

    for make in KINDS.values():
        check_equivalent(make)
    # Warm up imports, caches and the mapper before timing.
    for _, ours, theirs in CASES:
        for make in KINDS.values():
            best_ms(ours, make, 50, 1)
            best_ms(theirs, make, 50, 1)

    header = (f"{'case':<22} {'objects':<20} {'shared MACHINE':>15} {'Machine per obj':>16} "
              f"{'per obj (us)':>13} {'ratio':>7}")
    print(f"N = {args.n} objects, best of {args.repeat}, times in ms for all N")
    print(header)
    print("-" * len(header))
    for name, ours, theirs in CASES:
        for kind, make in KINDS.items():
            a = best_ms(ours, make, args.n, args.repeat)
            b = best_ms(theirs, make, args.n, args.repeat)
            print(f"{name:<22} {kind:<20} {a:>15.2f} {b:>16.2f} "
                  f"{a * 1000 / args.n:>6.1f} /{b * 1000 / args.n:>6.1f} {b / a:>6.0f}x")


if __name__ == "__main__":
    main()
