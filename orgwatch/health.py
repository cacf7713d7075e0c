"""Channel health after a scan: stale channels and columns, blank columns, defaced home pages,
from everything stored for each channel; a ``channel_check`` row per channel plus findings."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Row
from sqlalchemy.orm import Session

from classifier import health
from classifier.base import Severity
from classifier.basis import basis_for
from config.settings import HealthSettings
from crawlers.urls import canonical
from models import findings as store
from models import pages
from models.entities import Channel, Page, ScanRun
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
PUBLIC_ACCOUNT_KINDS = ("feed", "weibo")
CHANNEL_LABELS = {"website": "网站", "feed": "公众号", "weibo": "微博", "wechat_article": "公众号文章"}


@dataclass
class Outcome:
    """What one service run changed: upsert outcomes (new / reopened / seen) and resolved ids."""

    outcomes: list[str] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(o in ("new", "reopened") for o in self.outcomes)

    def add(self, other: "Outcome") -> None:
        self.outcomes += other.outcomes
        self.resolved += other.resolved


class Documents:
    """What the channel-health and disclosure checks both read, read once per session: an
    organisation's channels, each channel's stored documents (pages.DOCUMENT_COLUMNS, no texts)
    and whether a scan's reading of a channel can be trusted."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._rows: dict[int, list[Row]] = {}
        self._channels: dict[str, list[Channel]] = {}
        self._problems: dict[tuple[int, int], str | None] = {}

    def of(self, channel: Channel) -> list[Row]:
        if channel.id not in self._rows:
            self._rows[channel.id] = pages.channel_documents(self.s, channel.id)
        return self._rows[channel.id]

    def channels(self, org_id: str) -> list[Channel]:
        if org_id not in self._channels:
            self._channels[org_id] = pages.org_channels(self.s, org_id)
        return self._channels[org_id]

    def problem(self, channel: Channel, scan: ScanRun) -> str | None:
        """:func:`crawl_problem`, worked out once per channel and scan."""
        key = (channel.id, scan.id)
        if key not in self._problems:
            self._problems[key] = crawl_problem(self.s, channel, scan)
        return self._problems[key]


def home_urls(channel: Channel) -> tuple[str, ...]:
    """The spellings of a channel's URL its home page may be stored under (the crawler's canonical form first)."""
    return tuple(dict.fromkeys((canonical(channel.url), channel.url)))


def home_page(session: Session, channel: Channel) -> Page | None:
    return pages.home_page(session, channel, home_urls(channel))


def crawl_problem(session: Session, channel: Channel, scan: ScanRun) -> str | None:
    """Why this scan's reading of ``channel`` cannot be trusted, in words (None when it went
    fine): it was not crawled in this scan, or its home page (or feed) failed."""
    if channel.last_scan_at is None or channel.last_scan_at < scan.started_at:
        return "本次扫描没有读到该渠道"
    if channel.last_error:
        return f"首页无法访问：{channel.last_error}"
    if channel.kind == "website":
        home = home_page(session, channel)
        if home is None or home.last_scan_id != scan.id:
            return "本次扫描没有读到该渠道的首页"
    return None


def _dated(page: Page | Row, text: str = "") -> health.DatedDoc:
    """A stored page or document row as channel health sees it (``text`` only where it is read)."""
    return health.DatedDoc(url=page.url, title=page.title or "", published_at=page.published_at, kind=page.kind,
                           links=tuple(page.links or ()), text=text, source=page.published_source)


def _threshold(channel: Channel, settings: HealthSettings) -> int | None:
    if channel.kind == "website":
        return settings.website_days
    if channel.kind in PUBLIC_ACCOUNT_KINDS:
        return settings.public_account_days
    return None  # a single-article channel has nothing to keep up to date


def _finding(org_id: str, channel: Channel, url: str, category: str, rule: str, evidence: str, detail: dict,
             severity: Severity = Severity.LOW, key: str = "") -> dict:
    return dict(
        fingerprint=store.fingerprint(org_id, url, category, rule, None, key), org_id=org_id,
        channel_id=channel.id, page_id=None, snapshot_id=None, url=url, category=category, rule=rule, item=None,
        severity=severity.value, evidence=evidence, position_start=0, position_end=0,
        basis=basis_for(category, rule).basis, detail=detail, score=None,
    )


class ChannelHealth:
    """Checks every channel of one organisation after scan ``scan``."""

    def __init__(self, rt: Runtime, session: Session, scan: ScanRun, org_id: str, org_name: str,
                 documents: Documents | None = None, channel_scans: dict[int, ScanRun] | None = None) -> None:
        self.rt, self.s, self.scan, self.org_id, self.org_name = rt, session, scan, org_id, org_name
        self.channel_scans = channel_scans or {}
        self.documents = documents if documents is not None else Documents(session)
        self.settings = rt.settings.health
        self.now = rt.now()

    def run(self) -> Outcome:
        total = Outcome()
        for channel in self.documents.channels(self.org_id):
            total.add(self.channel(channel))
        return total

    def _upsert(self, values: dict, keep: list[str], out: Outcome) -> None:
        out.outcomes.append(store.upsert_finding(self.s, values, scan_id=self.scan.id, now=self.now)[1])
        keep.append(values["fingerprint"])

    def channel(self, channel: Channel) -> Outcome:
        out = Outcome()
        problem = self.documents.problem(channel, self.channel_scans.get(channel.id, self.scan))
        base = dict(checked_at=self.now, scan_id=self.scan.id, note="", columns=[], defaced=False)
        if problem:
            pages.save_channel_check(self.s, channel.id, {**base, "state": "failed", "note": problem})
            return out
        threshold = _threshold(channel, self.settings)
        rows = self.documents.of(channel)
        docs = [_dated(r) for r in rows]
        check = health.staleness(docs, self.rt.as_of, threshold or 0)
        row = {**base, "newest_on": check.newest.published_at if check.newest else None,
               "newest_url": check.newest.url if check.newest else None,
               "newest_title": check.newest.title if check.newest else "", "threshold_days": threshold}
        keep: list[str] = []
        if threshold is None:
            row.update(state="not_checked", note="单篇文章渠道不检查更新")
        elif check.newest is None:
            row.update(state="no_dates", note="未发现带日期的内容，无法判断更新情况")
        else:
            row["state"] = "stale" if check.stale else "ok"
        if check.stale and threshold is not None:
            what = CHANNEL_LABELS.get(channel.kind, "渠道")
            self._upsert(_finding(self.org_id, channel, channel.url, "stale_channel", "channel_stale",
                                  health.stale_evidence(what, check),
                                  {"newest_on": check.newest.published_at.isoformat(), "newest_url": check.newest.url,
                                   "age_days": check.age_days, "threshold_days": threshold}), keep, out)
        if channel.kind == "website":
            home = home_page(self.s, channel)
            row["columns"] = self.columns(channel, home, rows, channel_stale=check.stale, keep=keep, out=out)
            row["defaced"] = self.defacement(channel, home, out)
        out.resolved += store.resolve_channel_findings(self.s, channel_id=channel.id, category="stale_channel",
                                                       keep=keep, now=self.now)
        pages.save_channel_check(self.s, channel.id, row)
        return out

    def columns(self, channel: Channel, home: Page, stored: list[Row], *, channel_stale: bool,
                keep: list[str], out: Outcome) -> list[dict]:
        """Check each navigation column; stale columns are reported only when the channel is not stale itself.
        Only the texts of the candidate columns are read."""
        by_url = {r.url: _dated(r) for r in stored}
        start = _dated(home, home.text or "")
        candidates = health.column_names(start, by_url, self.org_name)
        texts = {i: text for i, text, _ in pages.page_texts(self.s, [r.id for r in stored if r.url in candidates])}
        by_url.update({r.url: _dated(r, texts[r.id]) for r in stored if r.id in texts})
        limits = {"news": self.settings.news_column_days, "notice": self.settings.notice_column_days}
        rows = []
        for col in health.find_columns(start, by_url, self.rt.as_of, self.org_name):
            limit = limits.get(col.kind)
            age = (self.rt.as_of - col.newest.published_at).days if col.newest else None
            state = "blank" if col.blank else ("stale" if limit and age is not None and age > limit else "ok")
            if col.blank:
                self._upsert(_finding(self.org_id, channel, col.url, "stale_channel", "blank_column",
                                      health.blank_evidence(col), {"column": col.name, "reason": col.blank_reason}),
                             keep, out)
            elif state == "stale" and not channel_stale:
                check = health.Staleness(col.newest, limit, age)
                what = f"栏目“{col.name}”（{health.COLUMN_KIND_LABELS[col.kind]}）"
                self._upsert(_finding(self.org_id, channel, col.url, "stale_channel", "column_stale",
                                      health.stale_evidence(what, check),
                                      {"column": col.name, "kind": col.kind, "newest_on": col.newest.published_at
                                       .isoformat(), "newest_url": col.newest.url, "age_days": age,
                                       "threshold_days": limit}), keep, out)
            rows.append({"url": col.url, "name": col.name, "kind": col.kind, "items": col.items,
                         "newest_on": col.newest.published_at.isoformat() if col.newest else None,
                         "newest_url": col.newest.url if col.newest else None, "state": state,
                         "threshold_days": limit, "blank_reason": col.blank_reason})
        return rows

    def defacement(self, channel: Channel, home: Page, out: Outcome) -> bool:
        """Compare the home page with its baseline; keep it as a new baseline when it looks clean.

        The finding's key is the newest baseline's id: a defacement lasting several scans is
        one finding, a later one (after new clean baselines) is a new finding. A finding marked
        false positive accepts that version of the page as a baseline (a redesign).
        """
        baselines = pages.recent_baselines(self.s, channel.id, self.settings.baseline_scans)
        found = self._compare(channel, home, baselines) if baselines else None
        keep: list[str] = []
        accepted = False
        if found:
            values = _finding(self.org_id, channel, channel.url, "defacement", "home_defaced", found.evidence,
                              {"reasons": list(found.reasons), "similarity": round(found.similarity, 3),
                               "new_hosts": list(found.new_hosts), "new_links": list(found.new_links[:20]),
                               "total_links": found.total_links, "diff": found.diff},
                              severity=Severity.HIGH, key=str(baselines[0].id))
            previous = pages.finding_by_fingerprint(self.s, values["fingerprint"])
            accepted = previous is not None and previous.status == "false_positive"
            if not accepted:
                values["page_id"] = home.id
                self._upsert(values, keep, out)
        if not found or accepted:
            out.resolved += store.resolve_channel_findings(self.s, channel_id=channel.id, category="defacement",
                                                           keep=keep, now=self.now)
            if not baselines or baselines[0].content_hash != home.content_hash:
                pages.add_baseline(self.s, channel_id=channel.id, scan_id=self.scan.id, now=self.now,
                                   content_hash=home.content_hash, text=home.text or "",
                                   links=list(home.links or ()), keep=self.settings.baseline_scans)
        return bool(found) and not accepted

    def _compare(self, channel: Channel, home: Page, baselines: list) -> health.Defacement | None:
        if baselines[0].content_hash == home.content_hash:
            return None  # unchanged since the last clean version
        spec = next((c for c in self.rt.registry.get(self.org_id).channels if c.url == channel.url), None)
        return health.check_defacement(
            health.HomeState(home.text or "", tuple(home.links or ()), self.rt.as_of.isoformat()),
            [health.HomeState(b.text, tuple(b.links), b.taken_at.date().isoformat()) for b in baselines],
            channel.url, min_similarity=self.settings.defacement_similarity,
            min_new_links=self.settings.defacement_min_new_links,
            extra_hosts=tuple(spec.extra_hosts) if spec else (),
        )


def check_channels(rt: Runtime, session: Session, scan: ScanRun, org_id: str, org_name: str,
                   documents: Documents | None = None, channel_scans: dict[int, ScanRun] | None = None) -> Outcome:
    """Channel health of one organisation after ``scan`` (``channel_scans``: the scan each channel
    was read in, when its channels were scanned separately)."""
    return ChannelHealth(rt, session, scan, org_id, org_name, documents, channel_scans).run()
