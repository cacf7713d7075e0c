"""One scan end to end on the embedded default: real sites on 127.0.0.1, real SQLite, real Apprise."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orgwatch.cli import main
from tests.integration.sitegen import IDS, write_config, write_site


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def findings_json(config: Path) -> list[dict]:
    result = run("findings", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture()
def site(tmp_path: Path, serve_sites, alert_sink):
    root = write_site(tmp_path / "sites")
    urls = serve_sites(root)
    config = write_config(tmp_path, urls["anhe"], alert_sink.url("manager"), alert_sink.url("legal"))
    return root, urls["anhe"], config


def test_scan_finds_alerts_once_and_resolves_fixed_page(site, alert_sink, tmp_path):
    root, base, config = site

    first = run("scan", "--config", str(config))
    assert first.exit_code == 0, first.output
    assert "新问题 2 个" in first.output

    found = findings_json(config)
    by_category = {f["category"]: f for f in found}
    assert set(by_category) == {"pii_id", "secret_mark"}
    pii = by_category["pii_id"]
    assert pii["url"] == base + "/list.html"
    assert pii["severity"] == "high" and pii["status"] == "open"
    assert all(full not in pii["evidence"] for full in IDS), "evidence must be masked"
    assert "个人信息保护法" in pii["basis"]
    secret = by_category["secret_mark"]
    assert secret["url"] == base + "/notice.html" and secret["rule"] == "level_mark"
    assert "机密★5年" in secret["evidence"], "the GBK page must be decoded correctly"
    assert set(found[0]) >= {"id", "org", "channel", "url", "category", "rule", "item", "severity",
                             "evidence", "first_seen", "last_seen", "status"}

    # one message per recipient: the manager gets both findings, the legal representative the high ones
    assert sorted(m["path"] for m in alert_sink.received) == ["/legal", "/manager"]
    manager = next(m for m in alert_sink.received if m["path"] == "/manager")
    assert "青溪区安和社区服务中心" in manager["title"]
    assert "/list.html" in manager["message"] and "/notice.html" in manager["message"]
    assert "怎么办" in manager["message"] and "依据" in manager["message"]
    assert all(full not in manager["message"] for full in IDS)

    # a second scan of the unchanged site sends nothing and duplicates nothing
    second = run("scan", "--config", str(config))
    assert second.exit_code == 0, second.output
    assert "（分析 0 个）" in second.output, "an unchanged site is not analysed again"
    assert len(alert_sink.received) == 2
    again = findings_json(config)
    assert [f["id"] for f in again] == [f["id"] for f in found]
    assert all(f["status"] == "open" for f in again)

    # the organisation masks the IDs: the next scan resolves the finding without a new alert
    write_site(root, with_ids=False)
    third = run("scan", "--config", str(config))
    assert third.exit_code == 0, third.output
    statuses = {f["category"]: f["status"] for f in findings_json(config)}
    assert statuses == {"pii_id": "resolved", "secret_mark": "open"}
    assert len(alert_sink.received) == 2

    # the IDs come back: the finding is new again and alerts again
    write_site(root, with_ids=True)
    fourth = run("scan", "--config", str(config))
    assert fourth.exit_code == 0, fourth.output
    reopened = next(f for f in findings_json(config) if f["category"] == "pii_id")
    assert reopened["status"] == "open" and reopened["id"] == pii["id"] and reopened["occurrence"] == 2
    assert len(alert_sink.received) == 4


def test_notifier_down_keeps_alert_and_retry_delivers_once(site, alert_sink):
    _, _, config = site
    alert_sink.fail_with = 503
    scan = run("scan", "--config", str(config))
    assert scan.exit_code == 0, scan.output
    assert "未送达" in scan.output
    assert alert_sink.received == []

    failed = json.loads(run("alerts", "list", "--config", str(config), "--status", "failed",
                            "--format", "json").output)
    assert len(failed) == 2
    assert all(m["attempts"] == 1 and "503" in m["last_error"] for m in failed)

    alert_sink.fail_with = None
    retry = run("alerts", "retry", "--config", str(config))
    assert retry.exit_code == 0, retry.output
    assert "已送达 2 条" in retry.output
    assert len(alert_sink.received) == 2

    again = run("alerts", "retry", "--config", str(config))
    assert "已送达 0 条" in again.output
    assert len(alert_sink.received) == 2
    sent = json.loads(run("alerts", "list", "--config", str(config), "--format", "json").output)
    assert {m["status"] for m in sent} == {"sent"} and {m["attempts"] for m in sent} == {2}


def test_findings_csv_and_table(site):
    _, _, config = site
    assert run("scan", "--config", str(config)).exit_code == 0
    csv_out = run("findings", "--config", str(config), "--format", "csv").output
    assert csv_out.splitlines()[0].startswith("id,org,org_name,channel,url,category")
    assert len(csv_out.strip().splitlines()) == 3
    table = run("findings", "--config", str(config), "--status", "open").output
    assert "pii_id" in table and "secret_mark" in table
