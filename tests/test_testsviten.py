"""Rules for the suite itself, so that it passes on a busy machine as on an idle one.

- ``wait_for_function`` gets a JavaScript function, never an expression: Playwright compiles
  an expression with eval on every poll after the first, the pages' CSP (no unsafe-eval)
  refuses that, and so the wait passed only when its first check already held.
- A browser test waits for a condition (``expect``, ``wait_for_*``), never a fixed time
  (``wait_for_timeout``, ``time.sleep``): a fixed pause is too short under load and wasted
  time when idle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FUNKTION = re.compile(r"^\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|\w+\s*=>)")


def _anrop(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def _filer():
    return sorted(p for p in TESTS.rglob("*.py") if p.name != Path(__file__).name)


@pytest.mark.parametrize("text, funktion", [
    ("() => document.title === 'x'", True),
    ("async () => true", True),
    ("(n) => n > 0", True),
    ("function () { return true; }", True),
    ("document.querySelector('main').scrollLeft > 0", False),
    ("window.klar === true", False),
])
def test_the_rule_tells_a_function_from_an_expression(text, funktion):
    assert bool(FUNKTION.match(text)) is funktion


def test_every_wait_for_function_gets_a_function():
    fel = []
    for path in _filer():
        for call in _anrop(path):
            if call.func.attr != "wait_for_function":
                continue
            forsta = call.args[0] if call.args else next(
                (k.value for k in call.keywords if k.arg == "expression"), None)
            if not (isinstance(forsta, ast.Constant) and isinstance(forsta.value, str)
                    and FUNKTION.match(forsta.value)):
                fel.append(f"{path.relative_to(TESTS.parent)}:{call.lineno}")
    assert not fel, "wait_for_function med ett uttryck i stället för en funktion: " + ", ".join(fel)


def test_browser_tests_wait_for_conditions_not_fixed_times():
    fel = []
    for path in sorted((TESTS / "browser").rglob("*.py")):
        for call in _anrop(path):
            if call.func.attr == "wait_for_timeout" or (
                    call.func.attr == "sleep" and isinstance(call.func.value, ast.Name)
                    and call.func.value.id in ("time", "asyncio")):
                fel.append(f"{path.relative_to(TESTS.parent)}:{call.lineno} {call.func.attr}")
    assert not fel, "fasta pauser i webbläsartester: " + ", ".join(fel)
