"""Loggkontroll: the förbund admin reads, filters and exports the audit log of their own
förbund; nobody else may; the page shows reference codes, never case details; reading
and exporting are themselves audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.forbund.models import Forbund, ForbundRoll, ForbundsRollTilldelning
from samverkan.loggkontroll.services import CSV_RUBRIKER
from tests import factories

UTC = dt.UTC
# Case data is made in May; the entries the filters look for are from early March.
MAJ = dt.datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _add(user, handling: str, when: dt.datetime, objekt_typ: str = "arende", objekt_id: int | None = None,
         *, falt: str = "", kanal: str = "webb", ip: str = "10.0.0.7") -> AuditEntry:
    entry = AuditEntry(tid=when, user_id=user.id if user else None, handling=handling,
                       objekt_typ=objekt_typ, objekt_id=objekt_id, falt=falt, kanal=kanal, ip=ip)
    db.session.add(entry)
    return entry


def _antal(html: str) -> int:
    match = re.search(r"<caption>(\d+) händelse", html)
    return int(match.group(1)) if match else 0


def _page(client, query: str = ""):
    response = client.get(f"/loggkontroll/{query}")
    return response, response.get_data(as_text=True)


def _audit(handling: str, user) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.execute(
        select(AuditEntry).where(AuditEntry.handling == handling, AuditEntry.user_id == user.id)
    ).scalars().all()


@pytest.fixture
def fall(world):
    """Two ärenden (brought by the kommun's ledamot in May) and four entries in March."""
    clock.set_clock(lambda: MAJ)
    a = factories.create_arende(world, handlaggare="ledamot_kommun")
    b = factories.create_arende(world, handlaggare="ledamot_kommun")
    u = world.users
    # 2026-03-01 23:30 and 2026-03-02 00:30 in Stockholm (CET, UTC+1).
    _add(u["ledamot_af"], "arende.visa", dt.datetime(2026, 3, 1, 22, 30, tzinfo=UTC), "arende", a.id)
    _add(u["ledamot_af"], "arende.visa", dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "arende", a.id)
    _add(u["projektledare"], "arende.avsluta", dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), "arende", b.id,
         falt="status")
    _add(u["projektledare"], "inloggning", dt.datetime(2026, 3, 3, 7, 0, tzinfo=UTC), "anvandare",
         u["projektledare"].id)
    db.session.commit()
    return a, b


@pytest.mark.parametrize("key", ["projektledare", "ledamot_af", "samcoach", "styrgrupp"])
def test_only_the_forbund_admin_may_read_the_log(world, login, key):
    client = login(world.users[key])
    assert client.get("/loggkontroll/").status_code == 403
    assert client.get("/loggkontroll/export.csv").status_code == 403
    assert _audit("granskningslogg.visa", world.users[key]) == []
    assert _audit("granskningslogg.export", world.users[key]) == []


def test_admin_sees_who_did_what_newest_first_and_no_case_details(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    login(world.users["ledamot_fk"]).get(f"/arenden/{arende.id}")
    client = login(world.users["admin"])
    response, html = _page(client)
    assert response.status_code == 200
    assert "Ledamot FK" in html and "Läste ärendets uppgifter" in html and f"Ärende {arende.referens}" in html
    assert "Webb" in html and "127.0.0.1" in html
    # The latest first: the read comes before the creation of the ärende.
    assert html.index("Läste ärendets uppgifter") < html.index("Skapade ärende (utkast)")
    # Never case details, only the reference code.
    assert "samordna" not in html
    assert arende.deltagare.personnummer not in html and arende.deltagare.personnummer[2:8] not in html
    [entry] = _audit("granskningslogg.visa", world.users["admin"])
    assert (entry.objekt_typ, entry.objekt_id, entry.falt, entry.kanal) == ("granskningslogg", None, "", "webb")


def test_unknown_action_codes_are_shown_as_they_are(world, login):
    _add(world.users["ledamot_af"], "ny.handling", MAJ)
    db.session.commit()
    _, html = _page(login(world.users["admin"]))
    assert "ny.handling" in html


def test_filter_by_user(world, login, fall):
    client = login(world.users["admin"])
    _, html = _page(client, f"?anvandare={world.users['ledamot_af'].id}")
    assert _antal(html) == 2
    # The select offers the förbund's users by name, this one chosen.
    assert re.search(rf'<option selected value="{world.users["ledamot_af"].id}">Ledamot AF</option>', html)


def test_filter_by_arende_reference(world, login, fall):
    a, _ = fall
    client = login(world.users["admin"])
    _, html = _page(client, f"?arende={a.referens.lower()}&handling=arende.visa")
    assert _antal(html) == 2
    [entry] = _audit("granskningslogg.visa", world.users["admin"])
    # Looking at one ärende's log is recorded against that ärende, with the filters used.
    assert (entry.objekt_typ, entry.objekt_id, entry.falt) == ("arende", a.id, "arende,handling")
    _, html = _page(client, f"?arende={a.referens}&handling=granskningslogg.visa")
    assert _antal(html) == 1 and "Läste granskningsloggen" in html


def test_filter_by_action(world, login, fall):
    _, html = _page(login(world.users["admin"]), "?handling=arende.avsluta")
    assert _antal(html) == 1 and "Ärende: Avsluta" in html and "Petra Projektsson" in html


def test_filter_by_period_in_stockholm_time(world, login, fall):
    client = login(world.users["admin"])
    _, html = _page(client, "?fran=2026-03-02&till=2026-03-02")
    # 00:30 and 11:00 on 2 March in Stockholm; not 23:30 on 1 March (22:30 UTC).
    assert _antal(html) == 2
    assert "2026-03-02 00:30" in html and "2026-03-02 11:00" in html and "2026-03-01 23:30" not in html
    _, html = _page(client, "?till=2026-03-01")
    assert _antal(html) == 1


@pytest.mark.parametrize(("query", "message"), [
    ("?fran=2026-03-05&till=2026-03-01", "Till och med kan inte vara före från och med."),
    ("?arende=TST-1999-999", "Det finns inget ärende med referensen TST-1999-999 i förbundet."),
    ("?anvandare=abc", "Välj en användare i listan."),
    ("?anvandare=999999", "Välj en användare i listan."),
    ("?fran=2-mars", "Ange datumet som ÅÅÅÅ-MM-DD."),
])
def test_bad_filters_are_explained_on_the_field(world, login, query, message):
    response, html = _page(login(world.users["admin"]), query)
    assert response.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert "<table" not in html


def test_only_the_admins_own_forbund(world, login, fall):
    a, _ = fall
    other = Forbund(namn="Samordningsförbundet Annanbygd", kod="ANB")
    db.session.add(other)
    db.session.flush()
    stranger = factories.create_user(other, None, "Olle Annansson", epost="olle@example.org")
    other_admin = factories.create_user(other, None, "Annan Admin", epost="annan.admin@example.org")
    db.session.add(ForbundsRollTilldelning(forbund_id=other.id, user_id=other_admin.id, roll=ForbundRoll.ADMIN))
    # Theirs: by their user, or about their user (the address 10.9.9.9 marks them).
    _add(stranger, "inloggning", MAJ, "anvandare", stranger.id, ip="10.9.9.9")
    _add(stranger, "deltagare.sok", MAJ, "deltagare", None, ip="10.9.9.9")
    _add(None, "tvafaktor.aterstall", MAJ, "anvandare", stranger.id, kanal="cli", ip="10.9.9.9")
    # About our ärende: ours to see, even when made by someone outside or by a command.
    _add(stranger, "arende.visa", MAJ, "arende", a.id)
    _add(None, "arende.korrigera", MAJ, "arende", a.id, kanal="cli")
    db.session.commit()

    client = login(world.users["admin"])
    _, html = _page(client, "?fran=2026-05-04")
    assert "10.9.9.9" not in html and "Olle Annansson" not in html
    assert f"Användare {stranger.id} (utanför förbundet)" in html and "Kommandorad" in html
    _, html = _page(client, f"?arende={a.referens}&handling=arende.korrigera")
    assert _antal(html) == 1

    _, html = _page(login(other_admin))
    assert "Olle Annansson" in html and "Återställde tvåfaktorsinloggning" in html
    assert a.referens not in html and "Ledamot AF" not in html and "Petra Projektsson" not in html


def test_the_list_costs_the_same_number_of_queries_at_any_size(world, login, count_queries):
    client = login(world.users["admin"])
    counts = []
    for size in (5, 60):
        for i in range(size):
            _add(world.users["ledamot_af"], "arende.visa", MAJ - dt.timedelta(minutes=i), "arende", i + 1)
        db.session.commit()
        with count_queries() as q:
            response = client.get("/loggkontroll/?handling=arende.visa&fran=2026-01-01")
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    # Session user, roles, users for the select, count, the page, the audit row: nothing per row.
    assert counts[0] <= 8, counts


def test_pages_keep_the_filters(world, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    user = world.users["ledamot_af"]
    for i in range(5):
        _add(user, "arende.visa", MAJ - dt.timedelta(hours=i), "arende", i + 1)
    db.session.commit()
    client = login(world.users["admin"])
    _, html = _page(client, f"?anvandare={user.id}")
    assert _antal(html) == 5 and "Sida 1 av 3" in html
    nasta = re.search(r'<a href="([^"]+)">Nästa sida</a>', html).group(1).replace("&amp;", "&")
    assert f"anvandare={user.id}" in nasta and "sida=2" in nasta
    _, html = _page(client, f"?anvandare={user.id}&sida=3")
    assert html.count("<time ") == 1


def test_csv_export_for_excel(world, login, fall):
    a, b = fall
    admin = world.users["admin"]
    world.users["ledamot_af"].namn = "=HYPERLINK(\"http://example.org\")"  # a name typed as a formula
    db.session.commit()
    response = login(admin).get("/loggkontroll/export.csv?handling=arende.visa&fran=2026-03-01&till=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="granskningslogg-')
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel shows å, ä, ö
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == CSV_RUBRIKER and rows[0][1] == "Användare"
    assert len(rows) == 3
    newest = dict(zip(rows[0], rows[1], strict=True))
    assert newest["Tid"] == "2026-03-02 00:30:00"
    assert newest["Handling"] == "Läste ärendets uppgifter" and newest["Handlingskod"] == "arende.visa"
    assert newest["Ärende"] == a.referens and newest["Kanal"] == "Webb" and newest["IP-adress"] == "10.0.0.7"
    assert newest["Användare"].startswith("'=")  # not run as a formula
    text = body.decode("utf-8-sig")
    assert "samordna" not in text and a.deltagare.personnummer not in text
    [entry] = _audit("granskningslogg.export", admin)
    assert (entry.objekt_typ, entry.falt, entry.kanal) == ("granskningslogg", "fran,handling,till", "webb")


def test_csv_export_refuses_a_bad_filter(world, login):
    response = login(world.users["admin"]).get("/loggkontroll/export.csv?arende=TST-1999-999")
    assert response.status_code == 422
    assert _audit("granskningslogg.export", world.users["admin"]) == []
