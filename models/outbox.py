"""The alert outbox: which findings are owed alerts, the messages waiting, and their delivery."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.entities import OPEN_STATUSES, Alert, Finding, OutboxMessage, Person
from models.findings import _insert


def findings_owing_alerts(session: Session, org_ids: list[str] | None = None) -> list[Finding]:
    """Open findings whose current occurrence has not had its alerts queued yet."""
    query = (
        select(Finding)
        .where(Finding.status.in_(OPEN_STATUSES), Finding.notified_occurrence < Finding.occurrence)
        .order_by(Finding.org_id, Finding.id)
    )
    if org_ids is not None:
        query = query.where(Finding.org_id.in_(org_ids))
    return list(session.scalars(query))


def active_people(session: Session, org_id: str) -> list[Person]:
    return list(session.scalars(
        select(Person).where(Person.org_id == org_id, Person.active.is_(True)).order_by(Person.id)
    ))


def new_message_uid(now: dt.datetime) -> str:
    return f"OW-{now:%Y%m%d}-{uuid.uuid4().hex[:10]}"


def open_message(session: Session, *, org_id: str | None, person: Person | None, recipient: str, target: str,
                 transport: str, scan_id: int | None, now: dt.datetime, kind: str = "findings") -> OutboxMessage:
    """A pending message with no content yet; fill it with :func:`fill_message` once its alerts are claimed."""
    msg = OutboxMessage(
        uid=new_message_uid(now), org_id=org_id, person_id=person.id if person else None, recipient=recipient,
        target=target, transport=transport, kind=kind, subject="", body="", status="pending",
        created_at=now, next_attempt_at=now, scan_id=scan_id,
    )
    session.add(msg)
    session.flush()
    return msg


def claim_alerts(session: Session, msg: OutboxMessage, findings: list[Finding], person: Person,
                 now: dt.datetime) -> list[Finding]:
    """Record one alert per finding for this recipient address; return the findings not alerted before.

    The unique (finding, person, target, occurrence) constraint makes a second claim a no-op,
    also when two processes race.
    """
    claimed = []
    for f in findings:
        stmt = _insert(session)(Alert).values(
            finding_id=f.id, person_id=person.id, target=msg.target, occurrence=f.occurrence,
            message_id=msg.id, created_at=now,
        ).on_conflict_do_nothing(
            index_elements=["finding_id", "person_id", "target", "occurrence"]
        ).returning(Alert.id)
        if session.execute(stmt).scalar() is not None:
            claimed.append(f)
    return claimed


def fill_message(msg: OutboxMessage, *, subject: str, body: str, body_format: str) -> None:
    msg.subject, msg.body, msg.body_format = subject, body, body_format


def mark_notified(findings: list[Finding]) -> None:
    for f in findings:
        f.notified_occurrence = f.occurrence


def due_messages(session: Session, now: dt.datetime, *, include_not_yet_due: bool = False,
                 max_attempts: int | None = None) -> list[OutboxMessage]:
    """Pending or failed messages to (re)deliver, oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "failed")))
    if not include_not_yet_due:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    if max_attempts is not None:
        query = query.where(OutboxMessage.attempts < max_attempts)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def record_delivery(session: Session, msg_id: int, *, error: str | None, now: dt.datetime,
                    retry_after: dt.timedelta) -> OutboxMessage:
    """Record one delivery attempt: sent, or failed with its error and the time of the next try."""
    msg = session.get(OutboxMessage, msg_id)
    msg.attempts += 1
    if error is None:
        msg.status, msg.sent_at, msg.last_error = "sent", now, None
    else:
        backoff = min(retry_after * (2 ** (msg.attempts - 1)), dt.timedelta(days=1))
        msg.status, msg.last_error, msg.next_attempt_at = "failed", error, now + backoff
    return msg


def list_messages(session: Session, *, status: str | None = None, org_id: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).options(selectinload(OutboxMessage.alerts)).order_by(OutboxMessage.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    if org_id:
        query = query.where(OutboxMessage.org_id == org_id)
    return list(session.scalars(query))
