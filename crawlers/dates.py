"""Find when a page was published: markup (htmldate), Chinese date labels, the URL, feeds, WeChat.

Every function returns an ISO date (``YYYY-MM-DD``) in China Standard Time, or None.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
import time

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

#: Organisations monitored are in mainland China; timestamps become dates there.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
EARLIEST_YEAR = 1990

_YMD = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
#: "发布时间：2026-11-25", "发布日期：2026年11月25日", "日期：2026/11/25"; not "活动时间：…".
_LABELLED = re.compile(
    r"(?<!活动)(?<!会议)(?<!报名)(?<!截止)(?<!开始)(?<!结束)(?<!举办)(?<!成立)"
    r"(?:发布|发表|更新|录入|上传|创建)?(?:时间|日期)\s*[:：]?\s*" + _YMD
)
#: A bare Chinese date: "2026年11月25日".
_CHINESE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
#: Dates in URLs: /2026/11/25/, /2026-11-3/, t20261125_123.html (common on gov-style CMSs),
#: /2026/1125.html and /2026/1125/abc.html (year folder, then month and day).
_IN_URL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/_](\d{1,2})[-/_](\d{1,2})(?!\d)"
    r"|(?<!\d)((?:19|20)\d{2})/?(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"
)
_WECHAT_CT = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{9,11})["']?""")


def published_date(tree: HtmlElement | None, text: str, url: str | None = None) -> tuple[str | None, str | None]:
    """``(date, source)`` for a page, first found wins: a labelled date in the visible text
    such as "发布时间：2026-11-25" (``visible``), htmldate's reading of the markup (``meta``),
    a date in the URL (``url``), the first bare "2026年11月25日" in the text (``visible``);
    ``(None, None)`` when there is none."""
    found = _first_valid(_LABELLED, text)
    if found:
        return found, "visible"
    if tree is not None:
        found = markup_date(tree)
        if found:
            return found, "meta"
    found = _first_valid(_IN_URL, url or "")
    if found:
        return found, "url"
    found = _first_valid(_CHINESE, text)
    if found:
        return found, "visible"
    return None, None


def markup_date(tree: HtmlElement) -> str | None:
    """htmldate's reading of meta tags, JSON-LD and date elements (no full-text search).

    The parsed tree is passed rather than the string: htmldate would download a string that
    looks like a URL, and it copies a tree before changing it.
    """
    import htmldate  # noqa: PLC0415 - imported on first use: a re-scan of an unchanged site never needs it

    today = dt.datetime.now(CHINA_TZ).date()
    try:
        return htmldate.find_date(
            tree,
            outputformat="%Y-%m-%d",
            original_date=True,
            extensive_search=False,
            min_date=dt.datetime(EARLIEST_YEAR, 1, 1),
            max_date=dt.datetime(today.year, today.month, today.day) + dt.timedelta(days=1),
        )
    except Exception:  # noqa: BLE001 - a third-party parser must not stop the crawl
        logger.warning("htmldate failed on a page", exc_info=True)
        return None


def wechat_ct_date(html: str) -> str | None:
    """The date of a WeChat article from its ``var ct = "1700000000"`` publish timestamp."""
    match = _WECHAT_CT.search(html)
    return timestamp_date(int(match.group(1))) if match else None


def timestamp_date(timestamp: float) -> str | None:
    """A Unix timestamp as a date in China Standard Time (None when out of range)."""
    try:
        day = dt.datetime.fromtimestamp(timestamp, CHINA_TZ).date()
    except (OverflowError, OSError, ValueError):
        return None
    return day.isoformat() if _plausible(day) else None


def struct_time_date(value: time.struct_time | None) -> str | None:
    """A feedparser ``*_parsed`` value (UTC) as a date in China Standard Time."""
    if not value:
        return None
    return timestamp_date(calendar.timegm(value))


def _first_valid(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        year, month, day = (int(g) for g in match.groups() if g is not None)
        try:
            found = dt.date(year, month, day)
        except ValueError:
            continue
        if _plausible(found):
            return found.isoformat()
    return None


def _plausible(day: dt.date) -> bool:
    today = dt.datetime.now(CHINA_TZ).date()
    return EARLIEST_YEAR <= day.year and day <= today + dt.timedelta(days=1)


#: Weibo's ``created_at``: "Sat Nov 28 10:00:00 +0800 2026".
_WEIBO_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_WEIBO_RELATIVE = re.compile(r"^(?:(\d+)\s*(秒|分钟|小时)前|刚刚|今天.*|昨天.*)$")
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_ANY_YMD = re.compile(_YMD)


def weibo_date(created_at: str | None, now: dt.datetime | None = None) -> str | None:
    """The date of a Weibo post from its ``created_at``: the API's "Sat Nov 28 10:00:00 +0800
    2026", an ISO date, or the mobile site's "11-28", "3小时前", "刚刚", "昨天 10:00"."""
    value = (created_at or "").strip()
    if not value:
        return None
    now = now or dt.datetime.now(CHINA_TZ)
    try:
        return _checked(dt.datetime.strptime(value, _WEIBO_FORMAT).astimezone(CHINA_TZ).date())
    except ValueError:
        pass
    found = _first_valid(_ANY_YMD, value)
    if found:
        return found
    if match := _WEIBO_RELATIVE.match(value):
        if value.startswith("昨天"):
            return (now - dt.timedelta(days=1)).date().isoformat()
        amount, unit = int(match.group(1) or 0), match.group(2) or "秒"
        seconds = amount * {"秒": 1, "分钟": 60, "小时": 3600}[unit]
        return (now - dt.timedelta(seconds=seconds)).date().isoformat()
    if match := _MONTH_DAY.match(value):
        try:
            return _checked(dt.date(now.year, int(match.group(1)), int(match.group(2))))
        except ValueError:
            return None
    return None


def _checked(day: dt.date) -> str | None:
    return day.isoformat() if _plausible(day) else None
