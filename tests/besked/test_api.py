"""The API for notices: the caller's own settings (GET/PUT), and the protokoll's second
justerare and two-step justering, every answer checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from samverkan.core.db import db
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.protokoll import las
from tests.api.conftest import api, token_for  # noqa: F401  (fixtures)
from tests.api.helpers import fel
from tests.besked.test_protokoll_och_beslut import MEDLEMMAR, hallet  # noqa: F401  (fixture)


def test_own_settings_read_and_changed(world, api):  # noqa: F811
    klient = api("ledamot_fk")
    svar = klient.get("/konto/besked")
    assert svar.status_code == 200
    assert svar.get_json() == {"besked_beslut": True, "besked_vecka": True, "besked_uppdrag": True,
                               "besked_protokoll": True}
    svar = klient.request("PUT", "/konto/besked", json={"besked_vecka": False})
    assert svar.status_code == 200 and svar.get_json()["besked_vecka"] is False
    assert svar.get_json()["besked_protokoll"] is True  # not named: unchanged
    db.session.expire_all()
    assert world.users["ledamot_fk"].besked_vecka is False
    assert world.users["ledamot_af"].besked_vecka is True  # only one's own
    svar = klient.request("PUT", "/konto/besked", json={"besked_vecka": "nej"})
    assert svar.status_code == 422 and fel(svar)["kod"] == "ogiltig_typ"
    svar = klient.request("PUT", "/konto/besked", json={"sms": True})
    assert svar.status_code == 422 and fel(svar)["kod"] == "okant_falt"

def test_second_justerare_and_justering_through_the_api(world, hallet, api):  # noqa: F811
    m = hallet["mote"]
    justerare = world.users["ledamot_kommun"]
    svar = api("ledamot_fk").request("PUT", f"/moten/{m.id}/protokoll/justerare",
                                     json={"justerare_id": justerare.id})
    assert svar.status_code == 403
    svar = api("projektledare").request("PUT", f"/moten/{m.id}/protokoll/justerare",
                                        json={"justerare_id": world.users["samcoach"].id})
    assert svar.status_code == 422 and fel(svar)["kod"] == "ogiltig_justerare"
    svar = api("projektledare").request("PUT", f"/moten/{m.id}/protokoll/justerare",
                                        json={"justerare_id": justerare.id})
    assert svar.status_code == 200 and svar.get_json()["justerare_id"] == justerare.id

    svar = api("ledamot_kommun").post(f"/moten/{m.id}/protokoll/justera")
    assert svar.status_code == 200
    data = svar.get_json()
    assert data["justerare_justerat"] and data["justerat"] is None and data["projektledare_justerat"] is None
    assert not las.ar_justerat(m.id)
    svar = api("projektledare").post(f"/moten/{m.id}/protokoll/justera")
    assert svar.status_code == 200 and svar.get_json()["justerat"]
    assert las.ar_justerat(m.id)
    assert db.session.scalar(select(func.count()).select_from(Utskick)
                             .where(Utskick.typ == UtskickTyp.PROTOKOLL)) == len(MEDLEMMAR)
    svar = api("projektledare").request("PUT", f"/moten/{m.id}/protokoll/justerare",
                                        json={"justerare_id": None})
    assert svar.status_code == 422 and fel(svar)["kod"] == "protokoll_justerat"
