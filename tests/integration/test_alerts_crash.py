"""A process killed between sending and recording (ORGWATCH_FAULT=crash_after_send): the restart sends
that message again with the same id (at least once, as documented), and nothing after that."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.integration.alerts_world import cli, messages, org, person, seed, write_world

ROOT = Path(__file__).resolve().parents[2]
UID = re.compile(r"OW-\d{8}-[0-9a-f]{10}")


def orgwatch(*args: str, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ORGWATCH_FAULT"}
    if fault:
        env["ORGWATCH_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", "from orgwatch.cli import main; main()", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def uids(received: list[dict]) -> list[str]:
    return [UID.search(m["message"]).group(0) for m in received]


def test_crash_after_send_is_resent_once_with_the_same_id(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [
        person("周敏", "platform_manager", alert_sink.url("pm")),
        person("陈国华", "legal_representative", alert_sink.url("legal")),
    ])])
    seed(config, dt.date(2026, 11, 2), [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])

    crashed = orgwatch("alerts", "retry", "--config", str(config), fault="crash_after_send")
    assert crashed.returncode == 70, crashed.stderr
    assert "crash_after_send" in crashed.stderr
    [first] = uids(alert_sink.received)
    states = {m["uid"]: (m["status"], m["attempts"]) for m in messages(config)}
    assert states[first] == ("sending", 1), "sent but not recorded: the message is still marked as being sent"
    assert sorted(states.values()) == [("pending", 0), ("sending", 1)]

    restarted = orgwatch("alerts", "retry", "--config", str(config))
    assert restarted.returncode == 0, restarted.stderr
    assert "已送达 2 条" in restarted.stdout
    received = uids(alert_sink.received)
    assert len(received) == 3 and received.count(first) == 2, "at least once: the same id arrives twice"
    dupes = [m for m in alert_sink.received if first in m["message"]]
    assert dupes[0] == dupes[1], "the duplicate is the same message to the same address"
    assert dupes[0]["message_id"] == first, "webhooks get the id in a header too, so a receiver can drop the copy"

    again = cli("alerts", "retry", "--config", str(config))
    assert "已送达 0 条" in again.output and len(alert_sink.received) == 3, "and nothing after that"
    final = {m["uid"]: (m["status"], m["attempts"]) for m in messages(config)}
    assert final[first] == ("sent", 2) and {s for s, _ in final.values()} == {"sent"}


def test_a_message_left_sending_waits_for_its_lease_in_automatic_runs(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [person("周敏", "platform_manager", alert_sink.url("pm"))])])
    seed(config, dt.date(2026, 11, 2), [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    assert orgwatch("alerts", "retry", "--config", str(config), fault="crash_after_send").returncode == 70

    from orgwatch.alerting import deliver_outbox
    from tests.integration.alerts_world import runtime

    assert deliver_outbox(runtime(config)).sent == 0, "another worker may still be sending it"
    assert len(alert_sink.received) == 1
    later = runtime(config, dt.date.today() + dt.timedelta(days=1))
    assert deliver_outbox(later).sent == 1 and len(alert_sink.received) == 2
