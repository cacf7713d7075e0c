"""Disclosure checklist status and channel health of one organisation at the end of a week.

What is counted (missing items, unreachable and stale channels, broken links) comes from the
findings open at that moment, so a past week always gives the same figures. The checklist and
channel records of :mod:`orgwatch.status` only add words: the titles of the missing items, and
a channel's newest publication when it falls within the week or before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from models.entities import Channel
from models.reports import FindingRow
from orgwatch.reports.labels import CHANNEL_KINDS

PENDING = "（待评估）"


class CurrentStatus(Protocol):
    """What the report reads from :class:`orgwatch.status.OrgStatus`."""

    items: list  # each with ``item`` and ``title``
    channels: list  # each with ``url`` and ``newest_on`` (ISO date or None)


@dataclass(frozen=True)
class ChannelHealth:
    """One channel's state at the end of the week: ``label`` in words, ``ok`` when nothing is wrong."""

    url: str
    kind: str
    name: str
    label: str
    ok: bool
    newest_on: str = ""

    @property
    def kind_label(self) -> str:
        return CHANNEL_KINDS.get(self.kind, self.kind)

    @property
    def text(self) -> str:
        newest = f"（最近发布 {self.newest_on}）" if self.newest_on else ""
        return f"{self.kind_label} {self.url}：{self.label}{newest}"


@dataclass(frozen=True)
class OrgHealth:
    """What the per-organisation table shows besides the findings counts."""

    disclosure: str
    missing_items: int
    channels: list[ChannelHealth] = field(default_factory=list)
    unreachable: int = 0
    stale: int = 0

    @property
    def health_text(self) -> str:
        if not self.channels:
            return "（名册中没有渠道）"
        bad = [c for c in self.channels if not c.ok]
        if not bad:
            return f"{len(self.channels)} 个渠道正常"
        return "；".join(c.text for c in bad)


def org_health(channels: list[Channel], open_rows: list[FindingRow], last_day: dt.date,
               current: CurrentStatus | None = None) -> OrgHealth:
    """The disclosure column and channel health from the findings open at the end of the week."""
    titles = {i.item: i.title for i in current.items} if current is not None else {}
    missing = sorted({r.item or r.rule for r in open_rows if r.category == "disclosure_missing"})
    if missing:
        disclosure = f"缺 {len(missing)} 项：" + "、".join(titles.get(m) or m for m in missing)
    else:
        disclosure = "无缺项" if titles else PENDING
    newest = {c.url: c.newest_on for c in current.channels} if current is not None else {}
    health = [_channel_health(c, [r for r in open_rows if r.channel_id == c.id], newest.get(c.url), last_day)
              for c in channels]
    return OrgHealth(
        disclosure=disclosure, missing_items=len(missing), channels=health,
        unreachable=sum(1 for c in channels if _has(open_rows, c.id, "unreachable")),
        stale=sum(1 for c in channels if _has(open_rows, c.id, "stale_channel")),
    )


def _has(rows: list[FindingRow], channel_id: int, category: str) -> bool:
    return any(r.channel_id == channel_id and r.category == category for r in rows)


def _channel_health(channel: Channel, rows: list[FindingRow], newest_on: str | None,
                    last_day: dt.date) -> ChannelHealth:
    problems = []
    if any(r.category == "unreachable" for r in rows):
        problems.append("无法访问")
    if any(r.category == "defacement" for r in rows):
        problems.append("首页疑似被篡改")
    if any(r.category == "stale_channel" for r in rows):
        problems.append("长期未更新")
    broken = sum(1 for r in rows if r.category == "broken_link")
    if broken:
        problems.append(f"失效链接 {broken} 个")
    shown = newest_on if newest_on and newest_on <= last_day.isoformat() else ""
    return ChannelHealth(url=channel.url, kind=channel.kind, name=channel.name or "",
                         label="、".join(problems) or "正常", ok=not problems, newest_on=shown)
