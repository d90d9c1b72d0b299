"""Issue 14: a förbund sets itself up and runs itself (CLI, the admin's pages, accounts).

Each refusal is checked for its Swedish message beside the field and for nothing changed
(every table's row count before and after)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from samverkan.arenden.flow import team_part_ids
from samverkan.arenden.models import Arende
from samverkan.auth import services as auth_services
from samverkan.auth.models import ApiToken, Engangslank, User
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.forbund import services
from samverkan.forbund.models import Forbund, Medlemskap, Part, PartTyp, Team, TeamRoll
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten.models import Mote, MotesTyp
from tests import factories
from tests.conftest import IsolatedClient

NU = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
NYTT = "ett-nytt-langt-losenord"


@pytest.fixture(autouse=True)
def _klocka(ctx):
    clock.set_clock(lambda: NU)


def _rader() -> dict[str, int]:
    skip = {"granskningslogg", "inloggningsforsok"}
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name not in skip}


def _fel_vid(html: str, falt: str) -> str:
    """The error text shown beside field ``falt`` (macros.field / valgrupp)."""
    match = re.search(rf'id="{falt}-fel">([^<]*)<', html)
    assert match, f"no error beside {falt}"
    return match.group(1)


def _lank(epost: str) -> str:
    rad = db.session.execute(select(Utskick).where(Utskick.epost == epost).order_by(Utskick.id.desc())
                             .limit(1)).scalar_one()
    return re.search(r"https?://\S+/konto/valj-losenord/\S+", rad.text).group(0)


def _sokvag(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- the CLI: from an empty database ----------------------------------------------------------


def test_cli_sets_up_a_forbund_with_parties_teams_and_members(ctx):
    runner = ctx.test_cli_runner()

    def kor(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    kor("setup", "--namn", "Samordningsförbundet Provbygd", "--kod", "PRV", "--admin-namn", "Alva Admin",
        "--admin-epost", "alva@example.org", "--losenord", "ett-langt-losenord")
    for typ, namn, kort in (("arbetsformedlingen", "Arbetsförmedlingen Provbygd", "AF"),
                            ("forsakringskassan", "Försäkringskassan Provbygd", "FK"),
                            ("kommun", "Provby kommun, IFO", "IFO"), ("kommun", "Provby kommun, AMI", "AMI"),
                            ("region", "Region Provbygd", "RPB")):
        kor("part", "--forbund", "PRV", "--typ", typ, "--namn", namn, "--kortnamn", kort)
    kor("team", "--forbund", "PRV", "--namn", "Trisam Norr", "--part", "AF", "--part", "IFO", "--part", "AMI",
        "--part", "RPB")
    kor("team", "--forbund", "PRV", "--namn", "Samverkanscirkel Söder", "--typ", "samverkanscirkel",
        "--part", "AF", "--part", "FK", "--part", "IFO", "--part", "RPB", "--kallelse-fredag")
    kor("medlem", "--forbund", "PRV", "--epost", "lo@example.org", "--namn", "Lo Ledamot", "--part", "AF",
        "--team", "Trisam Norr", "--roll", "ledamot")
    kor("medlem", "--forbund", "PRV", "--epost", "eja@example.org", "--namn", "Eja Ersättare", "--part", "AF",
        "--team", "Trisam Norr", "--roll", "ersattare", "--ersatter", "lo@example.org")

    norr = db.session.execute(select(Team).where(Team.namn == "Trisam Norr")).scalar_one()
    soder = db.session.execute(select(Team).where(Team.namn == "Samverkanscirkel Söder")).scalar_one()
    assert {p.kortnamn for p in norr.parter} == {"AF", "IFO", "AMI", "RPB"}
    assert len(team_part_ids(norr.id)) == 4 and PartTyp.FORSAKRINGSKASSAN not in {p.typ for p in norr.parter}
    assert {p.typ for p in soder.parter} == set(PartTyp)
    assert norr.kallelse_dagar_fore == 7 and soder.kallelse_dagar_fore is None
    ersattare = db.session.execute(select(Medlemskap).where(Medlemskap.roll == TeamRoll.ERSATTARE)).scalar_one()
    assert ersattare.ersatter.user.epost == "lo@example.org"
    # Invitations in the outbox, without a name.
    inbjudningar = db.session.execute(select(Utskick).where(Utskick.typ == UtskickTyp.INBJUDAN)).scalars().all()
    assert {u.epost for u in inbjudningar} == {"lo@example.org", "eja@example.org"}
    # The link's random token may hold "Lo" by chance (once in about fifty runs): look outside it.
    texter = [re.sub(r"https?://\S+", "<länk>", u.text) for u in inbjudningar]
    assert all("<länk>" in t and "Lo" not in t and "Eja" not in t for t in texter), texter

    fore = _rader()
    result = runner.invoke(args=["medlem", "--forbund", "PRV", "--epost", "ny@example.org", "--namn", "Ny Person",
                                 "--part", "AF", "--team", "Trisam Norr", "--roll", "ersattare"])
    assert "är inbjuden" not in result.output  # nothing said to be done that was not
    assert result.exit_code != 0 and "Välj vilken ledamot i teamet ersättaren ersätter." in result.output
    result = runner.invoke(args=["team", "--forbund", "PRV", "--namn", "Trisam Norr", "--part", "AF"])
    assert result.exit_code != 0 and "redan ett team med det namnet" in result.output
    assert _rader() == fore


def test_setup_without_password_sends_an_invitation_and_refuses_a_second_code(ctx):
    runner = ctx.test_cli_runner()
    result = runner.invoke(args=["setup", "--namn", "Förbundet Ett", "--kod", "ETT", "--admin-namn", "Ada Admin",
                                 "--admin-epost", "ada@example.org"])
    assert result.exit_code == 0, result.output
    # No mail server in the tests: the link is printed, and it is the one in the outbox.
    assert _lank("ada@example.org") in result.output
    fore = _rader()
    result = runner.invoke(args=["setup", "--namn", "Förbundet Två", "--kod", "ETT", "--admin-namn", "Bo Admin",
                                 "--admin-epost", "ada@example.org"])
    assert result.exit_code != 0
    assert "Koden används redan" in result.output and "redan en användare" in result.output
    assert _rader() == fore


# --- the first visit's page ------------------------------------------------------------------


def test_first_visit_creates_the_forbund_and_logs_the_admin_in_then_is_gone(client):
    assert client.get("/kom-igang").status_code == 200
    response = client.post("/kom-igang", data={"namn": "Samordningsförbundet Sida", "kod": "sid",
                                               "admin_namn": "Sia Admin", "admin_epost": "sia@example.org",
                                               "losenord": "kort"})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "losenord") == "Lösenordet måste ha minst 12 tecken."
    assert db.session.scalar(select(func.count(Forbund.id))) == 0
    response = client.post("/kom-igang", data={"namn": "Samordningsförbundet Sida", "kod": "sid",
                                               "admin_namn": "Sia Admin", "admin_epost": "sia@example.org",
                                               "losenord": "ett-langt-losenord"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    assert db.session.execute(select(Forbund.kod)).scalar_one() == "SID"
    assert client.get("/kom-igang").status_code == 404


# --- parties and teams through the pages --------------------------------------------------------


def test_team_needs_parties_and_gets_a_seven_day_kallelse_for_its_meetings(world, login):
    client = login(world.users["admin"])
    response = client.post("/admin/parter/", data={"typ": "kommun", "namn": "Testby kommun, IFO", "kortnamn": "IFO"})
    assert response.status_code == 303
    ifo = db.session.execute(select(Part).where(Part.kortnamn == "IFO")).scalar_one()
    assert ifo.typ == PartTyp.KOMMUN

    data = {"namn": "Trisam Nytt", "typ": "trisam", "motesordning": "2", "motesveckodag": "1", "motestid": "13:00",
            "moteslangd_minuter": "120", "agendakapacitet": "6", "kallelseregel": "dagar",
            "kallelse_dagar_fore": "7", "anmalan_dagar_fore_kallelse": "2", "paminnelse_dagar_fore_anmalan": "2",
            "uppehall_manader": "7"}
    fore = _rader()
    response = client.post("/admin/team/nytt", data=data)
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "part_ids") == "Välj minst en part som sitter i teamet."
    assert _rader() == fore

    parter = [world.parter["af"].id, ifo.id, world.parter["kommun"].id, world.parter["region"].id]
    response = client.post("/admin/team/nytt", data={**data, "part_ids": [str(p) for p in parter]})
    assert response.status_code == 303
    team = db.session.execute(select(Team).where(Team.namn == "Trisam Nytt")).scalar_one()
    assert team_part_ids(team.id) == set(parter) and team.kallelse_dagar_fore == 7

    response = client.post(f"/admin/team/{team.id}/generera", data={"startmanad": "2026-12"})
    assert response.status_code == 303
    moten = db.session.execute(select(Mote).where(Mote.team_id == team.id).order_by(Mote.starttid)).scalars().all()
    assert len(moten) == 11  # no July
    forsta = moten[0]
    lokal = clock.local(forsta.starttid)
    assert (lokal.date(), lokal.time()) == (dt.date(2026, 12, 8), dt.time(13, 0))
    assert clock.local(forsta.kallelse_planerad) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=lokal.tzinfo)

    # The Friday rule stays a choice; future meetings follow a changed rule.
    response = client.post(f"/admin/team/{team.id}", data={**data, "kallelseregel": "fredag",
                                                          "part_ids": [str(p) for p in parter]})
    assert response.status_code == 303
    db.session.expire_all()
    assert clock.local(db.session.get(Mote, forsta.id).kallelse_planerad).date() == dt.date(2026, 12, 4)


def test_planning_months_become_planning_meetings(world):
    admin = world.users["admin"]
    team = services.spara_team(admin, services.TeamRegler(
        namn="Cirkeln", typ="samverkanscirkel", part_ids=[world.parter["af"].id], uppehall_manader=[7],
        planeringsmanader=[1, 8]))
    services.generera_moten(admin, team.id, startmanad=dt.date(2026, 12, 1))
    typer = {clock.local(m.starttid).month: m.typ for m in
             db.session.execute(select(Mote).where(Mote.team_id == team.id)).scalars()}
    assert typer[1] == typer[8] == MotesTyp.PLANERING and typer[2] == MotesTyp.ARENDEDRAGNING and 7 not in typer


# --- members: invitation, roles, deactivation, reassignment --------------------------------------


def test_invitation_link_sets_a_password_once_and_an_expired_one_is_refused(world, login, app):
    client = login(world.users["admin"])
    fore = _rader()
    response = client.post("/admin/medlemmar/", data={"namn": "Nora Ny", "epost": world.users["ledamot_af"].epost,
                                                      "part_id": str(world.parter["af"].id)})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "epost") == "Det finns redan en användare med den e-postadressen."
    assert _rader() == fore

    response = client.post("/admin/medlemmar/", data={"namn": "Nora Ny", "epost": "Nora@Example.org",
                                                      "part_id": str(world.parter["af"].id)})
    assert response.status_code == 303
    utskick = db.session.execute(select(Utskick).where(Utskick.epost == "nora@example.org")).scalar_one()
    assert utskick.typ == UtskickTyp.INBJUDAN and utskick.mote_id is None and "Nora" not in utskick.text
    lank = _sokvag(_lank("nora@example.org"))

    ny = IsolatedClient(app, app.response_class, use_cookies=True)
    assert ny.post("/logga-in", data={"epost": "nora@example.org", "losenord": NYTT}).status_code == 401
    response = ny.post(lank, data={"losenord": NYTT, "upprepa": "något annat"})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "upprepa").startswith("Lösenorden är inte likadana")
    assert ny.post(lank, data={"losenord": NYTT, "upprepa": NYTT}).status_code == 303
    assert ny.post("/logga-in", data={"epost": "nora@example.org", "losenord": NYTT}).status_code == 303
    response = ny.get(lank)
    assert response.status_code == 410 and "Länken fungerar inte längre" in response.get_data(as_text=True)

    # An expired link: refused with the same message, nothing changes.
    nils = services.bjud_in(world.users["admin"], namn="Nils Ny", epost="nils@example.org")
    db.session.commit()
    lank = _sokvag(_lank("nils@example.org"))
    clock.set_clock(lambda: NU + dt.timedelta(days=8))
    fore = _rader()
    response = IsolatedClient(app, app.response_class).post(lank, data={"losenord": NYTT, "upprepa": NYTT})
    assert response.status_code == 410 and "har gått ut" in response.get_data(as_text=True)
    assert _rader() == fore and db.session.get(User, nils.id).losenord_hash == ""


def test_roles_ersattare_needs_a_ledamot_and_ledamot_a_party_of_the_team(world, login):
    client = login(world.users["admin"])
    ny = services.bjud_in(world.users["admin"], namn="Ella Ersätt", epost="ella@example.org",
                          part_id=world.parter["fk"].id)
    db.session.commit()
    fore = _rader()
    response = client.post(f"/admin/medlemmar/{ny.id}/roll", data={"team_id": str(world.team.id),
                                                                   "roll": "ersattare", "ersatter_id": "0"})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "ersatter_id") == "Välj vilken ledamot i teamet ersättaren ersätter."
    # Grannby does not seat Försäkringskassan.
    response = client.post(f"/admin/medlemmar/{ny.id}/roll", data={"team_id": str(world.annat_team.id),
                                                                   "roll": "ledamot"})
    assert response.status_code == 422
    assert "sitter inte i teamet" in _fel_vid(response.get_data(as_text=True), "roll")
    assert _rader() == fore

    ledamot_fk = db.session.execute(select(Medlemskap).where(
        Medlemskap.user_id == world.users["ledamot_fk"].id)).scalar_one()
    response = client.post(f"/admin/medlemmar/{ny.id}/roll", data={
        "team_id": str(world.team.id), "roll": "ersattare", "ersatter_id": str(ledamot_fk.id)})
    assert response.status_code == 303
    m = db.session.execute(select(Medlemskap).where(Medlemskap.user_id == ny.id)).scalar_one()
    assert (m.roll, m.ersatter_id) == (TeamRoll.ERSATTARE, ledamot_fk.id)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.handling == "medlemskap.skapa")) == 1


def test_deactivation_ends_sessions_and_tokens_at_once_and_keeps_the_name(world, login, app):
    user = world.users["ledamot_fk"]
    _, secret = auth_services.create_token(user, "integration")
    db.session.commit()
    hans = IsolatedClient(app, app.response_class, use_cookies=True)
    assert hans.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD}).status_code == 303
    assert hans.get("/arenden/").status_code == 200

    admin = login(world.users["admin"])
    assert admin.post(f"/admin/medlemmar/{user.id}/avsluta").status_code == 303
    response = hans.get("/arenden/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    assert IsolatedClient(app, app.response_class).get(
        "/api/v1/teams", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert hans.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD}).status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).namn == "Ledamot FK"
    assert db.session.execute(select(ApiToken.aterkallad)).scalar_one() is not None


def test_reassign_moves_open_arenden_to_a_colleague_of_the_same_party_consent_unchanged(world, login):
    arende = factories.create_arende(world, handlaggare="ledamot_af", parter=["af", "kommun"])
    db.session.commit()
    parter_fore = {p.id for p in arende.samtycke.parter}
    client = login(world.users["admin"])
    fran = world.users["ledamot_af"]
    fore = _rader()
    # Another party's user is no colleague.
    response = client.post(f"/admin/medlemmar/{fran.id}/overfor", data={"till_id": str(world.users["ledamot_fk"].id)})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "till_id") == "Välj en aktiv kollega från samma part."
    assert _rader() == fore

    response = client.post(f"/admin/medlemmar/{fran.id}/overfor", data={"till_id": str(world.users["granne"].id)})
    assert response.status_code == 303
    db.session.expire_all()
    arende = db.session.get(Arende, arende.id)
    assert arende.handlaggare_id == world.users["granne"].id
    assert {p.id for p in arende.samtycke.parter} == parter_fore
    assert db.session.execute(select(AuditEntry.objekt_id).where(AuditEntry.handling == "arende.overfor")).scalar_one() \
        == arende.id


def test_samcoach_capacity_is_one_per_coach_across_teams(world):
    admin = world.users["admin"]
    coach = world.users["samcoach"]
    world.annat_team.parter.append(world.parter["kommun"])
    services.satt_roll(admin, user_id=coach.id, team_id=world.annat_team.id, roll="samcoach")
    services.satt_samcoach_kapacitet(admin, coach.id, 3)
    kapaciteter = db.session.execute(select(Medlemskap.kapacitet).where(
        Medlemskap.user_id == coach.id, Medlemskap.roll == TeamRoll.SAMCOACH)).scalars().all()
    assert kapaciteter == [3, 3]
    from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus
    from samverkan.insatser.services import _upptagna

    for team in (world.team, world.annat_team):
        arende = factories.create_arende(world)
        db.session.add(Insats(arende_id=arende.id, team_id=team.id, form=InsatsForm.SAMCOACH,
                              status=InsatsStatus.AKTIV, samcoach_id=coach.id, beslutad=clock.today()))
    db.session.flush()
    assert _upptagna(world.team.id, coach.id) == 2  # both teams count


# --- CSV import -------------------------------------------------------------------------------------


def _csv(*rader: str) -> dict:
    text = "namn;epost;part;team;roll;ersatter\n" + "\n".join(rader) + "\n"
    return {"fil": (io.BytesIO(text.encode()), "medlemmar.csv")}


def test_csv_import_dry_run_shows_each_rows_errors_and_imports_nothing_while_any_is_wrong(world, login):
    client = login(world.users["admin"])
    bra = ["Kim Kommun;kim@example.org;Testby kommun, Arbetsmarknadsenheten;Trisam Testby;ledamot;",
           "Kai Kommun;kai@example.org;Testby kommun, Arbetsmarknadsenheten;Trisam Testby;ersättare;kim@example.org"]
    fore = _rader()
    response = client.post("/admin/import", data={**_csv(*bra, "Fel Person;inte-en-adress;Okänd part;Trisam Testby;"
                                                               "ledamot;"), "importera": "y"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "E-postadressen är inte giltig." in html and "Parten ”Okänd part” finns inte i förbundet." in html
    assert _rader() == fore

    response = client.post("/admin/import", data=_csv(*bra), content_type="multipart/form-data")
    assert response.status_code == 200 and "Provkörning: inga fel" in response.get_data(as_text=True)
    assert _rader() == fore

    response = client.post("/admin/import", data={**_csv(*bra), "importera": "y"}, content_type="multipart/form-data")
    assert response.status_code == 303
    kai = db.session.execute(select(User).where(User.epost == "kai@example.org")).scalar_one()
    assert kai.medlemskap[0].roll == TeamRoll.ERSATTARE
    assert kai.medlemskap[0].ersatter.user.epost == "kim@example.org"
    assert db.session.scalar(select(func.count(Utskick.id)).where(Utskick.typ == UtskickTyp.INBJUDAN)) == 2


# --- every user: password change, forgotten password ----------------------------------------------


def test_password_change_ends_other_sessions_and_keeps_this_one(world, app):
    user = world.users["ledamot_af"]
    klienter = []
    for _ in range(2):
        c = IsolatedClient(app, app.response_class, use_cookies=True)
        assert c.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD}).status_code == 303
        klienter.append(c)
    denna, andra = klienter
    response = denna.post("/konto/losenord", data={"nuvarande": "fel-losenord-123", "losenord": NYTT, "upprepa": NYTT})
    assert response.status_code == 422
    assert _fel_vid(response.get_data(as_text=True), "nuvarande") == "Det nuvarande lösenordet stämmer inte."
    response = denna.post("/konto/losenord", data={"nuvarande": factories.PASSWORD, "losenord": NYTT, "upprepa": NYTT})
    assert response.status_code == 303
    assert denna.get("/konto/").status_code == 200
    assert andra.get("/konto/").status_code == 302
    assert auth_services.authenticate(user.epost, NYTT, "127.0.0.1").id == user.id


def test_forgotten_password_says_the_same_for_unknown_addresses_and_the_link_works(world, client):
    fore = db.session.scalar(select(func.count(Utskick.id)))
    response = client.post("/konto/glomt-losenord", data={"epost": "ingen@example.org"}, follow_redirects=True)
    okand = response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Utskick.id))) == fore
    response = client.post("/konto/glomt-losenord", data={"epost": world.users["ledamot_af"].epost},
                           follow_redirects=True)
    assert "Om adressen hör till ett konto" in okand and "Om adressen hör till ett konto" in response.get_data(as_text=True)
    # Sent again at once: the same answer, no second mail.
    client.post("/konto/glomt-losenord", data={"epost": world.users["ledamot_af"].epost})
    utskick = db.session.execute(select(Utskick).where(Utskick.typ == UtskickTyp.ATERSTALLNING)).scalar_one()
    assert "Ledamot" not in utskick.text
    lank = _sokvag(_lank(world.users["ledamot_af"].epost))
    assert client.post(lank, data={"losenord": NYTT, "upprepa": NYTT}).status_code == 303
    assert client.post("/logga-in", data={"epost": world.users["ledamot_af"].epost, "losenord": NYTT}).status_code == 303
    assert db.session.execute(select(Engangslank.anvand)).scalar_one() is not None


# --- access ------------------------------------------------------------------------------------------


def test_admin_of_another_forbund_gets_404_and_a_ledamot_cannot_administer(world, app):
    forbund, annan = services.skapa_forbund(namn="Samordningsförbundet Annat", kod="ANN", admin_namn="Annan Admin",
                                            admin_epost="annan.admin@example.org", losenord="ett-langt-losenord")
    db.session.commit()
    c = IsolatedClient(app, app.response_class, use_cookies=True)
    assert c.post("/logga-in", data={"epost": annan.epost, "losenord": "ett-langt-losenord"}).status_code == 303
    fore = _rader()
    for url in (f"/admin/parter/{world.parter['af'].id}", f"/admin/team/{world.team.id}",
                f"/admin/medlemmar/{world.users['ledamot_af'].id}"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/admin/medlemmar/{world.users['ledamot_af'].id}/avsluta").status_code == 404
    assert c.post(f"/admin/team/{world.team.id}/generera", data={"startmanad": "2026-12"}).status_code == 404
    assert _rader() == fore
    assert c.get("/admin/parter/").get_data(as_text=True).count("Testbygd") == 0

    ledamot = IsolatedClient(app, app.response_class, use_cookies=True)
    assert ledamot.post("/logga-in", data={"epost": world.users["ledamot_af"].epost,
                                           "losenord": factories.PASSWORD}).status_code == 303
    assert ledamot.get("/admin/medlemmar/").status_code == 403
    assert ledamot.post("/admin/parter/", data={"typ": "region", "namn": "Ny"}).status_code == 403
    assert _rader() == fore


def test_without_a_mail_server_the_admin_sees_the_invitation_link_to_hand_over(world, login, app, monkeypatch):
    client = login(world.users["admin"])
    ny = services.bjud_in(world.users["admin"], namn="Tove Ny", epost="tove@example.org")
    db.session.commit()
    lank = _lank("tove@example.org")
    assert lank in client.get(f"/admin/medlemmar/{ny.id}").get_data(as_text=True)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    assert "/konto/valj-losenord/" not in client.get(f"/admin/medlemmar/{ny.id}").get_data(as_text=True)


def test_migration_seats_each_teams_parties_from_its_ledamoter(ctx):
    """0010 fills team_part from the ledamöter (what decided a team's parties before);
    an ersättare's or a projektledare's party does not sit in the team by that alone."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    db.session.remove()
    downgrade(revision="0009_foregaende_index")
    try:
        for sql in (
            "INSERT INTO forbund (id, namn, kod) VALUES (1, 'Förbundet Gammalt', 'GML')",
            "INSERT INTO part (id, forbund_id, typ, namn) VALUES (1, 1, 'arbetsformedlingen', 'AF'), "
            "(2, 1, 'kommun', 'IFO'), (3, 1, 'region', 'Region')",
            "INSERT INTO team (id, forbund_id, namn, motesveckodag, motestid, motesplats, agendakapacitet) "
            "VALUES (1, 1, 'Trisam Gammal', 1, '13:00:00', '', 6)",
        ):
            db.session.execute(text(sql))
        for uid, part, roll in ((1, 1, "ledamot"), (2, 2, "ledamot"), (3, 3, "ersattare"), (4, 3, "projektledare")):
            db.session.execute(text(
                "INSERT INTO anvandare (id, part_id, forbund_id, epost, namn, aktiv, losenord_hash, sessionsversion, "
                "skapad, totp_aktiv) VALUES (:id, :part, 1, :epost, 'Namn', :sant, '', 1, :nu, :falskt)"),
                {"id": uid, "part": part, "epost": f"g{uid}@example.org", "sant": True, "falskt": False,
                 "nu": dt.datetime(2026, 1, 1)})
            db.session.execute(text("INSERT INTO medlemskap (id, team_id, user_id, roll) VALUES (:id, 1, :id, :roll)"),
                               {"id": uid, "roll": roll})
        db.session.commit()
    finally:
        db.session.remove()
        upgrade()
    assert team_part_ids(1) == {1, 2}
    assert db.session.get(Team, 1).kallelse_dagar_fore is None  # an existing team keeps the Friday rule
