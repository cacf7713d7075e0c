"""When an item is due, as of a given day: the deadline that has passed and the period it covers."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from classifier.disclosure.pack import Due


@dataclass(frozen=True)
class DueInfo:
    """``owed`` is whether the item must be present as of the day; ``due_on`` is the
    deadline that passed (None when it is not known); ``covered_year`` the year an annual
    item must cover; ``label`` says it in words, ``upcoming`` names the next deadline."""

    owed: bool
    due_on: dt.date | None
    label: str
    covered_year: int | None = None
    upcoming: str = ""


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _deadline(year: int, due: Due) -> dt.date:
    month, day = due.month_day
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def annual(due: Due, as_of: dt.date, registered_on: dt.date | None = None) -> DueInfo:
    """The newest year whose deadline has passed: on 2026-05-31 the 2024 report (deadline
    2025-05-31) is owed and the 2025 report is not yet; from 2026-06-01 the 2025 report is."""
    this_year = _deadline(as_of.year, due)
    if as_of > this_year:
        covered, due_on = as_of.year - 1, this_year
    else:
        covered, due_on = as_of.year - 2, _deadline(as_of.year - 1, due)
    upcoming = f"{covered + 1} 年度的应于 {_deadline(covered + 2, due).isoformat()} 前公开"
    if registered_on is not None and registered_on.year > covered:
        return DueInfo(False, None, f"{registered_on.year} 年登记，尚无应公开的年度", None, upcoming)
    return DueInfo(True, due_on, f"{covered} 年度的应于 {due_on.isoformat()} 前公开", covered, upcoming)


def after_registration(due: Due, as_of: dt.date, registered_on: dt.date | None) -> DueInfo:
    """Due ``days`` after registration; owed from the start when the registration date is unknown."""
    if registered_on is None:
        return DueInfo(True, None, f"应于登记之日起 {due.days} 日内公开，名册未记录登记日期")
    due_on = registered_on + dt.timedelta(days=due.days)
    return DueInfo(as_of > due_on, due_on, f"应于登记之日起 {due.days} 日内即 {due_on.isoformat()} 前公开")


def periodic(due: Due, as_of: dt.date, latest: dt.date | None, start: dt.date | None) -> DueInfo:
    """Every ``months`` (plus ``grace_days``) since the latest publication, or since ``start``."""
    base = latest or start
    if base is None:
        return DueInfo(True, None, f"应至少每 {due.months} 个月公开一次")
    due_on = add_months(base, due.months) + dt.timedelta(days=due.grace_days)
    what = f"上次公开于 {latest.isoformat()}" if latest else f"自 {start.isoformat()} 起"
    return DueInfo(as_of > due_on, due_on, f"应至少每 {due.months} 个月公开一次（{what}），下次应于 {due_on.isoformat()} 前公开")


def before_campaign(start: dt.date | None) -> DueInfo:
    """Due before a public fundraising campaign starts: owed as soon as one is seen."""
    if start is None:
        return DueInfo(True, None, "应于开展公开募捐前公开")
    return DueInfo(True, start, f"应于开展公开募捐前公开（最早见到募捐信息是 {start.isoformat()}）")


def due_info(due: Due, as_of: dt.date, *, registered_on: dt.date | None = None, latest: dt.date | None = None,
             campaign_start: dt.date | None = None) -> DueInfo:
    """Dispatch on ``due.kind``."""
    if due.kind == "annual":
        return annual(due, as_of, registered_on)
    if due.kind == "registration":
        return after_registration(due, as_of, registered_on)
    if due.kind == "periodic":
        return periodic(due, as_of, latest, campaign_start or registered_on)
    return before_campaign(campaign_start)
