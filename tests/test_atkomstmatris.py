"""The access matrix: every role × every route in the URL map × consent covering or not.

Generated from ``app.url_map`` and each view's declared rule (``policy.regel``), not from a
hand-picked list: a route added without a rule, with an unknown rule, or with a URL
parameter this test cannot fill fails here. What each role should get is written below as
a specification table, independently of ``policy.py``, so the policy is checked against
the rules of issue 3 rather than against itself.

Allowed roles are checked with GET only (a POST with an empty body proves little).
Refused roles are checked with every method: a GET must answer exactly 404 (may not know
the ärende exists) or 403; a write with an empty body may also be turned away by
validation first (400/422, which reveals nothing either way), and in every case nothing
may change: the test compares every table's row count and the audit log before and after.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from samverkan.auth import policy
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten import redigering
from samverkan.moten.models import Dagordningspunkt
from samverkan.samplanering.models import Atgard
from tests import factories
from tests.conftest import IsolatedClient

ROLES = ["projektledare", "ledamot_af", "ledamot_fk", "ersattare_af", "samcoach", "granne", "admin",
         "styrgrupp"]

# --- the specification ---------------------------------------------------------------
# Access to the ärende's details by role, when the consent covers FK and when it does not
# (it always covers AF and the kommun). ledamot_af brought the ärende.
DETALJER, REFERENS, INGEN = "detaljer", "referens", "ingen"
CASE_ACCESS = {
    #  role              covered    not covered
    "ledamot_af": (DETALJER, DETALJER),  # the aktualiserande handläggare
    "projektledare": (DETALJER, DETALJER),
    "ledamot_fk": (DETALJER, REFERENS),  # their party must be named by the consent
    "ersattare_af": (DETALJER, DETALJER),  # AF is always covered here
    "samcoach": (REFERENS, REFERENS),  # sees only ärenden assigned to them
    "granne": (INGEN, INGEN),  # another team: not even its existence
    "admin": (REFERENS, REFERENS),  # manages, does not read case details
    "styrgrupp": (INGEN, INGEN),  # aggregates only
}
# Who passes each non-case rule (the world's team is the team in the URL).
RULE_ALLOWS = {
    "inloggad": set(ROLES),
    "handlaggare": {"projektledare", "ledamot_af", "ledamot_fk", "ersattare_af", "granne"},
    "team_medlem": {"projektledare", "ledamot_af", "ledamot_fk", "ersattare_af", "samcoach"},
    # The team's members; an aktualiserande handläggare outside the team reads their own
    # items (tests/besked), and the world's handläggare of the agenda item sits in the team.
    "protokoll": {"projektledare", "ledamot_af", "ledamot_fk", "ersattare_af", "samcoach"},
    "projektledare": {"projektledare"},
    "admin": {"admin"},
    "styrgrupp": {"styrgrupp", "admin"},
    # Reports: the förbund (small numbers hidden) for styrgrupp and admin, the own team for its projektledare.
    "rapport": {"projektledare", "styrgrupp", "admin"},
}
CASE_RULES = {"arende_referens", "arende_detaljer", "arende_handling"}
# Routes narrower than their rule, with who passes and what they get.
OWNER_ONLY = {
    # One's own draft: the ärende below is already submitted, so even its handläggare
    # gets 409 (no longer a draft); everyone else is refused.
    "aktualisering.redigera": {"ledamot_af": "409"},
    # The invitation letter for the individual: handed over by the aktualiserande
    # handläggare or sent by the projektledare; nobody else needs it.
    "moten.inbjudan": {"ledamot_af": "ok", "projektledare": "ok"},
}
# Routes with a team or meeting in the URL: "handlaggare" means a handläggare of that team.
TEAM_SCOPED_HANDLAGGARE = {"moten.anmal"}


def _expected_case(rule: str, level: str) -> str:
    if level == INGEN:
        return "404"
    if level == REFERENS and rule != "arende_referens":
        return "403"
    return "ok"


# --- the scenario -------------------------------------------------------------------
@pytest.fixture
def scenario(world):
    """``scenario(covered)``: an ärende of the world's team on a future meeting's agenda,
    with a note, a handlingsplan action and a samcoach place, and a message in the
    meeting's outbox; ``covered`` decides whether FK is named by the consent. A second call
    with ``mote_id=`` puts another ärende on the same meeting."""
    clock.set_clock(lambda: dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC))

    def build(covered: bool, mote_id: int | None = None):
        parter = ["af", "kommun", "fk", "region"] if covered else ["af", "kommun", "region"]
        arende = factories.create_arende(world, parter=parter, giltigt_dagar=400)
        db.session.commit()
        nya = []
        if mote_id is None:
            mote = redigering.skapa_mote(
                world.users["projektledare"], world.team.id, datum=dt.date(2026, 3, 10),
                klockslag=dt.time(13, 0), langd_minuter=120, plats="Kommunhuset")
            db.session.flush()
            mote_id = mote.id
            nya.append(Utskick(mote_id=mote_id, typ=UtskickTyp.KALLELSE, mottagare_id=world.users["ledamot_af"].id,
                               epost="ledamot_af@example.org", version="0.0", amne="Kallelse", text="Kallelse",
                               message_id="<matris@samverkan>"))
        ordning = 1 + db.session.scalar(select(func.count()).select_from(Dagordningspunkt)
                                        .where(Dagordningspunkt.mote_id == mote_id))
        punkt = Dagordningspunkt(mote_id=mote_id, arende_id=arende.id, ordning=ordning)
        from samverkan.anteckningar.models import Anteckning

        anteckning = Anteckning(arende_id=arende.id, forfattare_id=world.users["ledamot_af"].id,
                                text="<p>Anteckning</p>")
        # Waiting in the samcoach queue: no samcoach holds it, so none reads its details.
        insats = Insats(arende_id=arende.id, team_id=world.team.id, form=InsatsForm.SAMCOACH,
                        status=InsatsStatus.KO, beslutad=clock.today(), i_ko_sedan=clock.now())
        atgard = Atgard(arende_id=arende.id, beskrivning="Kartläggning", part_id=world.parter["af"].id,
                        ansvarig="Handläggare", klar_senast=dt.date(2026, 1, 20),
                        skapad_av_id=world.users["projektledare"].id)
        db.session.add_all([*nya, punkt, anteckning, insats, atgard])
        db.session.commit()
        utskick_id = db.session.scalar(select(Utskick.id).where(Utskick.mote_id == mote_id))
        # The förbund admin's pages (issue 14): a party, a member and one of their roles.
        medlemskap_id = world.users["ledamot_fk"].medlemskap[0].id
        return {"arende_id": arende.id, "mote_id": mote_id, "team_id": world.team.id, "punkt_id": punkt.id,
                "anteckning_id": anteckning.id, "utskick_id": utskick_id, "insats_id": insats.id,
                "atgard_id": atgard.id, "part_id": world.parter["af"].id,
                "anvandare_id": world.users["ledamot_fk"].id, "medlemskap_id": medlemskap_id}

    return build


def _url(rule, ids: dict, token_ids: dict, role: str) -> str:
    def fill(match):
        name = match.group(1)
        if name == "token_id":
            return str(token_ids[role])
        if name not in ids:
            pytest.fail(f"{rule.endpoint}: the access matrix cannot fill <{name}>; add it to the scenario")
        return str(ids[name])

    return re.sub(r"<(?:int:)?(\w+)>", fill, rule.rule)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        regel = policy.regel_for(app.view_functions[rule.endpoint])
        assert regel in policy.REGLER, f"{rule.endpoint} has no (or an unknown) access rule: {regel!r}"
        if regel == "offentlig":
            continue
        yield rule, regel, sorted(rule.methods - {"HEAD", "OPTIONS"})


def _is_refusal(response) -> bool:
    return response.status_code in (403, 404)


def _is_allowed(response) -> bool:
    if response.status_code in (401, 403, 404, 500):
        return False
    return not (response.status_code == 302 and "/logga-in" in response.headers.get("Location", ""))


def _expected(rule, regel: str, role: str, covered: bool) -> str:
    if regel in CASE_RULES:
        return _expected_case(regel, CASE_ACCESS[role][0 if covered else 1])
    if rule.endpoint in OWNER_ONLY:
        return OWNER_ONLY[rule.endpoint].get(role, "refused")
    allowed = RULE_ALLOWS[regel]
    if rule.endpoint in TEAM_SCOPED_HANDLAGGARE:
        allowed = allowed - {"granne"}
    return "ok" if role in allowed else "refused"


# URL parameters naming an ärende or something of it: such a route is checked for both
# ärenden of the scenario, the one whose consent covers FK and the one whose does not.
# Every other route is checked once, with both ärenden in the database (on the meeting's
# agenda, in the lists), which is where the consent could change what a page shows.
PER_ARENDE = {"arende_id", "punkt_id", "anteckning_id", "insats_id", "atgard_id"}
# Each role meets well over this many route × method pairs (115 to 187 in December 2026).
MINST_PER_ROLL = 100


# One test per role (each builds the scenario and logs in once): the two workers share
# the matrix, and no single test is long.
@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_route(app, world, scenario, subtests, role):
    tacker = scenario(True)
    ids_for = {True: tacker, False: scenario(False, mote_id=tacker["mote_id"])}
    user = world.users[role]
    token, secret = create_token(user, "matris")
    db.session.commit()
    token_ids = {role: token.id}
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    response = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert response.status_code == 303, role
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    rows_before = _row_counts()

    checked = 0
    for rule, regel, methods in _routes(app):
        per_arende = bool(PER_ARENDE & set(re.findall(r"<(?:int:)?(\w+)>", rule.rule)))
        for covered in ((True, False) if per_arende else (True,)):
            expected = _expected(rule, regel, role, covered)
            samtycke = (" (samtycket täcker FK)" if covered else " (samtycket täcker inte FK)") if per_arende else ""
            for method in methods:
                if expected in ("ok", "409") and method != "GET":
                    continue
                url = _url(rule, ids_for[covered], token_ids, role)
                db.session.commit()
                if rule.rule.startswith("/api/"):
                    response = IsolatedClient(app, app.response_class).open(
                        url, method=method, json={} if method != "GET" else None,
                        headers={"Authorization": f"Bearer {secret}"})
                else:
                    response = client.open(url, method=method, data={})
                checked += 1
                with subtests.test(msg=f"{role} {method} {rule.rule}{samtycke} (regel {regel})"):
                    status = response.status_code
                    if method != "GET" and expected in ("404", "403", "refused"):
                        assert status in (400, 403, 404, 422), f"expected a refusal, got {status}"
                    elif expected == "404":
                        assert status == 404, f"expected 404 (may not know it exists), got {status}"
                    elif expected in ("403", "409"):
                        assert status == int(expected), f"expected {expected}, got {status}"
                    elif expected == "refused":
                        assert _is_refusal(response), f"expected a refusal (403/404), got {status}"
                    else:
                        assert _is_allowed(response), f"expected access, got {status}"
    assert checked > MINST_PER_ROLL
    # Refusals change nothing: only reads were audited (by allowed roles, and a refused
    # read of a known ärende as arende.nekad), never writes.
    writes = db.session.scalar(
        select(func.count()).select_from(AuditEntry)
        .where(AuditEntry.id > audit_before, ~AuditEntry.handling.in_(_READS))
    )
    assert writes == 0
    assert _row_counts() == rows_before


@pytest.mark.parametrize("status, expected", [(InsatsStatus.AKTIV, "ok"), (InsatsStatus.ERBJUDEN, "ok"),
                                              (InsatsStatus.AVSLUTAD, "403"), (InsatsStatus.KO, "403")])
def test_a_samcoach_reads_the_details_of_arenden_assigned_to_them(app, world, scenario, status, expected):
    """Every detail page of the ärende, for the samcoach holding (or offered) its place."""
    ids = scenario(False)
    insats = db.session.get(Insats, ids["insats_id"])
    insats.status = status
    insats.samcoach_id = world.users["samcoach"].id if status != InsatsStatus.KO else None
    db.session.commit()
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    assert client.post("/logga-in", data={"epost": world.users["samcoach"].epost,
                                          "losenord": factories.PASSWORD}).status_code == 303
    checked = 0
    for rule, regel, methods in _routes(app):
        if regel != "arende_detaljer" or "GET" not in methods or rule.rule.startswith("/api/"):
            continue
        response = client.get(_url(rule, ids, {}, "samcoach"))
        checked += 1
        if expected == "ok":
            assert _is_allowed(response), (rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (rule.rule, response.status_code)
    assert checked >= 1


def _row_counts() -> dict[str, int]:
    # What reads write: the audit log, login attempts, and the suppression's marks a report
    # keeps for the next look (``rapporter.markeringar``: derived from the counts, no data).
    skip = {"granskningslogg", "inloggningsforsok", "kub_markeringar"}
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name not in skip}


# Audit actions that record a read, a search or a login (no change of data).
_READS = ["arende.visa", "arende.visa_referens", "arende.nekad", "arende.sok", "arende.sok_traff", "deltagare.sok", "granskningslogg.visa", "granskningslogg.export",
          "inloggning", "mote.visa", "utskick.visa", "finsam.visa", "finsam.export", "protokoll.visa",
          "protokoll.pdf", "atgard.lista_forsenade", "gallring.torrkorning", "stegforflyttning.visa", "handlingsplan.visa"]
