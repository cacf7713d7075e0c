"""A real SQLite database with findings, scans and messages at fixed times across several weeks.

The report week is 2026-W48: Monday 2026-11-23 00:00 to Monday 2026-11-30 00:00 China
Standard Time, that is 2026-11-22 16:00 to 2026-11-29 16:00 UTC.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from classifier.codes import uscc_check_char
from models import findings as store
from models import scans
from models.db import Database
from models.entities import Finding, OutboxMessage
from models.sync import sync_registry

UTC = dt.timezone.utc
WEEK = "2026-W48"
AS_OF = "2026-12-02"
HEALTH_UNIT = "青溪区卫生健康委员会"
EDUCATION_UNIT = "青溪区教育局"


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def _uscc(body: str) -> str:
    return body + uscc_check_char(body)


ORGS = [
    {"id": "anhe", "name": "青溪区安和社区服务中心", "supervisor": HEALTH_UNIT, "uscc": _uscc("52500199MJQ111222"),
     "channels": [{"kind": "website", "url": "http://anhe.example.org/"}]},
    {"id": "kangning", "name": "青溪区康宁养老服务中心", "supervisor": HEALTH_UNIT, "uscc": _uscc("52500199MJP712340"),
     "channels": [{"kind": "website", "url": "http://kangning.example.org/"},
                  {"kind": "feed", "url": "http://kangning.example.org/feed.xml", "name": "康宁公众号"}]},
    {"id": "zhuxue", "name": "青溪区助学促进会", "supervisor": EDUCATION_UNIT, "uscc": _uscc("51500199MJR333444"),
     "channels": [{"kind": "website", "url": "http://zhuxue.example.org/"}]},
]


def _org_dicts() -> list[dict]:
    return [
        {**o, "type": "social_service", "charity": False, "registration_authority": "云川市青溪区民政局",
         "public_fundraising_qualified": False, "fundraising_certificate": None, "people": []}
        for o in ORGS
    ]


#: (org, channel index, url path, category, rule, item, severity, first seen UTC, resolved UTC, status)
FINDINGS = [
    ("anhe", 0, "list-2026-10.html", "pii_id", "unmasked_id", None, "high", "2026-11-10 02:00", "2026-11-24 03:00", None),
    ("kangning", 0, "notice.html", "secret_mark", "level_mark", None, "high", "2026-11-17 09:00", None, None),
    ("anhe", 0, "list-2026-11.html", "pii_id", "unmasked_id", None, "high", "2026-11-25 01:30", None, None),
    ("zhuxue", 0, "donate.html", "unqualified_fundraising", "qr_code", None, "medium", "2026-11-26 05:00", None, None),
    ("kangning", 0, "", "broken_link", "http_404", None, "low", "2026-11-27 06:00", None, None),
    ("zhuxue", 0, "", "unreachable", "home_unreachable", None, "high", "2026-11-28 02:00", None, None),
    ("kangning", 0, "", "disclosure_missing", "missing", "annual_report", "medium", "2026-11-22 16:00", None, None),
    ("kangning", 1, "", "stale_channel", "no_update", None, "low", "2026-11-20 08:00", None, None),
    # the last second of the week in CST, and the first second of the next week
    ("zhuxue", 0, "late.html", "pii_phone_list", "name_phone", None, "medium", "2026-11-29 15:59:59", None, None),
    ("zhuxue", 0, "next.html", "pii_id", "unmasked_id", None, "high", "2026-11-29 16:00:00", None, None),
    # a false positive is never counted; a W48 finding resolved after the week is open at its end
    ("anhe", 0, "about.html", "pii_id", "unmasked_id", None, "high", "2026-11-24 04:00", None, "false_positive"),
    ("kangning", 0, "fees.html", "pii_bank", "personal_card", None, "high", "2026-11-26 10:00", "2026-12-01 01:00", None),
    # earlier weeks for the trend
    ("zhuxue", 0, "old.html", "secret_mark", "internal_mark", None, "medium", "2026-10-05 01:00", "2026-10-20 01:00", None),
    ("anhe", 0, "old2.html", "pii_phone_list", "name_phone", None, "medium", "2026-09-22 01:00", "2026-11-03 01:00", None),
]
#: daily scans of all organisations in W47 and W48 (UTC start), 40 pages each
SCANS = [f"2026-11-{d:02d} 18:00" for d in range(15, 29)]


def _add_findings(s, channel_ids: dict[tuple[str, int], int]) -> None:
    for org, ch, path, category, rule, item, severity, first, resolved, status in FINDINGS:
        channel_id = channel_ids[(org, ch)]
        base = next(o for o in ORGS if o["id"] == org)["channels"][ch]["url"]
        url = base + path
        evidence = f"…页面 {url} 中的【{'500199********0213' if category == 'pii_id' else category}】…"
        values = dict(fingerprint=store.fingerprint(org, url, category, rule, item, first), org_id=org,
                      channel_id=channel_id, url=url, category=category, rule=rule, item=item, severity=severity,
                      evidence=evidence, basis="依据", detail={})
        finding_id, _ = store.upsert_finding(s, values, scan_id=None, now=utc(first))
        if resolved or status:
            f = s.get(Finding, finding_id)
            f.status = status or "resolved"
            f.resolved_at = utc(resolved) if resolved else None


def _add_messages(s) -> None:
    def message(uid: str, status: str, attempts: int, created: str, sent: str | None, error: str | None):
        s.add(OutboxMessage(uid=uid, org_id="zhuxue", recipient="周敏", target="json://127.0.0.1:9/manager",
                            transport="json", subject="合规提醒", body="…", body_format="text", status=status,
                            attempts=attempts, last_error=error, created_at=utc(created), next_attempt_at=utc(created),
                            sent_at=utc(sent) if sent else None))

    message("OW-1", "failed", 3, "2026-11-26 05:01", None, "HTTP 503 服务不可用")
    message("OW-2", "sent", 1, "2026-11-26 05:01", "2026-11-26 05:01", None)
    message("OW-3", "sent", 2, "2026-11-28 02:01", "2026-11-30 03:00", None)


def build_database(path: Path) -> str:
    """Create and fill the database at ``path``; return its URL."""
    url = f"sqlite:///{path}"
    db = Database(url)
    db.migrate()
    with db.session() as s:
        sync_registry(s, _org_dicts(), utc("2026-09-01 00:00"))
        s.flush()
        channel_ids = {(o["id"], i): c.id for o in ORGS for i, c in enumerate(
            sorted(scans.active_channels(s, [o["id"]]), key=lambda c: c.id))}
        for start in SCANS:
            scan_id = scans.start_scan(s, scope="all", as_of=utc(start).date(), now=utc(start))
            scans.finish_scan(s, scan_id, now=utc(start) + dt.timedelta(minutes=20), status="completed",
                              organizations=3, channels=4, pages=40)
        _add_findings(s, channel_ids)
        _add_messages(s)
    db.dispose()
    return url
