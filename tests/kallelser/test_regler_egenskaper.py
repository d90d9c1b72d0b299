"""Properties of the due-time rules for any meeting time, DST changes in Stockholm included:
the kallelse, the agenda deadline and the reminder fall at 09:00 Stockholm wall time on
the right calendar day, in order, before the meeting."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from samverkan.core.clock import STOCKHOLM
from samverkan.kallelser import regler

# Meetings in the weeks around the DST changes (last Sunday of March and of October)
# and anywhere else in a few years.
DST_DAGAR = [dt.date(2025, 3, 30), dt.date(2025, 10, 26), dt.date(2026, 3, 29), dt.date(2026, 10, 25),
             dt.date(2027, 3, 28), dt.date(2027, 10, 31)]
nara_dst = st.builds(lambda d, n: d + dt.timedelta(days=n), st.sampled_from(DST_DAGAR),
                     st.integers(min_value=-3, max_value=17))
motesdagar = st.one_of(nara_dst, st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31)))
klockslag = st.times(min_value=dt.time(7, 0), max_value=dt.time(20, 0)).map(lambda t: t.replace(microsecond=0))
dagar_fore = st.one_of(st.none(), st.integers(min_value=1, max_value=28))


def _start(dag: dt.date, klockan: dt.time) -> dt.datetime:
    return dt.datetime.combine(dag, klockan, tzinfo=STOCKHOLM).astimezone(dt.UTC)


@given(dag=motesdagar, klockan=klockslag, dagar=dagar_fore)
def test_every_due_time_is_nine_oclock_stockholm_on_the_right_day(dag, klockan, dagar):
    start = _start(dag, klockan)
    kallelse = regler.kallelse_tid(start, dagar).astimezone(STOCKHOLM)
    deadline = regler.anmalan_stanger(start, dagar).astimezone(STOCKHOLM)
    paminnelse = regler.paminnelse_tid(start, dagar).astimezone(STOCKHOLM)

    for tid in (kallelse, deadline, paminnelse):
        assert (tid.hour, tid.minute) == (9, 0)
        assert tid.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
    if dagar is None:
        assert kallelse.weekday() == 4
        assert 3 <= (dag - kallelse.date()).days <= 9  # the Friday of the week before
    else:
        assert (dag - kallelse.date()).days == dagar
    assert (kallelse.date() - deadline.date()).days == 2
    assert (deadline.date() - paminnelse.date()).days == 2
    assert paminnelse < deadline < kallelse < start


@given(dag=motesdagar, klockan=klockslag, dagar=dagar_fore)
def test_the_rule_depends_on_the_day_not_on_the_hour(dag, klockan, dagar):
    # A meeting moved within its day keeps its kallelse time, across DST or not.
    assert regler.kallelse_tid(_start(dag, klockan), dagar) == regler.kallelse_tid(_start(dag, dt.time(7, 0)), dagar)
