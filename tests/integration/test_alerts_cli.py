"""``orgwatch alerts test`` and ``alerts routes``: what a user runs to check their set-up."""
from __future__ import annotations

import socket

from tests.integration.alerts_world import cli, org, person, write_world

TOKEN = "hook-token-31415"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def world(tmp_path, sink, monkeypatch):
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    broken = f"json://127.0.0.1:{_closed_port()}/hook/${{HOOK_TOKEN}}"
    return write_world(tmp_path, [
        org("anhe", "青溪区安和社区服务中心", 1, [person("周敏", "platform_manager", sink.url("zm"), broken),
                                          person("陈国华", "legal_representative", sink.form_url("chen"))],
            supervisor="青溪区民政局"),
        org("kangning", "青溪区康宁养老服务中心", 2, [person("周敏", "platform_manager", sink.url("zm-kn"))]),
    ], supervisors=[{"name": "青溪区民政局", "people": [{"name": "王主任", "notify": [sink.url("wang")]}]}],
        alerts={"operators": [sink.url("ops")]})


def test_test_message_reports_each_address_and_hides_secrets(tmp_path, alert_sink, monkeypatch):
    config = world(tmp_path, alert_sink, monkeypatch)
    result = cli("alerts", "test", "--config", str(config), "--person", "周敏", "--org", "anhe")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("成功 周敏 json://127.0.0.1") and line.endswith("/zm") for line in lines)
    assert any(line.startswith("失败 周敏 json://127.0.0.1") and "${HOOK_TOKEN}" in line for line in lines)
    assert TOKEN not in result.output
    [msg] = alert_sink.received
    assert msg["path"] == "/zm" and msg["title"] == "【orgwatch 测试消息】青溪区安和社区服务中心通知地址测试"
    assert "测试消息" in msg["message"] and "无需处理" in msg["message"] and "消息编号 OW-" in msg["message"]


def test_test_message_to_all_of_a_name_to_a_supervisor_contact_and_to_operators(tmp_path, alert_sink, monkeypatch):
    config = world(tmp_path, alert_sink, monkeypatch)
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    both = cli("alerts", "test", "--config", str(config), "--person", "周敏")
    assert {m["path"] for m in alert_sink.received} == {"/zm", "/zm-kn"}, "without --org: every organisation"
    assert both.exit_code == 1
    unit = cli("alerts", "test", "--config", str(config), "--person", "王主任")
    assert unit.exit_code == 0 and alert_sink.received[-1]["path"] == "/wang"
    assert "青溪区民政局" in alert_sink.received[-1]["title"]
    ops = cli("alerts", "test", "--config", str(config), "--operators")
    assert ops.exit_code == 0 and alert_sink.received[-1]["path"] == "/ops"


def test_unknown_person_is_a_clear_error(tmp_path, alert_sink, monkeypatch):
    config = world(tmp_path, alert_sink, monkeypatch)
    result = cli("alerts", "test", "--config", str(config), "--person", "周民")
    assert result.exit_code == 2 and "名册中没有名为 '周民'" in result.output
    assert cli("alerts", "test", "--config", str(config)).exit_code == 2
    assert alert_sink.received == []


def test_routes_shows_rules_and_who_each_organisation_tells(tmp_path, alert_sink, monkeypatch):
    config = world(tmp_path, alert_sink, monkeypatch)
    result = cli("alerts", "routes", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "通知规则（默认）" in result.output and "业务主管单位" in result.output
    assert ("青溪区安和社区服务中心（anhe）：平台管理员 周敏（2 个地址）；法定代表人 陈国华（1 个地址）；"
            "业务主管单位 青溪区民政局（每日汇总，1 个联系人）") in result.output
