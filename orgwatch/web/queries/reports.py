"""Weekly reports in the web: produced on demand for a week and the viewer's scope, never read
from files, so a report can only ever hold what its viewer may see.

bureau -> the whole registry's report; supervisor -> its unit's variant (as ``orgwatch report
--supervisor``); org -> its unit's report cut down to its own organisation (headline, trend and
lists recomputed for that organisation only).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import reports as report_queries
from models.entities import Finding, Organization, OutboxMessage, ScanRun
from orgwatch.reports.data import Window, WeeklyReport, build_report
from orgwatch.reports.data import _headline as report_headline  # noqa: PLC2701 - the same figures, one org
from orgwatch.reports.data import _scope_ids as scan_scope_ids  # noqa: PLC2701
from orgwatch.reports.data import _trend as report_trend  # noqa: PLC2701
from orgwatch.reports.week import Week
from orgwatch.runtime import Runtime

LIST_WEEKS = 12
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ReportWeek:
    """A week whose report can be viewed; ``partial`` when the week is not over yet."""

    week: str
    span: str
    monday: dt.date
    partial: bool


def list_reports(session: Session, today: dt.date, limit: int = LIST_WEEKS) -> list[ReportWeek]:
    """The weeks from the first scan's week to this week (newest first, at most ``limit``)."""
    first = session.scalar(select(func.min(ScanRun.started_at)))
    if first is None:
        return []
    current, oldest = Week.containing(today), Week.containing(first.date())
    weeks, week = [], current
    while week >= oldest and len(weeks) < limit:
        weeks.append(ReportWeek(week.label, week.span, week.monday, week == current))
        week = week.shift(-1)
    return weeks


def parse_week(text: str) -> Week | None:
    from orgwatch.reports.week import WeekError

    try:
        week = Week.parse(text)
    except WeekError:
        return None
    return week if 2000 <= week.year <= 2100 else None


def report_for(rt: Runtime, principal, week: Week, today: dt.date, unit: str | None = None,
               org_id: str | None = None) -> WeeklyReport | None:
    """The report of ``week`` as of ``today`` within ``principal``'s scope, or None (-> 404).

    Without ``unit``/``org_id``: bureau the whole registry, supervisor its unit, org user its own
    organisation. ``unit`` (bureau only; a supervisor may name its own) gives a unit's variant;
    ``org_id`` one organisation's report, if that organisation is in the principal's scope. None
    also for a week that has not begun.
    """
    if week.monday > today:
        return None
    with rt.db.session() as s:
        target = _report_target(s, principal, unit, org_id)
    if target is None:
        return None
    unit, org_ids, one_org = target
    current = {st.org: st for st in _org_status(rt, org_ids, today)} if org_ids else {}
    with rt.db.session() as s:
        report = build_report(s, week, today, unit, current)
        return _one_org(s, report, org_ids[0]) if one_org else report


def _org_status(rt: Runtime, org_ids: list[str], today: dt.date):
    """The organisations' current status as of ``today`` (a long-running server's ``rt.as_of`` is
    the day it started; the copy shares its database and registry)."""
    import copy

    from orgwatch.status import org_status

    on_day = copy.copy(rt)
    on_day.as_of = today
    return org_status(on_day, org_ids)


def _report_target(s: Session, principal, unit: str | None, org_id: str | None):
    """(unit to build, organisation ids, whether to cut down to one organisation) or None."""
    if principal.role == "org":
        if org_id not in (None, principal.org_id) or unit is not None:
            return None
        org_id = principal.org_id
    elif principal.role == "supervisor":
        if unit not in (None, principal.supervisor):
            return None
        unit = principal.supervisor
    if org_id is not None:
        org = s.get(Organization, org_id)
        if org is None or not org.active or (principal.role == "supervisor" and org.supervisor != unit):
            return None
        return org.supervisor, [org.id], True
    org_ids = [o.id for o in report_queries.organizations(s, unit)]
    if unit is not None and not org_ids:
        return None
    return unit, org_ids, False


def _one_org(session: Session, report: WeeklyReport, org_id: str) -> WeeklyReport:
    """``report`` cut down to one organisation, its figures recomputed from its own findings."""
    org = session.get(Organization, org_id)
    window = Window(report.week.start, report.cutoff)
    rows = report_queries.finding_rows(session, [org_id], report.cutoff)
    runs = [r for r in report_queries.scan_runs(session, report.cutoff)
            if window.holds(r.started_at) and (scan_scope_ids(r) is None or org_id in scan_scope_ids(r))]
    notes = [f"本报告只含 {org.name} 一个机构的数据。"]
    headline = report_headline(rows, window, [org], report_queries.channels(session, [org_id]), runs, org.name, notes)
    finding_ids = set(session.scalars(select(Finding.id).where(Finding.org_id == org_id)))
    message_ids = set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.org_id == org_id)))
    return dataclasses.replace(
        report, supervisor=None, headline=headline, trend=report_trend(rows, report.week, report.cutoff),
        orgs=[o for o in report.orgs if o.org_id == org_id],
        high_new=[f for f in report.high_new if f.id in finding_ids],
        channel_problems=[f for f in report.channel_problems if f.id in finding_ids],
        failed_messages=[m for m in report.failed_messages if m.id in message_ids], notes=notes,
    )


def report_file(report: WeeklyReport, fmt: str) -> bytes:
    """The report as HTML, PDF or XLSX bytes (written to a temporary folder and read back)."""
    from orgwatch.reports.render import render_html, write_pdf
    from orgwatch.reports.xlsx import write_xlsx

    if fmt == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="orgwatch-report-") as folder:
        path = Path(folder) / f"report.{fmt}"
        if fmt == "pdf":
            write_pdf(render_html(report), path)
        else:
            write_xlsx(report, path)
        return path.read_bytes()


def report_filename(report: WeeklyReport, fmt: str, org_id: str | None = None) -> str:
    return f"weekly-{report.week.label}{'-' + org_id if org_id else ''}.{fmt}"
