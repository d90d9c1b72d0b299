"""The aktualisering form as a handläggare uses it: drafts, sending to the team, every
refusal leaving the database as it was, editing one's own draft, and the consent form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from samverkan.arenden.models import Arende, ArendeHandelse, Referensserie
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare, Samtycke, samtycke_part
from samverkan.forbund.models import Medlemskap, Part, PartTyp, TeamRoll
from tests import factories


def _data(world, **overrides) -> dict:
    today = clock.today()
    data = {
        "team_id": world.team.id,
        "identitet": "personnummer",
        "personnummer": factories.personnummer(),
        "kon": "kvinna",
        "parter": world.team_part_ids(),
        "givet_den": (today - dt.timedelta(days=1)).isoformat(),
        "giltigt_till": (today + dt.timedelta(days=365)).isoformat(),
        "satt": "underskrivet",
        "dokumentreferens": "Akt 2026/12",
        "fragestallning": "Hur kan vi samordna stödet mot arbete?",
        "forsorjning_start": "forsorjningsstod",
        "sysselsattning_start": "ingen",
        "utbildningsniva": "gymnasial",
        "tid_i_offentligt_stod": "1_3_ar",
        "spara": "Spara utkast",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _skicka(world, **overrides) -> dict:
    data = _data(world, **overrides)
    data.pop("spara")
    data["skicka"] = "Skicka till teamet"
    return data


def _row_counts() -> dict[str, int]:
    """Every table an aktualisering writes: equal before and after means nothing saved."""
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
              for m in (Arende, ArendeHandelse, Deltagare, Samtycke, Referensserie, AuditEntry)}
    counts["samtycke_part"] = db.session.scalar(select(func.count()).select_from(samtycke_part))
    return counts


def _only_arende() -> Arende:
    db.session.expire_all()
    return db.session.execute(select(Arende)).scalar_one()


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-fel">([^<]*)<', html)
    assert match, f"no error beside {field_id}"
    return match.group(1)


# --- the empty form -------------------------------------------------------------------
def test_new_form_ticks_every_party_of_the_teams_ledamoter_and_links_the_consent_form(world, login):
    # An ersättare's own party is not one of the team's parties: those are its ledamöter's.
    extra = Part(forbund_id=world.forbund.id, typ=PartTyp.KOMMUN, namn="Testby kommun, LSS")
    db.session.add(extra)
    db.session.flush()
    user = factories.create_user(world.forbund, extra, "Extra Ersättare")
    db.session.add(Medlemskap(team_id=world.team.id, user_id=user.id, roll=TeamRoll.ERSATTARE))
    db.session.commit()

    html = login(world.users["ledamot_af"]).get("/aktualisering/ny").get_data(as_text=True)
    checked = set(re.findall(r'<input checked id="parter-\d+" name="parter" type="checkbox" value="(\d+)"', html))
    assert checked == {str(i) for i in world.team_part_ids()}
    assert "Testby kommun, LSS" not in html
    assert f"/aktualisering/samtyckesblankett?team={world.team.id}" in html
    assert html.count("<h1>") == 1


@pytest.mark.parametrize("key", ["admin", "styrgrupp", "samcoach"])
def test_only_those_who_bring_arenden_get_the_form(world, login, key):
    assert login(world.users[key]).get("/aktualisering/ny").status_code == 403


# --- happy paths ----------------------------------------------------------------------
def test_save_draft_stores_everything_and_goes_on_editing(world, login):
    client = login(world.users["ledamot_af"])
    response = client.post("/aktualisering/ny", data=_data(world))
    assert response.status_code == 303
    arende = _only_arende()
    assert response.headers["Location"].endswith(f"/aktualisering/{arende.id}/redigera")
    assert arende.status == "utkast"
    assert arende.handlaggare_id == world.users["ledamot_af"].id
    assert arende.aktualiserande_part_id == world.parter["af"].id
    assert (arende.forsorjning_start, arende.sysselsattning_start) == ("forsorjningsstod", "ingen")
    assert (arende.utbildningsniva, arende.tid_i_offentligt_stod) == ("gymnasial", "1_3_ar")
    assert arende.fragestallning == "<p>Hur kan vi samordna stödet mot arbete?</p>"
    assert {p.id for p in arende.samtycke.parter} == set(world.team_part_ids())
    assert arende.samtycke.dokumentreferens == "Akt 2026/12"
    assert "Utkastet är sparat." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_draft_may_wait_for_its_consent(world, login):
    response = login(world.users["ledamot_af"]).post(
        "/aktualisering/ny", data=_data(world, givet_den="", giltigt_till="", dokumentreferens=""))
    assert response.status_code == 303
    assert _only_arende().samtycke is None


def test_send_to_team_aktualiserar_and_shows_in_mina_and_in_the_inkorg(world, login):
    client = login(world.users["ledamot_af"])
    response = client.post("/aktualisering/ny", data=_skicka(world))
    assert response.status_code == 303
    arende = _only_arende()
    assert response.headers["Location"].endswith(f"/arenden/{arende.id}")
    assert arende.status == "aktualiserad"
    assert arende.aktualiserad_den == clock.today()
    assert [h.trigger for h in arende.handelser] == ["aktualisera"]
    assert arende.referens in client.get("/arenden/mina").get_data(as_text=True)

    inkorg = login(world.users["projektledare"]).get("/arenden/inkorg")
    assert inkorg.status_code == 200
    assert arende.referens in inkorg.get_data(as_text=True)


def test_anonymous_code_with_birth_year(world, login):
    response = login(world.users["ledamot_af"]).post("/aktualisering/ny", data=_data(
        world, identitet="anonym", personnummer="", anonym_kod="SKYDD-17", fodelsear="1988", kon="annat"))
    assert response.status_code == 303
    deltagare = _only_arende().deltagare
    assert (deltagare.personnummer, deltagare.anonym_kod, deltagare.fodelsear) == (None, "SKYDD-17", 1988)
    assert deltagare.kon.value == "annat"


def test_one_person_is_one_deltagare_per_forbund(world, login):
    client = login(world.users["ledamot_af"])
    nummer = factories.personnummer()
    assert client.post("/aktualisering/ny", data=_data(world, personnummer=nummer)).status_code == 303
    short = nummer[2:8] + "-" + nummer[8:]  # the same person written with ten digits
    assert client.post("/aktualisering/ny", data=_data(world, personnummer=short)).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Deltagare)) == 1
    assert db.session.scalar(select(func.count()).select_from(Arende)) == 2


def test_script_in_fragestallning_is_stripped_and_plain_text_becomes_paragraphs(world, login):
    client = login(world.users["ledamot_af"])
    client.post("/aktualisering/ny", data=_data(
        world, fragestallning='<p>Hej <strong>teamet</strong></p><script>alert("x")</script>'
                              '<img src=x onerror="alert(1)">'))
    stored = _only_arende().fragestallning
    assert "<script" not in stored and "onerror" not in stored and "<img" not in stored
    assert "<strong>teamet</strong>" in stored

    client.post("/aktualisering/ny", data=_data(world, fragestallning="Rad ett\nrad två\n\nNytt <stycke"))
    db.session.expire_all()
    latest = db.session.execute(select(Arende).order_by(Arende.id.desc()).limit(1)).scalar_one()
    # "<stycke" is no tag: the text is plain, escaped, in paragraphs.
    assert latest.fragestallning == "<p>Rad ett<br>rad två</p><p>Nytt &lt;stycke</p>"


def test_switching_team_shows_that_teams_parties_and_saves_nothing(world, login):
    user = world.users["ledamot_af"]
    db.session.add(Medlemskap(team_id=world.annat_team.id, user_id=user.id, roll=TeamRoll.LEDAMOT))
    db.session.commit()
    client = login(user)
    before = _row_counts()
    response = client.post("/aktualisering/ny", data=_data(
        world, team_id=world.annat_team.id, byt_team="Visa teamets parter"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Grannby's ledamöter: Greta (AF) and now this user (AF): one party, ticked.
    assert re.findall(r'name="parter" type="checkbox" value="(\d+)"', html) == [str(world.parter["af"].id)]
    assert "Försäkringskassan Testbygd" not in html
    assert _row_counts() == before


# --- refusals: status 422, the message beside its field, nothing saved ---------------------
@pytest.mark.parametrize(("overrides", "skicka", "field_id", "message"), [
    ({"personnummer": "19800101-1235"}, False, "personnummer", "Kontrollsiffran stämmer inte"),
    ({"personnummer": "1980-01-01"}, True, "personnummer", "10 eller 12 siffror"),
    ({"personnummer": ""}, False, "personnummer", "Ange personnummer"),
    ({"identitet": "anonym", "personnummer": "", "anonym_kod": "KOD-1"}, False, "fodelsear", "Ange födelseår"),
    ({"identitet": "anonym", "personnummer": "", "anonym_kod": "Åsa Ö", "fodelsear": "1990"}, False,
     "anonym_kod", "bara innehålla"),
    ({"fragestallning": ""}, False, "fragestallning", "Skriv frågeställningen"),
    ({"fragestallning": "<p> </p><br><em></em>"}, True, "fragestallning", "Frågeställningen saknas"),
    ({"givet_den": "2020-01-01", "giltigt_till": "2020-12-31"}, True, "giltigt_till", "Samtycket gäller inte i dag"),
    ({"givet_den": "", "giltigt_till": "", "dokumentreferens": ""}, True, "givet_den", "Registrera deltagarens samtycke"),
    ({"giltigt_till": "2001-01-01"}, False, "giltigt_till", "Giltigt till måste vara"),
    ({"givet_den": "31/12/2025"}, False, "givet_den", "Ange datumet som ÅÅÅÅ-MM-DD."),
    ({"giltigt_till": ""}, False, "giltigt_till", "Ange hur länge samtycket gäller."),
    ({"parter": []}, False, "parter", "Välj minst en part"),
    ({"kon": None}, False, "kon", "Välj kön."),
    ({"forsorjning_start": "miljonar"}, False, "forsorjning_start", "Inte ett giltigt val"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
        world, login, overrides, skicka, field_id, message):
    client = login(world.users["ledamot_af"])
    before = _row_counts()
    data = (_skicka if skicka else _data)(world, **overrides)
    response = client.post("/aktualisering/ny", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert message in _field_error(html, field_id)
    assert "Formuläret innehåller fel" in html
    assert 'aria-invalid="true"' in html or f'id="{field_id}"' in html
    db.session.expire_all()
    assert _row_counts() == before


def test_consent_for_a_party_outside_the_team_is_refused(world, login):
    outside = Part(forbund_id=world.forbund.id, typ=PartTyp.REGION, namn="Region Testbygd, Psykiatrin")
    db.session.add(outside)
    db.session.commit()
    client = login(world.users["ledamot_af"])
    before = _row_counts()
    response = client.post("/aktualisering/ny", data=_data(world, parter=[*world.team_part_ids(), outside.id]))
    assert response.status_code == 422
    assert "teamets parter" in _field_error(response.get_data(as_text=True), "parter")
    assert _row_counts() == before


@pytest.mark.parametrize("team", ["annat", "missing"])
def test_forged_team_id_is_404_and_nothing_is_saved(world, login, team):
    team_id = world.annat_team.id if team == "annat" else 999999
    client = login(world.users["ledamot_af"])
    before = _row_counts()
    for data in (_data(world, team_id=team_id), _skicka(world, team_id=team_id)):
        assert client.post("/aktualisering/ny", data=data).status_code == 404
    assert client.get(f"/aktualisering/ny?team={team_id}").status_code == 404
    assert _row_counts() == before


def test_refused_form_keeps_what_was_typed(world, login):
    response = login(world.users["ledamot_af"]).post("/aktualisering/ny", data=_data(
        world, personnummer="19800101-1235", fragestallning="Min fråga till teamet"))
    html = response.get_data(as_text=True)
    assert 'value="19800101-1235"' in html
    assert "Min fråga till teamet" in html


# --- editing one's own draft ---------------------------------------------------------------
def _draft(world, login, user="ledamot_af", **overrides) -> tuple:
    client = login(world.users[user])
    assert client.post("/aktualisering/ny", data=_data(world, **overrides)).status_code == 303
    return client, _only_arende()


def test_edit_page_shows_the_draft_and_audits_the_read(world, login):
    nummer = factories.personnummer()
    client, arende = _draft(world, login, personnummer=nummer)
    response = client.get(f"/aktualisering/{arende.id}/redigera")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{nummer[:8]}-{nummer[8:]}"' in html
    assert "Hur kan vi samordna stödet mot arbete?" in html and "&lt;p&gt;" not in html
    assert f'<input id="version" name="version" type="hidden" value="{arende.version}">' in html
    reads = db.session.scalars(select(AuditEntry.handling).where(
        AuditEntry.objekt_id == arende.id, AuditEntry.handling == "arende.visa")).all()
    assert reads == ["arende.visa"]


def test_edit_replaces_a_changed_consent_and_is_audited(world, login):
    client, arende = _draft(world, login)
    first_consent = arende.samtycke.id
    new_until = clock.today() + dt.timedelta(days=100)
    response = client.post(f"/aktualisering/{arende.id}/redigera", data=_data(
        world, personnummer=f"{arende.deltagare.personnummer}", version=arende.version,
        giltigt_till=new_until.isoformat(), parter=[world.parter["af"].id, world.parter["fk"].id],
        fragestallning="En skarpare fråga", utbildningsniva="eftergymnasial"))
    assert response.status_code == 303
    arende = _only_arende()
    assert [s.id for s in arende.samtycken][0] == first_consent and len(arende.samtycken) == 2
    assert arende.samtycke.giltigt_till == new_until
    assert {p.id for p in arende.samtycke.parter} == {world.parter["af"].id, world.parter["fk"].id}
    assert arende.fragestallning == "<p>En skarpare fråga</p>"
    assert arende.utbildningsniva == "eftergymnasial"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.handling == "arende.andra")).scalar_one()
    assert set(entry.falt.split(",")) == {"fragestallning", "samtycke", "utbildningsniva"}


def test_unchanged_consent_is_not_registered_again(world, login):
    client, arende = _draft(world, login)
    data = _data(world, personnummer=arende.deltagare.personnummer, version=arende.version)
    assert client.post(f"/aktualisering/{arende.id}/redigera", data=data).status_code == 303
    assert len(_only_arende().samtycken) == 1


def test_edit_then_send_to_team(world, login):
    client, arende = _draft(world, login)
    response = client.post(f"/aktualisering/{arende.id}/redigera", data=_skicka(
        world, personnummer=arende.deltagare.personnummer, version=arende.version))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/arenden/{arende.id}")
    assert _only_arende().status == "aktualiserad"


def test_refused_edit_changes_nothing(world, login):
    client, arende = _draft(world, login)
    before = _row_counts()
    response = client.post(f"/aktualisering/{arende.id}/redigera", data=_skicka(
        world, personnummer=arende.deltagare.personnummer, version=arende.version,
        fragestallning="Ny fråga", givet_den="2020-01-01", giltigt_till="2020-02-01"))
    assert response.status_code == 422
    assert "Samtycket gäller inte i dag" in _field_error(response.get_data(as_text=True), "giltigt_till")
    assert _row_counts() == before
    arende = _only_arende()
    assert arende.status == "utkast" and "Ny fråga" not in arende.fragestallning


def test_stale_edit_is_a_conflict(world, login):
    client, arende = _draft(world, login)
    response = client.post(f"/aktualisering/{arende.id}/redigera", data=_data(
        world, personnummer=arende.deltagare.personnummer, version=arende.version - 1,
        fragestallning="Ny fråga"))
    assert response.status_code == 409
    assert "ändrats av någon annan" in response.get_data(as_text=True)
    assert "Ny fråga" not in _only_arende().fragestallning


# Issue 15: a draft is its author's alone; the rest of the team is told it does not exist.
@pytest.mark.parametrize(("user", "status"), [("ledamot_fk", 404), ("projektledare", 404), ("granne", 404)])
def test_only_the_author_edits_a_draft(world, login, user, status):
    _, arende = _draft(world, login)
    client = login(world.users[user])
    assert client.get(f"/aktualisering/{arende.id}/redigera").status_code == status
    data = _data(world, personnummer=arende.deltagare.personnummer, version=arende.version)
    assert client.post(f"/aktualisering/{arende.id}/redigera", data=data).status_code == status


def test_a_sent_arende_is_no_longer_edited_here(world, login):
    arende = factories.create_arende(world)
    db.session.commit()
    response = login(world.users["ledamot_af"]).get(f"/aktualisering/{arende.id}/redigera")
    assert response.status_code == 409


# --- the printable consent form ----------------------------------------------------------
def test_consent_form_lists_the_teams_parties_and_no_personal_data(world, login):
    factories.create_arende(world)
    db.session.commit()
    response = login(world.users["ledamot_fk"]).get(f"/aktualisering/samtyckesblankett?team={world.team.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for part in world.parter.values():
        assert part.namn in html
    assert "återkalla" in html and "Underskrift" in html
    assert world.users["ledamot_fk"].namn not in html.split("</header>", 1)[1]  # nothing prefilled
    assert not re.search(r"\d{8}-\d{4}", html)
    assert html.count("<h1>") == 1


def test_consent_form_of_another_team_is_404(world, login):
    client = login(world.users["ledamot_af"])
    assert client.get(f"/aktualisering/samtyckesblankett?team={world.annat_team.id}").status_code == 404
