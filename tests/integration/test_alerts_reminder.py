"""Reminders with --as-of: an open high-severity finding unacknowledged N days after its alert is
told once more to the legal representative, recorded like any alert, and never a second time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from models.entities import Finding
from tests.integration.alerts_world import cli, messages, org, person, runtime, seed, write_world

D = dt.date(2026, 11, 2)


def day(n: int) -> str:
    return (D + dt.timedelta(days=n)).isoformat()


def reminders(sink) -> list[dict]:
    return [m for m in sink.received if "催办" in m["title"]]


def test_one_reminder_to_the_legal_representative_after_n_days(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "青溪区安和社区服务中心", 1, [
        person("周敏", "platform_manager", alert_sink.url("pm")),
        person("陈国华", "legal_representative", alert_sink.url("legal"), alert_sink.form_url("legal-form")),
    ])], alerts={"remind_after_days": 3})
    _, secret, _ = seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html"),
                                      ("anhe", "secret_mark", "high", "http://anhe.example.org/notice.html"),
                                      ("anhe", "broken_link", "low", "http://anhe.example.org/")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", day(0)).exit_code == 0
    assert len(alert_sink.received) == 3 and reminders(alert_sink) == []

    # the organisation acknowledges one of the two high findings
    rt = runtime(config, D)
    with rt.db.session() as s:
        s.execute(update(Finding).where(Finding.id == secret).values(status="acknowledged"))

    early = cli("alerts", "remind", "--config", str(config), "--as-of", day(2))
    assert "催办提醒 0 条" in early.output and reminders(alert_sink) == []

    due = cli("alerts", "remind", "--config", str(config), "--as-of", day(3))
    assert due.exit_code == 0 and "催办提醒 2 条" in due.output, "one message per address of the legal rep"
    sent = reminders(alert_sink)
    assert sorted(m["path"] for m in sent) == ["/legal", "/legal-form"]
    assert sent[0]["title"] == "【orgwatch 催办提醒】青溪区安和社区服务中心：1 个高风险问题通知 3 天后仍未处理"
    assert "list.html" in sent[0]["message"] and "notice.html" not in sent[0]["message"]
    assert "2026-11-02 首次通知，至今未处理" in sent[0]["message"]

    recorded = messages(config, "--kind", "reminder")
    assert len(recorded) == 2 and {m["status"] for m in recorded} == {"sent"} and {m["findings"] for m in recorded} == {1}

    for later in ("remind", "retry"):
        again = cli("alerts", later, "--config", str(config), "--as-of", day(5))
        assert again.exit_code == 0, again.output
    assert len(reminders(alert_sink)) == 2, "a finding is reminded once"


def test_reminders_are_off_by_default_and_a_reopened_finding_counts_from_its_new_alert(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [
        person("陈国华", "legal_representative", alert_sink.url("legal"))])])
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", day(0)).exit_code == 0
    off = cli("alerts", "remind", "--config", str(config), "--as-of", day(30))
    assert "没有启用催办提醒" in off.output and reminders(alert_sink) == []

    config.write_text(config.read_text(encoding="utf-8").replace("alerts:", "alerts:\n  remind_after_days: 7"),
                      encoding="utf-8")
    rt = runtime(config, D)
    with rt.db.session() as s:  # resolved on day 8, back on day 10: new again, and alerted again
        s.execute(update(Finding).values(status="resolved"))
    seed(config, D + dt.timedelta(days=10), [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", day(10)).exit_code == 0
    assert len(alert_sink.received) == 2 and reminders(alert_sink) == [], "the reopened alert is not a reminder"
    assert "催办提醒 0 条" in cli("alerts", "remind", "--config", str(config), "--as-of", day(16)).output
    # the next scan (or retry) queues the reminders due too
    assert "已送达 1 条" in cli("alerts", "retry", "--config", str(config), "--as-of", day(17)).output
    assert len(reminders(alert_sink)) == 1
