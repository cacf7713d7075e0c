"""The loop's beat and the weekly report's slot: pure arithmetic on times."""
from __future__ import annotations

import datetime as dt

import pytest

from orgwatch.reports.week import CST, Week
from orgwatch.schedule.loop import seconds_until_next
from orgwatch.schedule.weekly import report_due


@pytest.mark.parametrize("start, now, period, wait", [
    (100.0, 100.0, 60, 60.0),     # right after the first tick
    (100.0, 103.5, 60, 56.5),     # a 3.5 s tick does not push the next beat back
    (100.0, 160.0, 60, 60.0),     # exactly on a beat: the following one
    (100.0, 295.0, 60, 45.0),     # a tick of 195 s skips the missed beats, then keeps the grid
    (0.0, 3599.9, 3600, pytest.approx(0.1)),
])
def test_beats_do_not_drift(start, now, period, wait):
    assert seconds_until_next(start, now, period) == wait


def cst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.timezone.utc)


@pytest.mark.parametrize("now, weekday, hour, week", [
    # 2026-11-30 is a Monday: the report of W48 (11-23..11-29) is due from 08:00 CST
    (cst(2026, 11, 30, 7, 59), 1, 8, None),
    (cst(2026, 11, 30, 8, 0), 1, 8, "2026-W48"),
    (cst(2026, 12, 3, 22, 0), 1, 8, "2026-W48"),  # later in the week: still W48 (a missed slot is caught up)
    (cst(2026, 12, 6, 23, 59), 1, 8, "2026-W48"),
    (cst(2026, 12, 7, 8, 0), 1, 8, "2026-W49"),
    # Friday 17:00
    (cst(2026, 12, 3, 17, 0), 5, 17, None),
    (cst(2026, 12, 4, 17, 0), 5, 17, "2026-W48"),
    # across the year end: Monday 2027-01-04 reports 2026-W53
    (cst(2027, 1, 4, 9, 0), 1, 8, "2026-W53"),
    # midnight CST on Monday is Sunday 16:00 UTC
    (dt.datetime(2026, 11, 29, 16, 0, tzinfo=dt.timezone.utc), 1, 0, "2026-W48"),
])
def test_report_slot(now, weekday, hour, week):
    due = report_due(now, weekday, hour)
    assert (due.label if due else None) == week
    if due:
        assert isinstance(due, Week)
