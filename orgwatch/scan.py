"""Scan orchestration: crawl the channels, analyse each page, store findings, queue and send alerts."""
from __future__ import annotations

import logging
import shutil
from typing import Callable

from sqlalchemy.orm import Session

from config.registry import Organization
from crawlers.items import ChannelJob, CrawlJob
from crawlers.runner import run_crawl
from models import scans
from models.entities import Channel
from models.audit import audited_sync as sync_registry  # also writes registry.sync to the audit log
from classifier.exceptions import ClassifierError
from orgwatch.alerting import deliver_outbox, notify_operators_after_scan, queue_alerts
from orgwatch.disclosure import evaluate_after_scan
from orgwatch.runtime import Runtime
from orgwatch.scan_events import OrgProgress, ScanEvents, ScanSummary, org_context

log = logging.getLogger(__name__)

__all__ = ["OrgProgress", "ScanSummary", "org_context", "run_scan"]


def run_scan(rt: Runtime, org_ids: list[str] | None = None,
             on_progress: Callable[[OrgProgress], None] | None = None, deliver: bool = True,
             channel_ids: list[int] | None = None, sync: bool = True) -> ScanSummary:
    """Scan the organisations (all in the registry by default) end to end and return what happened.

    ``channel_ids`` limits the crawl to those channels of the selected organisations (a
    distributed job for one channel of a large site). Disclosure and channel-health checks
    judge an organisation only when all its active channels were crawled in this scan: a
    partial view would report items published on the other channels as missing. ``sync=False``
    skips mirroring the registry into the database (a worker's job: the enqueuing command did it).
    """
    registry = rt.registry
    selected = [registry.get(i) for i in org_ids] if org_ids else list(registry.organizations)
    scope = ",".join(org_ids) if org_ids else "all"
    if channel_ids is not None:
        scope = f"{scope} channels:{','.join(map(str, channel_ids))}"[:200]
    with rt.db.session() as s:
        if sync:
            sync_registry(s, [o.model_dump() for o in registry.organizations], rt.now())
        scan_id = scans.start_scan(s, scope=scope, as_of=rt.as_of, now=rt.now())
        channel_rows = scans.active_channels(s, [o.id for o in selected])
        complete = [o.id for o in selected]
        if channel_ids is not None:
            wanted = set(channel_ids)
            complete = [o.id for o in selected if all(c.id in wanted for c in channel_rows if c.org_id == o.id)]
            channel_rows = [c for c in channel_rows if c.id in wanted]
        jobs = [_channel_job(s, ch, registry.get(ch.org_id), rt) for ch in channel_rows]
    summary = ScanSummary(scan_id=scan_id)
    for org in selected:
        total = sum(1 for c in channel_rows if c.org_id == org.id)
        summary.orgs[org.id] = OrgProgress(org.id, org.name, channels_total=total)
    events = ScanEvents(rt, scan_id, {c.id: (c.org_id, c.url, c.kind) for c in channel_rows},
                        {o.id: o for o in selected}, summary, on_progress)
    spool = rt.data_dir / "spool" / f"scan-{scan_id}"
    job = CrawlJob(channels=jobs, crawl=rt.settings.crawl.model_dump(), spool_dir=str(spool))
    try:
        for event in run_crawl(job, log_path=rt.data_dir / "logs" / f"crawl-{scan_id}.log"):
            events.handle(event)
    except BaseException as exc:
        summary.status, summary.error = "failed", str(exc) or type(exc).__name__
        raise
    finally:
        shutil.rmtree(spool, ignore_errors=True)
        try:
            events.flush()  # the unchanged pages still waiting to be marked as seen
        finally:
            _finish(rt, summary, [o.id for o in selected], deliver, complete)
    return summary


def _channel_job(s: Session, ch: Channel, org: Organization, rt: Runtime) -> ChannelJob:
    spec = next((c for c in org.channels if c.url == ch.url), None)
    crawl = rt.settings.crawl
    obey = crawl.obey_robots if spec is None or spec.obey_robots is None else spec.obey_robots
    verify = crawl.verify_tls if spec is None or spec.verify_tls is None else spec.verify_tls
    return ChannelJob(key=str(ch.id), org_id=ch.org_id, kind=ch.kind, url=ch.url, obey_robots=obey,
                      verify_tls=verify, extra_hosts=list(spec.extra_hosts) if spec else [],
                      known=scans.known_pages(s, ch.id))


def _finish(rt: Runtime, summary: ScanSummary, org_ids: list[str], deliver: bool, complete: list[str]) -> None:
    """Check disclosures and channel health (of the ``complete``ly crawled organisations), queue
    the alerts owed, deliver the outbox, tell the operators about failures, and close the scan
    record, whatever happened before."""
    if summary.status == "completed":
        if len(complete) < len(org_ids):
            log.info("partial scan %d: disclosure and channel health not judged for %s", summary.scan_id,
                     ", ".join(sorted(set(org_ids) - set(complete))))
        try:
            new, resolved = evaluate_after_scan(rt, summary.scan_id, complete)
            summary.findings_new += new
            summary.findings_resolved += resolved
        except ClassifierError as exc:
            summary.status, summary.error = "failed", f"信息公开和渠道检查未完成：{exc}"
    queued = queue_alerts(rt, org_ids, scan_id=summary.scan_id)
    summary.messages_queued, summary.warnings = queued.messages, queued.warnings
    if deliver:
        result = deliver_outbox(rt)
        summary.messages_sent, summary.messages_failed = result.sent, result.failed
        summary.delivery_errors = result.errors
    notify_operators_after_scan(rt, summary)
    with rt.db.session() as s:
        scans.finish_scan(
            s, summary.scan_id, now=rt.now(), status=summary.status, error=summary.error,
            organizations=len(summary.orgs), channels=sum(p.channels_total for p in summary.orgs.values()),
            pages=summary.pages, pages_analysed=summary.pages_analysed, fetch_errors=summary.fetch_errors,
            findings_new=summary.findings_new, findings_resolved=summary.findings_resolved,
            messages_queued=summary.messages_queued,
        )


def judge_split_scan(rt: Runtime, org_id: str, channel_scans: dict[int, int], *, deliver: bool = True) -> tuple[int, int]:
    """Disclosure and channel health of an organisation whose channels were scanned by separate
    jobs (a large site split per channel), once the last of them is done, then the alerts owed.
    ``channel_scans`` maps each channel read to the scan that read it; a channel missing from it
    counts as not read (its items stay unverified). Findings are attributed to the latest scan.
    Returns (new or reopened findings, resolved findings)."""
    last = max(channel_scans.values())
    new, resolved = evaluate_after_scan(rt, last, [org_id], channel_scans)
    queued = queue_alerts(rt, [org_id], scan_id=last)
    with rt.db.session() as s:  # counted in the scan the findings are attributed to
        scans.add_to_scan(s, last, findings_new=new, findings_resolved=resolved, messages_queued=queued.messages)
    if deliver:
        deliver_outbox(rt)
    log.info("organisation %s judged after its %d channel scan(s): %d new, %d resolved findings",
             org_id, len(set(channel_scans.values())), new, resolved)
    return new, resolved

