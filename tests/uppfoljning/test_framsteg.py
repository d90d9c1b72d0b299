"""The case page shows progress from the measurements: an accessible SVG chart with the
same numbers in a table, and the measurements in the timeline; the API lists them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests.uppfoljning import fabrik


def test_chart_table_and_timeline(world, login, api):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    fabrik.matning(world, arende, dt.date(2025, 11, 10), 1, 0)
    fabrik.matning(world, arende, dt.date(2025, 12, 15), 3, 25, ors=18)
    fabrik.matning(world, arende, dt.date(2026, 1, 19), 4, 50, ors=27)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert '<svg class="framsteg__diagram"' in html and 'role="img"' in html
    assert "<title id=\"framsteg-titel\">" in html and "<desc id=\"framsteg-besk\">" in html
    assert html.count('class="framsteg__punkt framsteg__punkt--steg"') == 3
    assert "framsteg__linje--ors" in html
    assert "<th scope=\"row\">2026-01-19</th><td>4. Arbetsförberedande insats</td><td>50 %</td><td>27</td>" in html
    assert 'class="tidslinje__post tidslinje__post--matning"' in html
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.handling == "arende.visa",
                                                         AuditEntry.objekt_id == arende.id))

    body = api("ledamot_af").get(f"/arenden/{arende.id}/matningar").get_json()
    assert [(m["datum"], m["steg"]["nummer"], m["sysselsattningsgrad"], m["ors"]) for m in body["matningar"]] == [
        ("2025-11-10", 1, 0, None), ("2025-12-15", 3, 25, 18), ("2026-01-19", 4, 50, 27)]
    assert api("granne").get(f"/arenden/{arende.id}/matningar").status_code == 404


def test_no_measurements_says_so(world, login):
    fabrik.satt_klockan()
    arende = fabrik.i_insats(world)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Inga mätningar ännu." in html and "<svg" not in html
