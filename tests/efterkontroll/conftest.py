"""The API tests' token fixtures, shared here."""

from __future__ import annotations

from tests.api.conftest import api, token_for  # noqa: F401
