"""Meeting-mode fixtures: the meeting fixtures of tests/moten, and ärenden on an agenda."""

from __future__ import annotations

import pytest

from samverkan.core.db import db
from samverkan.moten import dagordning
from tests import factories
from tests.moten.conftest import nu, nytt_mote  # noqa: F401  (fixtures)

HANDLAGGARE = ["ledamot_af", "ledamot_fk", "ledamot_kommun", "ledamot_region"]


@pytest.fixture
def pa_agendan(world, nytt_mote):  # noqa: F811
    """``pa_agendan(n, kapacitet=None)``: a meeting with ``n`` new ärenden booked; (mote, punkter)."""

    def _bygg(n: int, **kw):
        mote = nytt_mote(**kw)
        punkter = []
        for i in range(n):
            arende = factories.create_arende(world, handlaggare=HANDLAGGARE[i % len(HANDLAGGARE)])
            punkter.append(dagordning.lagg_till(world.users["projektledare"], mote.id, arende.id))
        db.session.commit()
        return mote, punkter

    return _bygg
