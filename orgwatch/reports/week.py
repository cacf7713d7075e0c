"""ISO weeks in China Standard Time: the report's unit of time, and its bounds in UTC."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: China Standard Time, UTC+8 all year (no daylight saving).
CST = dt.timezone(dt.timedelta(hours=8), "CST")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class WeekError(ValueError):
    """Raised by :meth:`Week.parse` for text that is not an ISO week such as ``2026-W48``."""


@dataclass(frozen=True, order=True)
class Week:
    """One ISO week: Monday 00:00 to the next Monday 00:00, China Standard Time."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        match = _WEEK.match(text.strip())
        if not match:
            raise WeekError(f"周应写成 ISO 周的形式，如 2026-W48，收到 {text!r}")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise WeekError(f"{year} 年没有第 {number} 周（ISO 周）") from None
        return cls(year, number)

    @classmethod
    def containing(cls, day: dt.date) -> "Week":
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def default_for(cls, as_of: dt.date) -> "Week":
        """The last complete week on ``as_of``: the week before the one containing it."""
        return cls.containing(as_of - dt.timedelta(days=7))

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def start(self) -> dt.datetime:
        """Monday 00:00 CST, as an aware UTC datetime."""
        return day_start(self.monday)

    @property
    def end(self) -> dt.datetime:
        """The next Monday 00:00 CST (exclusive), as an aware UTC datetime."""
        return day_start(self.monday + dt.timedelta(days=7))

    def shift(self, weeks: int) -> "Week":
        return Week.containing(self.monday + dt.timedelta(weeks=weeks))

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def span(self) -> str:
        """The dates in words: 2026年11月23日—11月29日."""
        mon, sun = self.monday, self.sunday
        tail = f"{sun.month}月{sun.day}日" if sun.year == mon.year else f"{sun.year}年{sun.month}月{sun.day}日"
        return f"{mon.year}年{mon.month}月{mon.day}日—{tail}"

    @property
    def short(self) -> str:
        """The Monday as month/day, for chart axes: 11/23."""
        return f"{self.monday.month}/{self.monday.day}"


def day_start(day: dt.date) -> dt.datetime:
    """00:00 CST of ``day`` as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), CST).astimezone(dt.timezone.utc)


def local(moment: dt.datetime | None) -> str:
    """A stored UTC time as China Standard Time, to the minute: 2026-11-28 21:40."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
