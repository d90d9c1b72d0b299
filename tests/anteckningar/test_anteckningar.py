"""Notes on an ärende: written from the case page, sanitised, correctable by the author
within the window, then only added to; never deleted; every write audited by field name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.anteckningar.models import Anteckning
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests import factories

NOW = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def tid(ctx):
    class Klocka:
        nu = NOW

        def fram(self, delta):
            self.nu = self.nu + delta

    klocka = Klocka()
    clock.set_clock(lambda: klocka.nu)
    yield klocka
    clock.set_clock(None)


@pytest.fixture
def arende(world, tid):
    a = factories.create_arende(world)
    db.session.commit()
    return a


def _notes():
    db.session.expire_all()
    return db.session.scalars(select(Anteckning).order_by(Anteckning.id)).all()


def _audit(handling: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.handling == handling)).all()


def _write(client, arende, text="<p>Deltagaren har börjat på AME.</p>"):
    return client.post(f"/arenden/{arende.id}/anteckningar", data={"ny-text": text})


# --- creating -----------------------------------------------------------------------------

def test_covered_member_writes_a_sanitised_note_and_the_write_is_audited(world, login, arende):
    client = login(world.users["ledamot_fk"])
    response = _write(client, arende, '<p>Besök <strong>bokat</strong></p><script>alert("x")</script>'
                                      '<a href="javascript:alert(1)">länk</a>')
    assert response.status_code == 303
    (note,) = _notes()
    assert response.headers["Location"].endswith(f"/arenden/{arende.id}#anteckning-{note.id}")
    assert "<script" not in note.text and "javascript:" not in note.text
    assert "<strong>bokat</strong>" in note.text
    assert note.forfattare_id == world.users["ledamot_fk"].id and note.rattad is None
    (entry,) = _audit("anteckning.skapa")
    assert (entry.objekt_typ, entry.objekt_id, entry.falt, entry.user_id) == (
        "anteckning", note.id, "text", world.users["ledamot_fk"].id)
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "<strong>bokat</strong>" in html and "<script>alert" not in html


@pytest.mark.parametrize("text", ["", "   ", "<p> </p><br>", '<img src="x" onerror="alert(1)">'])
def test_note_empty_after_sanitising_gets_an_error_beside_the_field(world, login, arende, text):
    response = _write(login(world.users["ledamot_fk"]), arende, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ny-text-fel"' in html and "Skriv en anteckning." in html
    assert 'aria-describedby="ny-text-hjalp ny-text-fel"' in html
    assert _notes() == [] and _audit("anteckning.skapa") == []


@pytest.mark.parametrize(("key", "status"), [
    ("projektledare", 303), ("ledamot_af", 303), ("ersattare_af", 303),
    ("samcoach", 403), ("admin", 403), ("granne", 404), ("styrgrupp", 404),
])
def test_who_may_write_notes(world, login, arende, key, status):
    assert _write(login(world.users[key]), arende).status_code == status
    assert len(_notes()) == (1 if status == 303 else 0)


def test_party_not_covered_by_consent_may_not_write(world, login, tid):
    arende = factories.create_arende(world, parter=["af", "kommun"])
    db.session.commit()
    assert _write(login(world.users["ledamot_fk"]), arende).status_code == 403
    assert _notes() == []


def test_no_new_notes_once_the_arende_is_closed(world, login, arende):
    client = login(world.users["projektledare"])
    response = client.post(f"/arenden/{arende.id}/handelse", data={
        "trigger": "avsluta", "version": arende.version, "avslutsorsak": "arbete",
        "forsorjning_slut": "lon", "sysselsattning_slut": "arbete"})
    assert response.status_code == 303
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Ärendet är avslutat. Nya anteckningar kan inte längre registreras." in html
    assert 'name="ny-text"' not in html
    response = _write(client, arende)
    assert response.status_code == 422 and "Ärendet är avslutat" in response.get_data(as_text=True)
    assert _notes() == []


# --- correcting ---------------------------------------------------------------------------

def test_author_corrects_within_the_window(world, login, arende, tid):
    client = login(world.users["ledamot_fk"])
    _write(client, arende, "Mötet är den 3:e")
    (note,) = _notes()
    tid.fram(10 * MIN)
    page = client.get(f"/arenden/{arende.id}/anteckningar/{note.id}/ratta")
    assert page.status_code == 200 and "Mötet är den 3:e" in page.get_data(as_text=True)
    response = client.post(f"/arenden/{arende.id}/anteckningar/{note.id}/ratta",
                           data={"text": "Mötet är den 4:e<script>x</script>"})
    assert response.status_code == 303
    (note,) = _notes()
    assert note.text.startswith("Mötet är den 4:e") and "<script" not in note.text
    assert note.rattad == NOW + 10 * MIN
    (entry,) = _audit("anteckning.ratta")
    assert (entry.objekt_id, entry.falt) == (note.id, "text")
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "(rättad 2026-02-10 10:10)" in html


def test_correcting_after_the_window_is_refused_and_an_addendum_offered(world, login, arende, tid):
    client = login(world.users["ledamot_fk"])
    _write(client, arende, "Ursprunglig text")
    (note,) = _notes()
    tid.fram(16 * MIN)
    url = f"/arenden/{arende.id}/anteckningar/{note.id}/ratta"
    response = client.post(url, data={"text": "Ändrad text"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tiden för att rätta anteckningen har gått ut" in html and "15 minuter" in html
    assert f'href="/arenden/{arende.id}/anteckningar/{note.id}/tillagg"' in html and "Lägg till tillägg" in html
    (note,) = _notes()
    assert note.text == "Ursprunglig text" and note.rattad is None
    assert _audit("anteckning.ratta") == []
    # The case page offers the addendum instead of the correction, too.
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Rätta anteckningen" not in html and "Lägg till tillägg" in html


def test_the_window_is_configurable(world, login, arende, tid, app):
    client = login(world.users["ledamot_fk"])
    _write(client, arende, "Text")
    (note,) = _notes()
    tid.fram(25 * MIN)
    app.config["ANTECKNING_RATTELSEFONSTER_MINUTER"] = 30
    try:
        response = client.post(f"/arenden/{arende.id}/anteckningar/{note.id}/ratta", data={"text": "Ny"})
    finally:
        del app.config["ANTECKNING_RATTELSEFONSTER_MINUTER"]
    assert response.status_code == 303
    assert _notes()[0].text == "Ny"


def test_only_the_author_may_correct(world, login, arende):
    _write(login(world.users["ledamot_fk"]), arende, "FK:s text")
    (note,) = _notes()
    response = login(world.users["projektledare"]).post(
        f"/arenden/{arende.id}/anteckningar/{note.id}/ratta", data={"text": "Ändrad"})
    assert response.status_code == 403
    assert "Bara den som skrev anteckningen kan rätta den" in response.get_data(as_text=True)
    assert _notes()[0].text == "FK:s text"


def test_correction_must_not_be_empty(world, login, arende):
    client = login(world.users["ledamot_fk"])
    _write(client, arende, "Text")
    (note,) = _notes()
    response = client.post(f"/arenden/{arende.id}/anteckningar/{note.id}/ratta", data={"text": "<b></b>"})
    assert response.status_code == 422 and 'id="text-fel"' in response.get_data(as_text=True)
    assert _notes()[0].text == "Text"


# --- addenda ------------------------------------------------------------------------------

def test_addendum_is_a_new_note_linked_to_the_first(world, login, arende, tid):
    client = login(world.users["ledamot_fk"])
    _write(client, arende, "Första")
    (first,) = _notes()
    tid.fram(20 * MIN)  # past the correction window, within the session's idle timeout
    url = f"/arenden/{arende.id}/anteckningar/{first.id}/tillagg"
    page = client.get(url)
    assert page.status_code == 200 and "Första" in page.get_data(as_text=True)
    response = client.post(url, data={"text": "Kompletterande uppgift"})
    assert response.status_code == 303
    first, addendum = _notes()
    assert first.text == "Första" and first.rattad is None
    assert addendum.tillagg_till_id == first.id and addendum.skapad == NOW + 20 * MIN
    (entry,) = [e for e in _audit("anteckning.skapa") if e.objekt_id == addendum.id]
    assert entry.falt == "text,tillagg_till_id"
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert f'<a href="#anteckning-{first.id}">anteckningen 2026-02-10 10:00</a>' in html
    assert f'<a href="#anteckning-{addendum.id}">2026-02-10 10:20</a>' in html


def test_addendum_to_a_note_of_another_arende_is_not_found(world, login, arende):
    other = factories.create_arende(world)
    db.session.commit()
    client = login(world.users["ledamot_fk"])
    _write(client, other, "I det andra ärendet")
    (note,) = _notes()
    url = f"/arenden/{arende.id}/anteckningar/{note.id}/tillagg"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"text": "x"}).status_code == 404
    assert len(_notes()) == 1


# --- nothing is ever deleted -----------------------------------------------------------------

def test_there_is_no_way_to_delete_a_note(world, login, arende, app):
    for rule in app.url_map.iter_rules():
        if "anteckning" in rule.rule or rule.endpoint.startswith("anteckningar."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, rule
            assert not any(word in rule.rule for word in ("radera", "ta-bort", "tabort", "delete")), rule
    client = login(world.users["ledamot_fk"])
    _write(client, arende)
    (note,) = _notes()
    base = f"/arenden/{arende.id}/anteckningar/{note.id}"
    assert client.delete(base).status_code in (404, 405)
    assert client.post(f"{base}/radera").status_code == 404
    assert client.delete(f"{base}/ratta").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(Anteckning)) == 1
