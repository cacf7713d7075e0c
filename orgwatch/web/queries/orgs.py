"""Organisations, channels, scan runs, the overview and the audit log as the web shows them."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from config.registry import ORG_TYPE_LABELS, ROLE_LABELS
from models import audit
from models.entities import (
    OPEN_STATUSES, AuditEntry, Channel, ChannelCheck, DisclosureCheck, Finding, Organization, Person, ScanRun,
)
from orgwatch.reports.week import Week

TREND_WEEKS = 12
SCAN_LOOKBACK = 500


@dataclass(frozen=True)
class ChannelRow:
    """A channel with its reachability and its latest health check."""

    id: int
    org_id: str
    org_name: str
    kind: str
    url: str
    name: str | None
    active: bool
    reachable: bool
    consecutive_failures: int
    last_scan_at: dt.datetime | None
    last_ok_at: dt.datetime | None
    last_error: str | None
    state: str | None
    newest_on: dt.date | None
    note: str
    checked_at: dt.datetime | None


@dataclass(frozen=True)
class ScanRow:
    """A scan run; the counts (over every organisation it covered) are given to bureau users only."""

    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    as_of: dt.date
    scope: str
    status: str
    error: str | None
    organizations: int | None = None
    channels: int | None = None
    pages: int | None = None
    fetch_errors: int | None = None
    findings_new: int | None = None
    findings_resolved: int | None = None


@dataclass(frozen=True)
class OrgRow:
    id: str
    name: str
    type: str
    type_label: str
    supervisor: str | None
    charity: bool
    active: bool
    channels: int
    open_findings: int
    open_high: int


@dataclass(frozen=True)
class PersonRow:
    name: str
    role: str
    role_label: str


@dataclass(frozen=True)
class DisclosureRow:
    item: str
    title: str
    status: str
    due_label: str
    url: str | None
    note: str
    checked_at: dt.datetime


@dataclass(frozen=True)
class OrgDetail:
    org: OrgRow
    uscc: str
    registration_authority: str
    public_fundraising_qualified: bool
    fundraising_certificate: str | None
    updated_at: dt.datetime
    people: list[PersonRow] = field(default_factory=list)
    channels: list[ChannelRow] = field(default_factory=list)
    disclosure: list[DisclosureRow] = field(default_factory=list)
    scans: list[ScanRow] = field(default_factory=list)


@dataclass(frozen=True)
class TrendPoint:
    week: str
    monday: dt.date
    new: int
    resolved: int


@dataclass(frozen=True)
class Overview:
    open_by_severity: dict[str, int]
    open_by_category: dict[str, int]
    trend: list[TrendPoint]
    unreachable: list[ChannelRow]
    stale: list[ChannelRow]
    last_scan_at: dt.datetime | None
    organisations: int


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEntry]
    total: int
    page: int
    pages: int


def _channel_rows(session: Session, scope, *extra) -> list[ChannelRow]:
    rows = session.execute(
        select(Channel, Organization.name, ChannelCheck).join(Organization, Organization.id == Channel.org_id)
        .outerjoin(ChannelCheck, ChannelCheck.channel_id == Channel.id)
        .where(scope.where(Channel.org_id), *extra).order_by(Channel.org_id, Channel.id)
    ).all()
    return [ChannelRow(
        id=c.id, org_id=c.org_id, org_name=name, kind=c.kind, url=c.url, name=c.name, active=c.active,
        reachable=c.consecutive_failures == 0, consecutive_failures=c.consecutive_failures,
        last_scan_at=c.last_scan_at, last_ok_at=c.last_ok_at, last_error=c.last_error,
        state=check.state if check else None, newest_on=check.newest_on if check else None,
        note=check.note if check else "", checked_at=check.checked_at if check else None,
    ) for c, name, check in rows]


def _scan_ids(run: ScanRun) -> set[str] | None:
    text = (run.scope or "all").strip()
    return None if text == "all" else {p.strip() for p in text.split(",") if p.strip()}


def _scan_row(run: ScanRun, scope) -> ScanRow:
    ids = _scan_ids(run)
    base = dict(id=run.id, started_at=run.started_at, finished_at=run.finished_at, as_of=run.as_of,
                status=run.status, error=run.error if scope.org_ids is None else None)
    if scope.org_ids is None:
        return ScanRow(scope=run.scope, organizations=run.organizations, channels=run.channels, pages=run.pages,
                       fetch_errors=run.fetch_errors, findings_new=run.findings_new,
                       findings_resolved=run.findings_resolved, **base)
    shown = sorted(scope.org_ids if ids is None else ids & scope.org_ids)
    return ScanRow(scope=",".join(shown), **base)


def _touches(run: ScanRun, org_ids: frozenset[str] | None) -> bool:
    ids = _scan_ids(run)
    return org_ids is None or ids is None or bool(ids & org_ids)


def list_scans(session: Session, scope, limit: int = 50, org_id: str | None = None) -> list[ScanRow]:
    """The newest scan runs that covered an organisation in ``scope`` (and ``org_id`` if given)."""
    wanted = scope.org_ids if org_id is None else frozenset([org_id])
    runs = session.scalars(select(ScanRun).order_by(ScanRun.id.desc()).limit(SCAN_LOOKBACK)).all()
    picked = [r for r in runs if _touches(r, wanted) and _touches(r, scope.org_ids)]
    return [_scan_row(r, scope) for r in picked[:limit]]


def org_choices(session: Session, scope) -> list[tuple[str, str]]:
    """(id, name) of the active organisations in scope, by name: for filter and form selects."""
    rows = session.execute(select(Organization.id, Organization.name)
                           .where(scope.where(Organization.id), Organization.active.is_(True))
                           .order_by(Organization.name, Organization.id))
    return [(r.id, r.name) for r in rows]


def list_organisations(session: Session, scope) -> list[OrgRow]:
    """The organisations in scope with their channel and open-finding counts (three queries in all)."""
    orgs = session.scalars(select(Organization).where(scope.where(Organization.id)).order_by(Organization.id)).all()
    return _org_rows(session, orgs, scope)


def _org_rows(session: Session, orgs, scope) -> list[OrgRow]:
    open_counts: dict[str, Counter] = {}
    for org_id, severity, n in session.execute(
        select(Finding.org_id, Finding.severity, func.count()).where(scope.where(Finding.org_id),
                                                                     Finding.status.in_(OPEN_STATUSES))
        .group_by(Finding.org_id, Finding.severity)
    ):
        open_counts.setdefault(org_id, Counter())[severity] = n
    channels = dict(session.execute(
        select(Channel.org_id, func.count()).where(scope.where(Channel.org_id), Channel.active.is_(True))
        .group_by(Channel.org_id)
    ).all())
    return [OrgRow(id=o.id, name=o.name, type=o.type, type_label=ORG_TYPE_LABELS.get(o.type, o.type),
                   supervisor=o.supervisor, charity=o.charity, active=o.active, channels=channels.get(o.id, 0),
                   open_findings=sum(open_counts.get(o.id, Counter()).values()),
                   open_high=open_counts.get(o.id, Counter())["high"])
            for o in orgs]


def organisation_detail(session: Session, scope, org_id: str) -> OrgDetail | None:
    """Registry fields, people (no contact addresses), channels, disclosure checklist, last 20 scans."""
    if not scope.allows(org_id):
        return None
    o = session.get(Organization, org_id)
    if o is None:
        return None
    people = session.scalars(select(Person).where(Person.org_id == org_id, Person.active.is_(True))
                             .order_by(Person.id)).all()
    checks = session.scalars(select(DisclosureCheck).where(DisclosureCheck.org_id == org_id)
                             .order_by(DisclosureCheck.id)).all()
    return OrgDetail(
        org=_org_rows(session, [o], scope)[0], uscc=o.uscc, registration_authority=o.registration_authority,
        public_fundraising_qualified=o.public_fundraising_qualified, fundraising_certificate=o.fundraising_certificate,
        updated_at=o.updated_at,
        people=[PersonRow(p.name, p.role, ROLE_LABELS.get(p.role, p.role)) for p in people],
        channels=_channel_rows(session, scope, Channel.org_id == org_id),
        disclosure=[DisclosureRow(c.item, c.title, c.status, c.due_label, c.url, c.note, c.checked_at)
                    for c in checks],
        scans=list_scans(session, scope, limit=20, org_id=org_id),
    )


def overview(session: Session, scope, today: dt.date) -> Overview:
    """Open findings by severity and category, 12 weeks of new/resolved counts, channel problems."""
    open_rows = session.execute(
        select(Finding.severity, Finding.category).where(scope.where(Finding.org_id),
                                                         Finding.status.in_(OPEN_STATUSES))
    ).all()
    channels = [c for c in _channel_rows(session, scope, Channel.active.is_(True))]
    scans = list_scans(session, scope, limit=1)
    orgs = session.scalar(select(func.count(Organization.id)).where(scope.where(Organization.id),
                                                                     Organization.active.is_(True)))
    return Overview(
        open_by_severity={s: n for s, n in Counter(r.severity for r in open_rows).most_common()},
        open_by_category=dict(Counter(r.category for r in open_rows).most_common()),
        trend=weekly_trend(session, scope, today),
        unreachable=[c for c in channels if not c.reachable or c.state == "failed"],
        stale=[c for c in channels if c.state == "stale"],
        last_scan_at=(scans[0].finished_at or scans[0].started_at) if scans else None,
        organisations=orgs or 0,
    )


def weekly_trend(session: Session, scope, today: dt.date, weeks: int = TREND_WEEKS,
                 org_id: str | None = None) -> list[TrendPoint]:
    """New (first seen) and resolved findings per ISO week (Beijing time), the last ``weeks`` weeks
    up to the one holding ``today``; false positives are not counted."""
    last = Week.containing(today)
    first = last.shift(-(weeks - 1))
    conds = [scope.where(Finding.org_id), Finding.status != "false_positive"]
    if org_id is not None:
        conds.append(Finding.org_id == org_id)
    rows = session.execute(select(Finding.first_seen, Finding.resolved_at).where(
        *conds, or_(Finding.first_seen >= first.start, Finding.resolved_at >= first.start))).all()
    points = []
    for back in range(weeks - 1, -1, -1):
        w = last.shift(-back)
        new = sum(1 for r in rows if w.start <= r.first_seen < w.end)
        resolved = sum(1 for r in rows if r.resolved_at is not None and w.start <= r.resolved_at < w.end)
        points.append(TrendPoint(w.label, w.monday, new, resolved))
    return points


def list_audit(session: Session, page: int = 1, per_page: int = 50, *, actor: str | None = None,
               action: str | None = None) -> AuditPage:
    """One page of the audit log, newest first (the caller has checked the user is bureau)."""
    per_page = max(1, min(per_page, 200))
    rows, total = audit.list_entries(session, page=page, per_page=per_page, actor=actor, action=action)
    pages = max(1, -(-total // per_page))
    return AuditPage(rows, total, max(1, min(page, pages)), pages)
