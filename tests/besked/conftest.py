"""Notice fixtures: the real SMTP server and the scheduler's tick (tests/kallelser), and
the meeting-mode fixtures (tests/samplanering)."""

from tests.kallelser.conftest import kor, smtp  # noqa: F401  (fixtures)
from tests.samplanering.conftest import nu, nytt_mote, pa_agendan  # noqa: F401  (fixtures)
