"""The weekly report's figures, computed from stored timestamps only (never from the clock).

A finding is *new* in a window when first seen in it, *resolved* when its ``resolved_at`` is
in it, and *open* at a moment when first seen before it and not resolved by then. Findings
marked as false positives are never counted.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from classifier.basis import basis_for
from models import reports as queries
from models.entities import Channel, Organization, ScanRun
from models.reports import FindingRow
from orgwatch.reports.exceptions import ReportScopeError
from orgwatch.reports.health import CurrentStatus, OrgHealth, org_health
from orgwatch.reports.labels import SEVERITIES
from orgwatch.reports.masking import mask_context
from orgwatch.reports.score import SEPARATE_CATEGORIES, ScoreInputs, compliance_score
from orgwatch.reports.week import CST, Week, day_start, local

TREND_WEEKS = 12
CHANNEL_PROBLEMS = ("unreachable", "stale_channel")


@dataclass(frozen=True)
class Window:
    """A half-open interval of UTC time: [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def holds(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def is_open(row: FindingRow, at: dt.datetime) -> bool:
    return row.first_seen < at and (row.resolved_at is None or row.resolved_at >= at)


def by_severity(rows: list[FindingRow]) -> dict[str, int]:
    counts = Counter(r.severity for r in rows)
    return {s: counts.get(s, 0) for s in SEVERITIES} | {"total": len(rows)}


@dataclass
class Headline:
    orgs_total: int
    orgs_scanned: int
    channels: int
    scans: int
    pages: int | None
    new: dict[str, int]
    resolved: dict[str, int]
    open: dict[str, int]


@dataclass
class TrendWeek:
    week: Week
    new: dict[str, int]
    resolved: dict[str, int]

    @property
    def new_total(self) -> int:
        return sum(self.new.values())

    @property
    def resolved_total(self) -> int:
        return sum(self.resolved.values())


@dataclass
class OrgRow:
    org_id: str
    name: str
    supervisor: str
    scanned: bool
    open_by_severity: dict[str, int]
    open_by_category: dict[str, int]
    status: OrgHealth
    score: int | None


@dataclass
class ListedFinding:
    """One finding written out in full: the week's high-severity ones and the channel problems."""

    id: int
    org_name: str
    category: str
    title: str
    url: str
    channel: str
    evidence: str
    first_seen: str
    open_at_end: bool


@dataclass
class FailedMessage:
    id: int
    org_name: str
    recipient: str
    target: str
    subject: str
    findings: int
    attempts: int
    last_error: str
    created_at: str
    status: str


@dataclass
class WeeklyReport:
    """Everything the HTML, PDF and XLSX forms show, in display order."""

    week: Week
    as_of: dt.date
    cutoff: dt.datetime
    partial: bool
    supervisor: str | None
    headline: Headline
    trend: list[TrendWeek]
    orgs: list[OrgRow]
    high_new: list[ListedFinding]
    channel_problems: list[ListedFinding]
    failed_messages: list[FailedMessage]
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        scope = f"（{self.supervisor}）" if self.supervisor else ""
        return f"社会组织网站合规监测周报{scope} {self.week.label}"

    @property
    def cutoff_text(self) -> str:
        return local(self.cutoff)


def report_window(week: Week, as_of: dt.date) -> tuple[Window, bool]:
    """The week's window cut at the end of ``as_of`` (CST); ``True`` when the week is incomplete."""
    cutoff = min(week.end, day_start(as_of + dt.timedelta(days=1)))
    if cutoff <= week.start:
        raise ReportScopeError(
            f"{week.label}（{week.span}）在 {as_of.isoformat()} 还没有开始；请选择更早的周，或用 --as-of 指定日期"
        )
    return Window(week.start, cutoff), cutoff < week.end


def build_report(session: Session, week: Week, as_of: dt.date, supervisor: str | None = None,
                 current: dict[str, CurrentStatus] | None = None) -> WeeklyReport:
    """The figures of ``week`` as of the end of ``as_of``, for every organisation or one supervisor's.

    ``current`` maps organisation id to its :mod:`orgwatch.status` record (checklist titles,
    channels' newest publications); without it the disclosure column reads "（待评估）".
    """
    window, partial = report_window(week, as_of)
    orgs = queries.organizations(session, supervisor)
    org_ids = [o.id for o in orgs]
    rows = queries.finding_rows(session, org_ids, window.end)
    runs = queries.scan_runs(session, window.end)
    channels = queries.channels(session, org_ids)
    covered = _covered_orgs(runs, org_ids)
    week_runs = [r for r in runs if window.holds(r.started_at)]
    notes: list[str] = []
    headline = _headline(rows, window, orgs, channels, week_runs, supervisor, notes)
    last_day = (window.end - dt.timedelta(seconds=1)).astimezone(CST).date()
    org_rows = [_org_row(o, rows, channels, covered, window.end, last_day, (current or {}).get(o.id)) for o in orgs]
    org_rows.sort(key=lambda r: (r.score is None, r.score if r.score is not None else 0, r.name, r.org_id))
    return WeeklyReport(
        week=week, as_of=as_of, cutoff=window.end, partial=partial, supervisor=supervisor,
        headline=headline, trend=_trend(rows, week, window.end), orgs=org_rows,
        high_new=_listed(session, [r.id for r in rows if r.severity == "high" and window.holds(r.first_seen)],
                         window.end),
        channel_problems=_listed(session, [r.id for r in rows if r.category in CHANNEL_PROBLEMS
                                           and is_open(r, window.end)], window.end),
        failed_messages=_failed(session, window.end, None if supervisor is None else org_ids,
                                {o.id: o.name for o in orgs}),
        notes=notes,
    )


def _scope_ids(run: ScanRun) -> set[str] | None:
    """The organisation ids a scan covered; ``None`` for a scan of all of them."""
    scope = (run.scope or "all").strip()
    return None if scope == "all" else {s.strip() for s in scope.split(",") if s.strip()}


def _covered_orgs(runs: list[ScanRun], org_ids: list[str]) -> set[str]:
    covered: set[str] = set()
    for run in runs:
        ids = _scope_ids(run)
        covered |= set(org_ids) if ids is None else ids & set(org_ids)
    return covered


def _headline(rows: list[FindingRow], window: Window, orgs: list[Organization], channels: list[Channel],
              week_runs: list[ScanRun], supervisor: str | None, notes: list[str]) -> Headline:
    org_ids = {o.id for o in orgs}
    scanned = _covered_orgs(week_runs, sorted(org_ids))
    pages: int | None = sum(r.pages for r in week_runs)
    if supervisor is not None and any((_scope_ids(r) or {None}) - org_ids for r in week_runs):
        pages = None
        notes.append("本周的扫描同时覆盖了本单位以外的机构，扫描记录中的页面数无法按机构拆分，故不列出页面数。")
    return Headline(
        orgs_total=len(orgs), orgs_scanned=len(scanned),
        channels=sum(1 for c in channels if c.org_id in scanned), scans=len(week_runs), pages=pages,
        new=by_severity([r for r in rows if window.holds(r.first_seen)]),
        resolved=by_severity([r for r in rows if window.holds(r.resolved_at)]),
        open=by_severity([r for r in rows if is_open(r, window.end)]),
    )


def _trend(rows: list[FindingRow], week: Week, cutoff: dt.datetime) -> list[TrendWeek]:
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        w = week.shift(-back)
        window = Window(w.start, min(w.end, cutoff))
        trend.append(TrendWeek(
            week=w,
            new=dict(sorted(Counter(r.category for r in rows if window.holds(r.first_seen)).items())),
            resolved=dict(sorted(Counter(r.category for r in rows if window.holds(r.resolved_at)).items())),
        ))
    return trend


def _org_row(org: Organization, rows: list[FindingRow], channels: list[Channel], covered: set[str],
             end: dt.datetime, last_day: dt.date, current: CurrentStatus | None) -> OrgRow:
    open_rows = [r for r in rows if r.org_id == org.id and is_open(r, end)]
    own_channels = [c for c in channels if c.org_id == org.id]
    status = org_health(own_channels, open_rows, last_day, current)
    scored = [r for r in open_rows if r.category not in SEPARATE_CATEGORIES]
    counts = by_severity(scored)
    scanned = org.id in covered
    score = compliance_score(ScoreInputs(
        high=counts["high"], medium=counts["medium"], low=counts["low"], disclosure=status.missing_items,
        unreachable=status.unreachable, stale=status.stale,
    )) if scanned else None
    return OrgRow(
        org_id=org.id, name=org.name, supervisor=org.supervisor or "", scanned=scanned,
        open_by_severity=by_severity(open_rows),
        open_by_category=dict(sorted(Counter(r.category for r in open_rows).items())),
        status=status, score=score,
    )


def _listed(session: Session, ids: list[int], end: dt.datetime) -> list[ListedFinding]:
    found = queries.findings_by_id(session, ids)
    listed = [
        ListedFinding(
            id=f.id, org_name=f.org.name if f.org else f.org_id, category=f.category,
            title=basis_for(f.category, f.rule).title, url=f.url or "", channel=f.channel.url if f.channel else "",
            evidence=mask_context(f.evidence), first_seen=local(f.first_seen),
            open_at_end=f.resolved_at is None or f.resolved_at >= end,
        )
        for f in found
    ]
    listed.sort(key=lambda x: (x.org_name, x.first_seen, x.id))
    return listed


def _failed(session: Session, end: dt.datetime, org_ids: list[str] | None,
            names: dict[str, str]) -> list[FailedMessage]:
    return [_failed_message(m, names) for m in queries.undelivered_messages(session, end, org_ids)]


def _failed_message(m, names: dict[str, str]) -> FailedMessage:
    from alerts.deliver import redact

    still_failed = m.status == "failed"
    return FailedMessage(
        id=m.id, org_name=names.get(m.org_id, m.org_id) if m.org_id else
        "（周报）" if m.kind == "weekly_report" else "（orgwatch 运维）",
        recipient=m.recipient, target=redact(m.target), subject=m.subject,
        findings=len(getattr(m, "finding_ids", None) or []) or len(m.alerts), attempts=m.attempts,
        last_error=(m.last_error or "") if still_failed else "（周末之后已送达）",
        created_at=local(m.created_at), status="未送达" if still_failed else "本周末时未送达",
    )
