"""The supervising unit's daily digest: one message per unit and day listing its organisations'
new high-severity findings; none, no message; never twice; a late finding goes into the next one."""
from __future__ import annotations

import datetime as dt

from tests.integration.alerts_world import cli, messages, org, person, seed, write_world

D = dt.date(2026, 11, 2)
UNIT = "青溪区民政局"


def world(tmp_path, sink):
    return write_world(tmp_path, [
        org("anhe", "青溪区安和社区服务中心", 1, [person("周敏", "platform_manager", sink.url("pm-anhe"))], supervisor=UNIT),
        org("kangning", "青溪区康宁养老服务中心", 2, [person("林一帆", "platform_manager", sink.url("pm-kn"))], supervisor=UNIT),
        org("zhuxue", "青溪区助学基金会", 3, [person("王珂", "platform_manager", sink.url("pm-zx"))], supervisor="青溪区教育局"),
        org("solo", "青溪区独立协会", 4, [person("赵一", "platform_manager", sink.url("pm-solo"))]),
    ], supervisors=[
        {"name": UNIT, "people": [{"name": "王主任", "notify": [sink.url("unit-wang")]},
                                  {"name": "刘科长", "notify": [sink.form_url("unit-liu")]}]},
        {"name": "青溪区教育局", "people": []},
    ])


def digests(sink) -> list[dict]:
    return [m for m in sink.received if m["path"].startswith("/unit-")]


def scan_day(config, day, found):
    seed(config, day, found)
    result = cli("alerts", "retry", "--config", str(config), "--as-of", day.isoformat())
    assert result.exit_code == 0, result.output


def test_daily_digest_once_per_unit_and_day(tmp_path, alert_sink):
    config = world(tmp_path, alert_sink)
    scan_day(config, D, [("anhe", "pii_id", "high", "http://anhe.example.org/list.html"),
                         ("anhe", "broken_link", "low", "http://anhe.example.org/"),
                         ("kangning", "secret_mark", "high", "http://kangning.example.org/n.html"),
                         ("zhuxue", "pii_id", "high", "http://zhuxue.example.org/list.html"),
                         ("solo", "pii_id", "high", "http://solo.example.org/list.html")])
    assert digests(alert_sink) == [], "scans do not send the digest"

    out = cli("alerts", "digest", "--config", str(config), "--as-of", D.isoformat())
    assert out.exit_code == 0, out.output
    assert "1 个业务主管单位，2 个问题" in out.output
    assert "青溪区教育局 有 1 个问题应列入每日汇总，但名册 supervisors 中没有它的联系人" in out.output
    got = {m["path"]: m for m in digests(alert_sink)}
    assert sorted(got) == ["/unit-liu", "/unit-wang"], "each contact address gets the unit's one digest"
    wang = got["/unit-wang"]
    assert wang["title"] == f"【orgwatch 每日汇总】{UNIT}：2026-11-02 所主管的 2 个机构新发现 2 个问题（高风险 2 个）"
    assert "王主任（青溪区民政局）您好" in wang["message"]
    assert "==== 青溪区安和社区服务中心 ====" in wang["message"] and "==== 青溪区康宁养老服务中心 ====" in wang["message"]
    assert "list.html" in wang["message"] and "n.html" in wang["message"]
    assert "无法打开" not in wang["message"], "low-severity findings are not in the default digest"
    assert "助学基金会" not in wang["message"] and "独立协会" not in wang["message"]

    again = cli("alerts", "digest", "--config", str(config), "--as-of", D.isoformat())
    assert f"{UNIT} 的 2026-11-02 汇总已经发过" not in again.output, "nothing pending: nothing to say"
    assert len(digests(alert_sink)) == 2

    # found later the same day, after the digest went out: not a second digest today, but in tomorrow's
    scan_day(config, D, [("kangning", "pii_id", "high", "http://kangning.example.org/late.html")])
    late = cli("alerts", "digest", "--config", str(config), "--as-of", D.isoformat())
    assert f"{UNIT} 的 2026-11-02 汇总已经发过" in late.output and len(digests(alert_sink)) == 2

    next_day = D + dt.timedelta(days=1)
    scan_day(config, next_day, [("anhe", "secret_mark", "high", "http://anhe.example.org/notice.html")])
    cli("alerts", "digest", "--config", str(config), "--date", next_day.isoformat())
    tomorrow = [m for m in digests(alert_sink) if m["path"] == "/unit-wang"][-1]
    assert "2026-11-03" in tomorrow["title"] and "新发现 2 个问题" in tomorrow["title"]
    assert "late.html" in tomorrow["message"] and "notice.html" in tomorrow["message"]
    assert "list.html" not in tomorrow["message"]
    assert len(digests(alert_sink)) == 4

    quiet = D + dt.timedelta(days=2)
    out = cli("alerts", "digest", "--config", str(config), "--as-of", quiet.isoformat())
    assert "0 个业务主管单位，0 个问题" in out.output and len(digests(alert_sink)) == 4, "no findings, no message"
    assert len(messages(config, "--kind", "digest")) == 4


def test_registry_rejects_an_unknown_supervisor_once_supervisors_are_listed(tmp_path, alert_sink):
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [], supervisor="青溪区民证局")],
                         supervisors=[{"name": UNIT, "people": [{"name": "王主任", "notify": [alert_sink.url("u")]}]}])
    result = cli("alerts", "digest", "--config", str(config))
    assert result.exit_code == 2
    assert "安和中心（id: anhe）的 supervisor '青溪区民证局' 不在 supervisors 中" in result.output
    assert UNIT in result.output
