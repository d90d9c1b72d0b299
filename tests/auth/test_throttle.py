"""Login throttling that protects without locking the owner out (issue 18, point 2):
a slow-down per (account, address) pair, per-account and per-address limits that a known
device passes with the right password, the owner told by mail with an unlock link, and
the client's address only from the trusted proxy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser.models import Utskick, UtskickTyp
from tests import factories

ANGRIPARE = "203.0.113.66"
AGARE = "198.51.100.10"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def nu():
    tid = {"nu": START}
    clock.set_clock(lambda: tid["nu"])
    return tid


def _logga_in(klient, epost, losenord="fel-losenord-123", ip=AGARE, **kw):
    return klient.post("/logga-in", data={"epost": epost, "losenord": losenord},
                       environ_base={"REMOTE_ADDR": ip}, **kw)


def _kand_klient(app, user):
    """A browser where the owner logged in before (and logged out)."""
    klient = app.test_client()
    assert _logga_in(klient, user.epost, factories.PASSWORD).status_code == 303
    assert klient.get_cookie("samverkan_enhet", domain=app.config["SERVER_NAME"]) is not None
    klient.post("/logga-ut")
    return klient


def _fel_fran_angriparen(app, epost, antal, nu=None):
    angripare = app.test_client()
    for i in range(antal):
        if nu is not None:  # past each slow-down: the attacker is patient
            nu["nu"] += dt.timedelta(seconds=61)
        svar = _logga_in(angripare, epost, ip=f"203.0.113.{i % 200 + 1}")
        # Wrong passwords up to the account's limit; then new devices are refused outright.
        assert svar.status_code == (401 if i < app.config["LOGIN_THROTTLE_PER_ACCOUNT"] else 429), i
    return angripare


def test_an_attacker_cannot_lock_the_owner_out_of_a_known_device(world, client, app):
    user = world.users["ledamot_af"]
    epost = user.epost
    agarens = _kand_klient(app, user)
    # Failures from many addresses: the account's limit is reached.
    angripare = _fel_fran_angriparen(app, epost, app.config["LOGIN_THROTTLE_PER_ACCOUNT"])
    # A new device, even with the right password, is refused ...
    assert _logga_in(angripare, epost, factories.PASSWORD, ip=ANGRIPARE).status_code == 429
    assert _logga_in(app.test_client(), epost, factories.PASSWORD).status_code == 429
    # ... the owner's own browser gets in with it.
    svar = _logga_in(agarens, epost, factories.PASSWORD)
    assert svar.status_code == 303
    assert agarens.get("/arenden/", environ_base={"REMOTE_ADDR": AGARE}).status_code == 200


def test_a_known_device_cookie_for_another_account_or_forged_does_not_pass(world, client, app):
    agare = world.users["ledamot_af"]
    annan = world.users["ledamot_fk"]
    epost = agare.epost
    annans_klient = _kand_klient(app, annan)
    _fel_fran_angriparen(app, epost, app.config["LOGIN_THROTTLE_PER_ACCOUNT"])
    assert _logga_in(annans_klient, epost, factories.PASSWORD).status_code == 429
    forfalskad = app.test_client()
    forfalskad.set_cookie("samverkan_enhet", "WzFd.falsk.signatur", domain=app.config["SERVER_NAME"])
    assert _logga_in(forfalskad, epost, factories.PASSWORD).status_code == 429


def test_many_failures_from_one_address_do_not_lock_everyone_behind_it(world, client, app, nu):
    kand = world.users["ledamot_fk"]
    okand = world.users["ledamot_kommun"]
    kand_epost, okand_epost = kand.epost, okand.epost
    kollegans = _kand_klient(app, kand)
    # One address (the office's proxy) fails against many accounts, each a few times.
    klient = app.test_client()
    for i in range(app.config["LOGIN_THROTTLE_PER_IP"]):
        assert _logga_in(klient, f"person{i % 10}@example.org", ip=AGARE).status_code == 401
    # A colleague with a known device still gets in; an unknown device waits.
    assert _logga_in(kollegans, kand_epost, factories.PASSWORD, ip=AGARE).status_code == 303
    assert _logga_in(app.test_client(), okand_epost, factories.PASSWORD, ip=AGARE).status_code == 429
    # From another address the same account is not touched.
    assert _logga_in(app.test_client(), okand_epost, factories.PASSWORD, ip=ANGRIPARE).status_code == 303


def test_one_address_against_one_account_is_slowed_down_exponentially(world, client, app, nu):
    user = world.users["ledamot_af"]
    epost = user.epost
    agarens = _kand_klient(app, user)
    fria = app.config["LOGIN_THROTTLE_PER_PAR"]
    for _ in range(fria):
        assert _logga_in(agarens, epost).status_code == 401
    # Now 1 s after the last failure, then 2 s, then 4 s …; even the right password waits.
    for vanta in (1, 2, 4):
        assert _logga_in(agarens, epost, factories.PASSWORD).status_code == 429
        nu["nu"] += dt.timedelta(seconds=vanta - 0.5)
        assert _logga_in(agarens, epost, factories.PASSWORD).status_code == 429
        nu["nu"] += dt.timedelta(seconds=0.6)
        assert _logga_in(agarens, epost).status_code == 401
    # The owner's known device: after the wait the right password works.
    nu["nu"] += dt.timedelta(seconds=8.1)
    assert _logga_in(agarens, epost, factories.PASSWORD).status_code == 303
    # Another address is not slowed by this pair (but the account's limit holds for it).
    assert _logga_in(app.test_client(), world.users["ledamot_fk"].epost, factories.PASSWORD,
                     ip=AGARE).status_code == 303


def test_the_owner_is_told_once_by_mail_and_the_link_unlocks_a_new_browser(world, client, app):
    user = world.users["ledamot_af"]
    epost, user_id = user.epost, user.id
    db.session.commit()
    _fel_fran_angriparen(app, epost, app.config["LOGIN_THROTTLE_PER_ACCOUNT"] + 3)
    db.session.rollback()
    brev = db.session.scalars(select(Utskick).where(Utskick.typ == UtskickTyp.INLOGGNINGSVARNING)).all()
    assert len(brev) == 1  # one mail per burst, not one per failure
    mail = brev[0]
    assert (mail.mottagare_id, mail.epost, mail.mote_id, mail.ics) == (user_id, epost, None, None)
    assert "misslyckade inloggningsförsök" in mail.text
    assert "203.0.113" not in mail.text and epost not in mail.text  # nothing about who or where
    lank = re.search(r"https?://\S+/logga-in/las-upp/\S+", mail.text).group(0)
    stig = lank.split("://", 1)[1].split("/", 1)[1]

    # A tampered link does nothing.
    annan = app.test_client()
    assert annan.get("/" + stig[:-3] + "xyz").status_code == 302
    assert _logga_in(annan, epost, factories.PASSWORD).status_code == 429

    ny = app.test_client()
    assert _logga_in(ny, epost, factories.PASSWORD).status_code == 429
    assert ny.get("/" + stig).status_code == 302  # opening the link logs nobody in ...
    assert ny.get("/arenden/", environ_base={"REMOTE_ADDR": AGARE}).status_code == 302
    assert _logga_in(ny, epost, factories.PASSWORD).status_code == 303  # ... but the browser is known
    # The owner's login clears only this address's failures: new devices still wait.
    assert _logga_in(annan, epost, factories.PASSWORD, ip=ANGRIPARE).status_code == 429


def test_the_address_comes_from_the_trusted_proxy_only(world, client, app, nu):
    """Without trusted proxies a forged X-Forwarded-For does not give an attacker a fresh
    address per try: the pair slow-down still catches them."""
    epost = world.users["ledamot_af"].epost
    db.session.commit()
    klient = app.test_client()
    for i in range(app.config["LOGIN_THROTTLE_PER_PAR"]):
        svar = klient.post("/logga-in", data={"epost": epost, "losenord": "fel-losenord-123"},
                           headers={"X-Forwarded-For": f"192.0.2.{i + 1}"},
                           environ_base={"REMOTE_ADDR": ANGRIPARE})
        assert svar.status_code == 401
    svar = klient.post("/logga-in", data={"epost": epost, "losenord": "fel-losenord-123"},
                       headers={"X-Forwarded-For": "192.0.2.99"}, environ_base={"REMOTE_ADDR": ANGRIPARE})
    assert svar.status_code == 429
