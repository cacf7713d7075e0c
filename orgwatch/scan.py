"""Scan orchestration: crawl the channels, analyse each page, store findings, queue and send alerts."""
from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from classifier import Detection, Document, OrgContext, analyze
from config.registry import Organization
from crawlers.items import ChannelDone, ChannelJob, CrawlJob, FetchError, PageItem
from crawlers.runner import run_crawl
from models import findings as store
from models import scans
from models.entities import Channel
from models.sync import sync_registry
from orgwatch.alerting import deliver_outbox, queue_alerts
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
GONE_STATUSES = (404, 410)


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


def _finding_values(org_id: str, channel_id: int, page_id: int, url: str, det: Detection,
                    snapshot_id: int | None) -> dict:
    return dict(
        fingerprint=store.fingerprint(org_id, url, det.category, det.rule, det.item, det.key),
        org_id=org_id, channel_id=channel_id, page_id=page_id, snapshot_id=snapshot_id, url=url,
        category=det.category, rule=det.rule, item=det.item, severity=det.severity.value,
        evidence=det.evidence, position_start=det.start, position_end=det.end, basis=det.basis,
        detail=det.detail, score=det.score,
    )


class _ScanSession:
    """Consumes the crawl's event stream for one scan run."""

    def __init__(self, rt: Runtime, scan_id: int, channels: dict[int, tuple[str, str]],
                 orgs: dict[str, Organization], summary: ScanSummary,
                 on_progress: Callable[[OrgProgress], None] | None) -> None:
        self.rt, self.scan_id, self.channels, self.orgs = rt, scan_id, channels, orgs
        self.summary, self.on_progress = summary, on_progress
        self.home_failed: dict[int, str] = {}

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
            self._fetch_error(org_id, channel_id, event)
        else:
            progress.channels_done += 1
            self._channel_done(channel_id, event)
        if self.on_progress:
            self.on_progress(progress)

    def _page(self, org_id: str, channel_id: int, item: PageItem) -> int:
        now = self.rt.now()
        with self.rt.db.session() as s:
            if item.unchanged:
                store.touch_page(s, channel_id=channel_id, url=item.url, scan_id=self.scan_id, now=now)
                store.touch_findings(s, org_id=org_id, url=item.url, scan_id=self.scan_id, now=now)
                return 0
            detections = analyze(
                Document(text=item.text, html=item.html, url=item.final_url, title=item.title, kind=item.kind),
                org_context(self.orgs[org_id]),
            )
            self.summary.pages_analysed += 1
            page = store.upsert_page(s, org_id=org_id, channel_id=channel_id, url=item.url, scan_id=self.scan_id,
                                     now=now, values=_page_values(item))
            snapshot_id = None
            if detections and item.raw_path and Path(item.raw_path).exists():
                snapshot_id = store.keep_snapshot(s, page, Path(item.raw_path).read_bytes(), now)
            fingerprints, new = [], 0
            for det in detections:
                values = _finding_values(org_id, channel_id, page.id, item.url, det, snapshot_id)
                _, outcome = store.upsert_finding(s, values, scan_id=self.scan_id, now=now)
                fingerprints.append(values["fingerprint"])
                new += outcome in ("new", "reopened")
            resolved = store.resolve_missing(s, org_id=org_id, url=item.url, keep=fingerprints, now=now)
        self.summary.findings_new += new
        self.summary.findings_resolved += len(resolved)
        return new

    def _fetch_error(self, org_id: str, channel_id: int, err: FetchError) -> None:
        log.info("fetch failed: %s (%s) %s", err.url, err.reason, err.message)
        if err.is_home:
            self.home_failed[channel_id] = f"{err.message}（{err.url}）"
        if err.status in GONE_STATUSES:
            with self.rt.db.session() as s:
                resolved = store.resolve_missing(s, org_id=org_id, url=err.url, keep=(), now=self.rt.now())
            self.summary.findings_resolved += len(resolved)

    def _channel_done(self, channel_id: int, done: ChannelDone) -> None:
        error = self.home_failed.get(channel_id)
        with self.rt.db.session() as s:
            scans.record_channel_health(s, channel_id, ok=error is None, error=error, now=self.rt.now())


def run_scan(rt: Runtime, org_ids: list[str] | None = None,
             on_progress: Callable[[OrgProgress], None] | None = None, deliver: bool = True) -> ScanSummary:
    """Scan the organisations (all active ones by default) end to end and return what happened."""
    registry = rt.registry
    selected = [registry.get(i) for i in org_ids] if org_ids else list(registry.organizations)
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in registry.organizations], rt.now())
        scan_id = scans.start_scan(s, scope=",".join(org_ids) if org_ids else "all", as_of=rt.as_of, now=rt.now())
        channel_rows = scans.active_channels(s, [o.id for o in selected])
        jobs = [_channel_job(s, ch, registry.get(ch.org_id), rt) for ch in channel_rows]
    summary = ScanSummary(scan_id=scan_id)
    for org in selected:
        summary.orgs[org.id] = OrgProgress(org.id, org.name, channels_total=sum(1 for c in channel_rows if c.org_id == org.id))
    session = _ScanSession(rt, scan_id, {c.id: (c.org_id, c.url) for c in channel_rows},
                           {o.id: o for o in selected}, summary, on_progress)
    spool = rt.data_dir / "spool" / f"scan-{scan_id}"
    job = CrawlJob(channels=jobs, crawl=rt.settings.crawl.model_dump(), spool_dir=str(spool))
    try:
        for event in run_crawl(job, log_path=rt.data_dir / "logs" / f"crawl-{scan_id}.log"):
            session.handle(event)
    except Exception as exc:
        summary.status, summary.error = "failed", str(exc)
        raise
    finally:
        shutil.rmtree(spool, ignore_errors=True)
        _finish(rt, summary, [o.id for o in selected], deliver)
    return summary


def _channel_job(s: Session, ch: Channel, org: Organization, rt: Runtime) -> ChannelJob:
    spec = next((c for c in org.channels if c.url == ch.url), None)
    obey = rt.settings.crawl.obey_robots if spec is None or spec.obey_robots is None else spec.obey_robots
    return ChannelJob(key=str(ch.id), org_id=ch.org_id, kind=ch.kind, url=ch.url, obey_robots=obey,
                      extra_hosts=list(spec.extra_hosts) if spec else [], known=scans.known_pages(s, ch.id))


def _finish(rt: Runtime, summary: ScanSummary, org_ids: list[str], deliver: bool) -> None:
    """Queue the alerts owed, deliver the outbox, and close the scan record, whatever happened before."""
    queued = queue_alerts(rt, org_ids, scan_id=summary.scan_id)
    summary.messages_queued, summary.warnings = queued.messages, queued.warnings
    if deliver:
        result = deliver_outbox(rt)
        summary.messages_sent, summary.messages_failed = result.sent, result.failed
        summary.delivery_errors = result.errors
    with rt.db.session() as s:
        scans.finish_scan(
            s, summary.scan_id, now=rt.now(), status=summary.status, error=summary.error,
            organizations=len(summary.orgs), channels=sum(p.channels_total for p in summary.orgs.values()),
            pages=summary.pages, pages_analysed=summary.pages_analysed, fetch_errors=summary.fetch_errors,
            findings_new=summary.findings_new, findings_resolved=summary.findings_resolved,
            messages_queued=summary.messages_queued,
        )


def _page_values(item: PageItem) -> dict:
    published = dt.date.fromisoformat(item.published_at[:10]) if item.published_at else None
    return dict(
        final_url=item.final_url, kind=item.kind, status_code=item.status, content_hash=item.content_hash,
        content_type=item.content_type, encoding=item.encoding, etag=item.etag, last_modified=item.last_modified,
        published_at=published, published_source=item.published_source, title=item.title,
        main_text=item.main_text, text=item.text, size=item.size, truncated=item.truncated, referer=item.referer,
    )
