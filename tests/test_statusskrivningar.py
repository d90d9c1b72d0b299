"""No status is written outside its rules: the source is read, not run.

The ärende's status changes only in ``samverkan/arenden/flow.py`` (the state machine);
an insats's, an agenda item's and an outbox message's only through their tables in
``workflows/regler.py`` (``insatsregler``, ``punktregler``, ``utskicksregler``: ``forsta``
for a new row, ``byt`` for a loaded one, ``steg`` for a compare-and-set update). The scan
flags, anywhere else under ``samverkan/``:

- an assignment to an attribute named ``status`` (``insats.status = …``, also in a tuple);
- ``setattr(…, "status", …)``;
- a keyword argument or dict key ``status`` whose value names a state directly
  (``InsatsStatus.AKTIV``, ``wf.AVSLUTAD``, a string literal) or a bare variable.

The planted examples below show that each form is caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROT = Path(__file__).resolve().parents[1]
# Where a status may be written directly: the ärende's state machine.
TILLATNA_FILER = {"samverkan/arenden/flow.py"}
# Attributes called status that are not a lifecycle, each with its reason.
UNDANTAG = {
    ("samverkan/moten/narvaro.py", "rad.status"): "närvaro per part är en registrering, inget tillstånd",
    ("samverkan/demo/data.py", "fall.status"): "demodatans plan (_Fall), ingen databasrad",
    ("samverkan/core/errors.py", "self.status"): "ett fels HTTP-status",
}
# Rows whose status is not a lifecycle: attendance per party is a recording.
REGISTRERINGAR = {"Narvaro"}
# Frozen rows a page reads (columns, not entities): they hold a status, never write one.
LASRADER = {"InkorgsPlats"}
# Enums whose values are lifecycle states (attendance is a recording, not a state).
TILLSTAND = ("InsatsStatus", "PunktStatus", "UtskickStatus")
REGELANROP = {"forsta", "steg", "byt"}


def _namn(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - ast.unparse handles every expression
        return "?"


def _ar_tillstand(value: ast.AST) -> bool:
    """The value names a state directly (not through a rules call)."""
    if isinstance(value, ast.Call):
        func = value.func
        return not (isinstance(func, ast.Attribute) and func.attr in REGELANROP)
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    text = _namn(value)
    if isinstance(value, ast.IfExp):
        return _ar_tillstand(value.body) or _ar_tillstand(value.orelse)
    return text.startswith(TILLSTAND) or text.startswith("wf.") or isinstance(value, ast.Name)


def _namnger_tillstand(value: ast.AST) -> bool:
    """In a dict (a row for ``values()``): a state named directly or a lower-case variable;
    schema constants (``STATUS``) and calls (``_enum(…)``) are documents, not writes."""
    text = _namn(value)
    return (text.startswith(TILLSTAND) and not text.endswith(".value")) or text.startswith("wf.") \
        or (isinstance(value, ast.Name) and value.id.islower()) \
        or (isinstance(value, ast.Constant) and isinstance(value.value, str))


def skanna(kod: str, fil: str) -> list[str]:
    """Direct status writes in ``kod`` (file ``fil``), as "fil:rad: text"."""
    fynd = []
    tree = ast.parse(kod)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(t, ast.Attribute) and t.attr == "status" and (fil, _namn(t)) not in UNDANTAG:
                    fynd.append(f"{fil}:{node.lineno}: {_namn(t)} = …")
        if isinstance(node, ast.Call):
            if _namn(node.func) == "setattr" and len(node.args) >= 2 and \
                    isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
                fynd.append(f"{fil}:{node.lineno}: setattr(…, 'status', …)")
            for kw in node.keywords:
                if kw.arg == "status" and _ar_tillstand(kw.value) and _skriver(node) \
                        and _namn(node.func) not in REGISTRERINGAR | LASRADER:
                    fynd.append(f"{fil}:{node.lineno}: status={_namn(kw.value)}")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "status" and _namnger_tillstand(value):
                    fynd.append(f"{fil}:{node.lineno}: {{'status': {_namn(value)}}}")
    return fynd


def _skriver(call: ast.Call) -> bool:
    """A call that may write a row: a model constructor, ``values(…)``/``update(…)`` or
    a helper that updates (not a template's or an error's ``status=`` argument)."""
    namn = _namn(call.func).split(".")[-1]
    return namn[:1].isupper() or namn in {"values", "update", "_uppdatera"}


def _kallfiler():
    for path in sorted((ROT / "samverkan").rglob("*.py")):
        fil = path.relative_to(ROT).as_posix()
        if fil not in TILLATNA_FILER:
            yield fil, path.read_text(encoding="utf-8")


def test_no_status_is_written_outside_its_rules():
    fynd = [f for fil, kod in _kallfiler() for f in skanna(kod, fil)]
    assert fynd == [], "Status skrivs förbi sina regler:\n" + "\n".join(fynd)


PLANTERADE = [
    pytest.param("insats.status = InsatsStatus.AKTIV\n", id="tilldelning"),
    pytest.param("arende.status = 'i_insats'\n", id="arende-tilldelning"),
    pytest.param("a.x, a.status = 1, wf.I_INSATS\n", id="tupel"),
    pytest.param("setattr(punkt, 'status', PunktStatus.BOKAD)\n", id="setattr"),
    pytest.param("db.session.add(Insats(arende_id=1, status=InsatsStatus.AKTIV))\n", id="konstruktor"),
    pytest.param("Arende(team_id=1, status=wf.I_INSATS)\n", id="arende-konstruktor"),
    pytest.param("update(Utskick).values(status=UtskickStatus.SKICKAD)\n", id="update-values"),
    pytest.param("_uppdatera(1, status=ny)\n", id="variabel"),
    pytest.param("db.session.execute(update(Insats).values({'status': InsatsStatus.AVSLUTAD}))\n", id="dict"),
]


@pytest.mark.parametrize("kod", PLANTERADE)
def test_a_planted_direct_write_is_caught(kod):
    assert skanna(kod, "samverkan/insatser/services.py")


def test_a_planted_write_in_a_real_module_fails_the_scan():
    fil = "samverkan/insatser/services.py"
    kod = (ROT / fil).read_text(encoding="utf-8")
    assert skanna(kod, fil) == []
    planterad = kod + "\n\ndef _genvag(insats):\n    insats.status = InsatsStatus.AKTIV\n"
    assert skanna(planterad, fil) == [f"{fil}:{planterad.count(chr(10))}: insats.status = …"]


@pytest.mark.parametrize("kod", [
    "insatsregler.byt(insats, InsatsStatus.AKTIV)\n",
    "Insats(status=insatsregler.forsta(InsatsStatus.KO))\n",
    "update(Utskick).values(status=utskicksregler.steg(UtskickStatus.KOAD, UtskickStatus.SKICKAR))\n",
    "render_template('fel.html', status=error.status)\n",
    "if insats.status == InsatsStatus.AKTIV:\n    pass\n",
])
def test_writes_through_the_rules_and_reads_pass(kod):
    assert skanna(kod, "samverkan/insatser/services.py") == []


def test_the_read_rows_let_through_are_frozen():
    """A name in ``LASRADER`` is passed by the scan: it must be a row that cannot be written."""
    from samverkan.arenden import services
    for namn in LASRADER:
        klass = getattr(services, namn)
        assert klass.__dataclass_params__.frozen, namn
