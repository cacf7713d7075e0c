"""The report's figures from a real SQLite database with findings at fixed times across weeks."""
from __future__ import annotations

import datetime as dt

import pytest

from models.db import Database
from orgwatch.reports.data import build_report
from orgwatch.reports.exceptions import ReportScopeError
from orgwatch.reports.week import Week
from tests.unit.reports.dbdata import EDUCATION_UNIT, HEALTH_UNIT, build_database

W48 = Week(2026, 48)
AS_OF = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    database = Database(build_database(tmp_path_factory.mktemp("reportdb") / "orgwatch.db"))
    yield database
    database.dispose()


def report(db: Database, week: Week = W48, as_of: dt.date = AS_OF, supervisor: str | None = None):
    with db.session() as s:
        return build_report(s, week, as_of, supervisor)


def test_headline_counts_the_week_in_china_standard_time(db):
    r = report(db)
    h = r.headline
    assert (h.orgs_total, h.orgs_scanned, h.channels, h.scans, h.pages) == (3, 3, 4, 7, 280)
    # the finding at 23:59:59 CST on Sunday is in; the one at 00:00:00 on Monday is not;
    # the false positive never counts
    assert h.new == {"high": 3, "medium": 3, "low": 1, "total": 7}
    assert h.resolved == {"high": 1, "medium": 0, "low": 0, "total": 1}
    assert h.open == {"high": 4, "medium": 3, "low": 2, "total": 9}
    assert not r.partial and r.cutoff == W48.end


def test_trend_covers_twelve_weeks_ending_with_the_report_week(db):
    trend = report(db).trend
    assert [t.week.label for t in trend][0] == "2026-W37" and trend[-1].week == W48 and len(trend) == 12
    totals = {t.week.label: (t.new_total, t.resolved_total) for t in trend if t.new_total or t.resolved_total}
    assert totals == {"2026-W39": (1, 0), "2026-W41": (1, 0), "2026-W43": (0, 1), "2026-W45": (0, 1),
                      "2026-W46": (1, 0), "2026-W47": (2, 0), "2026-W48": (7, 1)}
    assert trend[-1].new["pii_id"] == 1 and trend[-1].resolved == {"pii_id": 1}


def test_organisations_are_scored_and_sorted_lowest_first(db):
    rows = report(db).orgs
    assert [(o.org_id, o.score) for o in rows] == [("kangning", 32), ("zhuxue", 65), ("anhe", 75)]
    kangning = rows[0]
    assert kangning.open_by_severity == {"high": 2, "medium": 1, "low": 2, "total": 5}
    assert kangning.status.missing_items == 1 and kangning.status.disclosure == "缺 1 项：annual_report"
    assert kangning.status.stale == 1 and "长期未更新" in kangning.status.health_text
    assert "失效链接 1 个" in kangning.status.health_text
    zhuxue = rows[1]
    assert zhuxue.status.unreachable == 1 and zhuxue.status.disclosure == "（待评估）"
    assert rows[2].status.health_text == "1 个渠道正常"


def test_listed_findings_and_failed_messages(db):
    r = report(db)
    assert sorted(f.category for f in r.high_new) == ["pii_bank", "pii_id", "unreachable"]
    assert all("0213" not in f.evidence or "********" in f.evidence for f in r.high_new)
    bank = next(f for f in r.high_new if f.category == "pii_bank")
    assert bank.open_at_end, "resolved only after the week: still open at its end"
    assert [(f.org_name, f.category) for f in r.channel_problems] == [
        ("青溪区助学促进会", "unreachable"), ("青溪区康宁养老服务中心", "stale_channel")]
    assert [(m.id, m.status) for m in r.failed_messages] == [(1, "未送达"), (3, "本周末时未送达")]
    assert r.failed_messages[0].last_error == "HTTP 503 服务不可用"


def test_same_week_gives_the_same_report(db):
    assert report(db) == report(db)


def test_as_of_inside_the_week_cuts_it_at_the_end_of_that_day(db):
    r = report(db, as_of=dt.date(2026, 11, 26))
    assert r.partial and r.cutoff == dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.timezone.utc)
    assert r.headline.new["total"] == 4


def test_a_week_not_started_on_as_of_is_refused(db):
    with pytest.raises(ReportScopeError, match="还没有开始"):
        report(db, as_of=dt.date(2026, 11, 22))


def test_organisations_never_scanned_by_the_week_end_are_not_scored(db):
    r = report(db, week=Week(2026, 46))
    assert r.headline.orgs_scanned == 0 and r.headline.scans == 0
    assert {o.score for o in r.orgs} == {None}


def test_supervisor_variant_has_only_its_organisations(db):
    r = report(db, supervisor=HEALTH_UNIT)
    assert {o.org_id for o in r.orgs} == {"anhe", "kangning"}
    assert r.headline.new["total"] == 4 and r.failed_messages == []
    assert r.headline.pages is None and r.notes, "scans of all organisations cannot be split by unit"
    assert HEALTH_UNIT in r.title
    assert {o.org_id for o in report(db, supervisor=EDUCATION_UNIT).orgs} == {"zhuxue"}
