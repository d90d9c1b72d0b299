"""Migration 0013_ren_html: stored frågeställningar and notes are cleaned once, so the
templates can show them without sanitising them again on every render (issue 19)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from samverkan.anteckningar import services as anteckningar
from samverkan.core.db import db
from tests import factories
from tests.test_kryptering import forega, radata

SMUTSIG = '<p onclick="stjal()">Hej</p><script>stjal()</script><img src=x onerror=y>'


def test_the_migration_cleans_rows_stored_dirty_and_leaves_clean_rows_alone(world, login):
    smutsigt = factories.create_arende(world)
    rent = factories.create_arende(world, fragestallning='<p>Se <a href="https://example.org">länken</a></p>')
    lank = rent.fragestallning  # as sanitize_html stored it (rel added)
    anteckning = anteckningar.create(world.users["ledamot_af"], smutsigt.id, "<p>Samtal.</p>")
    db.session.commit()
    smutsigt_id, rent_id, anteckning_id = smutsigt.id, rent.id, anteckning.id
    klient = login(world.users["ledamot_af"])
    db.session.remove()
    downgrade(revision=forega("0013_ren_html"))
    with db.engine.begin() as conn:
        # What a row written around the services (an import, an old version) might hold.
        conn.execute(text("UPDATE arende SET fragestallning = :h WHERE id = :id"), {"h": SMUTSIG, "id": smutsigt_id})
        conn.execute(text("UPDATE anteckning SET text = :h WHERE id = :id"), {"h": SMUTSIG, "id": anteckning_id})
    upgrade()

    assert dict(radata("arende", "fragestallning")) == {smutsigt_id: "<p>Hej</p>stjal()", rent_id: lank}
    assert dict(radata("anteckning", "text")) == {anteckning_id: "<p>Hej</p>stjal()"}
    page = klient.get(f"/arenden/{smutsigt_id}").get_data(as_text=True)
    assert "<p>Hej</p>stjal()" in page and "onclick" not in page and "<script>stjal" not in page
