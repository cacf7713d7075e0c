"""What the scheduler reads and records: each channel's last scan, the scan jobs still waiting in
the queue, and marks for work done once (the weekly report of a week)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.entities import Channel, Organization, ScanJob, ScheduleMark
from models.findings import _insert

PENDING_STATUSES = ("queued", "running")


def channel_states(session: Session) -> list[tuple]:
    """(id, org id, kind, url, last scan time, consecutive failures, pages of the last scan) of every
    active channel of an active organisation, by organisation and id."""
    query = (
        select(Channel.id, Channel.org_id, Channel.kind, Channel.url, Channel.last_scan_at,
               Channel.consecutive_failures, Channel.last_pages)
        .join(Organization, Organization.id == Channel.org_id)
        .where(Channel.active.is_(True), Organization.active.is_(True))
        .order_by(Channel.org_id, Channel.id)
    )
    return [tuple(row) for row in session.execute(query)]


def pending_jobs(session: Session, since: dt.datetime) -> tuple[set[str], set[int]]:
    """Scan jobs queued or running, enqueued at or after ``since``: the organisations with a job for
    all their channels, and the channels of the jobs for some channels."""
    orgs: set[str] = set()
    channels: set[int] = set()
    rows = session.execute(
        select(ScanJob.org_id, ScanJob.channel_ids)
        .where(ScanJob.status.in_(PENDING_STATUSES), ScanJob.enqueued_at >= since)
    )
    for org_id, channel_ids in rows:
        if channel_ids is None:
            orgs.add(org_id)
        else:
            channels.update(int(i) for i in channel_ids)
    return orgs, channels


def get_mark(session: Session, key: str) -> ScheduleMark | None:
    return session.scalars(select(ScheduleMark).where(ScheduleMark.key == key)).first()


def claim_mark(session: Session, key: str, holder: str, now: dt.datetime, stale_after: dt.timedelta) -> bool:
    """Claim the work named ``key`` for ``holder``; False when it is done, or claimed by someone
    else less than ``stale_after`` ago (a claim older than that was abandoned and is taken over)."""
    inserted = session.execute(
        _insert(session)(ScheduleMark).values(key=key, status="running", holder=holder, claimed_at=now, detail={})
        .on_conflict_do_nothing(index_elements=["key"]).returning(ScheduleMark.id)
    ).scalar()
    if inserted is not None:
        return True
    taken = session.execute(
        update(ScheduleMark)
        .where(ScheduleMark.key == key, ScheduleMark.status == "running", ScheduleMark.claimed_at <= now - stale_after)
        .values(holder=holder, claimed_at=now).returning(ScheduleMark.id)
    ).scalar()
    return taken is not None


def finish_mark(session: Session, key: str, now: dt.datetime, detail: dict) -> None:
    """Record the claimed work as done, with what came of it."""
    session.execute(update(ScheduleMark).where(ScheduleMark.key == key)
                    .values(status="done", done_at=now, detail=detail))


def drop_mark(session: Session, key: str, holder: str) -> None:
    """Give up a claim that failed, so the work is tried again."""
    mark = get_mark(session, key)
    if mark is not None and mark.holder == holder and mark.status == "running":
        session.delete(mark)
