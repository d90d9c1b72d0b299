"""Issue 15, point 4: starting a draft never reads a person the caller may not see. A
handläggare who enters the number (or anonymous code) of a person registered by another
team's ärende sees on their draft what they entered — kön, födelseår — never what the
other team stored; the values are kept on the draft, and the person is left unchanged."""

from __future__ import annotations

import re

from samverkan.aktualisering import services as aktualisering
from samverkan.arenden import services
from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare, Kon
from tests import factories
from tests.api.conftest import api, token_for  # noqa: F401  (fixtures)


def _markerad(html: str, namn: str, varde: str) -> bool:
    return re.search(rf'<input[^>]*name="{namn}"[^>]*value="{varde}"[^>]*checked', html) is not None or \
        re.search(rf'<input[^>]*checked[^>]*name="{namn}"[^>]*value="{varde}"', html) is not None


def test_a_draft_for_another_teams_person_shows_what_was_entered(world, login, api):  # noqa: F811
    arende = factories.create_arende(world)  # kön kvinna, in the world's team
    db.session.commit()
    nummer = arende.deltagare.personnummer
    assert arende.deltagare.kon == Kon.KVINNA
    granne = world.users["granne"]
    utkast = services.create_utkast(granne, team_id=world.annat_team.id, fragestallning="<p>Fråga</p>",
                                    kon="man", personnummer=nummer)
    db.session.commit()

    client = login(granne)
    redigera = client.get(f"/aktualisering/{utkast.id}/redigera").get_data(as_text=True)
    assert _markerad(redigera, "kon", "man") and not _markerad(redigera, "kon", "kvinna")
    sida = client.get(f"/arenden/{utkast.id}").get_data(as_text=True)
    assert "<dt>Kön</dt><dd>Man</dd>" in sida and "Kvinna" not in sida
    svar = api("granne").get(f"/arenden/{utkast.id}")
    assert svar.status_code == 200 and svar.get_json()["deltagare"]["kon"] == "man"

    # Changed on the draft: kept on the draft; the person registered by the other team is not touched.
    u = aktualisering.Uppgifter(team_id=world.annat_team.id, kon="annat", fragestallning="Fråga",
                                personnummer=nummer)
    aktualisering.andra(granne, utkast.id, u, version=None, skicka=False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Arende, utkast.id).deltagaruppgifter.kon == Kon.ANNAT
    assert db.session.get(Deltagare, arende.deltagare_id).kon == Kon.KVINNA
    # The world team's own ärende still shows its own value.
    assert db.session.get(Arende, arende.id).deltagaruppgifter.kon == Kon.KVINNA


def test_an_anonymous_code_of_another_team_does_not_give_its_birth_year(world, login, api):  # noqa: F811
    forsta = services.create_utkast(world.users["ledamot_af"], team_id=world.team.id, fragestallning="<p>Fråga</p>",
                                    kon="kvinna", anonym_kod="SKYDD-17", fodelsear=1971)
    db.session.commit()
    granne = world.users["granne"]
    utkast = services.create_utkast(granne, team_id=world.annat_team.id, fragestallning="<p>Fråga</p>",
                                    kon="man", anonym_kod="SKYDD-17", fodelsear=1988)
    db.session.commit()
    assert utkast.deltagare_id == forsta.deltagare_id  # one person, one record

    client = login(granne)
    sida = client.get(f"/arenden/{utkast.id}").get_data(as_text=True)
    assert "<dt>Födelseår</dt><dd>1988</dd>" in sida and "1971" not in sida
    redigera = client.get(f"/aktualisering/{utkast.id}/redigera").get_data(as_text=True)
    assert 'value="1988"' in redigera and "1971" not in redigera
    deltagare = api("granne").get(f"/arenden/{utkast.id}").get_json()["deltagare"]
    assert (deltagare["kon"], deltagare["fodelsear"]) == ("man", 1988)
    db.session.expire_all()
    person = db.session.get(Deltagare, forsta.deltagare_id)
    assert (person.kon, person.fodelsear) == (Kon.KVINNA, 1971)
