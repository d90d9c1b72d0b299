"""Issue 14 through the API: a förbund with only its admin sets itself up with an admin
token (parties, two teams with their rules, members invited with roles), bad input is
refused in Swedish with nothing changed, a member's token cannot administer (403) and an
admin of another förbund finds nothing of this one (404). Every answer is checked against
the OpenAPI document by the test client."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from sqlalchemy import func, select

from samverkan.arenden.models import Arende
from samverkan.auth.models import User
from samverkan.auth.services import create_token
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.forbund import services
from samverkan.forbund.models import Medlemskap, PartTyp, Team, TeamRoll
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten.models import Mote
from tests import factories
from tests.api.helpers import Api, fel
from tests.api.test_schemathesis import _config, wsgi_probe  # noqa: F401 (a fixture)

NU = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _klocka(ctx):
    clock.set_clock(lambda: NU)


def _rader() -> dict[str, int]:
    skip = {"granskningslogg", "inloggningsforsok", "api_token"}  # (the token's last use)
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name not in skip}


class AdminApi(Api):
    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)


def _admin_api(client, admin: User, omfang: str = "skriva") -> AdminApi:
    _, secret = create_token(admin, "admin", omfang=omfang)
    db.session.commit()
    return AdminApi(client, secret)


def _nytt_forbund(kod: str = "PRV", epost: str = "alva@example.org"):
    forbund, admin = services.skapa_forbund(namn=f"Samordningsförbundet {kod}", kod=kod, admin_namn="Alva Admin",
                                            admin_epost=epost, losenord="ett-langt-losenord")
    db.session.commit()
    return forbund, admin


def test_a_forbund_with_only_its_admin_sets_itself_up_through_the_api(client):
    forbund, admin = _nytt_forbund()
    api = _admin_api(client, admin)

    parter = {}
    for typ, namn, kort in (("arbetsformedlingen", "Arbetsförmedlingen Provbygd", "AF"),
                            ("forsakringskassan", "Försäkringskassan Provbygd", "FK"),
                            ("kommun", "Provby kommun, IFO", "IFO"), ("kommun", "Provby kommun, AMI", "AMI"),
                            ("region", "Region Provbygd", "RPB")):
        response = api.post("/admin/parter", json={"typ": typ, "namn": namn, "kortnamn": kort})
        assert response.status_code == 201, response.get_json()
        parter[kort] = response.get_json()["id"]
    assert [p["kortnamn"] for p in api.get("/admin/parter").get_json()["parter"]
            if p["typ"] == "kommun"] == ["AMI", "IFO"]  # two kommun parties, kept apart

    # One team without Försäkringskassan, the kallelse 7 days before by default; one with all.
    response = api.post("/admin/teams", json={
        "namn": "Trisam Norr", "part_ids": [parter[k] for k in ("AF", "IFO", "AMI", "RPB")],
        "motesveckodag": 2, "motesordning": 1, "motestid": "13:30", "moteslangd_minuter": 90,
        "motesplats": "Kommunhuset, sal 2", "agendakapacitet": 5, "minuter_per_arende": 15})
    assert response.status_code == 201, response.get_json()
    norr = response.get_json()
    assert {p["kortnamn"] for p in norr["parter"]} == {"AF", "IFO", "AMI", "RPB"}
    assert (norr["kallelseregel"], norr["kallelse_dagar_fore"]) == ("dagar", 7)
    assert (norr["motesveckodag"], norr["motesordning"], norr["motestid"]) == (2, 1, "13:30")
    response = api.post("/admin/teams", json={
        "namn": "Samverkanscirkel Söder", "typ": "samverkanscirkel", "part_ids": list(parter.values()),
        "kallelseregel": "fredag", "uppehall_manader": [7, 8], "planeringsmanader": [1]})
    assert response.status_code == 201, response.get_json()
    soder = response.get_json()
    assert {p["typ"] for p in soder["parter"]} == {t.value for t in PartTyp}
    assert soder["kallelse_dagar_fore"] is None and soder["uppehall_manader"] == [7, 8]

    # Members invited: the answer carries no link; the mail does.
    def bjud_in(namn, epost, part):
        response = api.post("/admin/anvandare", json={"namn": namn, "epost": epost, "part_id": parter.get(part)})
        assert response.status_code == 201, response.get_json()
        assert "valj-losenord" not in response.get_data(as_text=True)
        return response.get_json()["id"]

    pia = bjud_in("Pia Projektledare", "pia@example.org", "IFO")
    lo = bjud_in("Lo Ledamot", "lo@example.org", "AF")
    eja = bjud_in("Eja Ersättare", "eja@example.org", "AF")
    ami = bjud_in("Ami Ledamot", "ami@example.org", "AMI")
    sam = bjud_in("Sam Coach", "sam@example.org", None)
    inbjudningar = db.session.execute(select(Utskick).where(Utskick.typ == UtskickTyp.INBJUDAN)).scalars().all()
    assert {u.epost for u in inbjudningar} == {"pia@example.org", "lo@example.org", "eja@example.org",
                                                "ami@example.org", "sam@example.org"}
    assert all("/konto/valj-losenord/" in u.text for u in inbjudningar)

    def roll(user_id, team, roll, **extra):
        response = api.post("/admin/medlemskap", json={"user_id": user_id, "team_id": team["id"], "roll": roll,
                                                       **extra})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    roll(pia, norr, "projektledare")
    lo_ledamot = roll(lo, norr, "ledamot")
    ersattare = roll(eja, norr, "ersattare", ersatter_id=lo_ledamot["medlemskap_id"])
    assert ersattare["ersatter_id"] == lo_ledamot["medlemskap_id"]
    roll(ami, norr, "ledamot")
    roll(sam, norr, "samcoach", kapacitet=3)
    roll(sam, soder, "samcoach")
    assert api.put(f"/admin/anvandare/{sam}/kapacitet", json={"kapacitet": 5}).status_code == 204
    assert db.session.execute(select(Medlemskap.kapacitet).where(
        Medlemskap.user_id == sam, Medlemskap.roll == TeamRoll.SAMCOACH)).scalars().all() == [5, 5]

    teams = {t["namn"]: t for t in api.get("/admin/teams").get_json()["teams"]}
    assert {(m["namn"], m["roll"]) for m in teams["Trisam Norr"]["medlemmar"]} == {
        ("Pia Projektledare", "projektledare"), ("Lo Ledamot", "ledamot"), ("Eja Ersättare", "ersattare"),
        ("Ami Ledamot", "ledamot"), ("Sam Coach", "samcoach")}
    anvandare = {u["epost"]: u for u in api.get("/admin/anvandare").get_json()["anvandare"]}
    assert [r["roll"] for r in anvandare["eja@example.org"]["roller"]] == ["ersattare"]

    # The team's rules change; only what is sent changes, and the meetings follow the kallelse.
    team = db.session.get(Team, norr["id"])
    services.generera_moten(admin, team.id, startmanad=dt.date(2026, 12, 1))
    db.session.commit()
    mote = db.session.execute(select(Mote).where(Mote.team_id == team.id).order_by(Mote.starttid).limit(1)).scalar_one()
    assert clock.local(mote.kallelse_planerad).date() == clock.local(mote.starttid).date() - dt.timedelta(days=7)
    response = api.patch(f"/admin/teams/{norr['id']}", json={"kallelse_dagar_fore": 10})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["motesplats"] == "Kommunhuset, sal 2"
    db.session.expire_all()
    mote = db.session.get(Mote, mote.id)
    assert clock.local(mote.kallelse_planerad).date() == clock.local(mote.starttid).date() - dt.timedelta(days=10)
    response = api.patch(f"/admin/anvandare/{sam}", json={"part_id": parter["RPB"]})
    assert response.get_json()["part_id"] == parter["RPB"]
    response = api.patch(f"/admin/parter/{parter['AMI']}", json={"namn": "Provby kommun, Arbetsmarknad"})
    assert response.get_json() == {"id": parter["AMI"], "typ": "kommun", "namn": "Provby kommun, Arbetsmarknad",
                                   "kortnamn": "AMI"}

    # Everything audited as the admin.
    handlingar = set(db.session.execute(select(AuditEntry.handling).where(AuditEntry.user_id == admin.id)).scalars())
    assert {"part.skapa", "team.skapa", "anvandare.skapa", "medlemskap.skapa", "samcoach.kapacitet",
            "team.andra", "part.andra"} <= handlingar


def test_bad_input_is_refused_in_swedish_and_changes_nothing(world, client):
    api = _admin_api(client, world.users["admin"])
    fore = _rader()

    response = api.post("/admin/anvandare", json={"namn": "Dubbel", "epost": world.users["ledamot_af"].epost.upper()})
    assert response.status_code == 422
    assert fel(response)["falt_fel"]["epost"] == "Det finns redan en användare med den e-postadressen."

    response = api.post("/admin/teams", json={"namn": "Tomt team", "part_ids": []})
    assert response.status_code == 422
    assert fel(response)["falt_fel"]["part_ids"] == "Välj minst en part som sitter i teamet."

    ny = services.bjud_in(world.users["admin"], namn="Nils Ny", epost="nils@example.org",
                          part_id=world.parter["af"].id)
    db.session.commit()
    fore = _rader()
    response = api.post("/admin/medlemskap", json={"user_id": ny.id, "team_id": world.team.id, "roll": "ersattare"})
    assert response.status_code == 422
    assert fel(response)["falt_fel"]["ersatter_id"] == "Välj vilken ledamot i teamet ersättaren ersätter."
    # A team of several refusals says each; a part of another förbund is not offered.
    response = api.post("/admin/teams", json={"namn": world.team.namn, "part_ids": [world.parter["af"].id],
                                              "motesplats_video": "ftp://x", "kallelse_dagar_fore": 0})
    assert set(fel(response)["falt_fel"]) == {"namn", "motesplats_video", "kallelse_dagar_fore"}
    response = api.post("/admin/parter", json={"typ": "region", "namn": "  "})
    assert fel(response)["falt_fel"] == {"namn": "Ange partens namn."}
    response = api.post("/admin/parter", json={"typ": "landsting", "namn": "X"})
    assert response.status_code == 422 and fel(response)["falt"] == "typ"
    response = api.put(f"/admin/anvandare/{ny.id}/kapacitet", json={"kapacitet": 4})
    assert fel(response)["meddelande"] == "Användaren är inte samcoach i något team."
    assert _rader() == fore


def test_deactivate_and_reassign_a_departing_handlaggare(world, client):
    arende = factories.create_arende(world, handlaggare="ledamot_af", parter=["af", "kommun"])
    db.session.commit()
    parter_fore = {p.id for p in arende.samtycke.parter}
    api = _admin_api(client, world.users["admin"])
    fran = world.users["ledamot_af"]
    _, ledamotens = create_token(fran, "egen")
    db.session.commit()

    fore = _rader()
    response = api.post(f"/admin/anvandare/{fran.id}/overfor", json={"till_id": world.users["ledamot_fk"].id})
    assert response.status_code == 422
    assert fel(response) == {"kod": "ogiltig_kollega", "meddelande": "Välj en aktiv kollega från samma part.",
                             "falt": "till_id"}
    assert _rader() == fore

    response = api.post(f"/admin/anvandare/{fran.id}/overfor", json={"till_id": world.users["granne"].id})
    assert response.get_json() == {"overforda": 1}
    response = api.post(f"/admin/anvandare/{fran.id}/avaktivera")
    assert response.status_code == 200 and response.get_json()["aktiv"] is False
    db.session.expire_all()
    arende = db.session.get(Arende, arende.id)
    assert arende.handlaggare_id == world.users["granne"].id
    assert {p.id for p in arende.samtycke.parter} == parter_fore
    # The departed member's token ends at once.
    assert Api(client, ledamotens).get("/teams").status_code == 401
    assert fel(api.post(f"/admin/anvandare/{world.users['admin'].id}/avaktivera"))["kod"] == "sig_sjalv"


def test_removing_a_role_and_a_ledamot_with_an_ersattare(world, client):
    api = _admin_api(client, world.users["admin"])
    ersattare = db.session.execute(select(Medlemskap).where(Medlemskap.roll == TeamRoll.ERSATTARE,
                                                            Medlemskap.team_id == world.team.id)).scalar_one()
    ersattare_id, ledamot_id = ersattare.id, ersattare.ersatter_id
    response = api.delete(f"/admin/medlemskap/{ledamot_id}")
    assert response.status_code == 422 and fel(response)["kod"] == "har_ersattare"
    assert api.delete(f"/admin/medlemskap/{ersattare_id}").status_code == 204
    db.session.expire_all()
    assert db.session.get(Medlemskap, ersattare_id) is None
    assert db.session.get(Medlemskap, ledamot_id) is not None


def test_a_members_token_cannot_administer(world, client, api):
    fore = _rader()
    ledamot = api("ledamot_af")
    for response in (ledamot.get("/admin/parter"), ledamot.get("/admin/teams"), ledamot.get("/admin/anvandare"),
                     ledamot.post("/admin/parter", json={"typ": "region", "namn": "Ny region"}),
                     ledamot.post("/admin/parter", json={"fel": "fält"}),  # refused before the body is read
                     ledamot.post(f"/admin/anvandare/{world.users['ledamot_fk'].id}/avaktivera")):
        assert response.status_code == 403, response.get_json()
        assert fel(response)["kod"] == "saknar_behorighet"
    # The admin with a token that may only read reads, and writes nothing.
    lasande = _admin_api(client, world.users["admin"], omfang="lasa")
    assert lasande.get("/admin/teams").status_code == 200
    assert lasande.post("/admin/parter", json={"typ": "region", "namn": "Ny region"}).status_code == 403
    assert _rader() == fore


def test_an_admin_of_another_forbund_finds_nothing_of_this_one(world, client):
    _, annan = _nytt_forbund("ANN", "annan.admin@example.org")
    api = _admin_api(client, annan)
    fore = _rader()
    medlemskap = world.users["ledamot_fk"].medlemskap[0]
    for response in (
        api.patch(f"/admin/parter/{world.parter['af'].id}", json={"namn": "Kapad"}),
        api.patch(f"/admin/teams/{world.team.id}", json={"namn": "Kapat"}),
        api.patch(f"/admin/anvandare/{world.users['ledamot_af'].id}", json={"part_id": None}),
        api.post(f"/admin/anvandare/{world.users['ledamot_af'].id}/avaktivera"),
        api.post(f"/admin/anvandare/{world.users['ledamot_af'].id}/overfor", json={"till_id": world.users['granne'].id}),
        api.put(f"/admin/anvandare/{world.users['samcoach'].id}/kapacitet", json={"kapacitet": 1}),
        api.post("/admin/medlemskap", json={"user_id": world.users["ledamot_af"].id, "team_id": world.team.id,
                                            "roll": "projektledare"}),
        api.delete(f"/admin/medlemskap/{medlemskap.id}"),
    ):
        assert response.status_code == 404, response.get_json()
    assert api.get("/admin/parter").get_json() == {"parter": []}
    assert api.get("/admin/anvandare").get_json()["anvandare"][0]["epost"] == "annan.admin@example.org"
    # A team of this förbund cannot seat the other förbund's parties.
    response = api.post("/admin/teams", json={"namn": "Lånat", "part_ids": [world.parter["af"].id]})
    assert response.status_code == 422 and "part_ids" in fel(response)["falt_fel"]
    assert _rader() == fore


def test_schemathesis_as_the_admin_finds_nothing(app, world, wsgi_probe):  # noqa: F811
    """The run of ``test_schemathesis.py`` calls with a projektledare's token, which the
    admin's endpoints refuse before reading the request: here the same checks with the
    admin's token, so every admin endpoint's reading and answers are walked."""
    from schemathesis.engine import Status, from_schema
    from schemathesis.engine.events import EngineFinished, FatalError, NonFatalError, ScenarioFinished

    _, secret = create_token(world.users["admin"], "schemathesis")
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=_config(secret, db.engine.dialect.name))
    schema = schema.include(path_regex="^/admin/")
    cases, fel_, fatal = 0, [], []
    for event in from_schema(schema).execute():
        if isinstance(event, ScenarioFinished):
            cases += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        case = event.recorder.cases[case_id].value
                        fel_.append(f"{event.label}: {check.name}: {case.method} {case.formatted_path} "
                                    f"body={case.body!r}: {check.failure_info.failure.title}")
        elif isinstance(event, NonFatalError | FatalError):
            fatal.append(repr(getattr(event, "value", None) or getattr(event, "exception", None)))
        elif isinstance(event, EngineFinished):
            break
    assert not fatal, fatal
    print(f"schemathesis as the admin: {cases} cases")
    assert cases > 50
    assert sorted(set(fel_)) == [], "\n".join(sorted(set(fel_)))


def test_csv_import_dry_run_shows_each_rows_errors_and_nothing_is_imported_while_any_is_wrong(world, client):
    api = _admin_api(client, world.users["admin"])
    team = world.team.namn
    af = world.parter["af"].namn
    rader = ["namn;epost;part;team;roll;ersatter",
             f"Rut Rad;rut@example.org;{af};{team};ledamot;",
             f"Fel Rad;{world.users['ledamot_af'].epost};{af};{team};ersattare;"]
    fore = _rader()
    response = api.post("/admin/import", json={"csv": "\n".join(rader), "torrkorning": True})
    assert response.status_code == 200
    svar = response.get_json()
    assert svar["ok"] is False and svar["importerade"] == 0
    assert svar["rader"][0] == {"rad": 2, "epost": "rut@example.org", "fel": []}
    assert "Det finns redan en användare med den e-postadressen." in svar["rader"][1]["fel"]
    response = api.post("/admin/import", json={"csv": "\n".join(rader)})
    assert response.status_code == 422
    assert set(fel(response)["falt_fel"]) == {"rad_3"}
    assert _rader() == fore

    response = api.post("/admin/import", json={"csv": "\n".join(rader[:2])})
    assert response.get_json()["importerade"] == 1
    ny = db.session.execute(select(User).where(User.epost == "rut@example.org")).scalar_one()
    assert [m.roll for m in ny.medlemskap] == [TeamRoll.LEDAMOT]
    response = api.post("/admin/import", json={"csv": "namn;epost;part;team;roll\n" + "a" * 140_000 + ";b;c;d;e"})
    assert response.status_code == 422 and fel(response)["kod"] == "ogiltig_fil"
