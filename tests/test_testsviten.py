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


# --- the lock files ---------------------------------------------------------------------
def _lock_check():
    import importlib.machinery
    import importlib.util

    path = TESTS.parent / "dev" / "lock-check"
    loader = importlib.machinery.SourceFileLoader("lock_check", str(path))
    modul = importlib.util.module_from_spec(importlib.util.spec_from_loader("lock_check", loader))
    loader.exec_module(modul)
    return modul


def test_the_lock_files_agree_with_pyproject():
    assert _lock_check().skillnader() == []


@pytest.mark.parametrize("fil", ["requirements/run.txt", "requirements/test.txt"])
def test_every_locked_package_is_pinned_with_its_hashes(fil):
    text = (TESTS.parent / fil).read_text(encoding="utf-8")
    poster = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert len(poster) > 20
    for post in poster:
        forsta = post.splitlines()[0]
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+", forsta), forsta
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", post), f"{fil}: {forsta} utan hash"
    namn = {p.split("==")[0].lower() for p in poster}
    assert {"pip", "setuptools"} <= namn  # what installing itself uses is locked too
