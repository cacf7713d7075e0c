"""The alert outbox: which findings are owed alerts, reminders and digests, the messages waiting,
their delivery, and the notices of orgwatch's own failures. Every "only once" is a unique constraint."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from models.entities import (
    OPEN_STATUSES, Alert, Channel, DigestEntry, Finding, OperatorNotice, OutboxMessage, Person, ScanRun,
)
from models.findings import _insert

UNDELIVERED = ("pending", "sending", "failed")


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


def digest_key(unit: str, day: dt.date, target: str | None = None) -> str:
    """``digest:<day>:<unit hash>:<target hash>``; without ``target``, the prefix of the unit's day."""
    unit_hash = hashlib.sha256(unit.encode("utf-8")).hexdigest()[:16]
    prefix = f"digest:{day.isoformat()}:{unit_hash}:"
    return prefix if target is None else prefix + hashlib.sha256(target.encode("utf-8")).hexdigest()[:32]


def open_message(session: Session, *, org_id: str | None, person: Person | None, recipient: str, target: str,
                 transport: str, scan_id: int | None, now: dt.datetime, kind: str = "findings",
                 dedupe_key: str | None = None) -> OutboxMessage | None:
    """A pending message with no content yet; fill it with :func:`fill_message` once its alerts are claimed.

    With ``dedupe_key``, returns ``None`` when a message with that key exists (also under a race).
    """
    stmt = _insert(session)(OutboxMessage).values(
        uid=new_message_uid(now), org_id=org_id, person_id=person.id if person else None, recipient=recipient,
        target=target, transport=transport, kind=kind, subject="", body="", body_format="text", status="pending",
        attempts=0, created_at=now, next_attempt_at=now, scan_id=scan_id, dedupe_key=dedupe_key, finding_ids=[],
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    msg_id = session.execute(stmt).scalar()
    return None if msg_id is None else session.get(OutboxMessage, msg_id)


def claim_alerts(session: Session, msg: OutboxMessage, findings: list[Finding], person: Person,
                 now: dt.datetime, kind: str = "findings") -> list[Finding]:
    """Record one alert per finding for this recipient address; return the findings not alerted before.

    The unique (finding, person, target, occurrence, kind) constraint makes a second claim a
    no-op, also when two processes race.
    """
    claimed = []
    for f in findings:
        stmt = _insert(session)(Alert).values(
            finding_id=f.id, person_id=person.id, target=msg.target, occurrence=f.occurrence, kind=kind,
            message_id=msg.id, created_at=now,
        ).on_conflict_do_nothing(
            index_elements=["finding_id", "person_id", "target", "occurrence", "kind"]
        ).returning(Alert.id)
        if session.execute(stmt).scalar() is not None:
            claimed.append(f)
    return claimed


def fill_message(msg: OutboxMessage, *, subject: str, body: str, body_format: str,
                 finding_ids: list[int] | None = None) -> None:
    msg.subject, msg.body, msg.body_format = subject, body, body_format
    msg.finding_ids = list(finding_ids or [])


def mark_notified(findings: list[Finding]) -> None:
    for f in findings:
        f.notified_occurrence = f.occurrence


def first_alerted(session: Session, findings: list[Finding]) -> dict[int, dt.datetime]:
    """When each finding's current occurrence was first queued to anyone (first-time alerts only)."""
    if not findings:
        return {}
    rows = session.execute(
        select(Alert.finding_id, Alert.occurrence, func.min(Alert.created_at))
        .where(Alert.kind == "findings", Alert.finding_id.in_([f.id for f in findings]))
        .group_by(Alert.finding_id, Alert.occurrence)
    )
    occurrence = {f.id: f.occurrence for f in findings}
    return {fid: when for fid, occ, when in rows if occurrence[fid] == occ}


def reminder_candidates(session: Session, org_ids: list[str] | None = None) -> list[Finding]:
    """Open (not acknowledged) high-severity findings, the only ones that can be owed a reminder."""
    query = select(Finding).where(Finding.status == "open", Finding.severity == "high").order_by(Finding.org_id, Finding.id)
    if org_ids is not None:
        query = query.where(Finding.org_id.in_(org_ids))
    return list(session.scalars(query))


def add_digest_entry(session: Session, *, unit: str, finding: Finding, day: dt.date, now: dt.datetime) -> bool:
    """Owe ``finding`` to ``unit``'s digest; False when this occurrence is already owed or listed."""
    stmt = _insert(session)(DigestEntry).values(
        unit=unit, org_id=finding.org_id, finding_id=finding.id, occurrence=finding.occurrence, day=day,
        digest_day=None, created_at=now,
    ).on_conflict_do_nothing(index_elements=["unit", "finding_id", "occurrence"]).returning(DigestEntry.id)
    return session.execute(stmt).scalar() is not None


def pending_digest_entries(session: Session, day: dt.date) -> list[DigestEntry]:
    """Entries queued on or before ``day`` that no digest has listed yet, with their findings."""
    return list(session.scalars(
        select(DigestEntry).options(selectinload(DigestEntry.finding).selectinload(Finding.org))
        .where(DigestEntry.digest_day.is_(None), DigestEntry.day <= day)
        .order_by(DigestEntry.unit, DigestEntry.id)
    ))


def digest_exists(session: Session, unit: str, day: dt.date) -> bool:
    prefix = digest_key(unit, day)
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix))
    ) > 0


def mark_digested(entries: list[DigestEntry], day: dt.date) -> None:
    for entry in entries:
        entry.digest_day = day


def due_messages(session: Session, now: dt.datetime, *, include_not_yet_due: bool = False,
                 max_attempts: int | None = None, kinds: tuple[str, ...] | None = None) -> list[OutboxMessage]:
    """Undelivered messages to (re)deliver, oldest first ("sending" ones whose lease ran out included)."""
    query = select(OutboxMessage).where(OutboxMessage.status.in_(UNDELIVERED))
    if not include_not_yet_due:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    if max_attempts is not None:
        query = query.where(OutboxMessage.attempts < max_attempts)
    if kinds is not None:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def claim_for_delivery(session: Session, msg_id: int, seen_attempts: int, *, now: dt.datetime,
                       lease: dt.timedelta) -> bool:
    """Mark a message as being sent (one more attempt) unless another worker got there first.

    If the process dies before :func:`record_delivery`, the message stays ``sending`` and is
    due again when ``lease`` runs out: it may then arrive twice (at least once), with the same uid.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg_id, OutboxMessage.attempts == seen_attempts,
               OutboxMessage.status.in_(UNDELIVERED))
        .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease)
    )
    return result.rowcount == 1


def record_delivery(session: Session, msg_id: int, *, error: str | None, now: dt.datetime,
                    retry_after: dt.timedelta) -> OutboxMessage:
    """Record the attempt claimed by :func:`claim_for_delivery`: sent, or failed with its error and next try."""
    msg = session.get(OutboxMessage, msg_id)
    if error is None:
        msg.status, msg.sent_at, msg.last_error = "sent", now, None
    else:
        backoff = min(retry_after * (2 ** max(0, msg.attempts - 1)), dt.timedelta(days=1))
        msg.status, msg.last_error, msg.next_attempt_at = "failed", error, now + backoff
    return msg


def findings_by_ids(session: Session, ids: list[int]) -> list[Finding]:
    if not ids:
        return []
    return list(session.scalars(
        select(Finding).options(selectinload(Finding.org)).where(Finding.id.in_(ids)).order_by(Finding.id)
    ))


def list_messages(session: Session, *, status: str | None = None, org_id: str | None = None,
                  kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).options(selectinload(OutboxMessage.alerts)).order_by(OutboxMessage.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    if org_id:
        query = query.where(OutboxMessage.org_id == org_id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query))


def messages_by_ids(session: Session, ids: list[int]) -> list[OutboxMessage]:
    if not ids:
        return []
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)))


def message_by_key(session: Session, dedupe_key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))


def claim_notice(session: Session, key: str, summary: str, now: dt.datetime) -> bool:
    """Record an operator notice once; False when ``key`` was told before (also under a race)."""
    stmt = _insert(session)(OperatorNotice).values(key=key, summary=summary, created_at=now) \
        .on_conflict_do_nothing(index_elements=["key"]).returning(OperatorNotice.id)
    return session.execute(stmt).scalar() is not None


def failing_channels(session: Session, threshold: int) -> list[Channel]:
    return list(session.scalars(
        select(Channel).options(selectinload(Channel.org))
        .where(Channel.active.is_(True), Channel.consecutive_failures >= threshold).order_by(Channel.id)
    ))


def stale_scans(session: Session, started_before: dt.datetime) -> list[ScanRun]:
    return list(session.scalars(
        select(ScanRun).where(ScanRun.status == "running", ScanRun.started_at <= started_before).order_by(ScanRun.id)
    ))


def long_failing_messages(session: Session, created_before: dt.datetime) -> list[OutboxMessage]:
    """Messages (not operator notices) attempted and still undelivered since before ``created_before``."""
    return list(session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status.in_(("failed", "sending")), OutboxMessage.kind != "operator",
            OutboxMessage.created_at <= created_before,
        ).order_by(OutboxMessage.id)
    ))
