"""Scan runs and channel health: start, count, finish."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.entities import Channel, Page, ScanRun


def start_scan(session: Session, *, scope: str, as_of: dt.date, now: dt.datetime) -> int:
    run = ScanRun(started_at=now, as_of=as_of, scope=scope, status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_scan(session: Session, scan_id: int, *, now: dt.datetime, status: str, error: str | None = None,
                **counts: int) -> ScanRun:
    run = session.get(ScanRun, scan_id)
    run.finished_at, run.status, run.error = now, status, error
    for name, value in counts.items():
        setattr(run, name, value)
    return run


def add_to_scan(session: Session, scan_id: int, **counts: int) -> None:
    """Add ``counts`` (e.g. ``findings_new=3``) to a finished scan's figures: what was judged
    after it, for the scans that read it (a split scan's disclosures and channel health)."""
    run = session.get(ScanRun, scan_id)
    if run is not None:
        for name, value in counts.items():
            setattr(run, name, getattr(run, name) + value)


def active_channels(session: Session, org_ids: list[str] | None = None) -> list[Channel]:
    query = select(Channel).where(Channel.active.is_(True)).order_by(Channel.org_id, Channel.id)
    if org_ids is not None:
        query = query.where(Channel.org_id.in_(org_ids))
    return list(session.scalars(query))


def known_pages(session: Session, channel_id: int) -> dict[str, dict[str, str]]:
    """url -> etag, last_modified, content hash and out-links of every page last seen on a channel."""
    rows = session.execute(
        select(Page.url, Page.etag, Page.last_modified, Page.content_hash, Page.links, Page.kind)
        .where(Page.channel_id == channel_id, Page.status_code < 400)
    )
    known = {}
    for url, etag, lm, h, links, kind in rows:
        entry = {k: v for k, v in (("etag", etag), ("last_modified", lm), ("hash", h), ("kind", kind)) if v}
        entry["links"] = list(links or [])
        known[url] = entry
    return known


def record_channel_health(session: Session, channel_id: int, *, ok: bool, error: str | None,
                          now: dt.datetime, pages: int = 0, truncated_reason: str | None = None) -> Channel:
    """Count consecutive failed scans of a channel's home page; reset on success."""
    ch = session.get(Channel, channel_id)
    ch.last_scan_at, ch.last_pages, ch.last_truncated_reason = now, pages, truncated_reason
    if ok:
        ch.consecutive_failures, ch.last_ok_at, ch.last_error = 0, now, None
    else:
        ch.consecutive_failures += 1
        ch.last_error = error
    return ch


def latest_scan(session: Session) -> ScanRun | None:
    return session.scalars(select(ScanRun).order_by(ScanRun.id.desc()).limit(1)).first()
