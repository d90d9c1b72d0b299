"""The API tests' token fixtures, shared here for the uppföljning API tests."""

from tests.api.conftest import api, token_for  # noqa: F401
