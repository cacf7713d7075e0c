"""ISO weeks in China Standard Time: parsing, bounds in UTC, the default week."""
from __future__ import annotations

import datetime as dt

import pytest

from orgwatch.reports.week import Week, WeekError, local

UTC = dt.timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-W48", Week(2026, 48)), ("2026W48", Week(2026, 48)), ("2026-w05", Week(2026, 5)),
    (" 2026-W5 ", Week(2026, 5)), ("2026-W53", Week(2026, 53)),
])
def test_parse(text, expected):
    assert Week.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-48", "W48", "2026-W0", "2025-W53", "2026-W54", "48", ""])
def test_parse_rejects(text):
    with pytest.raises(WeekError):
        Week.parse(text)


def test_bounds_are_monday_midnight_cst_in_utc():
    week = Week(2026, 48)
    assert week.monday == dt.date(2026, 11, 23) and week.sunday == dt.date(2026, 11, 29)
    assert week.start == dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert week.end == dt.datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert week.label == "2026-W48" and week.span == "2026年11月23日—11月29日" and week.short == "11/23"


@pytest.mark.parametrize("as_of, expected", [
    (dt.date(2026, 11, 30), Week(2026, 48)),  # Monday: last week
    (dt.date(2026, 12, 6), Week(2026, 48)),   # Sunday: the current week is not complete yet
    (dt.date(2026, 12, 7), Week(2026, 49)),
    (dt.date(2027, 1, 4), Week(2026, 53)),    # across the year boundary
])
def test_default_week_is_the_last_complete_one(as_of, expected):
    assert Week.default_for(as_of) == expected


def test_shift_and_year_boundary():
    assert Week(2027, 1).shift(-1) == Week(2026, 53)
    assert Week(2026, 48).shift(-11) == Week(2026, 37)
    assert Week(2026, 53).span == "2026年12月28日—2027年1月3日"


def test_local_time_is_cst():
    assert local(dt.datetime(2026, 11, 29, 15, 59, tzinfo=UTC)) == "2026-11-29 23:59"
    assert local(None) == ""
