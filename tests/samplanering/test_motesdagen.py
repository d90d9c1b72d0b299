"""Meeting mode keeps the meeting's time (issue 15): it opens on the meeting day (Stockholm),
stays open after it until the protokoll is justerat with the late recording marked as such,
and refuses attendance and decisions for a meeting ahead — on the page, in the service and
in the API alike, changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.insatser.models import Insats
from samverkan.moten import narvaro
from samverkan.moten.models import Dagordningspunkt, Narvaro
from samverkan.protokoll.models import Protokoll
from samverkan.samplanering import services
from samverkan.samplanering.models import Atgard
from tests.api.conftest import api, token_for  # noqa: F401  (fixtures)
from tests.api.helpers import fel
from tests.moten.conftest import MOTESDAG, satt_klockan, under_motet
from workflows import arende as wf

FOLJ_UPP = dt.date(2026, 5, 5)
MEDDELANDE = "Mötesläget öppnar på mötesdagen 2026-03-10. Närvaro och beslut kan inte registreras före mötet."


def _antal() -> dict:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Atgard, Insats, Narvaro, ArendeHandelse, AuditEntry)}


def _narvarodata(world) -> dict[str, str]:
    return {f"narvaro-{p.id}": "narvarande" for p in world.parter.values()}


def _utfall(world) -> dict:
    return {"beslut": "ordinarie", "folj_upp_den": FOLJ_UPP.isoformat(),
            "atgarder": [{"beskrivning": "Kartläggning", "part_id": world.parter["af"].id, "ansvarig": "Kim Exempel",
                          "klar_senast": "2026-04-30"}]}


def _senaste_kommentar(punkt) -> str:
    return db.session.execute(select(ArendeHandelse.kommentar).where(ArendeHandelse.arende_id == punkt.arende_id)
                              .order_by(ArendeHandelse.id.desc()).limit(1)).scalar_one()


def test_before_the_meeting_day_nothing_is_recorded_on_any_path(world, pa_agendan, login, api):  # noqa: F811
    mote, [punkt] = pa_agendan(1)
    # The evening before the meeting, Stockholm time (23:30 local is 22:30 UTC in March).
    satt_klockan(dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC))
    pl = world.users["projektledare"]
    fore = _antal()

    with pytest.raises(DomainError) as error:
        services.registrera_punkt(pl, mote.id, punkt.id, beslut="bordlagd")
    assert (error.value.code, error.value.message) == ("fore_motesdagen", MEDDELANDE)
    with pytest.raises(DomainError) as error:
        narvaro.registrera(pl, mote.id, {p.id: ("narvarande", None) for p in world.parter.values()})
    assert error.value.code == "fore_motesdagen"
    db.session.rollback()

    client = login(pl)
    html = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert MEDDELANDE in html
    assert "Spara närvaro" not in html and "Beslutet registreras på mötesdagen." in html
    response = client.post(f"/moten/{mote.id}/moteslage/punkter/{punkt.id}",
                           data={"beslut": "ordinarie", "folj_upp_den": FOLJ_UPP.isoformat()})
    assert response.status_code == 422 and MEDDELANDE in response.get_data(as_text=True)
    response = client.post(f"/moten/{mote.id}/moteslage/narvaro", data=_narvarodata(world))
    assert response.status_code == 422 and MEDDELANDE in response.get_data(as_text=True)

    response = api("projektledare").post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall", json=_utfall(world))
    assert response.status_code == 422 and fel(response)["kod"] == "fore_motesdagen"
    assert fel(response)["meddelande"] == MEDDELANDE
    rader = [{"part_id": p.id, "status": "narvarande"} for p in world.parter.values()]
    response = api("projektledare").request("PUT", f"/moten/{mote.id}/narvaro", json={"narvaro": rader})
    assert response.status_code == 422 and fel(response)["kod"] == "fore_motesdagen"

    db.session.expire_all()
    efter = _antal()
    # Only the page reads were audited (meeting mode shows each item's frågeställning).
    assert {k: v for k, v in efter.items() if k != "AuditEntry"} == {k: v for k, v in fore.items() if k != "AuditEntry"}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.handling.in_(["samplanering.registrera", "mote.narvaro"]))) == 0
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA
    assert db.session.get(Dagordningspunkt, punkt.id).utfall is None


def test_on_the_meeting_day_it_opens_before_the_start(world, pa_agendan, api):  # noqa: F811
    mote, [punkt] = pa_agendan(1)
    # 08:00 in Stockholm on the meeting day: the meeting starts at 13:00, meeting mode is open.
    satt_klockan(dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC))
    assert clock.today() == MOTESDAG
    response = api("projektledare").post(f"/moten/{mote.id}/dagordning/{punkt.id}/utfall", json=_utfall(world))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["registrerat_i_efterhand"] is False
    assert db.session.get(Dagordningspunkt, punkt.id).utfall == "samplanerad"
    assert "efterhand" not in _senaste_kommentar(punkt)
    narvaro.registrera(world.users["projektledare"], mote.id,
                       {p.id: ("narvarande", None) for p in world.parter.values()})
    db.session.commit()
    assert db.session.scalar(select(func.count(Narvaro.id))) == len(world.parter)


def test_after_the_meeting_day_the_recording_is_marked_as_late(world, pa_agendan, login, api):  # noqa: F811
    mote, (forst, andra) = pa_agendan(2)
    under_motet(mote, dagar_efter=2)
    pl = world.users["projektledare"]
    client = login(pl)
    html = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert "Det du registrerar nu märks som registrerat i efterhand." in html and "Spara närvaro" in html

    response = client.post(f"/moten/{mote.id}/moteslage/punkter/{forst.id}",
                           data={"beslut": "ordinarie", "folj_upp_den": FOLJ_UPP.isoformat()})
    assert response.status_code == 303
    assert _senaste_kommentar(forst).endswith("Registrerat i efterhand 2026-03-12.")
    html = client.get(f"/moten/{mote.id}/moteslage").get_data(as_text=True)
    assert '<dd class="registrerat-i-efterhand">I efterhand, 2026-03-12</dd>' in html
    assert client.post(f"/moten/{mote.id}/moteslage/narvaro", data=_narvarodata(world)).status_code == 303

    response = api("projektledare").post(f"/moten/{mote.id}/dagordning/{andra.id}/utfall", json=_utfall(world))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["registrerat_i_efterhand"] is True
    assert "Registrerat i efterhand 2026-03-12." in _senaste_kommentar(andra)


def test_after_justering_meeting_mode_is_closed(world, pa_agendan, login):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote, dagar_efter=3)
    pl = world.users["projektledare"]
    db.session.add(Protokoll(mote_id=mote.id, justerat=clock.now(), justerat_av_id=pl.id))
    db.session.commit()
    with pytest.raises(DomainError) as error:
        services.registrera_punkt(pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=FOLJ_UPP)
    assert error.value.code == "protokoll_justerat"
    db.session.rollback()
    response = login(pl).post(f"/moten/{mote.id}/moteslage/narvaro", data=_narvarodata(world))
    assert response.status_code == 422
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA
    assert db.session.scalar(select(func.count(Narvaro.id))) == 0
