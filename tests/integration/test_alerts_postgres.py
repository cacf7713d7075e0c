"""The alert flow on the real PostgreSQL on 127.0.0.1 (skipped where it is absent): the ON CONFLICT
claims, the digest's dedupe index, and one worker winning a message both try to send."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import yaml

from models import outbox
from tests.integration.alerts_world import cli, messages, org, person, runtime, seed, write_world

pytestmark = pytest.mark.services
D = dt.date(2026, 11, 2)


@pytest.fixture()
def pg_url(pg_database):
    return pg_database


def test_alerts_digest_and_reminders_on_postgresql(tmp_path, alert_sink, pg_url):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [
        person("周敏", "platform_manager", alert_sink.url("pm")),
        person("陈国华", "legal_representative", alert_sink.url("legal")),
    ], supervisor="民政局")], supervisors=[{"name": "民政局", "people": [{"name": "王主任", "notify": [alert_sink.url("unit")]}]}],
        alerts={"remind_after_days": 2})
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    config.write_text(yaml.safe_dump({**settings, "database_url": pg_url}, allow_unicode=True), encoding="utf-8")

    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    for _ in range(2):
        assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
        assert cli("alerts", "digest", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
    later = (D + dt.timedelta(days=2)).isoformat()
    for _ in range(2):
        assert cli("alerts", "remind", "--config", str(config), "--as-of", later).exit_code == 0
    assert sorted(m["path"] for m in alert_sink.received) == ["/legal", "/legal", "/pm", "/unit"]
    assert {m["kind"] for m in messages(config)} == {"findings", "digest", "reminder"}


def test_two_workers_claim_one_message_once(tmp_path, alert_sink, pg_url):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [person("周敏", "platform_manager", alert_sink.url("pm"))])])
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    config.write_text(yaml.safe_dump({**settings, "database_url": pg_url}, allow_unicode=True), encoding="utf-8")
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
    rt = runtime(config, D)
    with rt.db.session() as s:
        [msg] = outbox.list_messages(s)
        msg.status, seen = "failed", msg.attempts
    wins: list[bool] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        with rt.db.session() as s:
            wins.append(outbox.claim_for_delivery(s, msg.id, seen, now=rt.now(), lease=dt.timedelta(minutes=10)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]
    rt.db.dispose()
