"""Uppföljning Finsam (issue 17, point 5): anonymous participants listed and counted, in-
and out-registration per insats, and the reconciliation saying what differs."""

from __future__ import annotations

import re

from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.core.db import db
from samverkan.deltagare.models import Deltagare, Kon
from samverkan.insatser.models import Insats
from samverkan.rapporter.finsam import FINSAM_KODER
from samverkan.rapporter.models import FinsamInsatsRegistrering
from tests.rapporter.conftest import D


def test_anonymous_counted_insats_registered_in_and_out_and_differences_listed(facit, login):
    anonym = Deltagare(forbund_id=facit.forbund.id, personnummer=None, anonym_kod="ANON-7", kon=Kon("man"),
                       fodelsear=1990)
    db.session.add(anonym)
    db.session.flush()
    db.session.add(Arende(forbund_id=facit.forbund.id, team_id=facit.team.id, deltagare_id=anonym.id,
                          referens="TST-2026-900", aktualiserande_part_id=facit.parter["af"].id,
                          handlaggare_id=facit.users["ledamot_af"].id, status="aktualiserad",
                          aktualiserad_den=D(2026, 4, 20)))
    db.session.commit()
    pl = login(facit.users["projektledare"])
    url = f"/rapporter/team/{facit.team.id}/finsam"
    html = pl.get(url).get_data(as_text=True)
    assert html.count('class="ruta finsam"') == 8 and "Anonym (ANON-7)" in html
    assert re.search(r"Varav anonyma \(utan personnummer\)</th><td>1<", html)
    # a5's samcoach (1 Feb – 30 Mar) is neither registered in nor out; a2 lacks utbildningsnivå.
    assert "Samcoach från 2026-02-01: inskrivning ej registrerad" in html
    assert "Utbildningsnivå saknas" in html
    samcoach = db.session.execute(select(Insats).where(Insats.startad == D(2026, 2, 1))).scalar_one()
    bas = f"/rapporter/team/{facit.team.id}/finsam/insats/{samcoach.id}"
    assert pl.post(bas, data={"del": "ut"}).status_code == 303  # allowed: it has ended
    assert pl.post(bas, data={"del": "in"}).status_code == 303
    reg = db.session.execute(select(FinsamInsatsRegistrering)).scalar_one()
    assert reg.insats_id == samcoach.id and reg.in_registrerad and reg.ut_registrerad
    html = pl.get(url).get_data(as_text=True)
    assert "Samcoach från 2026-02-01: inskrivning ej registrerad" not in html
    # An ongoing insats cannot be registered out; another team's insats is not found.
    pagaende = db.session.execute(select(Insats).where(Insats.startad == D(2025, 12, 10))).scalar_one()
    pl.post(f"/rapporter/team/{facit.team.id}/finsam/insats/{pagaende.id}", data={"del": "ut"})
    assert db.session.execute(select(FinsamInsatsRegistrering).where(
        FinsamInsatsRegistrering.insats_id == pagaende.id)).first() is None
    assert pl.post(f"/rapporter/team/{facit.annat_team.id}/finsam/insats/{samcoach.id}",
                   data={"del": "in"}).status_code in (403, 404)
    rader = pl.get(f"{url}.csv").get_data().decode("utf-8-sig").splitlines()
    assert rader[-1] == "Varav anonyma (utan personnummer);1"


def test_every_code_maps_or_is_flagged():
    from samverkan.arenden import kodlistor

    for lista, koder in (("avslutsorsak", kodlistor.AVSLUTSORSAK), ("forsorjning", kodlistor.FORSORJNING),
                         ("sysselsattning", kodlistor.SYSSELSATTNING)):
        assert set(koder) - {"felregistrering"} == set(FINSAM_KODER[lista]), lista
