"""Password hashes: argon2id with argon2-cffi's production parameters outside test
configuration, and the cheapest parameters under it (so the suite's many form logins stay
fast). The production parameters are checked here, once, through the real login form."""

from __future__ import annotations

import argon2
import pytest

from samverkan.auth import services
from samverkan.auth.models import User
from samverkan.core.db import db
from tests import factories

PRODUKTION = argon2.profiles.RFC_9106_LOW_MEMORY


def _parametrar(user_id: int) -> argon2.Parameters:
    db.session.expire_all()
    return argon2.extract_parameters(db.session.get(User, user_id).losenord_hash)


@pytest.fixture
def produktion(app):
    """The app outside test configuration, as far as passwords go."""
    app.config["LOSENORD_TESTHASH"] = False
    try:
        yield
    finally:
        del app.config["LOSENORD_TESTHASH"]


def test_test_configuration_hashes_cheaply_with_the_same_algorithm(world, client):
    user = world.users["ledamot_af"]
    services.set_password(user, "ett-testlosenord-som-duger")
    db.session.commit()
    parametrar = _parametrar(user.id)
    assert parametrar.type == argon2.Type.ID
    assert (parametrar.time_cost, parametrar.memory_cost) < (PRODUKTION.time_cost, PRODUKTION.memory_cost)
    svar = client.post("/logga-in", data={"epost": user.epost, "losenord": "ett-testlosenord-som-duger"})
    assert svar.status_code == 303


def test_outside_test_configuration_passwords_get_the_production_parameters(world, client, produktion):
    user = world.users["ledamot_af"]
    services.set_password(user, "ett-produktionslosenord")
    db.session.commit()
    parametrar = _parametrar(user.id)
    assert parametrar == PRODUKTION
    assert parametrar.memory_cost >= 64 * 1024 and parametrar.time_cost >= 3

    # The real login form verifies it; a wrong password is refused, an unknown address too.
    assert client.post("/logga-in", data={"epost": user.epost, "losenord": "fel-losenord-123"}).status_code == 401
    assert client.post("/logga-in", data={"epost": "finns-inte@example.org",
                                           "losenord": "ett-produktionslosenord"}).status_code == 401
    assert client.post("/logga-in", data={"epost": user.epost, "losenord": "ett-produktionslosenord"}).status_code == 303
    assert _parametrar(user.id) == PRODUKTION


def test_a_hash_with_weaker_parameters_is_upgraded_at_the_next_login(world, client, produktion):
    """A user whose hash was made with the cheap parameters gets the production ones when
    logging in outside test configuration."""
    user = world.users["ledamot_fk"]
    assert _parametrar(user.id) != PRODUKTION  # made by tests/factories.py under test configuration
    svar = client.post("/logga-in", data={"epost": user.epost, "losenord": factories.PASSWORD})
    assert svar.status_code == 303
    assert _parametrar(user.id) == PRODUKTION
