"""Two-factor login: enrolment, the code step, replay, recovery codes, the throttle, the
restricted state, who must use it, and the admin's reset. Through the real pages; the
clock is pinned so codes are computed for a known instant."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading

import pyotp
import pytest
from sqlalchemy import func, select

from samverkan import create_app
from samverkan.auth import tvafaktor
from samverkan.auth.models import ApiToken, Aterstallningskod, Inloggningsforsok, User
from samverkan.core import clock, krypto
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from tests import factories

# Far from the real time: a code only works if verification uses the app's clock.
T = dt.datetime(2031, 5, 5, 8, 0, 10, tzinfo=dt.UTC)
KOD_URL = "/logga-in/kod"


def _at(when: dt.datetime) -> None:
    clock.set_clock(lambda: when)


@pytest.fixture
def nu(ctx):
    _at(T)  # ctx restores the real clock afterwards


@pytest.fixture
def kravs(app, monkeypatch):
    monkeypatch.setitem(app.config, "TVAFAKTOR_KRAVS", True)


def _kod(user: User, when: dt.datetime = T, offset: int = 0) -> str:
    return pyotp.TOTP(user.totp_hemlighet).at(when, counter_offset=offset)


def _fel_kod(user: User) -> str:
    valid = {_kod(user, offset=o) for o in (-1, 0, 1)}
    return next(k for k in ("000000", "111111", "222222", "333333") if k not in valid)


def enrol(user: User) -> list[str]:
    """Set up two-factor login through the service, five minutes before T."""
    _at(T - dt.timedelta(minutes=5))
    tvafaktor.start_enrolment(user)
    koder = tvafaktor.confirm_enrolment(user, _kod(user, T - dt.timedelta(minutes=5)))
    db.session.commit()
    _at(T)
    return koder


def _password(client, user: User, query: str = ""):
    return client.post(f"/logga-in{query}", data={"epost": user.epost, "losenord": factories.PASSWORD})


def _path(response) -> str:
    return response.headers["Location"].removeprefix("http://samverkan.test")


def _audit(handling: str, user: User) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.execute(
        select(AuditEntry).where(AuditEntry.handling == handling, AuditEntry.user_id == user.id)
    ).scalars().all()


def _failures() -> int:
    return db.session.scalar(select(func.count()).select_from(Inloggningsforsok))


# --- enrolment ------------------------------------------------------------------------
def test_enrolment_from_the_restricted_state(world, client, kravs, nu):
    user = world.users["ledamot_af"]
    assert _path(_password(client, user)) == "/"
    response = client.get("/arenden/")
    assert response.status_code == 303 and _path(response) == "/konto/tvafaktor"

    page = client.get("/konto/tvafaktor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    db.session.expire_all()
    secret = user.totp_hemlighet
    assert secret and not user.totp_aktiv
    # The QR code as an image with a text alternative, and the same data as text.
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR-kod[^"]+"', html)
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    assert f"secret={secret}" in html and "otpauth://totp/" in html
    # Reloading keeps the secret: a QR code already scanned stays valid.
    client.get("/konto/tvafaktor")
    db.session.expire_all()
    assert user.totp_hemlighet == secret

    wrong = client.post("/konto/tvafaktor", data={"kod": _fel_kod(user)})
    assert wrong.status_code == 422 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not user.totp_aktiv

    done = client.post("/konto/tvafaktor", data={"kod": _kod(user)})
    assert done.status_code == 200
    koder = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.get_data(as_text=True))
    assert len(set(koder)) == 10
    db.session.expire_all()
    assert user.totp_aktiv
    stored = set(db.session.scalars(select(Aterstallningskod.kod_hash).where(Aterstallningskod.user_id == user.id)))
    # Only hashes are stored.
    assert stored == {hashlib.sha256(k.replace("-", "").encode()).hexdigest() for k in koder}
    assert not stored & set(koder)
    assert len(_audit("tvafaktor.aktivera", user)) == 1
    # The session that enrolled is now a full login.
    assert client.get("/arenden/").status_code == 200
    active = client.get("/konto/tvafaktor").get_data(as_text=True)
    assert "är aktiverad" in active and "10 oanvända" in active


def test_enrolment_ends_sessions_opened_with_the_password_alone(world, client, app, kravs, nu):
    user = world.users["ledamot_af"]
    _password(client, user)
    other = app.test_client()
    _password(other, user)
    client.get("/konto/tvafaktor")
    db.session.expire_all()
    client.post("/konto/tvafaktor", data={"kod": _kod(user)})
    assert client.get("/arenden/").status_code == 200
    response = other.get("/arenden/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_new_recovery_codes_replace_the_old_ones(world, client, nu):
    user = world.users["ledamot_af"]
    old = enrol(user)
    _password(client, user)
    client.post(KOD_URL, data={"kod": _kod(user)})
    _at(T + dt.timedelta(seconds=30))
    response = client.post("/konto/tvafaktor/nya-koder", data={"kod": _kod(user, T + dt.timedelta(seconds=30))})
    assert response.status_code == 200
    new = re.findall(r"<code>([a-z2-9-]{14})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert len(_audit("tvafaktor.nya_koder", user)) == 1
    client.post("/logga-ut")
    _password(client, user)
    assert client.post(KOD_URL, data={"kod": old[0]}).status_code == 401
    assert client.post(KOD_URL, data={"kod": new[0]}).status_code == 303


# --- the code step --------------------------------------------------------------------
def test_login_asks_for_the_code_before_logging_in(world, client, nu):
    user = world.users["ledamot_af"]
    enrol(user)
    response = _password(client, user, "?next=/arenden/")
    assert response.status_code == 303 and _path(response).startswith(KOD_URL)
    # Not logged in yet, and no login in the audit log.
    assert client.get("/arenden/").status_code == 302
    assert _audit("inloggning", user) == []
    assert client.get(KOD_URL).status_code == 200

    response = client.post(_path(response), data={"kod": _kod(user)})
    assert response.status_code == 303 and _path(response) == "/arenden/"
    assert client.get("/arenden/").status_code == 200
    [entry] = _audit("inloggning", user)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal, entry.falt) == ("anvandare", user.id, "webb", "totp")


def test_code_step_without_the_password_step_sends_back_to_login(world, client):
    response = client.get(KOD_URL)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    response = client.post(KOD_URL, data={"kod": "123456"})
    assert response.status_code == 302 and client.get("/arenden/").status_code == 302


def test_waiting_for_the_code_expires(world, client, nu):
    user = world.users["ledamot_af"]
    enrol(user)
    _password(client, user)
    later = T + tvafaktor.VANTETID + dt.timedelta(seconds=1)
    _at(later)
    response = client.post(KOD_URL, data={"kod": _kod(user, later)})
    assert response.status_code == 302 and _path(response).startswith("/logga-in")
    assert client.get("/arenden/").status_code == 302


def test_wrong_codes_count_toward_the_login_throttle(world, client, app, nu):
    user = world.users["ledamot_af"]
    enrol(user)
    _password(client, user)
    for _ in range(3):
        response = client.post(KOD_URL, data={"kod": _fel_kod(user)})
        assert response.status_code == 401
        assert "Koden stämmer inte" in response.get_data(as_text=True)
    # Entering the password again does not wipe the count of wrong codes.
    assert _path(_password(client, user)) == KOD_URL
    assert _failures() == 3
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"] - 3):
        client.post(KOD_URL, data={"kod": _fel_kod(user)})
    response = client.post(KOD_URL, data={"kod": _kod(user)})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)
    assert client.get("/arenden/").status_code == 302


def test_a_code_cannot_be_replayed(world, client, nu):
    user = world.users["ledamot_af"]
    enrol(user)
    _password(client, user)
    kod = _kod(user)
    assert client.post(KOD_URL, data={"kod": kod}).status_code == 303
    client.post("/logga-ut")

    _password(client, user)
    assert client.post(KOD_URL, data={"kod": kod}).status_code == 401  # the same step
    # An earlier step, though inside the window allowed for clock drift.
    assert client.post(KOD_URL, data={"kod": _kod(user, offset=-1)}).status_code == 401
    db.session.expire_all()
    assert user.totp_senaste_steg == pyotp.TOTP(user.totp_hemlighet).timecode(T)
    # The next period's code works.
    later = T + dt.timedelta(seconds=30)
    _at(later)
    assert client.post(KOD_URL, data={"kod": _kod(user, later)}).status_code == 303


def test_two_requests_with_one_code_accept_it_once(world, app, nu):
    """Two workers handed the same code at the same moment: the conditional UPDATE lets
    exactly one accept it (the second waits for the first's row lock, then finds the step
    taken)."""
    user = world.users["ledamot_af"]
    enrol(user)
    user_id, kod = user.id, _kod(user)
    db.session.commit()  # end the test's transaction: the workers need the write lock
    first_done, release = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def worker(name: str, hold: bool) -> None:
        with app.app_context():
            results[name] = tvafaktor._accept_totp(db.session.get(User, user_id), kod)
            if hold:
                first_done.set()
                release.wait(60)
            db.session.commit()
            db.session.remove()

    first = threading.Thread(target=worker, args=("forsta", True))
    first.start()
    assert first_done.wait(60)
    second = threading.Thread(target=worker, args=("andra", False))
    second.start()
    second.join(0.5)  # it is blocked behind the first's lock
    release.set()
    first.join(60)
    second.join(60)
    assert results == {"forsta": True, "andra": False}


def test_a_recovery_code_works_once(world, client, nu):
    user = world.users["ledamot_af"]
    koder = enrol(user)
    _password(client, user)
    # Typed as people do: upper case, spaces instead of hyphens.
    response = client.post(KOD_URL, data={"kod": koder[0].upper().replace("-", " ")})
    assert response.status_code == 303
    assert client.get("/arenden/").status_code == 200
    assert len(_audit("tvafaktor.aterstallningskod", user)) == 1
    assert _audit("inloggning", user)[0].falt == "aterstallningskod"
    client.post("/logga-ut")

    _password(client, user)
    assert client.post(KOD_URL, data={"kod": koder[0]}).status_code == 401
    assert client.post(KOD_URL, data={"kod": koder[1]}).status_code == 303
    db.session.expire_all()
    used = db.session.scalar(select(func.count()).select_from(Aterstallningskod)
                             .where(Aterstallningskod.anvand.is_not(None)))
    assert used == 2


def test_turning_two_factor_on_behind_a_session_fails_closed(world, client, nu):
    """A session of a user whose 2FA is on but who never showed a code is not a login."""
    user = world.users["ledamot_af"]
    _password(client, user)
    assert client.get("/arenden/").status_code == 200
    user.totp_hemlighet = pyotp.random_base32()
    user.totp_aktiv = True
    db.session.commit()
    response = client.get("/arenden/")
    assert response.status_code == 303 and _path(response) == "/logga-in"
    assert client.get("/arenden/").status_code == 302


# --- who must use it --------------------------------------------------------------------
def test_restricted_state_reaches_only_enrolment_and_logout(world, client, kravs, nu):
    user = world.users["projektledare"]
    arende = factories.create_arende(world)
    db.session.commit()
    _password(client, user)
    for url in ("/", "/arenden/", f"/arenden/{arende.id}", "/konto/api-tokens", "/loggkontroll/"):
        response = client.get(url)
        assert response.status_code == 303 and _path(response) == "/konto/tvafaktor", url
    response = client.post(f"/arenden/{arende.id}/handelse", data={"trigger": "avsluta", "version": 1})
    assert response.status_code == 303 and _path(response) == "/konto/tvafaktor"
    response = client.post("/konto/api-tokens", data={"namn": "smuggel"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert _audit("arende.visa", user) == []
    db.session.expire_all()
    assert arende.status == "aktualiserad"
    assert client.get("/konto/tvafaktor").status_code == 200
    assert _path(client.post("/logga-ut")) == "/logga-in"
    assert client.get("/konto/tvafaktor").status_code == 302


@pytest.mark.parametrize(("key", "required"), [
    ("projektledare", True), ("ledamot_fk", True), ("ersattare_af", True), ("samcoach", True),
    ("granne", True), ("admin", True), ("styrgrupp", False),
])
def test_who_must_use_two_factor(world, kravs, key, required):
    assert tvafaktor.kravs(world.users[key]) is required


def test_styrgrupp_alone_needs_only_the_password(world, client, kravs):
    _password(client, world.users["styrgrupp"])
    assert client.get("/arenden/").status_code == 200


def test_off_when_the_setting_is_false(world, client, app):
    assert app.config["TVAFAKTOR_KRAVS"] is False  # tests run with app.testing
    user = world.users["projektledare"]
    assert tvafaktor.kravs(user) is False
    assert _path(_password(client, user)) == "/"
    assert client.get("/arenden/").status_code == 200


def test_setting_is_on_in_production_and_off_in_debug_demo_and_tests(monkeypatch, tmp_path):
    for name in ("SAMVERKAN_DEMO", "SAMVERKAN_TVAFAKTOR_KRAVS", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    base = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
            **krypto.lokal_konfiguration()}
    assert create_app(base).config["TVAFAKTOR_KRAVS"] is True
    assert create_app({**base, "TESTING": True}).config["TVAFAKTOR_KRAVS"] is False
    assert create_app({**base, "DEMO": True}).config["TVAFAKTOR_KRAVS"] is False
    monkeypatch.setenv("SAMVERKAN_TVAFAKTOR_KRAVS", "false")
    assert create_app(base).config["TVAFAKTOR_KRAVS"] is False


# --- the admin's reset --------------------------------------------------------------------
def test_admin_resets_a_lost_phone_from_the_command_line(world, ctx, client, nu):
    user, admin = world.users["ledamot_af"], world.users["admin"]
    enrol(user)
    version = user.sessionsversion
    result = ctx.test_cli_runner().invoke(args=["reset-tvafaktor", "--epost", user.epost, "--av", admin.epost])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (user.totp_aktiv, user.totp_hemlighet, user.totp_senaste_steg) == (False, None, None)
    assert user.sessionsversion > version
    assert db.session.scalar(select(func.count()).select_from(Aterstallningskod)) == 0
    [entry] = _audit("tvafaktor.aterstall", admin)
    assert (entry.objekt_typ, entry.objekt_id, entry.kanal) == ("anvandare", user.id, "cli")
    # The password alone logs in again (the setting is off in tests).
    assert _path(_password(client, user)) == "/"


@pytest.mark.parametrize(("target", "by", "message"), [
    ("ledamot_af", "projektledare", "administratör"),
    ("admin", "admin", "din egen"),
    ("finns-inte", "admin", "finns inte"),
])
def test_reset_only_by_the_admin_for_someone_else(world, ctx, nu, target, by, message):
    if target in world.users:
        enrol(world.users[target])
    epost = world.users[target].epost if target in world.users else "finns-inte@example.org"
    result = ctx.test_cli_runner().invoke(
        args=["reset-tvafaktor", "--epost", epost, "--av", world.users[by].epost])
    assert result.exit_code != 0 and message in result.output
    db.session.expire_all()
    if target in world.users:
        assert world.users[target].totp_aktiv


def test_reset_refuses_a_user_of_another_forbund(world, ctx, nu):
    from samverkan.forbund.models import Forbund

    other = Forbund(namn="Samordningsförbundet Annanbygd", kod="ANB")
    db.session.add(other)
    db.session.flush()
    stranger = factories.create_user(other, None, "Olle Annansson", epost="olle@example.org")
    enrol(stranger)
    result = ctx.test_cli_runner().invoke(
        args=["reset-tvafaktor", "--epost", stranger.epost, "--av", world.users["admin"].epost])
    assert result.exit_code != 0 and "finns inte" in result.output
    db.session.expire_all()
    assert stranger.totp_aktiv
