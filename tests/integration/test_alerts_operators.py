"""Self-monitoring: a channel failing scan after scan, a scan that aborted or never finished, and a
message undelivered for a day are told to the operators, once each."""
from __future__ import annotations

import datetime as dt

import pytest

from models import scans
from orgwatch.alerting import notify_operators_after_scan
from orgwatch.devserver import AlertReceiver
from orgwatch.scan_events import ScanSummary
from tests.integration.alerts_world import cli, messages, org, person, runtime, seed, write_world

D = dt.date(2026, 11, 2)


@pytest.fixture()
def ops(tmp_path):
    receiver = AlertReceiver(tmp_path / "ops").start()
    yield receiver
    receiver.stop()


def world(tmp_path, sink, ops):
    return write_world(tmp_path, [org("anhe", "青溪区安和社区服务中心", 1, [person("周敏", "platform_manager", sink.url("pm"))])],
                       alerts={"operators": [ops.url("ops"), ops.form_url("ops-form")]})


def channel_scan(config, day: dt.date, ok: bool) -> None:
    """What a scan records for the channel's home page, then the alerts it queues and sends."""
    seed(config, day, [])
    rt = runtime(config, day)
    with rt.db.session() as s:
        channel = scans.active_channels(s)[0]
        scans.record_channel_health(s, channel.id, ok=ok, error=None if ok else "无法连接（http://anhe.example.org/）",
                                    now=rt.now())
    assert cli("alerts", "retry", "--config", str(config), "--as-of", day.isoformat()).exit_code == 0


def test_a_failing_channel_is_told_once_per_failure_streak(tmp_path, alert_sink, ops):
    config = world(tmp_path, alert_sink, ops)
    channel_scan(config, D, ok=False)
    assert ops.received == [], "the first failure is only recorded"
    channel_scan(config, D + dt.timedelta(days=1), ok=False)
    assert sorted(m["path"] for m in ops.received) == ["/ops", "/ops-form"]
    told = ops.received[0]
    assert "【orgwatch 运行告警】渠道连续 2 次扫描无法访问：青溪区安和社区服务中心 http://anhe.example.org/" == told["title"]
    assert "无法连接" in told["message"] and "怎么办" in told["message"]

    channel_scan(config, D + dt.timedelta(days=2), ok=False)
    assert len(ops.received) == 2, "the same streak is told once"
    channel_scan(config, D + dt.timedelta(days=3), ok=True)
    channel_scan(config, D + dt.timedelta(days=4), ok=False)
    channel_scan(config, D + dt.timedelta(days=5), ok=False)
    assert len(ops.received) == 4, "a new streak after recovery is told again"
    assert alert_sink.received == [], "operator notices do not go to the organisation"
    assert len(messages(config, "--kind", "operator")) == 4


def test_an_aborted_scan_and_a_scan_that_never_finished(tmp_path, alert_sink, ops):
    config = world(tmp_path, alert_sink, ops)
    seed(config, D, [])
    rt = runtime(config, D)
    with rt.db.session() as s:
        stuck = scans.start_scan(s, scope="all", as_of=D, now=rt.now())  # killed: never finished
    later = runtime(config, D + dt.timedelta(days=2))
    with later.db.session() as s:
        failed = scans.start_scan(s, scope="all", as_of=later.as_of, now=later.now())
    summary = ScanSummary(scan_id=failed, status="failed", error="抓取子进程意外退出（退出码 -9）")

    assert notify_operators_after_scan(later, summary) == 2
    [told] = [m for m in ops.received if m["path"] == "/ops"]
    assert told["title"] == f"【orgwatch 运行告警】扫描 #{failed} 中断等 2 项"
    assert "抓取子进程意外退出" in told["message"] and f"扫描 #{stuck} 没有正常结束" in told["message"]
    assert f"logs/crawl-{failed}.log" in told["message"]

    assert notify_operators_after_scan(later, summary) == 0 and len(ops.received) == 2
    ok = ScanSummary(scan_id=failed + 1, status="completed")
    assert notify_operators_after_scan(later, ok) == 0


def test_a_message_undelivered_for_a_day_is_told_once(tmp_path, alert_sink, ops):
    config = world(tmp_path, alert_sink, ops)
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    alert_sink.fail_with = 503
    assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 1
    assert ops.received == [], "a fresh failure is retried, not reported"

    next_day = (D + dt.timedelta(days=1)).isoformat()
    assert cli("alerts", "retry", "--config", str(config), "--as-of", next_day).exit_code == 1
    [failing] = messages(config, "--kind", "findings")
    told = [m for m in ops.received if m["path"] == "/ops"]
    assert len(told) == 1 and f"通知 #{failing['id']}（{failing['uid']}）超过 24 小时未送达" in told[0]["title"]
    assert "503" in told[0]["message"] and "周敏" in told[0]["message"]

    cli("alerts", "retry", "--config", str(config), "--as-of", (D + dt.timedelta(days=3)).isoformat())
    assert len([m for m in ops.received if m["path"] == "/ops"]) == 1, "once per message"
