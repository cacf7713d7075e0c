"""Read-only queries behind both the pages and the API: pure functions over a Session and a Scope,
returning plain dataclasses. Nothing else in orgwatch.web writes SQL.

Anything outside the scope comes back as ``None`` (the caller answers 404).
"""
from orgwatch.web.queries.findings import (
    AlertRow, FindingDetail, FindingFilter, FindingPage, FindingRow, HistoryEvent, SnapshotData, finding_detail,
    list_findings, snapshot,
)
from orgwatch.web.queries.orgs import (
    AuditPage, ChannelRow, DisclosureRow, OrgDetail, OrgRow, Overview, PersonRow, ScanRow, TrendPoint, list_audit,
    list_organisations, list_scans, org_choices, organisation_detail, overview, weekly_trend,
)
from orgwatch.web.queries.reports import (
    MEDIA_TYPES, ReportWeek, list_reports, parse_week, report_file, report_filename, report_for,
)

__all__ = [
    "AlertRow", "AuditPage", "ChannelRow", "DisclosureRow", "FindingDetail", "FindingFilter", "FindingPage",
    "FindingRow", "HistoryEvent", "MEDIA_TYPES", "OrgDetail", "OrgRow", "Overview", "PersonRow", "ReportWeek",
    "ScanRow", "SnapshotData", "TrendPoint", "finding_detail", "list_audit", "list_findings", "list_organisations",
    "list_reports", "list_scans", "org_choices", "organisation_detail", "overview", "parse_week", "report_file",
    "report_filename", "report_for", "snapshot", "weekly_trend",
]
