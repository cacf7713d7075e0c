"""Which channels are due for a scan: a pure function of their last scans, their intervals and now.

No database and no clock: the caller passes the channels' state and the time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping

#: the back-off doubles at most this many times (2**16 hours is far beyond any interval)
_MAX_DOUBLINGS = 16


@dataclass(frozen=True)
class ChannelState:
    """What the scheduler knows of one channel.

    ``last_scan_at`` is when its last scan finished (successful or not), ``failures`` how many
    scans in a row could not reach its home page (0: the last scan succeeded), ``interval`` the
    registry's ``scan_interval`` (None: the default of its kind). ``last_pages`` is how many pages
    its last scan fetched.
    """

    channel_id: int
    org_id: str
    kind: str
    url: str
    last_scan_at: dt.datetime | None = None
    failures: int = 0
    interval: dt.timedelta | None = None
    last_pages: int = 0


@dataclass(frozen=True)
class Policy:
    """Default interval per channel kind, and the first back-off after a failed scan."""

    intervals: Mapping[str, dt.timedelta]
    retry_after: dt.timedelta

    @classmethod
    def from_settings(cls, schedule) -> "Policy":
        """The policy of a :class:`config.settings.ScheduleSettings`."""
        kinds = ("website", "feed", "wechat_article", "weibo")
        return cls({k: schedule.interval_for(k) for k in kinds}, schedule.retry_after)

    def interval(self, channel: ChannelState) -> dt.timedelta:
        return channel.interval or self.intervals[channel.kind]

    def wait_after_failures(self, channel: ChannelState) -> dt.timedelta:
        """``retry_after`` doubled for every further failure, never longer than the interval."""
        doublings = min(channel.failures - 1, _MAX_DOUBLINGS)
        return min(self.interval(channel), self.retry_after * (2 ** doublings))


@dataclass(frozen=True)
class Due:
    """A channel that is due, why (``never``, ``interval``, ``retry``) and since when."""

    channel: ChannelState
    reason: str
    due_at: dt.datetime | None


def next_scan(channel: ChannelState, policy: Policy) -> tuple[dt.datetime | None, str]:
    """When the channel is next due and why; ``None`` means now (never scanned)."""
    if channel.last_scan_at is None:
        return None, "never"
    if channel.failures > 0:
        return channel.last_scan_at + policy.wait_after_failures(channel), "retry"
    return channel.last_scan_at + policy.interval(channel), "interval"


def due_channels(channels: Iterable[ChannelState], now: dt.datetime, policy: Policy) -> list[Due]:
    """The channels due at ``now``: never-scanned ones first, then the longest overdue."""
    due = []
    for channel in channels:
        at, reason = next_scan(channel, policy)
        if at is None or at <= now:
            due.append(Due(channel, reason, at))
    return sorted(due, key=lambda d: (d.due_at is not None, d.due_at or now, d.channel.channel_id))


def next_due_at(channels: Iterable[ChannelState], policy: Policy) -> dt.datetime | None:
    """The earliest time any of the channels becomes due (None: no channel, or one never scanned)."""
    times = [next_scan(c, policy)[0] for c in channels]
    if not times or any(t is None for t in times):
        return None
    return min(times)
