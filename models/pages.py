"""Stored pages as the disclosure and channel-health services read them, and what those
services keep: home-page baselines, disclosure checks and channel checks."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Iterator

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session

from models.entities import (
    OPEN_STATUSES, Channel, ChannelCheck, DisclosureCheck, Finding, HomeBaseline, Organization, Page, ScanRun,
)


def org_channels(session: Session, org_id: str) -> list[Channel]:
    """The organisation's active channels, in registry order."""
    return list(session.scalars(
        select(Channel).where(Channel.org_id == org_id, Channel.active.is_(True)).order_by(Channel.id)
    ))


#: what the checks read of every stored document; the texts are read separately, only where needed
DOCUMENT_COLUMNS = (Page.id, Page.url, Page.kind, Page.title, Page.published_at, Page.published_source, Page.links,
                    Page.content_hash, Page.last_scan_id, Page.disclosure_key, Page.disclosure_record)
TEXT_BATCH = 500


def channel_documents(session: Session, channel_id: int) -> list[Row]:
    """Every readable document last fetched successfully on a channel (pages, attachments,
    articles), whether or not it changed in the latest scan: DOCUMENT_COLUMNS, no texts."""
    return list(session.execute(
        select(*DOCUMENT_COLUMNS)
        .where(Page.channel_id == channel_id, Page.status_code < 400, Page.readable.is_(True))
        .order_by(Page.id)
    ))


def page_texts(session: Session, ids: Iterable[int]) -> Iterator[tuple[int, str, str]]:
    """(id, text, main_text) of the given pages, read TEXT_BATCH at a time."""
    ids = list(ids)
    for start in range(0, len(ids), TEXT_BATCH):
        chunk = ids[start:start + TEXT_BATCH]
        yield from session.execute(select(Page.id, Page.text, Page.main_text).where(Page.id.in_(chunk)))


def save_disclosure_records(session: Session, records: list[dict[str, Any]]) -> None:
    """Remember what the disclosure checks take from pages: dicts of id, disclosure_key, disclosure_record."""
    if records:
        session.execute(update(Page), records)


def home_page(session: Session, channel: Channel, urls: Iterable[str] = ()) -> Page | None:
    """The stored page of the channel's own URL (its home page); ``urls`` are other spellings
    of that URL (the crawler stores the canonical form)."""
    candidates = list(dict.fromkeys([*urls, channel.url]))
    rows = {p.url: p for p in session.scalars(
        select(Page).where(Page.channel_id == channel.id, Page.url.in_(candidates))
    )}
    return next((rows[u] for u in candidates if u in rows), None)


def get_org(session: Session, org_id: str) -> Organization | None:
    return session.get(Organization, org_id)


def get_scan(session: Session, scan_id: int) -> ScanRun | None:
    return session.get(ScanRun, scan_id)


# --- home-page baselines ------------------------------------------------------------------

def recent_baselines(session: Session, channel_id: int, limit: int) -> list[HomeBaseline]:
    """The channel's newest ``limit`` clean home-page versions, newest first."""
    return list(session.scalars(
        select(HomeBaseline).where(HomeBaseline.channel_id == channel_id)
        .order_by(HomeBaseline.taken_at.desc(), HomeBaseline.id.desc()).limit(limit)
    ))


def add_baseline(session: Session, *, channel_id: int, scan_id: int | None, now: dt.datetime, content_hash: str,
                 text: str, links: list[str], keep: int) -> HomeBaseline:
    """Record a clean home-page version and drop all but the newest ``keep``."""
    row = HomeBaseline(channel_id=channel_id, scan_id=scan_id, taken_at=now, content_hash=content_hash,
                       text=text, links=list(links))
    session.add(row)
    session.flush()
    kept = [b.id for b in recent_baselines(session, channel_id, keep)]
    session.execute(delete(HomeBaseline).where(HomeBaseline.channel_id == channel_id, HomeBaseline.id.not_in(kept)))
    return row


# --- check results ------------------------------------------------------------------------

def save_disclosure_check(session: Session, org_id: str, item: str, values: dict[str, Any]) -> DisclosureCheck:
    """Insert or replace the organisation's latest outcome for ``item``."""
    row = session.scalars(
        select(DisclosureCheck).where(DisclosureCheck.org_id == org_id, DisclosureCheck.item == item)
    ).first()
    if row is None:
        row = DisclosureCheck(org_id=org_id, item=item)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def disclosure_checks(session: Session, org_id: str) -> list[DisclosureCheck]:
    return list(session.scalars(
        select(DisclosureCheck).where(DisclosureCheck.org_id == org_id).order_by(DisclosureCheck.id)
    ))


def drop_disclosure_checks(session: Session, org_id: str, keep_items: Iterable[str]) -> None:
    """Forget checks of items no longer in the pack."""
    session.execute(delete(DisclosureCheck).where(DisclosureCheck.org_id == org_id,
                                                  DisclosureCheck.item.not_in(list(keep_items))))


def save_channel_check(session: Session, channel_id: int, values: dict[str, Any]) -> ChannelCheck:
    row = session.scalars(select(ChannelCheck).where(ChannelCheck.channel_id == channel_id)).first()
    if row is None:
        row = ChannelCheck(channel_id=channel_id)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def channel_check(session: Session, channel_id: int) -> ChannelCheck | None:
    return session.scalars(select(ChannelCheck).where(ChannelCheck.channel_id == channel_id)).first()


# --- organisation-level findings ----------------------------------------------------------

def open_findings(session: Session, org_id: str, category: str, *, channel_id: int | None = None) -> list[Finding]:
    """The organisation's open (or acknowledged) findings of ``category``, optionally of one channel."""
    query = select(Finding).where(Finding.org_id == org_id, Finding.category == category,
                                  Finding.status.in_(OPEN_STATUSES))
    if channel_id is not None:
        query = query.where(Finding.channel_id == channel_id)
    return list(session.scalars(query.order_by(Finding.id)))


def finding_by_fingerprint(session: Session, fingerprint: str) -> Finding | None:
    return session.scalars(select(Finding).where(Finding.fingerprint == fingerprint)).first()


def resolve_findings(session: Session, findings: Iterable[Finding], *, now: dt.datetime,
                     note: str | None = None) -> list[int]:
    """Mark findings resolved (with an optional note saying why); returns their ids."""
    resolved = []
    for f in findings:
        f.status, f.resolved_at = "resolved", now
        if note:
            f.status_note = note
        resolved.append(f.id)
    return resolved


def active_orgs(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)))
