"""The policy is the check (issue 13, point 3).

Two halves:

- **The declaration enforces.** For every route in the URL map, the view's body is swapped
  for one that answers 418, and each role the access matrix's specification refuses
  (``tests/test_atkomstmatris.py``) asks for it: the refusal must come before the body is
  reached, from the wrapper ``@policy.regel`` put around the view (for the API inside the
  ``@endpoint`` handler, which reads and validates the request body first).
- **Nowhere else decides.** The source is read, not run: outside ``samverkan/auth/policy.py``
  no module raises ``Forbidden``, asks for a user's role set (``team_roles``,
  ``forbund_roles``), reads the requesting user's memberships or förbund roles, or compares
  roles (``TeamRoll``/``ForbundRoll``), except where roles are data rather than access (who
  receives a message, who staffs a samcoach place, which roles the admin assigns), each
  listed below with its reason. The planted examples show that each form is caught.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from flask import abort

from samverkan.auth import policy
from samverkan.auth.services import create_token
from samverkan.core.db import db
from tests import factories
from tests.conftest import IsolatedClient
from tests.test_atkomstmatris import (
    CASE_ACCESS,
    CASE_RULES,
    OWNER_ONLY,
    RULE_ALLOWS,
    TEAM_SCOPED_HANDLAGGARE,
    _expected_case,
    _routes,
    _url,
    scenario,  # noqa: F401  (the matrix's fixture: one ärende, meeting, note, message …)
)

ROT = Path(__file__).resolve().parents[1]
ROLLER = ["projektledare", "ledamot_af", "ledamot_fk", "ersattare_af", "samcoach", "granne", "admin", "styrgrupp"]

# Refusals that need what the request asks for, so a policy function decides them in the
# body once that is known (the declaration has let the user this far).
I_KROPPEN = {
    # Which trigger: the admin may fire ``korrigera`` alone (policy.require_fire).
    "arenden.handelse": {"admin"},
    "api.ny_handelse": {"admin"},
    # Which agenda item: its ärende's handläggare or the projektledare prints the letter
    # (policy.require_print_inbjudan); the declaration admits the team's members.
    "moten.inbjudan": {"ledamot_fk", "ersattare_af", "samcoach"},
    # A further insats: the admin's ``arende_handling`` is the correction alone; the team's
    # projektledare starts insatser (policy.require_starta_insats).
    "insatser.starta": {"admin"},
    "api.starta_insats": {"admin"},
}
NADD = 418  # the swapped body's answer


def _nekas(endpoint: str, regel: str, roll: str) -> bool:
    """Does the matrix's specification refuse ``roll`` on this route (consent covering)?"""
    if regel in CASE_RULES:
        return _expected_case(regel, CASE_ACCESS[roll][0]) in ("403", "404")
    if endpoint in OWNER_ONLY:
        return roll not in OWNER_ONLY[endpoint]
    allowed = RULE_ALLOWS[regel]
    if endpoint in TEAM_SCOPED_HANDLAGGARE:
        allowed = allowed - {"granne"}
    return roll not in allowed


def _nadd(*args, **kwargs):
    abort(NADD)


# The code every rule's wrapper runs (one ``def`` inside ``policy.regel``).
_VAKT = policy.regel("inloggad")(_nadd).__code__


def _kroppens_cell(view):
    """The closure cell through which the rule's wrapper calls the view's body (for the
    API, the wrapper inside the ``@endpoint`` handler)."""
    kropp, omslag = inspect.unwrap(view), view
    while omslag is not kropp:
        if omslag.__code__ is _VAKT:
            return next(c for c in omslag.__closure__ if c.cell_contents is kropp)
        omslag = omslag.__wrapped__
    raise AssertionError(f"{view.__name__}: no @policy.regel wrapper around the body")


@pytest.fixture
def utan_kroppar(app):
    """``utan_kroppar()`` swaps every view's body for ``_nadd``; put back afterwards."""
    celler = {}

    def swap():
        for endpoint, view in app.view_functions.items():
            if endpoint != "static":
                cell = _kroppens_cell(view)
                celler[endpoint] = (cell, cell.cell_contents)
                cell.cell_contents = _nadd

    try:
        yield swap
    finally:
        for cell, kropp in celler.values():
            cell.cell_contents = kropp


def test_every_view_is_wrapped_by_its_declaration(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert policy.regel_for(view) in policy.REGLER, endpoint
        _kroppens_cell(view)


def test_every_refusal_is_the_declarations(app, world, scenario, utan_kroppar, subtests):  # noqa: F811
    ids = scenario(True)
    tokens, klienter = {}, {}
    for roll in ROLLER:
        user = world.users[roll]
        _, tokens[roll] = create_token(user, "deklaration")
        db.session.commit()
        klient = IsolatedClient(app, app.response_class, use_cookies=True)
        assert klient.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD}).status_code == 303
        klienter[roll] = klient
    utan_kroppar()

    provade = 0
    for rule, regel, methods in _routes(app):
        metod = "GET" if "GET" in methods else methods[0]
        for roll in ROLLER:
            if not _nekas(rule.endpoint, regel, roll) or roll in I_KROPPEN.get(rule.endpoint, ()):
                continue
            url = _url(rule, ids, {}, roll)
            if rule.rule.startswith("/api/"):
                response = IsolatedClient(app, app.response_class).open(
                    url, method=metod, json={} if metod != "GET" else None,
                    headers={"Authorization": f"Bearer {tokens[roll]}"})
            else:
                response = klienter[roll].open(url, method=metod, data={})
            provade += 1
            with subtests.test(msg=f"{roll} {metod} {rule.rule} (regel {regel})"):
                # The API reads a request body before the rule (validation reveals nothing).
                vantat = (400, 403, 404, 422) if rule.rule.startswith("/api/") and metod != "GET" else (403, 404)
                assert response.status_code in vantat, \
                    f"the body was reached ({response.status_code}): the declaration did not refuse"
    assert provade > 300


def test_the_rule_refuses_without_a_login(app):
    """``inloggad`` and every other rule but ``offentlig`` need someone asking."""
    with app.test_request_context("/"):
        policy.kontrollera("offentlig", None, {})
        for namn in set(policy.REGLER) - {"offentlig"}:
            with pytest.raises(policy.EjInloggad):
                policy.kontrollera(namn, None, {})
        with pytest.raises(policy.DomainError):
            policy.kontrollera(None, None, {})  # no rule: fail closed


def test_only_the_arende_rules_load_with_the_pages_options():
    """``regel(ladda=…)`` shapes the ärende the rule loads; a rule that loads no ärende
    refuses it at import rather than ignoring it."""
    policy.regel("arende_referens", ladda=())
    policy.regel("arende_detaljer", ladda=(object(),))
    for namn in set(policy.REGLER) - {"arende_referens", "arende_detaljer"}:
        with pytest.raises(ValueError):
            policy.regel(namn, ladda=(object(),))


# --- nowhere else decides ------------------------------------------------------------------

POLICYN = "samverkan/auth/policy.py"
# Role sets and memberships of the one asking: the policy's to compare.
ROLLFRAGOR = {"team_roles", "forbund_roles"}
ROLLTYPER = ("TeamRoll.", "ForbundRoll.")
FRAGANDE = {"user", "current_user", "api_user()", "g.api_user"}
# Where roles are data, not access: (file, function) → reason.
UNDANTAG = {
    ("samverkan/auth/startsida.py", "endpoint_for"): "vilken sida man landar på, inte vad man får se",
    ("samverkan/insatser/services.py", "samcoacher"): "teamets samcoacher och deras platser",
    ("samverkan/insatser/platser.py", "las"): "samcoachens platser låses",
    ("samverkan/besked/services.py", "_ansvariga"): "vilka som får veckosammanställningen",
    ("samverkan/besked/services.py", "_rakna"): "vilka parters åtgärder sammanställningen räknar",
    ("samverkan/protokoll/services.py", "_justerare_kandidater"): "vilka som kan utses till andra justerare",
    ("samverkan/insatser/services.py", "_las_samcoach"): "en samcoach i teamet att tilldela",
    ("samverkan/insatser/services.py", "kapacitet_for_coach"): "samcoachens kapacitet",
    ("samverkan/insatser/services.py", "_erbjud_nasta"): "nästa plats hos samcoachen",
    ("samverkan/moten/narvaro.py", "_personer_per_part"): "vilka som registreras som närvarande per part",
    ("samverkan/moten/inbjudningsbrev.py", "inbjudan"): "vilka parter brevet till individen nämner",
    ("samverkan/uppfoljning/forlopp.py", "projektledare_for"): "vem som får besked",
    ("samverkan/forbund/services.py", "*"): "administratören tilldelar roller: vilka kräver part och ersättare",
    ("samverkan/forbund/cli.py", "*"): "import av förbundets roller",
    ("samverkan/forbund/views.py", "*"): "administratörens sida om en medlems roller",
    ("samverkan/demo/data.py", "*"): "demodata",
}


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _funktioner(tree: ast.AST):
    """(function name, node) for every node, by its innermost enclosing function."""
    def walk(node, namn):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else namn
            yield inner, child
            yield from walk(child, inner)
    yield from walk(tree, "<modul>")


def skanna(kod: str, fil: str) -> list[str]:
    """Access decided outside the policy in ``kod`` (file ``fil``), as "fil:rad: text"."""
    fynd = []
    for funktion, node in _funktioner(ast.parse(kod)):
        undantag = (fil, funktion) in UNDANTAG or (fil, "*") in UNDANTAG
        if isinstance(node, ast.Call):
            namn = _text(node.func).split(".")[-1]
            if namn == "Forbidden":
                fynd.append(f"{fil}:{node.lineno}: {_text(node)[:80]}")
            elif namn in ROLLFRAGOR:
                fynd.append(f"{fil}:{node.lineno}: {_text(node.func)}(…)")
            elif namn == "in_" and not undantag and any(_text(a).startswith(ROLLTYPER) for a in ast.walk(node)):
                fynd.append(f"{fil}:{node.lineno}: {_text(node)[:80]}")
        elif isinstance(node, ast.Attribute) and node.attr in ("medlemskap", "forbundsroller") \
                and _text(node.value) in FRAGANDE and not undantag:
            fynd.append(f"{fil}:{node.lineno}: {_text(node)}")
        elif isinstance(node, ast.Compare) and not undantag and any(
                _text(part).startswith(ROLLTYPER) or _text(part).endswith(".roll")
                for operand in (node.left, *node.comparators) for part in ast.walk(operand)):
            fynd.append(f"{fil}:{node.lineno}: {_text(node)[:80]}")
    return fynd


def _kallfiler():
    for path in sorted((ROT / "samverkan").rglob("*.py")):
        fil = path.relative_to(ROT).as_posix()
        if fil != POLICYN:
            yield fil, path.read_text(encoding="utf-8")


def test_no_access_is_decided_outside_the_policy():
    fynd = [f for fil, kod in _kallfiler() for f in skanna(kod, fil)]
    assert fynd == [], "Åtkomst avgörs utanför policyn:\n" + "\n".join(fynd)


def test_every_exception_still_exists():
    """An exception for a function that is gone would let a new one of that name in."""
    for (fil, funktion), _ in UNDANTAG.items():
        kod = (ROT / fil).read_text(encoding="utf-8")
        assert funktion == "*" or f"def {funktion}(" in kod, (fil, funktion)


PLANTERADE = [
    pytest.param("def f(user):\n    raise Forbidden('Nej.')\n", id="forbidden"),
    pytest.param("def f(user, t):\n    return policy.team_roles(user, t)\n", id="rollmangd"),
    pytest.param("def f(user):\n    return any(m.roll == TeamRoll.PROJEKTLEDARE for m in user.medlemskap)\n",
                 id="egen-jamforelse"),
    pytest.param("def f(user):\n    return [m.team_id for m in current_user.medlemskap]\n", id="medlemskap"),
    pytest.param("def f(user):\n    return user.forbundsroller\n", id="forbundsroller"),
    pytest.param("def f(u):\n    return select(Medlemskap.team_id).where(Medlemskap.roll == TeamRoll.LEDAMOT)\n",
                 id="sql-jamforelse"),
    pytest.param("def f(u):\n    return Medlemskap.roll.in_([TeamRoll.LEDAMOT])\n", id="sql-in"),
    pytest.param("def f(m):\n    return m.roll in {x, y}\n", id="roll-i-mangd"),
]


@pytest.mark.parametrize("kod", PLANTERADE)
def test_a_planted_decision_is_caught(kod):
    assert skanna(kod, "samverkan/kallelser/services.py")


def test_a_planted_decision_in_a_real_module_fails_the_scan():
    fil = "samverkan/kallelser/services.py"
    kod = (ROT / fil).read_text(encoding="utf-8")
    assert skanna(kod, fil) == []
    planterad = kod + "\n\ndef _genvag(user, team):\n    if not policy.is_projektledare(user, team.id):\n" \
                      "        raise Forbidden('Bara projektledaren.')\n"
    assert skanna(planterad, fil) == [f"{fil}:{planterad.count(chr(10))}: Forbidden('Bara projektledaren.')"]


@pytest.mark.parametrize("kod", [
    "def f(user, arende):\n    policy.require(user, arende, policy.Atkomst.DETALJER)\n",
    "def f(user, team):\n    return policy.is_projektledare(user, team.id)\n",
    "def f(team):\n    return [m for m in team.medlemskap]\n",
])
def test_asking_the_policy_passes(kod):
    assert skanna(kod, "samverkan/kallelser/services.py") == []
