"""API fixtures: tokens for the world's users and a client acting with one."""

from __future__ import annotations

import pytest

from samverkan.auth.services import create_token
from samverkan.core.db import db
from tests.api.helpers import Api


@pytest.fixture
def token_for(world):
    """``token_for("ledamot_af")`` creates and commits a token; returns the secret."""

    def _token(key: str) -> str:
        _, secret = create_token(world.users[key], "test")
        db.session.commit()
        return secret

    return _token


@pytest.fixture
def api(client, token_for):
    """``api("ledamot_af")`` is a client acting with that user's token."""

    def _api(key: str | None) -> Api:
        return Api(client, token_for(key) if key else None)

    return _api
