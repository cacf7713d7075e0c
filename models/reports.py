"""Read-only queries behind the weekly report: organisations in scope, findings up to a moment,
scan runs, channels and undelivered messages. Timestamps are compared in UTC."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from models.entities import Channel, Finding, Organization, OutboxMessage, ScanRun


@dataclass(frozen=True)
class FindingRow:
    """The columns of a finding that the report's counts need (no text)."""

    id: int
    org_id: str
    channel_id: int | None
    category: str
    rule: str
    item: str | None
    severity: str
    first_seen: dt.datetime
    resolved_at: dt.datetime | None


def organizations(session: Session, supervisor: str | None = None) -> list[Organization]:
    """Active organisations (those in the registry), optionally only one supervising unit's, by id."""
    query = select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)
    if supervisor is not None:
        query = query.where(Organization.supervisor == supervisor)
    return list(session.scalars(query))


def supervisors(session: Session) -> list[str]:
    """The supervising units named by active organisations, sorted."""
    rows = session.scalars(
        select(Organization.supervisor).where(Organization.active.is_(True), Organization.supervisor.is_not(None))
        .distinct()
    )
    return sorted(rows)


def finding_rows(session: Session, org_ids: list[str], before: dt.datetime) -> list[FindingRow]:
    """Findings of ``org_ids`` first seen before ``before``; false positives are never counted."""
    query = (
        select(Finding.id, Finding.org_id, Finding.channel_id, Finding.category, Finding.rule, Finding.item,
               Finding.severity, Finding.first_seen, Finding.resolved_at)
        .where(Finding.org_id.in_(org_ids), Finding.first_seen < before, Finding.status != "false_positive")
        .order_by(Finding.id)
    )
    return [FindingRow(*row) for row in session.execute(query)]


def findings_by_id(session: Session, ids: list[int]) -> list[Finding]:
    """Whole findings (evidence, url, channel) for the rows the report lists one by one."""
    if not ids:
        return []
    query = (
        select(Finding).options(selectinload(Finding.org), selectinload(Finding.channel))
        .where(Finding.id.in_(ids)).order_by(Finding.id)
    )
    return list(session.scalars(query))


def scan_runs(session: Session, before: dt.datetime) -> list[ScanRun]:
    """Every scan run started before ``before``, oldest first."""
    return list(session.scalars(select(ScanRun).where(ScanRun.started_at < before).order_by(ScanRun.id)))


def channels(session: Session, org_ids: list[str]) -> list[Channel]:
    """The active channels of ``org_ids``, by organisation and id."""
    query = (
        select(Channel).where(Channel.org_id.in_(org_ids), Channel.active.is_(True))
        .order_by(Channel.org_id, Channel.id)
    )
    return list(session.scalars(query))


def undelivered_messages(session: Session, before: dt.datetime,
                         org_ids: list[str] | None = None) -> list[OutboxMessage]:
    """Messages created before ``before`` that had failed and were not delivered by then.

    A message counts when it is still ``failed`` now, or was delivered only at ``before`` or
    later after more than one attempt (so at least one attempt had failed). Messages never
    attempted (queued with ``--no-deliver``) are not failures.
    """
    query = (
        select(OutboxMessage).options(selectinload(OutboxMessage.alerts))
        .where(OutboxMessage.created_at < before)
        .where(or_(
            OutboxMessage.status == "failed",
            (OutboxMessage.status == "sent") & (OutboxMessage.sent_at >= before) & (OutboxMessage.attempts > 1),
        ))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    if org_ids is not None:
        query = query.where(OutboxMessage.org_id.in_(org_ids))
    return list(session.scalars(query))
