"""Findings as the web shows them: the filtered list, one finding's detail with history and
alerts, and the stored snapshot of the page it was found on."""
from __future__ import annotations

import datetime as dt
import gzip
import zlib
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models.entities import OPEN_STATUSES, Alert, AuditEntry, Finding, Organization, OutboxMessage, Page, Snapshot
from orgwatch.reports.week import day_start

MAX_PER_PAGE = 200
MAX_ID = 2 ** 63 - 1


@dataclass(frozen=True)
class FindingFilter:
    """The list page's and the API's filters; every field is optional. ``status`` may be ``active``
    (open and acknowledged); ``since``/``until`` are days (Beijing time) of first discovery."""

    org_id: str | None = None
    category: str | None = None
    severity: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    q: str | None = None


@dataclass(frozen=True)
class FindingRow:
    """One finding in a list."""

    id: int
    org_id: str
    org_name: str
    category: str
    rule: str
    item: str | None
    severity: str
    status: str
    url: str
    page_title: str
    evidence: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    status_note: str | None
    status_by: str | None
    status_at: dt.datetime | None


@dataclass(frozen=True)
class FindingPage:
    rows: list[FindingRow]
    total: int
    page: int
    pages: int
    per_page: int = 50


@dataclass(frozen=True)
class HistoryEvent:
    """One line of a finding's history: a scan event (actor ``None``) or a reviewer's action."""

    at: dt.datetime
    action: str
    label: str
    actor: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AlertRow:
    """One alert of the finding and the delivery state of the message that carried it."""

    recipient: str
    transport: str
    target: str
    kind: str
    occurrence: int
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class FindingDetail:
    finding: FindingRow
    channel_url: str | None
    page_id: int | None
    snapshot_id: int | None
    basis: str
    detail: dict
    score: float | None
    position_start: int | None
    position_end: int | None
    occurrence: int
    history: list[HistoryEvent] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)


@dataclass(frozen=True)
class SnapshotData:
    id: int
    page_id: int
    org_id: str
    url: str
    fetched_at: dt.datetime
    content_type: str
    encoding: str
    text: str


def _valid_id(value: int) -> bool:
    """An id a database integer column can hold (a larger one from a URL would raise, not miss)."""
    return 0 < value <= MAX_ID


def _row(f: Finding, org_name: str, page_title: str | None) -> FindingRow:
    return FindingRow(
        id=f.id, org_id=f.org_id, org_name=org_name, category=f.category, rule=f.rule, item=f.item,
        severity=f.severity, status=f.status, url=f.url or "", page_title=page_title or "", evidence=f.evidence or "",
        first_seen=f.first_seen, last_seen=f.last_seen, resolved_at=f.resolved_at, status_note=f.status_note,
        status_by=f.status_by, status_at=f.status_at,
    )


def _like(session: Session, column, text: str):
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if session.get_bind().dialect.name == "postgresql":
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _filtered(session: Session, scope, f: FindingFilter):
    query = (select(Finding, Organization.name, Page.title)
             .join(Organization, Organization.id == Finding.org_id)
             .outerjoin(Page, Page.id == Finding.page_id)
             .where(scope.where(Finding.org_id)))
    if f.org_id:
        query = query.where(Finding.org_id == f.org_id)
    if f.category:
        query = query.where(Finding.category == f.category)
    if f.severity:
        query = query.where(Finding.severity == f.severity)
    if f.status == "active":
        query = query.where(Finding.status.in_(OPEN_STATUSES))
    elif f.status:
        query = query.where(Finding.status == f.status)
    if f.since:
        query = query.where(Finding.first_seen >= day_start(f.since))
    if f.until:
        query = query.where(Finding.first_seen < day_start(f.until + dt.timedelta(days=1)))
    q = (f.q or "").strip()
    if q:
        query = query.where(or_(*(_like(session, col, q) for col in
                                  (Finding.evidence, Finding.url, Organization.name, Page.title))))
    return query


def list_findings(session: Session, scope, f: FindingFilter, page: int = 1, per_page: int = 50) -> FindingPage:
    """One page of the findings in ``scope`` matching ``f``, newest first."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = _filtered(session, scope, f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = session.execute(
        query.order_by(Finding.first_seen.desc(), Finding.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return FindingPage([_row(fd, name, title) for fd, name, title in rows], total, page, pages, per_page)


def finding_detail(session: Session, scope, finding_id: int) -> FindingDetail | None:
    """The finding with its history and alerts, or None when it does not exist or is out of scope."""
    if not _valid_id(finding_id):
        return None
    found = session.execute(
        select(Finding, Organization.name, Page.title).join(Organization, Organization.id == Finding.org_id)
        .outerjoin(Page, Page.id == Finding.page_id)
        .where(Finding.id == finding_id, scope.where(Finding.org_id))
    ).first()
    if found is None:
        return None
    f, org_name, title = found
    return FindingDetail(
        finding=_row(f, org_name, title), channel_url=f.channel.url if f.channel else None, page_id=f.page_id,
        snapshot_id=f.snapshot_id, basis=f.basis or "", detail=dict(f.detail or {}), score=f.score,
        position_start=f.position_start, position_end=f.position_end, occurrence=f.occurrence,
        history=_history(session, f), alerts=_alerts(session, f.id),
    )


TRIAGE_LABELS = {"triage.acknowledge": "确认收到", "triage.confirm": "确认属实", "triage.false_positive": "标记为误报",
                 "triage.resolve": "标记为已解决", "triage.reopen": "重新打开"}


def _history(session: Session, f: Finding) -> list[HistoryEvent]:
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "finding", AuditEntry.target_id == str(f.id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    events = [HistoryEvent(f.first_seen, "found", "扫描时首次发现")]
    if f.occurrence > 1:
        events.append(HistoryEvent(f.last_seen, "reappeared", f"解决后再次出现（第 {f.occurrence} 次出现）"))
    if f.last_seen > f.first_seen:
        events.append(HistoryEvent(f.last_seen, "seen", "最近一次扫描仍然看到"))
    resolved_by_hand = any(e.action == "triage.resolve" and e.at == f.resolved_at for e in entries)
    if f.resolved_at is not None and f.status == "resolved" and not resolved_by_hand:
        events.append(HistoryEvent(f.resolved_at, "resolved_by_scan", "扫描时已不再出现，判定为已解决"))
    for e in entries:
        reason = (e.detail or {}).get("reason")
        events.append(HistoryEvent(e.at, e.action, TRIAGE_LABELS.get(e.action, e.action), e.actor,
                                   reason if isinstance(reason, str) else None))
    return sorted(events, key=lambda e: e.at)


def _alerts(session: Session, finding_id: int) -> list[AlertRow]:
    from alerts.deliver import redact

    rows = session.scalars(
        select(Alert).options(selectinload(Alert.message)).join(OutboxMessage)
        .where(Alert.finding_id == finding_id).order_by(Alert.created_at, Alert.id)
    ).all()
    return [AlertRow(recipient=a.message.recipient, transport=a.message.transport, target=redact(a.target),
                     kind=a.kind, occurrence=a.occurrence, status=a.message.status, attempts=a.message.attempts,
                     last_error=a.message.last_error, created_at=a.created_at, sent_at=a.message.sent_at)
            for a in rows]


def snapshot(session: Session, scope, snapshot_id: int) -> SnapshotData | None:
    """The stored page version, decoded to text, or None when missing or out of scope."""
    if not _valid_id(snapshot_id):
        return None
    found = session.execute(
        select(Snapshot, Page).join(Page, Page.id == Snapshot.page_id)
        .where(Snapshot.id == snapshot_id, and_(scope.where(Page.org_id)))
    ).first()
    if found is None:
        return None
    snap, page = found
    try:
        raw = gzip.decompress(snap.raw_gzip)
    except (OSError, EOFError, zlib.error):
        raw = b""
    text = raw.decode(_codec(snap.encoding), errors="replace")
    return SnapshotData(id=snap.id, page_id=page.id, org_id=page.org_id, url=page.final_url or page.url,
                        fetched_at=snap.fetched_at, content_type=snap.content_type, encoding=snap.encoding, text=text)


def _codec(name: str | None) -> str:
    import codecs

    try:
        return codecs.lookup(name or "utf-8").name
    except LookupError:
        return "utf-8"
