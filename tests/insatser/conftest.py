"""Meeting-mode fixtures, shared with tests/samplanering."""

from tests.samplanering.conftest import HANDLAGGARE, nu, nytt_mote, pa_agendan  # noqa: F401  (fixtures)
