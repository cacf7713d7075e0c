"""The scheduled weekly report: produced (and sent) once per week, across ticks and restarts."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from config.settings import load_settings
from models.entities import Channel, OutboxMessage, ScheduleMark
from models.sync import sync_registry
from orgwatch.cli import main
from orgwatch.runtime import Runtime
from orgwatch.schedule.weekly import WeeklyReportJob
from tests.schedule.world import cst, runtime, write_config

URLS = {"anhe": "http://127.0.0.1:9", "qinghe": "http://127.0.0.1:9"}  # never fetched: nothing is due


def config_for(folder: Path, sink, **schedule) -> Path:
    return write_config(folder, URLS, schedule={"weekly_report": True, **schedule},
                        reports={"recipients": [sink.url("weekly")]}, extra={"alerts": {"operators": [sink.url("ops")]}})


def mark_all_scanned(rt, at: dt.datetime) -> None:
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], at)
        s.flush()
        for ch in s.scalars(select(Channel)):
            ch.last_scan_at = at


def reports_sent(sink) -> list[str]:
    return [m.get("title", "") for m in sink.received if m["path"] == "/weekly"]


def test_report_once_per_week_across_ticks_and_restarts(tmp_path, alert_sink):
    config = config_for(tmp_path, alert_sink)
    rt = runtime(config, cst(2026, 11, 30, 7, 30))  # Monday, before 08:00
    job = WeeklyReportJob(rt, "schedule@test:1")
    assert job.run(rt.now()) is None

    rt.at(cst(2026, 11, 30, 8, 1))
    outcome = job.run(rt.now())
    assert outcome is not None and outcome.week == "2026-W48" and not outcome.failed
    assert sorted(outcome.files) == ["html", "pdf", "xlsx"]
    assert all(p.exists() and p.parent == tmp_path / "data" / "reports" for p in outcome.files.values())
    assert len(outcome.sent) == 1 and len(reports_sent(alert_sink)) == 1
    assert "2026年11月23日—11月29日" in Path(outcome.files["html"]).read_text(encoding="utf-8")

    rt.at(cst(2026, 11, 30, 8, 2))
    assert job.run(rt.now()) is None  # the next tick
    restarted = WeeklyReportJob(runtime(config, cst(2026, 12, 2, 15)), "schedule@test:2")
    assert restarted.run(cst(2026, 12, 2, 15)) is None  # a restarted scheduler, later that week
    assert len(reports_sent(alert_sink)) == 1

    rt.at(cst(2026, 12, 7, 8, 0))  # the following Monday: W49
    assert job.run(rt.now()).week == "2026-W49"
    assert len(reports_sent(alert_sink)) == 2
    with rt.db.session() as s:
        marks = {m.key: m for m in s.scalars(select(ScheduleMark))}
    assert sorted(marks) == ["weekly_report:2026-W48", "weekly_report:2026-W49"]
    assert all(m.status == "done" and m.detail["sent"] for m in marks.values())


def test_failed_report_is_given_back_and_retried(tmp_path, alert_sink):
    config = config_for(tmp_path, alert_sink)
    blocker = tmp_path / "data" / "reports"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder", encoding="utf-8")  # the output folder cannot be created
    rt = runtime(config, cst(2026, 11, 30, 9))
    job = WeeklyReportJob(rt, "schedule@test:1")
    outcome = job.run(rt.now())
    assert outcome.failed and "无法创建输出目录" in outcome.errors[0]
    assert reports_sent(alert_sink) == []
    told = [m.get("title", "") + m.get("message", "") for m in alert_sink.received if m["path"] == "/ops"]
    assert len(told) == 1 and "2026-W48 的周报未能自动生成" in told[0]
    with rt.db.session() as s:
        assert s.scalars(select(ScheduleMark)).all() == []  # nothing recorded as done

    blocker.unlink()
    rt.at(cst(2026, 11, 30, 9, 30))
    assert job.run(rt.now()) is None  # this process waits an hour before the next attempt
    rt.at(cst(2026, 11, 30, 10, 1))
    assert job.run(rt.now()).week == "2026-W48"
    assert len(reports_sent(alert_sink)) == 1


def test_schedule_once_produces_the_report_without_scanning(tmp_path, alert_sink):
    config = config_for(tmp_path, alert_sink, report_weekday=1, report_hour=0)
    # "just scanned" on the --as-of day, at the time of day the command will see
    plain = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 30))
    mark_all_scanned(plain, plain.now())

    def once():
        result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(config), "--as-of", "2026-11-30"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    first = once()
    assert "2026-W48 周报已生成并发送给" in first and "没有到期的渠道" in first
    assert (tmp_path / "data" / "reports" / "weekly-2026-W48.pdf").exists()
    second = once()
    assert "周报" not in second
    assert len(reports_sent(alert_sink)) == 1


def test_report_to_a_notifier_that_is_down_waits_in_the_outbox_and_goes_once_it_is_up(tmp_path, alert_sink):
    config = config_for(tmp_path, alert_sink)
    rt = runtime(config, cst(2026, 11, 30, 8, 1))
    job = WeeklyReportJob(rt, "schedule@test:1")
    alert_sink.fail_with = 503
    outcome = job.run(rt.now())
    assert outcome.week == "2026-W48" and not outcome.failed
    assert outcome.sent == [] and len(outcome.queued) == 1
    assert "周报未能发给" in outcome.errors[0] and "调度器稍后重试" in outcome.errors[0]
    with rt.db.session() as s:
        [msg] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "weekly_report")).all()
        assert msg.status == "failed" and "503" in msg.last_error
        assert s.scalars(select(ScheduleMark)).one().status == "done"  # produced once; the outbox retries

    alert_sink.fail_with = None
    rt.at(cst(2026, 11, 30, 8, 2))
    assert job.run(rt.now()) is None and reports_sent(alert_sink) == []  # the retry is not due yet
    rt.at(cst(2026, 11, 30, 8, 7))
    assert job.run(rt.now()) is None  # a later tick: the report is not produced again, only delivered
    assert len(reports_sent(alert_sink)) == 1
    rt.at(cst(2026, 11, 30, 9, 0))
    restarted = WeeklyReportJob(runtime(config, cst(2026, 11, 30, 9, 0)), "schedule@test:2")
    assert restarted.run(cst(2026, 11, 30, 9, 0)) is None and job.run(rt.now()) is None
    assert len(reports_sent(alert_sink)) == 1
    with rt.db.session() as s:
        [msg] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "weekly_report")).all()
        assert (msg.status, msg.attempts, msg.last_error) == ("sent", 2, None)


def test_schedule_once_says_when_the_report_could_not_be_sent(tmp_path, alert_sink):
    config = config_for(tmp_path, alert_sink, report_weekday=1, report_hour=0)
    plain = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 30))
    mark_all_scanned(plain, plain.now())
    alert_sink.fail_with = 503
    result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(config), "--as-of", "2026-11-30"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2026-W48 周报已生成；未能发送：" in result.output and "调度器稍后重试" in result.output
    assert "并发送给" not in result.output
