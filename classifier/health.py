"""Channel health, pure: how long a channel and its navigation columns have gone without a
dated publication, which columns are blank, and whether a home page looks defaced."""
from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from classifier.evidence import MARK_CLOSE, MARK_OPEN

NEWS_WORDS = ("新闻", "动态", "要闻", "资讯")
NOTICE_WORDS = ("通知", "公告", "公示", "政策", "法规")
COLUMN_KIND_LABELS = {"news": "新闻动态类栏目", "notice": "通知公告类栏目", None: "栏目"}
#: what an empty list page says
BLANK_MARKERS = ("暂无信息", "暂无内容", "暂无数据", "暂无记录", "暂无文章", "暂无相关信息", "没有相关信息", "敬请期待")
#: a column's name (its list page's title without the organisation's name) is at most this long
COLUMN_NAME_MAX = 12
_SEPARATORS = " -_|｜—–·:：>»,，　"
SHINGLE = 4
DIFF_MAX = 4000
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DatedDoc:
    """A stored page or article as channel health sees it."""

    url: str
    title: str = ""
    published_at: dt.date | None = None
    kind: str = "page"
    links: tuple[str, ...] = ()
    text: str = ""
    source: str | None = None  # where the date came from: visible, meta, url, feed, wechat_ct

    @property
    def is_article(self) -> bool:
        """Dated by a label on the page, its address or a feed: an article, not a list page
        (htmldate often dates a list page by its first item, source ``meta``)."""
        return self.published_at is not None and self.source in ("visible", "url", "feed", "wechat_ct")


@dataclass(frozen=True)
class Staleness:
    """The newest dated publication (None when nothing is dated) against a threshold in days."""

    newest: DatedDoc | None
    threshold_days: int
    age_days: int | None

    @property
    def stale(self) -> bool:
        return self.age_days is not None and self.age_days > self.threshold_days


def newest_dated(docs: list[DatedDoc], as_of: dt.date) -> DatedDoc | None:
    """The most recently published document, ignoring dates after ``as_of``."""
    dated = [d for d in docs if d.published_at and d.published_at <= as_of]
    return max(dated, key=lambda d: (d.published_at, d.url)) if dated else None


def staleness(docs: list[DatedDoc], as_of: dt.date, threshold_days: int) -> Staleness:
    newest = newest_dated(docs, as_of)
    age = (as_of - newest.published_at).days if newest else None
    return Staleness(newest, threshold_days, age)


def stale_evidence(what: str, check: Staleness) -> str:
    """'网站最新一条带日期的内容是 2026-01-05 发布的《…》（url），距今 200 天，超过 90 天未更新'."""
    n = check.newest
    title = f"《{n.title}》" if n.title else ""
    return (f"{what}最新一条带日期的内容是 {MARK_OPEN}{n.published_at.isoformat()}{MARK_CLOSE} 发布的{title}"
            f"（{n.url}），距今 {check.age_days} 天，超过 {check.threshold_days} 天未更新")


# --- navigation columns -------------------------------------------------------------------

def column_name(title: str, org_name: str = "") -> str:
    """A list page's title without the organisation's name and separators: 新闻动态 - 某协会 -> 新闻动态."""
    name = title.replace(org_name, " ") if org_name else title
    parts = [p.strip(_SEPARATORS) for p in re.split(r"[-_|｜—–]+|\s{2,}", name)]
    parts = [p for p in parts if p]
    return min(parts, key=len) if len(parts) > 1 else (parts[0] if parts else "")


def column_kind(name: str) -> str | None:
    """``notice`` (通知/公告/公示/政策…), ``news`` (新闻/动态/要闻/资讯) or None; notice wins a tie."""
    if any(w in name for w in NOTICE_WORDS):
        return "notice"
    if any(w in name for w in NEWS_WORDS):
        return "news"
    return None


@dataclass(frozen=True)
class Column:
    """A navigation column: a list page linked from the home page."""

    url: str
    name: str
    kind: str | None
    items: int
    newest: DatedDoc | None
    blank_reason: str = ""

    @property
    def blank(self) -> bool:
        return bool(self.blank_reason)


def column_names(home: DatedDoc, pages: dict[str, DatedDoc], org_name: str = "") -> dict[str, str]:
    """The pages ``home`` links that may be columns (list pages with a short title), by URL, with
    their names. Only these pages' texts are read (for "暂无信息")."""
    named: dict[str, str] = {}
    for link in home.links:
        page = pages.get(link)
        if page is None or link == home.url or page.kind != "page" or page.title == home.title:
            continue  # not stored, or the home page under another address
        if page.is_article:
            continue  # an item the home page links directly
        name = column_name(page.title, org_name)
        if name and len(name) <= COLUMN_NAME_MAX:
            named.setdefault(link, name)
    return named


def find_columns(home: DatedDoc, pages: dict[str, DatedDoc], as_of: dt.date, org_name: str = "") -> list[Column]:
    """The columns linked from ``home``: pages with a short title (the column's name) that
    list dated items, are named like a news or notice column, or say they are empty (暂无信息).
    A column's items are the dated pages it links, other columns and the home page excepted."""
    named = column_names(home, pages, org_name)
    others = set(named) | {home.url}
    found = (_column(pages[url], name, pages, others, set(home.links), as_of) for url, name in named.items())
    return [c for c in found if c is not None]


def _column(page: DatedDoc, name: str, pages: dict[str, DatedDoc], others: set[str], nav: set[str],
            as_of: dt.date) -> Column | None:
    kind = column_kind(name)
    linked = [pages[u] for u in dict.fromkeys(page.links) if u in pages and u not in others and u != page.url]
    items = [d for d in linked if d.published_at and d.published_at <= as_of]
    own_links = [u for u in page.links if u not in nav and u not in others and u != page.url]
    marker = next((m for m in BLANK_MARKERS if m in page.text), None)
    blank = ""
    if not items and marker:
        blank = f"页面显示“{marker}”"
    elif not items and not own_links and kind is not None:
        blank = "页面中没有任何条目链接"
    if kind is None and not blank and len(items) < 2:
        return None  # a content page (简介, 联系我们), not a column
    return Column(url=page.url, name=name, kind=kind, items=len(items), newest=newest_dated(items, as_of),
                  blank_reason=blank)


def blank_evidence(column: Column) -> str:
    return f"栏目{MARK_OPEN}{column.name}{MARK_CLOSE}（{column.url}）没有任何内容：{column.blank_reason}"


# --- home-page defacement -----------------------------------------------------------------

@dataclass(frozen=True)
class HomeState:
    """A home page version: its visible text and out-links (a baseline or the current one)."""

    text: str
    links: tuple[str, ...]
    taken: str = ""  # when, for the diff header


@dataclass(frozen=True)
class Defacement:
    """Why the home page looks defaced, with the numbers and a diff against the closest baseline."""

    reasons: tuple[str, ...]
    similarity: float
    new_links: tuple[str, ...]
    new_hosts: tuple[str, ...]
    total_links: int
    diff: str
    evidence: str


def normalise(text: str) -> str:
    """Text without whitespace or digits (dates and counters change on a healthy home page)."""
    return re.sub(r"\d", "", _SPACE.sub("", text))


def shingles(text: str, k: int = SHINGLE) -> frozenset[int]:
    """Hashed character k-grams of the normalised text (works for Chinese, which has no spaces)."""
    s = normalise(text)
    if len(s) <= k:
        return frozenset({zlib.crc32(s.encode("utf-8"))} if s else ())
    return frozenset(zlib.crc32(s[i:i + k].encode("utf-8")) for i in range(len(s) - k + 1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _tld() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # offline: the bundled list


def site_key(host: str) -> str:
    """The registrable domain of a host (``www.x.org.cn`` -> ``x.org.cn``); an IP stays itself."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return _tld()(host).top_domain_under_public_suffix or host


def is_external(link: str, home_url: str, extra_hosts: tuple[str, ...] = ()) -> bool:
    """Whether ``link`` leaves the site of ``home_url`` (another registrable domain, or another
    host:port for sites addressed by IP), ``extra_hosts`` counting as the site."""
    host, home = urlsplit(link).hostname or "", urlsplit(home_url)
    if not host:
        return False
    if any(host == h or host.endswith("." + h) for h in extra_hosts):
        return False
    try:
        ipaddress.ip_address(home.hostname or "")
        return urlsplit(link).netloc != home.netloc
    except ValueError:
        return site_key(host) != site_key(home.hostname or "")


def _host(link: str) -> str:
    return urlsplit(link).netloc.lower()


def check_defacement(current: HomeState, baselines: list[HomeState], home_url: str, *, min_similarity: float,
                     min_new_links: int, extra_hosts: tuple[str, ...] = ()) -> Defacement | None:
    """Compare the current home page with its recent clean versions; None when it looks normal.

    Defaced when the text is mostly replaced (the best Jaccard similarity of character
    shingles to any baseline is below ``min_similarity``; baselines under 40 characters are
    not compared), or when links to hosts never seen in the baselines are at least
    ``min_new_links`` and more than half of the page's links.
    """
    if not baselines:
        return None
    now = shingles(current.text)
    scored = [(jaccard(now, shingles(b.text)), b) for b in baselines if len(normalise(b.text)) >= 40]
    similarity, closest = max(scored, key=lambda p: p[0]) if scored else (1.0, baselines[0])
    known_hosts = {_host(link) for b in baselines for link in b.links if is_external(link, home_url, extra_hosts)}
    new_links = tuple(dict.fromkeys(
        link for link in current.links if is_external(link, home_url, extra_hosts) and _host(link) not in known_hosts
    ))
    reasons = []
    if similarity < min_similarity:
        reasons.append("text_replaced")
    if len(new_links) >= min_new_links and len(new_links) * 2 > len(current.links):
        reasons.append("external_links")
    if not reasons:
        return None
    new_hosts = tuple(dict.fromkeys(_host(link) for link in new_links))
    return Defacement(tuple(reasons), similarity, new_links, new_hosts, len(current.links),
                      text_diff(closest, current), _defacement_evidence(reasons, similarity, min_similarity,
                                                                        new_links, new_hosts, len(current.links),
                                                                        len(baselines)))


def _defacement_evidence(reasons: list[str], similarity: float, threshold: float, new_links: tuple[str, ...],
                         new_hosts: tuple[str, ...], total: int, baselines: int) -> str:
    parts = []
    if "text_replaced" in reasons:
        parts.append(f"文字与近期正常版本的相似度只有 {MARK_OPEN}{similarity:.2f}{MARK_CLOSE}（低于 {threshold:g}），大部分文字被替换")
    if "external_links" in reasons:
        hosts = "、".join(new_hosts[:5]) + ("等" if len(new_hosts) > 5 else "")
        parts.append(f"新出现 {MARK_OPEN}{len(new_links)}{MARK_CLOSE} 个指向外部网站的链接，占全部 {total} 个链接的"
                     f"{len(new_links) * 100 // max(total, 1)}%（{hosts}）")
    return f"首页与最近 {baselines} 次正常扫描时相比大幅改变：" + "；".join(parts)


def text_diff(before: HomeState, after: HomeState, limit: int = DIFF_MAX) -> str:
    """A unified diff of the two texts, line by line, cut at ``limit`` characters."""
    lines = difflib.unified_diff(
        before.text.splitlines(), after.text.splitlines(), fromfile=f"基线 {before.taken}".strip(),
        tofile=f"本次 {after.taken}".strip(), lineterm="", n=1,
    )
    diff = "\n".join(lines)
    return diff if len(diff) <= limit else diff[:limit] + "\n…（差异过长，已截断）"
