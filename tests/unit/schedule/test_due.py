"""Which channels are due: tables of (channel state, now) -> due or not, and why."""
from __future__ import annotations

import datetime as dt

import pytest

from config.settings import ScheduleSettings
from orgwatch.schedule.due import ChannelState, Policy, due_channels, next_due_at, next_scan

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
POLICY = Policy.from_settings(ScheduleSettings())


def ago(**kw) -> dt.datetime:
    return NOW - dt.timedelta(**kw)


def channel(kind="website", last=None, failures=0, interval=None, cid=1, org="a") -> ChannelState:
    return ChannelState(channel_id=cid, org_id=org, kind=kind, url=f"http://{org}.example.org/{cid}",
                        last_scan_at=last, failures=failures, interval=interval)


@pytest.mark.parametrize("state, due, reason", [
    (channel(last=None), True, "never"),
    (channel(kind="feed", last=None), True, "never"),
    # websites weekly
    (channel(last=ago(minutes=1)), False, None),
    (channel(last=ago(days=6, hours=23)), False, None),
    (channel(last=ago(days=7)), True, "interval"),
    (channel(last=ago(days=30)), True, "interval"),
    # public accounts daily
    (channel(kind="feed", last=ago(hours=23)), False, None),
    (channel(kind="feed", last=ago(days=1)), True, "interval"),
    (channel(kind="wechat_article", last=ago(days=1, minutes=5)), True, "interval"),
    (channel(kind="weibo", last=ago(hours=12)), False, None),
    # the registry's scan_interval wins over the kind's default
    (channel(last=ago(hours=13), interval=dt.timedelta(hours=12)), True, "interval"),
    (channel(kind="feed", last=ago(days=2), interval=dt.timedelta(days=3)), False, None),
    # a failed scan is retried after retry_after (1 h), doubling per further failure
    (channel(last=ago(minutes=30), failures=1), False, None),
    (channel(last=ago(hours=1), failures=1), True, "retry"),
    (channel(last=ago(hours=1, minutes=30), failures=2), False, None),
    (channel(last=ago(hours=2), failures=2), True, "retry"),
    (channel(last=ago(hours=7), failures=4), False, None),
    (channel(last=ago(hours=8), failures=4), True, "retry"),
    # ... but never waits longer than the interval itself
    (channel(kind="feed", last=ago(days=1), failures=30), True, "retry"),
    (channel(last=ago(hours=3), failures=2, interval=dt.timedelta(hours=3)), True, "retry"),
])
def test_due_or_not(state, due, reason):
    result = due_channels([state], NOW, POLICY)
    assert bool(result) is due
    if due:
        assert result[0].reason == reason


def test_never_scanned_first_then_longest_overdue():
    states = [
        channel(cid=1, last=ago(days=8)),  # due 1 day ago
        channel(cid=2, kind="feed", last=ago(days=3)),  # due 2 days ago
        channel(cid=3, last=None),
        channel(cid=4, last=ago(days=1)),  # not due
        channel(cid=5, kind="feed", last=ago(days=10)),
    ]
    assert [d.channel.channel_id for d in due_channels(states, NOW, POLICY)] == [3, 5, 2, 1]


def test_settings_change_the_defaults():
    policy = Policy.from_settings(ScheduleSettings(website_interval="1d", retry_after="3h"))
    assert due_channels([channel(last=ago(days=1))], NOW, policy)
    assert not due_channels([channel(last=ago(hours=2), failures=1)], NOW, policy)


def test_next_due_at_is_the_earliest():
    states = [channel(cid=1, last=ago(days=2)), channel(cid=2, kind="feed", last=ago(hours=20))]
    assert next_due_at(states, POLICY) == NOW + dt.timedelta(hours=4)
    assert next_due_at(states + [channel(cid=3)], POLICY) is None
    assert next_scan(states[0], POLICY) == (NOW + dt.timedelta(days=5), "interval")
