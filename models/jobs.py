"""Scan jobs sent to the Celery workers: recorded when queued, updated as a worker runs them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.entities import Channel, ScanJob, ScanRun

#: the states a job does not leave
FINAL_STATUSES = ("completed", "failed", "skipped")


def add_job(session: Session, *, job_id: str, org_id: str, channel_ids: list[int] | None, as_of: dt.date,
            now: dt.datetime) -> ScanJob:
    job = ScanJob(id=job_id, org_id=org_id, channel_ids=channel_ids, as_of=as_of, status="queued",
                  attempts=0, enqueued_at=now)
    session.add(job)
    return job


def begin_attempt(session: Session, job_id: str, *, holder: str, now: dt.datetime) -> ScanJob | None:
    """Count a delivery of the job to a worker; None when the job is unknown or already final."""
    job = session.get(ScanJob, job_id, with_for_update=True)
    if job is None or job.status in FINAL_STATUSES:
        return None
    job.attempts += 1
    job.status, job.holder, job.started_at = "running", holder, now
    return job


def set_scan(session: Session, job_id: str, scan_id: int) -> None:
    session.execute(update(ScanJob).where(ScanJob.id == job_id).values(scan_id=scan_id))


def finish_job(session: Session, job_id: str, *, status: str, now: dt.datetime, note: str | None = None) -> None:
    session.execute(update(ScanJob).where(ScanJob.id == job_id).values(status=status, finished_at=now, note=note))


def fail_unfinished(session: Session, job_id: str, *, now: dt.datetime, note: str) -> bool:
    """Mark the job failed with ``note`` unless it is already final (an earlier delivery finished it)."""
    result = session.execute(
        update(ScanJob).where(ScanJob.id == job_id, ScanJob.status.not_in(FINAL_STATUSES))
        .values(status="failed", finished_at=now, note=note)
    )
    return result.rowcount == 1


def get_jobs(session: Session, job_ids: list[str]) -> list[ScanJob]:
    return list(session.scalars(select(ScanJob).where(ScanJob.id.in_(job_ids)).order_by(ScanJob.enqueued_at)))


def get_job(session: Session, job_id: str) -> ScanJob | None:
    return session.get(ScanJob, job_id)


def channel_pages(session: Session, org_ids: list[str] | None = None) -> dict[str, list[tuple[int, int]]]:
    """org id -> [(channel id, pages seen by its last scan)] for the active channels."""
    query = select(Channel.org_id, Channel.id, Channel.last_pages).where(Channel.active.is_(True)) \
        .order_by(Channel.org_id, Channel.id)
    if org_ids is not None:
        query = query.where(Channel.org_id.in_(org_ids))
    out: dict[str, list[tuple[int, int]]] = {}
    for org_id, channel_id, pages in session.execute(query):
        out.setdefault(org_id, []).append((channel_id, pages or 0))
    return out


def scan_totals(session: Session, scan_ids: list[int]) -> dict[str, int]:
    """pages, findings_new, findings_resolved and messages_queued summed over these scan runs."""
    names = ("pages", "findings_new", "findings_resolved", "messages_queued")
    totals = dict.fromkeys(names, 0)
    for run in session.scalars(select(ScanRun).where(ScanRun.id.in_(scan_ids))):
        for name in names:
            totals[name] += getattr(run, name) or 0
    return totals
