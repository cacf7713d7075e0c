"""Spot links that lead into crawl traps: endless calendars, repeating path segments and
query strings that grow with every click. Such links are not followed; the channel's crawl is
then reported as truncated (not as an error).

A trap is recognised by the URL and the page that linked it, never by fetching it:

- calendar: a month in the URL (``/2027/01/``, ``?month=2027-01``, ``?year=2027&month=1``)
  more than a year ahead or before 1990, or a run of more than :data:`CALENDAR_RUN` pages
  of one URL pattern, each reached from the previous one by a link that changes only the
  date;
- repeating path: a run of 1-3 path segments repeated :data:`REPEATS` times in a row
  (``/a/b/a/b/a/b/``), or more than :data:`MAX_SEGMENTS` segments;
- growing query: more than :data:`MAX_QUERY_CHARS` characters or :data:`MAX_PARAMS`
  parameters, one parameter repeated more than :data:`REPEATS` times, or a chain of more
  than :data:`GROWTH_RUN` pages each adding parameters to the previous page's query.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

EARLIEST_YEAR = 1990
CALENDAR_RUN = 24
REPEATS = 3
MAX_SEGMENTS = 30
MAX_QUERY_CHARS = 400
MAX_PARAMS = 20
GROWTH_RUN = 4

#: Query keys that hold a year, a month, or a whole date.
YEAR_KEYS = frozenset("year y yy yyyy nian".split())
MONTH_KEYS = frozenset("month m mm mon yue".split())
DATE_KEYS = frozenset("date day d ym ymd yearmonth cal calendar dt time t period riqi".split())

#: ``2027``, ``2027-1``, ``2027-01-05``, ``2027/1/5``, ``202701``, ``20270105``.
_DATE_VALUE = re.compile(
    r"^((?:19|20|21)\d{2})(?:[-/.](0?[1-9]|1[0-2])(?:[-/.](?:0?[1-9]|[12]\d|3[01]))?"
    r"|(0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?)?$"
)
#: ``/2027/01/``, ``/2027-01/`` or ``/2027_1.html`` in a path (a month archive or calendar page).
#: A bare number such as ``/202701.html`` or ``/2101.html`` is taken for an article id, not a date.
_PATH_MONTH = re.compile(r"/((?:19|20|21)\d{2})[-/_](0?[1-9]|1[0-2])(?=/|$|\.)")

KIND_LABELS = {"calendar": "日历", "repeating_path": "重复路径", "growing_query": "不断变长的查询串"}


@dataclass
class UrlDate:
    """A date found in a URL, and the URL with that date taken out (its pattern)."""

    year: int
    month: int | None
    pattern: str
    in_query: bool


@dataclass
class TrapReport:
    """What the detector stopped: how many links of each kind, an example, when it began."""

    counts: Counter[str] = field(default_factory=Counter)
    example: str = ""
    first_at: int = 0  # requests made when the first trap link was seen

    def describe(self) -> str:
        """The Chinese sentence for ChannelDone.truncated_reason ("" when nothing was stopped)."""
        if not self.counts:
            return ""
        kinds = "、".join(KIND_LABELS[k] for k in KIND_LABELS if self.counts[k])
        total = sum(self.counts.values())
        return (f"疑似无限链接（{kinds}），在第 {self.first_at} 个请求时开始停止跟随，"
                f"共 {total} 个此类链接未抓取，例如 {self.example}")


class TrapDetector:
    """Judge each new link (with the page that linked it); remembers the runs it has seen."""

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.report = TrapReport()
        self._calendar_run: dict[str, int] = {}
        self._growth_run: dict[str, int] = {}

    def check(self, url: str, referer: str | None = None, *, requests: int = 0) -> str | None:
        """The kind of trap ``url`` is in (``calendar``, ``repeating_path``, ``growing_query``)
        or None; a trap is counted in :attr:`report`."""
        kind = self._classify(url, referer)
        if kind is not None:
            if not self.report.counts:
                self.report.example, self.report.first_at = url, requests
            self.report.counts[kind] += 1
        return kind

    def _classify(self, url: str, referer: str | None) -> str | None:
        parts = urlsplit(url)
        if repeating_path(parts.path):
            return "repeating_path"
        if self._growing_query(url, parts.query, referer):
            return "growing_query"
        if self._calendar(url, referer):
            return "calendar"
        return None

    def _growing_query(self, url: str, query: str, referer: str | None) -> bool:
        pairs = parse_qsl(query, keep_blank_values=True)
        if len(query) > MAX_QUERY_CHARS or len(pairs) > MAX_PARAMS:
            return True
        if pairs and Counter(k for k, _ in pairs).most_common(1)[0][1] > REPEATS:
            return True
        run = 0
        if referer:
            ref = urlsplit(referer)
            ref_pairs = Counter(parse_qsl(ref.query, keep_blank_values=True))
            if ref.path == urlsplit(url).path and ref_pairs and not ref_pairs - Counter(pairs) and len(pairs) > sum(ref_pairs.values()):
                run = self._growth_run.get(referer, 0) + 1
        if run:
            self._growth_run[url] = run
        return run > GROWTH_RUN

    def _calendar(self, url: str, referer: str | None) -> bool:
        found = url_date(url)
        if found is None:
            return False
        if found.year < EARLIEST_YEAR or (found.year, found.month or 1) > (self.today.year + 1, self.today.month):
            return True
        run = 0
        previous = url_date(referer) if referer else None
        if previous is not None and previous.pattern == found.pattern:
            run = self._calendar_run.get(referer or "", 0) + 1
        if run:
            self._calendar_run[url] = run
        return run > CALENDAR_RUN


def repeating_path(path: str) -> bool:
    """True for ``/a/b/a/b/a/b/``-like paths (a run of 1-3 segments repeated REPEATS times)
    and for paths deeper than MAX_SEGMENTS."""
    segments = [s for s in path.split("/") if s]
    if len(segments) > MAX_SEGMENTS:
        return True
    for size in (1, 2, 3):
        for start in range(0, len(segments) - size * REPEATS + 1):
            block = segments[start:start + size]
            if all(segments[start + i * size:start + (i + 1) * size] == block for i in range(1, REPEATS)):
                return True
    return False


def url_date(url: str) -> UrlDate | None:
    """The year (and month) a URL is about, from its query string or its path; None if none."""
    parts = urlsplit(url)
    found = _query_date(parts.query)
    if found is not None:
        year, month, pattern_query = found
        return UrlDate(year, month, f"{parts.path}?{pattern_query}", in_query=True)
    match = _PATH_MONTH.search(parts.path)
    if match is None:
        return None
    pattern = parts.path[:match.start()] + "/{date}" + parts.path[match.end():]
    return UrlDate(int(match.group(1)), int(match.group(2)), f"{pattern}?{parts.query}", in_query=False)


def _query_date(query: str) -> tuple[int, int | None, str] | None:
    year = month = None
    rest: list[str] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        name = key.lower()
        if name in YEAR_KEYS and value.isdigit() and len(value) == 4:
            year = int(value)
        elif name in MONTH_KEYS and value.isdigit() and 1 <= int(value) <= 12:
            month = int(value)
        elif (name in DATE_KEYS or name in MONTH_KEYS) and (match := _DATE_VALUE.match(value)):
            year = int(match.group(1))
            month_text = match.group(2) or match.group(3)
            month = int(month_text) if month_text else None
        else:
            rest.append(f"{key}={value}")
            continue
        rest.append(f"{key}={{date}}")
    if year is None:
        return None
    return year, month, "&".join(rest)
