"""Messages fit each channel's size limit, keep the most severe findings, escape HTML and honour overrides."""
from __future__ import annotations

import datetime as dt

import pytest

from alerts.attachments import findings_csv
from alerts.channels import body_format_for, message_size, size_limit
from alerts.compose import AlertItem, Composer
from alerts.exceptions import TemplateError

NOW = dt.datetime(2026, 11, 28, 8, tzinfo=dt.timezone.utc)
CONTEXT = {"org_name": "青溪区安和社区服务中心", "recipient": "周敏", "role_label": "平台管理员", "uid": "OW-20261128-abc",
           "link": None, "attachment": False}


def item(n: int, severity: str, evidence: str = "名单中 【500199********2139】 未遮盖") -> AlertItem:
    return AlertItem(title=f"公开了未遮盖的居民身份证号码（第 {n} 页）", category="pii_id", rule="unmasked_id",
                     severity=severity, url=f"http://anhe.example.org/list-{n}.html", evidence=evidence,
                     basis="《个人信息保护法》第二十八条", action="立即撤下或遮盖身份证号", first_seen=NOW,
                     org_name="青溪区安和社区服务中心")


def findings_message(items, url, composer=None, **context):
    composer = composer or Composer(max_items=100)
    return composer.items_message("findings", items, body_format=body_format_for(url), budget=size_limit(url),
                                  subject_context={"org_name": CONTEXT["org_name"]}, context={**CONTEXT, **context})


@pytest.mark.parametrize(
    "url, limit",
    [("wecombot://key", 4096), ("dingtalk://token/", 20_000), ("feishu://token", 20_000),
     ("json://127.0.0.1/x", 60_000), ("form://127.0.0.1/x", 60_000), ("mailto://u:p@example.org", 1_000_000),
     ("ntfy://topic", 4000)],
)
def test_channel_limits(url, limit):
    assert size_limit(url) == limit
    assert size_limit(url, {url.split(":")[0]: 1234}) == 1234


def test_a_wecom_message_stays_within_4096_bytes_and_keeps_the_high_findings():
    items = [item(n, "low") for n in range(40)] + [item(100 + n, "high") for n in range(5)]
    composed = findings_message(items, "wecombot://key")
    assert message_size(composed.subject, composed.body) <= 4096
    assert composed.more == 45 - composed.shown and composed.more > 0
    assert f"另有 {composed.more} 个问题未列出" in composed.body
    assert all(f"list-{100 + n}.html" in composed.body for n in range(5)), "high-severity findings are kept"
    assert "发现 45 个新问题，其中高风险 5 个" in composed.subject
    assert "OW-20261128-abc" in composed.body


def test_the_same_findings_fit_whole_into_a_webhook():
    items = [item(n, "low") for n in range(40)] + [item(100 + n, "high") for n in range(5)]
    composed = findings_message(items, "json://127.0.0.1/x")
    assert composed.more == 0 and "未列出" not in composed.body


def test_max_items_and_the_link_to_the_rest():
    composed = findings_message([item(n, "medium") for n in range(5)], "json://h/x", Composer(max_items=2),
                                link="https://orgwatch.example.org/findings?org=anhe")
    assert composed.shown == 2
    assert "另有 3 个问题未列出，全部问题见 https://orgwatch.example.org/findings?org=anhe" in composed.body


def test_one_huge_evidence_is_cut_not_sent_whole():
    composed = findings_message([item(1, "high", "很长的证据" * 2000)], "wecombot://key")
    assert message_size(composed.subject, composed.body) <= 4096 and composed.shown == 1


def test_html_escapes_page_text():
    composed = findings_message([item(1, "high", "<script>alert(1)</script>")], "mailto://u:p@example.org")
    assert composed.body_format == "html"
    assert "<script>" not in composed.body and "&lt;script&gt;" in composed.body


def test_templates_can_be_overridden_by_name(tmp_path):
    (tmp_path / "findings.txt.j2").write_text("自定义：{{ org_name }} 共 {{ total }} 个问题，编号 {{ uid }}", encoding="utf-8")
    (tmp_path / "subjects.j2").write_text(
        "{% macro findings(org_name, total, counts) %}【自定义】{{ org_name }}{% endmacro %}", encoding="utf-8")
    composed = findings_message([item(1, "high")], "json://h/x", Composer(template_dir=tmp_path))
    assert composed.body == "自定义：青溪区安和社区服务中心 共 1 个问题，编号 OW-20261128-abc\n"
    assert composed.subject == "【自定义】青溪区安和社区服务中心"
    markdown = findings_message([item(1, "high")], "wecombot://key", Composer(template_dir=tmp_path))
    assert "**公开了未遮盖的居民身份证号码（第 1 页）**" in markdown.body, "files not overridden stay shipped"


def test_a_broken_override_says_which_template(tmp_path):
    (tmp_path / "findings.txt.j2").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="findings.txt.j2"):
        findings_message([item(1, "high")], "json://h/x", Composer(template_dir=tmp_path))


@pytest.mark.parametrize("url, marker", [("wecombot://k", "#### 高风险（1）"), ("json://h/x", "【高风险】共 1 个"),
                                         ("mailto://u:p@example.org", "<h3>高风险（1）</h3>")])
def test_each_format_groups_by_severity(url, marker):
    composed = findings_message([item(1, "high"), item(2, "low")], url)
    assert marker in composed.body
    for words in ("位置", "证据", "依据", "怎么办", "list-1.html", "500199********2139"):
        assert words in composed.body


def test_csv_attachment_lists_every_finding_most_severe_first():
    text = findings_csv([item(1, "low"), item(2, "high")])
    lines = text.splitlines()
    assert lines[0].startswith("机构,风险,问题,类别,位置,证据")
    assert "高风险" in lines[1] and "list-2.html" in lines[1] and "低风险" in lines[2]
