"""Alerts through real local webhooks (json:// and form://): grouping, routing, a receiver that
fails and recovers, and secrets that never show."""
from __future__ import annotations

import datetime as dt
import logging
import re

from tests.integration.alerts_world import cli, messages, org, person, seed, write_world

D = dt.date(2026, 11, 2)


def without_uid(message: str) -> str:
    return re.sub(r"OW-\d{8}-[0-9a-f]{10}", "OW-…", message)


def test_one_message_per_org_and_address_grouped_by_severity_json_and_form(tmp_path, alert_sink):
    config = write_world(tmp_path, [
        org("anhe", "青溪区安和社区服务中心", 1, [
            person("周敏", "platform_manager", alert_sink.url("pm"), alert_sink.form_url("pm-form")),
            person("陈国华", "legal_representative", alert_sink.form_url("legal")),
        ]),
        org("kangning", "青溪区康宁养老服务中心", 2, [person("林一帆", "platform_manager", alert_sink.url("kn"))]),
    ])
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html"),
                     ("anhe", "secret_mark", "high", "http://anhe.example.org/notice.html"),
                     ("anhe", "broken_link", "low", "http://anhe.example.org/"),
                     ("kangning", "broken_link", "low", "http://kangning.example.org/")])
    result = cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat())
    assert result.exit_code == 0, result.output
    assert "已送达 4 条" in result.output

    by_path = {m["path"]: m for m in alert_sink.received}
    assert sorted(by_path) == ["/kn", "/legal", "/pm", "/pm-form"]
    for path in ("/pm", "/pm-form"):
        pm = by_path[path]
        assert pm["title"] == "【orgwatch 合规提醒】青溪区安和社区服务中心：发现 3 个新问题，其中高风险 2 个"
        assert "【高风险】共 2 个" in pm["message"] and "【低风险】共 1 个" in pm["message"]
        assert "/list.html" in pm["message"] and "怎么办" in pm["message"] and "依据" in pm["message"]
    assert without_uid(by_path["/pm"]["message"]) == without_uid(by_path["/pm-form"]["message"])
    assert by_path["/pm"]["message"] != by_path["/pm-form"]["message"], "each address gets its own message id"
    legal = by_path["/legal"]
    assert "发现 2 个新问题" in legal["title"] and "低风险" not in legal["message"], "form:// carries the legal rep's high ones"
    assert "青溪区康宁养老服务中心" in by_path["/kn"]["title"]

    again = cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat())
    assert "已送达 0 条" in again.output and len(alert_sink.received) == 4


def test_routes_in_settings_decide_who_gets_what(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [
        person("周敏", "platform_manager", alert_sink.url("pm")),
        person("陈国华", "legal_representative", alert_sink.url("legal")),
        person("李会计", "other", alert_sink.url("other")),
    ])], alerts={"routes": [
        {"severities": ["high", "medium"], "roles": ["platform_manager"]},
        {"categories": ["broken_link"], "roles": ["other"]},
        {"categories": ["illegal_fundraising"], "orgs": ["anhe"], "roles": ["legal_representative", "platform_manager"]},
    ]})
    seed(config, D, [("anhe", "broken_link", "low", "http://anhe.example.org/"),
                     ("anhe", "illegal_fundraising", "low", "http://anhe.example.org/donate.html"),
                     ("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
    got = {m["path"]: m["message"] for m in alert_sink.received}
    assert sorted(got) == ["/legal", "/other", "/pm"]
    assert "donate.html" in got["/pm"] and "list.html" in got["/pm"] and "无法打开" not in got["/pm"]
    assert "donate.html" in got["/legal"] and "list.html" not in got["/legal"]
    assert "无法打开" in got["/other"] and "donate.html" not in got["/other"]


def test_receiver_failing_then_recovering_delivers_once_with_the_error_kept(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [person("周敏", "platform_manager", alert_sink.url("pm"))])],
                         alerts={"retry_after_minutes": 0})
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    alert_sink.fail_with, alert_sink.fail_times = 502, 2

    first = cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat())
    assert first.exit_code == 1 and "未送达" in first.output and "502" in first.output
    [failed] = messages(config, "--status", "failed")
    assert failed["attempts"] == 1 and "502" in failed["last_error"] and failed["uid"] in first.output

    assert cli("alerts", "retry", "--config", str(config)).exit_code == 1
    assert messages(config)[0]["attempts"] == 2

    third = cli("alerts", "retry", "--config", str(config))
    assert third.exit_code == 0 and "已送达 1 条" in third.output
    assert alert_sink.failures == 2 and len(alert_sink.received) == 1
    [sent] = messages(config)
    assert sent["status"] == "sent" and sent["attempts"] == 3 and sent["last_error"] is None
    assert failed["uid"] in alert_sink.received[0]["message"], "the message carries its id"


def test_secret_in_a_webhook_url_is_used_but_never_shown(tmp_path, alert_sink, monkeypatch, caplog):
    token = "s3cr3t-hook-7d1f"
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"HOOK_TOKEN: {token}\n", encoding="utf-8")
    secrets.chmod(0o600)
    url = f"json://127.0.0.1:{alert_sink.port}/hook/${{HOOK_TOKEN}}"
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [person("周敏", "platform_manager", url)])],
                         alerts={"secrets_file": str(secrets)})
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    caplog.set_level(logging.DEBUG)
    out = cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat(), "-vv")
    assert out.exit_code == 0, out.output
    assert [m["path"] for m in alert_sink.received] == [f"/hook/{token}"]
    listed = cli("alerts", "list", "--config", str(config))
    as_json = cli("alerts", "list", "--config", str(config), "--format", "json")
    for text in (out.output, listed.output, as_json.output, caplog.text):
        assert token not in text
    assert "${HOOK_TOKEN}" in as_json.output

    monkeypatch.setenv("HOOK_TOKEN", "env-wins")
    seed(config, D, [("anhe", "secret_mark", "high", "http://anhe.example.org/n.html")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
    assert alert_sink.received[-1]["path"] == "/hook/env-wins"


def test_one_person_with_two_roles_at_one_address_gets_one_message(tmp_path, alert_sink):
    shared = alert_sink.url("shared")
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [
        person("周敏", "platform_manager", shared), person("周敏", "legal_representative", shared),
    ])])
    seed(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html"),
                     ("anhe", "broken_link", "low", "http://anhe.example.org/")])
    assert cli("alerts", "retry", "--config", str(config), "--as-of", D.isoformat()).exit_code == 0
    [msg] = alert_sink.received
    assert "发现 2 个新问题" in msg["title"] and "周敏（平台管理员、法定代表人）您好" in msg["message"]
    [listed] = messages(config)
    assert listed["findings"] == 2 and listed["recipient"] == "周敏"
