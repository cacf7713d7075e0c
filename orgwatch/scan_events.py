"""Consume one scan's crawl events: analyse pages, store findings, track links and channel health."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from classifier import Detection, Document, OrgContext, Severity, analyze
from classifier.evidence import MARK_CLOSE, MARK_OPEN
from config.registry import Organization
from crawlers.items import ChannelDone, FetchError, PageItem
from models import findings as store
from models import scans
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
GONE_STATUSES = (404, 410)
#: fetch failures of an in-site link that make it a broken link (not robots, guard or size refusals)
BROKEN_REASONS = ("dns", "connection", "timeout", "tls", "redirect")
REASON_LABELS = {"dns": "域名无法解析", "connection": "无法连接", "timeout": "响应超时", "tls": "HTTPS 证书错误",
                 "http": "返回错误状态"}
#: unchanged pages whose "seen again" marks are written together, in one transaction
TOUCH_BATCH = 500


@dataclass
class OrgProgress:
    """Live counts for one organisation, shown by the CLI while the scan runs."""

    org_id: str
    name: str
    pages: int = 0
    errors: int = 0
    new_findings: int = 0
    channels_done: int = 0
    channels_total: int = 0


@dataclass
class ScanSummary:
    """What a scan did, for the CLI's closing lines and the scan record."""

    scan_id: int
    status: str = "completed"
    pages: int = 0
    pages_analysed: int = 0
    fetch_errors: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    messages_queued: int = 0
    messages_sent: int = 0
    messages_failed: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    delivery_errors: list[str] = field(default_factory=list)
    orgs: dict[str, OrgProgress] = field(default_factory=dict)


def org_context(org: Organization) -> OrgContext:
    return OrgContext(org_id=org.id, name=org.name, uscc=org.uscc, org_type=org.type, charity=org.charity,
                      public_fundraising_qualified=org.public_fundraising_qualified)


def finding_values(org_id: str, channel_id: int, url: str, det: Detection, *, page_id: int | None = None,
                   snapshot_id: int | None = None) -> dict:
    return dict(
        fingerprint=store.fingerprint(org_id, url, det.category, det.rule, det.item, det.key),
        org_id=org_id, channel_id=channel_id, page_id=page_id, snapshot_id=snapshot_id, url=url,
        category=det.category, rule=det.rule, item=det.item, severity=det.severity.value,
        evidence=det.evidence, position_start=det.start, position_end=det.end, basis=det.basis,
        detail=det.detail, score=det.score,
    )


SITE_PLACES = {"nav": "导航栏", "header": "页眉", "footer": "页脚", "menu": "菜单"}


def site_evidence(detail: dict) -> str:
    """The evidence of a site-wide finding: the button as first seen, where it sits, on how many pages."""
    place = SITE_PLACES.get(detail.get("where", ""), "导航栏")
    return (f"{detail.get('snippet', '')}（该捐赠入口位于网站{place}，出现在 {detail.get('page_count', 1)} 个页面上，"
            f"首次见于 {detail.get('first_page', '')}）")


def page_values(item: PageItem) -> dict:
    published = dt.date.fromisoformat(item.published_at[:10]) if item.published_at else None
    values = dict(
        final_url=item.final_url, kind=item.kind, status_code=item.status, content_hash=item.content_hash,
        content_type=item.content_type, encoding=item.encoding, etag=item.etag, last_modified=item.last_modified,
        published_at=published, published_source=item.published_source, title=item.title,
        main_text=item.main_text, text=item.text, size=item.size, truncated=item.truncated, referer=item.referer,
        links=list(item.links),
    )
    for name in ("readable", "unreadable_reason", "tls_error"):
        if hasattr(item, name):
            values[name] = getattr(item, name) or (None if name != "readable" else False)
    return values


def _channel_detection(category: str, rule: str, evidence: str, detail: dict) -> Detection:
    severity = Severity.HIGH if category == "unreachable" else Severity.LOW
    return Detection(category=category, rule=rule, severity=severity, evidence=evidence, start=0, end=0,
                     key=detail.get("target", ""), detail=detail)


@dataclass
class _ChannelState:
    home_error: str | None = None
    home_reason: str | None = None
    broken: list[str] = field(default_factory=list)


class ScanEvents:
    """Consumes the crawl's event stream for one scan run.

    ``channels`` maps channel id to (org id, url, kind). Broken links are reported for
    websites only: a public-account bridge's dead item link is analysed from the feed instead.
    Unchanged pages are marked as seen in batches: whoever drives it calls :meth:`flush` at the end.
    """

    def __init__(self, rt: Runtime, scan_id: int, channels: dict[int, tuple[str, str, str]],
                 orgs: dict[str, Organization], summary: ScanSummary,
                 on_progress: Callable[[OrgProgress], None] | None) -> None:
        self.rt, self.scan_id, self.channels, self.orgs = rt, scan_id, channels, orgs
        self.summary, self.on_progress = summary, on_progress
        self.state: dict[int, _ChannelState] = {cid: _ChannelState() for cid in channels}
        #: unchanged pages not yet marked in the database: channel id -> url -> links
        self._touches: dict[int, dict[str, list[str]]] = {}
        self._touched_urls: set[tuple[str, str]] = set()  # (org id, url) of those pages
        #: channels with no open site-wide finding (none found by the last release, none recorded
        #: since): their pages skip that query. Reviewers can only close findings meanwhile.
        self._no_site_findings: set[int] = set()

    def handle(self, event: PageItem | FetchError | ChannelDone) -> None:
        channel_id = int(event.channel)
        org_id = self.channels[channel_id][0]
        progress = self.summary.orgs[org_id]
        if isinstance(event, PageItem):
            progress.pages += 1
            self.summary.pages += 1
            progress.new_findings += self._page(org_id, channel_id, event)
        elif isinstance(event, FetchError):
            progress.errors += 1
            self.summary.fetch_errors += 1
            progress.new_findings += self._fetch_error(org_id, channel_id, event)
        else:
            progress.channels_done += 1
            self.flush()
            progress.new_findings += self._channel_done(org_id, channel_id, event)
        if self.on_progress:
            self.on_progress(progress)

    def flush(self) -> None:
        """Write the pending marks of unchanged pages (fetched again in this scan; their findings
        still seen) in one transaction. Called every TOUCH_BATCH pages, before a channel's end
        is handled, before a page with pending marks is judged again, and by the scan at its end."""
        if not self._touches:
            return
        touches, self._touches, self._touched_urls = self._touches, {}, set()
        now = self.rt.now()
        with self.rt.db.session() as s:
            for channel_id, links in touches.items():
                store.touch_pages(s, channel_id=channel_id, links=links, scan_id=self.scan_id, now=now)
                store.touch_findings(s, org_id=self.channels[channel_id][0], urls=links, scan_id=self.scan_id, now=now)

    def _touch_later(self, org_id: str, channel_id: int, item: PageItem) -> None:
        self._touches.setdefault(channel_id, {})[item.url] = list(item.links)
        self._touched_urls.add((org_id, item.url))
        if len(self._touched_urls) >= TOUCH_BATCH:
            self.flush()

    def _before_judging(self, org_id: str, url: str) -> None:
        """Keep the order of writes for one URL: its pending "still seen" marks go first."""
        if (org_id, url) in self._touched_urls:
            self.flush()

    def _count(self, outcomes: list[str], resolved: list[int]) -> int:
        new = sum(o in ("new", "reopened") for o in outcomes)
        self.summary.findings_new += new
        self.summary.findings_resolved += len(resolved)
        return new

    def _page(self, org_id: str, channel_id: int, item: PageItem) -> int:
        if item.unchanged:
            self._touch_later(org_id, channel_id, item)
            return 0
        self._before_judging(org_id, item.url)
        now = self.rt.now()
        with self.rt.db.session() as s:
            page = store.upsert_page(s, org_id=org_id, channel_id=channel_id, url=item.url, scan_id=self.scan_id,
                                     now=now, values=page_values(item))
            if not getattr(item, "readable", True):
                return 0
            detections = analyze(
                Document(text=item.text, html=item.html, url=item.final_url, title=item.title, kind=item.kind),
                org_context(self.orgs[org_id]),
            )
            self.summary.pages_analysed += 1
            snapshot_id = None
            if detections and item.raw_path and Path(item.raw_path).exists():
                snapshot_id = store.keep_snapshot(s, page, Path(item.raw_path).read_bytes(), now)
            fingerprints, outcomes = [], []
            for det in detections:
                values = finding_values(org_id, channel_id, item.url, det, page_id=page.id, snapshot_id=snapshot_id)
                if det.detail.get("site_chrome"):  # one finding per channel, not per page
                    values = self._site_values(s, org_id, channel_id, det, values)
                    self._no_site_findings.discard(channel_id)
                outcomes.append(store.upsert_finding(s, values, scan_id=self.scan_id, now=now)[1])
                fingerprints.append(values["fingerprint"])
            resolved = self._resolve_page(s, org_id, channel_id, item.url, fingerprints, now)
        return self._count(outcomes, resolved)

    def _site_values(self, s, org_id: str, channel_id: int, det: Detection, values: dict) -> dict:
        """A site-wide detection's values: fingerprinted by the channel's home URL, so every page gives
        the same finding; it points at the first page where it was seen and counts the pages."""
        fp = store.fingerprint(org_id, self.channels[channel_id][1], det.category, det.rule, det.item, det.key)
        before = store.site_finding_detail(s, fingerprint=fp)
        pages = list(before.get("page_ids", []))
        pages += [] if values["page_id"] in pages else [values["page_id"]]
        detail = {**values["detail"], "snippet": values["evidence"], "page_ids": pages, "page_count": len(pages),
                  "first_page": before.get("first_page", values["url"])}
        values = {**values, "fingerprint": fp, "url": detail["first_page"], "detail": detail,
                  "evidence": site_evidence(detail)}
        if before:  # the first page's place and snapshot stay
            for name in ("page_id", "snapshot_id", "position_start", "position_end"):
                values.pop(name)
        return values

    def _resolve_page(self, s, org_id: str, channel_id: int, url: str, keep: list[str], now) -> list[int]:
        """Resolve what the page at ``url`` no longer shows; a site-wide finding only when no page carries it."""
        released: list[int] = []
        site_open: list[str] = []
        if channel_id not in self._no_site_findings:
            released, site_open = store.release_site_findings(s, channel_id=channel_id, page_url=url, keep=keep,
                                                              now=now, describe=site_evidence)
            if not site_open:
                self._no_site_findings.add(channel_id)
        return released + store.resolve_missing(s, org_id=org_id, url=url, keep=[*keep, *site_open], now=now)

    def _fetch_error(self, org_id: str, channel_id: int, err: FetchError) -> int:
        log.info("fetch failed: %s (%s) %s", err.url, err.reason, err.message)
        state = self.state[channel_id]
        if err.is_home:
            state.home_error, state.home_reason = f"{err.message}（{err.url}）", err.reason
            return 0
        resolved: list[int] = []
        outcomes: list[str] = []
        self._before_judging(org_id, err.url)
        with self.rt.db.session() as s:
            if err.status in GONE_STATUSES:
                resolved = self._resolve_page(s, org_id, channel_id, err.url, [], self.rt.now())
            if self.channels[channel_id][2] == "website" and err.referer and (err.status in GONE_STATUSES or (err.status or 0) >= 500
                                or err.reason in BROKEN_REASONS):
                det = self._broken_link(err)
                values = finding_values(org_id, channel_id, err.referer, det)
                outcomes.append(store.upsert_finding(s, values, scan_id=self.scan_id, now=self.rt.now())[1])
                state.broken.append(values["fingerprint"])
        return self._count(outcomes, resolved)

    @staticmethod
    def _broken_link(err: FetchError) -> Detection:
        what = f"HTTP {err.status}" if err.status else REASON_LABELS.get(err.reason, err.reason)
        rule = f"http_{err.status}" if err.status in GONE_STATUSES else ("http_5xx" if err.status else err.reason)
        evidence = f"页面 {err.referer} 中的链接 {MARK_OPEN}{err.url}{MARK_CLOSE} 无法打开：{what}"
        return _channel_detection("broken_link", rule, evidence,
                                  {"target": err.url, "source": err.referer, "status": err.status,
                                   "reason": err.reason, "message": err.message})

    def _channel_done(self, org_id: str, channel_id: int, done: ChannelDone) -> int:
        state, url = self.state[channel_id], self.channels[channel_id][1]
        now, outcomes, resolved = self.rt.now(), [], []
        with self.rt.db.session() as s:
            channel = scans.record_channel_health(
                s, channel_id, ok=state.home_error is None, error=state.home_error, now=now, pages=done.pages,
                truncated_reason=done.truncated_reason or None,
            )
            keep: list[str] = []
            if state.home_error and channel.consecutive_failures >= self.rt.settings.crawl.unreachable_after:
                det = _channel_detection(
                    "unreachable", "home_unreachable",
                    f"首页 {MARK_OPEN}{url}{MARK_CLOSE} 连续 {channel.consecutive_failures} 次扫描无法访问：{state.home_error}",
                    {"reason": state.home_reason, "failures": channel.consecutive_failures},
                )
                values = finding_values(org_id, channel_id, url, det)
                outcomes.append(store.upsert_finding(s, values, scan_id=self.scan_id, now=now)[1])
                keep.append(values["fingerprint"])
            if state.home_error is None:
                resolved += store.resolve_channel_findings(s, channel_id=channel_id, category="unreachable",
                                                           keep=keep, now=now)
                if not done.truncated or list(getattr(done, "truncated_by", [])) == ["crawl_trap"]:
                    resolved += store.resolve_channel_findings(s, channel_id=channel_id, category="broken_link",
                                                               keep=state.broken, now=now)
        return self._count(outcomes, resolved)

