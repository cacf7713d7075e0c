"""Small helpers shared by the page modules: reading optional query values, paging, htmx detection."""
from __future__ import annotations

import datetime as dt

from fastapi import HTTPException, Request

from orgwatch.web.templating import LOCAL_TZ

PER_PAGE_CHOICES = (20, 50, 100)
#: beyond any real list; keeps OFFSET within the database's integer range
MAX_PAGE = 1_000_000


def is_htmx(request: Request) -> bool:
    """True for a request htmx sent (it asks for a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def today(now: dt.datetime) -> dt.date:
    """The calendar day in Beijing time of an aware (or naive UTC) datetime."""
    aware = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(LOCAL_TZ).date()


def blank_to_none(value: str | None) -> str | None:
    """Form fields left empty arrive as ''; treat them as absent."""
    value = (value or "").strip()
    return value or None


def parse_day(value: str | None, label: str) -> dt.date | None:
    """A YYYY-MM-DD query value, or a 400 page saying how to write it."""
    value = blank_to_none(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{label}“{value}”不是有效日期，请写成 2026-11-28 这样的形式。") from None


def parse_page(value: str | None) -> int:
    """A page number from the query (1 when absent or not a positive number; at most MAX_PAGE)."""
    try:
        return min(max(1, int(value or 1)), MAX_PAGE)
    except ValueError:
        return 1


def parse_per_page(value: str | None, default: int = 50) -> int:
    """Rows per page, one of PER_PAGE_CHOICES."""
    try:
        wanted = int(value or default)
    except ValueError:
        return default
    return min(PER_PAGE_CHOICES, key=lambda n: abs(n - wanted))
