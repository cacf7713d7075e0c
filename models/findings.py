"""Pages and findings: store what was fetched, upsert what was found, resolve what is gone."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.entities import OPEN_STATUSES, Finding, Page, Snapshot

#: categories that come from a page's own content: re-fetching the page re-decides them
PAGE_CATEGORIES = (
    "pii_id", "pii_bank", "pii_phone_list", "secret_mark", "unqualified_fundraising",
    "fundraising_notice_incomplete", "illegal_fundraising", "spam_injected", "hidden_link", "custom_lexicon",
)
PAGE_FIELDS = (
    "final_url", "kind", "status_code", "content_hash", "content_type", "encoding", "etag", "last_modified",
    "published_at", "published_source", "title", "main_text", "text", "size", "truncated", "referer",
    "links", "readable", "unreadable_reason", "tls_error",
)


def fingerprint(org_id: str, url: str, category: str, rule: str, item: str | None, key: str) -> str:
    """The stable identity of a finding: organisation + url + rule + normalised evidence."""
    raw = "\x1f".join((org_id, url, category, rule, item or "", key))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass
class PageOutcome:
    """What storing one page changed."""

    page_id: int
    new: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def upsert_page(session: Session, *, org_id: str, channel_id: int, url: str, scan_id: int,
                now: dt.datetime, values: dict[str, Any]) -> Page:
    page = session.scalars(select(Page).where(Page.channel_id == channel_id, Page.url == url)).first()
    if page is None:
        page = Page(org_id=org_id, channel_id=channel_id, url=url)
        session.add(page)
    for name in PAGE_FIELDS:
        if name in values:
            setattr(page, name, values[name])
    page.fetched_at, page.last_scan_id = now, scan_id
    session.flush()
    return page


def keep_snapshot(session: Session, page: Page, raw: bytes, now: dt.datetime) -> int:
    """Store the raw bytes of this page version once; return the snapshot id."""
    snap = session.scalars(
        select(Snapshot).where(Snapshot.page_id == page.id, Snapshot.content_hash == page.content_hash)
    ).first()
    if snap is None:
        snap = Snapshot(page_id=page.id, content_hash=page.content_hash, fetched_at=now,
                        content_type=page.content_type, encoding=page.encoding,
                        raw_gzip=gzip.compress(raw, compresslevel=6))
        session.add(snap)
        session.flush()
    return snap.id


def upsert_finding(session: Session, values: dict[str, Any], *, scan_id: int, now: dt.datetime) -> tuple[int, str]:
    """Insert a finding or update the one with the same fingerprint.

    Returns (id, outcome) where outcome is ``new``, ``reopened`` (it had been resolved and
    came back: new again) or ``seen``. Safe against concurrent writers: the insert is an
    ``ON CONFLICT DO NOTHING`` on the unique fingerprint.
    """
    stmt = _insert(session)(Finding).values(
        **values, first_seen=now, last_seen=now, status="open", occurrence=1, notified_occurrence=0,
        first_scan_id=scan_id, last_scan_id=scan_id,
    ).on_conflict_do_nothing(index_elements=["fingerprint"]).returning(Finding.id)
    inserted = session.execute(stmt).scalar()
    if inserted is not None:
        return inserted, "new"
    found = session.scalars(
        select(Finding).where(Finding.fingerprint == values["fingerprint"]).with_for_update()
    ).one()
    outcome = "seen"
    if found.status == "resolved":
        found.status, found.resolved_at, found.occurrence = "open", None, found.occurrence + 1
        outcome = "reopened"
    for name in ("evidence", "position_start", "position_end", "severity", "detail", "score", "basis",
                 "page_id", "snapshot_id", "channel_id"):
        if name in values:
            setattr(found, name, values[name])
    found.last_seen, found.last_scan_id = now, scan_id
    return found.id, outcome


def resolve_missing(session: Session, *, org_id: str, url: str, keep: Iterable[str], now: dt.datetime,
                    categories: tuple[str, ...] = PAGE_CATEGORIES) -> list[int]:
    """Resolve the open page findings of ``url`` whose fingerprints are not in ``keep``."""
    query = select(Finding).where(
        Finding.org_id == org_id, Finding.url == url, Finding.category.in_(categories),
        Finding.status.in_(OPEN_STATUSES),
    )
    return _resolve_except(session, query, keep, now)


def _resolve_except(session: Session, query, keep: Iterable[str], now: dt.datetime) -> list[int]:
    keep = set(keep)
    resolved = []
    for f in session.scalars(query):
        if f.fingerprint not in keep:
            f.status, f.resolved_at = "resolved", now
            resolved.append(f.id)
    return resolved


#: rows per statement when many pages are marked as seen at once (well under SQLite's 32,766
#: bound parameters and PostgreSQL's 65,535)
TOUCH_CHUNK = 500


def _chunks(items: list[str], size: int = TOUCH_CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def touch_findings(session: Session, *, org_id: str, urls: Iterable[str], scan_id: int, now: dt.datetime) -> int:
    """Mark the findings of unchanged pages (not analysed again) as still seen, one statement
    per TOUCH_CHUNK pages; returns how many findings were marked."""
    marked = 0
    for chunk in _chunks(list(urls)):
        result = session.execute(
            update(Finding)
            .where(Finding.org_id == org_id, Finding.url.in_(chunk), Finding.category.in_(PAGE_CATEGORIES),
                   Finding.status != "resolved")
            .values(last_seen=now, last_scan_id=scan_id)
            .execution_options(synchronize_session=False)
        )
        marked += result.rowcount
    return marked


def touch_pages(session: Session, *, channel_id: int, links: dict[str, list[str]], scan_id: int,
                now: dt.datetime) -> int:
    """Record that a channel's unchanged pages were fetched in this scan, one statement per
    TOUCH_CHUNK pages. ``links`` maps each page's URL to the out-links the crawl saw on it;
    a page's stored links are replaced only when the crawl saw some and they differ. Returns
    how many stored pages were marked (a URL without a stored page is skipped)."""
    marked = 0
    for chunk in _chunks(list(links)):
        result = session.execute(
            update(Page).where(Page.channel_id == channel_id, Page.url.in_(chunk))
            .values(fetched_at=now, last_scan_id=scan_id).execution_options(synchronize_session=False)
        )
        marked += result.rowcount
        if not any(links[url] for url in chunk):
            continue  # the crawl saw no new links on these pages (it sends none when they are as stored)
        stored = session.execute(select(Page.id, Page.url, Page.links).where(Page.channel_id == channel_id,
                                                                              Page.url.in_(chunk)))
        changed = [{"id": pid, "links": list(links[url])} for pid, url, old in stored
                   if links[url] and list(old or []) != list(links[url])]
        if changed:
            session.execute(update(Page), changed)
    return marked


def list_findings(session: Session, *, org_id: str | None = None, status: str | None = None,
                  category: str | None = None) -> list[Finding]:
    query = select(Finding).order_by(Finding.org_id, Finding.id)
    if org_id:
        query = query.where(Finding.org_id == org_id)
    if status == "active":
        query = query.where(Finding.status.in_(OPEN_STATUSES))
    elif status:
        query = query.where(Finding.status == status)
    if category:
        query = query.where(Finding.category == category)
    return list(session.scalars(query))


def resolve_channel_findings(session: Session, *, channel_id: int, category: str, keep: Iterable[str],
                             now: dt.datetime) -> list[int]:
    """Resolve a channel's open findings of ``category`` (broken_link, unreachable) not in ``keep``."""
    query = select(Finding).where(
        Finding.channel_id == channel_id, Finding.category == category, Finding.status.in_(OPEN_STATUSES)
    )
    return _resolve_except(session, query, keep, now)


# --- site-wide findings: one row per channel for what many of its pages carry -----------------------

#: rules of findings that pages of one channel share (a donation button in the site's navigation)
SITE_RULES = ("site_donation_link",)


def site_finding_detail(session: Session, *, fingerprint: str) -> dict:
    """The detail of the open site-wide finding ``fingerprint`` (its ``page_ids`` and ``first_page``),
    or an empty dict before its first page and after it was resolved."""
    found = session.scalars(select(Finding).where(Finding.fingerprint == fingerprint)).first()
    return dict(found.detail or {}) if found is not None and found.is_open else {}


def release_site_findings(session: Session, *, channel_id: int, page_url: str, keep: Iterable[str],
                          now: dt.datetime, describe: Callable[[dict], str] | None = None
                          ) -> tuple[list[int], list[str]]:
    """The page at ``page_url`` no longer carries the channel's open site-wide findings outside
    ``keep``: take it off their pages, and resolve those no page carries any more; ``describe``
    rewrites the evidence of those still carried from their new detail.

    Returns (ids resolved, fingerprints of the site-wide findings still open): page-level
    resolution (:func:`resolve_missing`) must keep the latter."""
    query = select(Finding).where(Finding.channel_id == channel_id, Finding.rule.in_(SITE_RULES),
                                  Finding.status.in_(OPEN_STATUSES))
    site_findings = session.scalars(query).all()
    if not site_findings:  # the common case: no page lookup needed
        return [], []
    page_id = session.scalars(select(Page.id).where(Page.channel_id == channel_id, Page.url == page_url)).first()
    keep = set(keep)
    resolved, still_open = [], []
    for f in site_findings:
        pages = list((f.detail or {}).get("page_ids", []))
        if f.fingerprint not in keep and page_id in pages:
            pages.remove(page_id)
            f.detail = {**f.detail, "page_ids": pages, "page_count": len(pages)}
            if not pages:
                f.status, f.resolved_at = "resolved", now
                resolved.append(f.id)
                continue
            if describe is not None:
                f.evidence = describe(f.detail)
        still_open.append(f.fingerprint)
    return resolved, still_open
