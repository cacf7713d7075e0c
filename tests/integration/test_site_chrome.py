"""A donation button in a site's navigation: one finding per channel, not one per page (real site on
127.0.0.1, real SQLite, real Apprise)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orgwatch.cli import main
from tests.integration.sitegen import ORG_USCC, write_config

NAV = """<div class="header"><h1>青溪区安和社区服务中心</h1></div>
<nav><ul><li><a href="/index.html">首页</a></li><li><a href="/about.html">中心简介</a></li>
<li><a href="/news1.html">工作动态</a></li><li><a href="/donate.html">我要捐赠</a></li></ul></nav>"""
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body>{nav}<div class="content"><h2>{title}</h2>{body}</div>
<div class="footer">地址：云川市青溪区文汇路8号 电话：023-65550186</div></body></html>"""
BODIES = {
    "index.html": ("青溪区安和社区服务中心", "<p>本中心为辖区老人提供助餐、助洁和陪诊服务。</p>"
                   '<ul><li><a href="/news1.html">重阳节敬老活动顺利举行</a></li>'
                   '<li><a href="/news2.html">冬季安全提示</a></li>'
                   '<li><a href="/donate.html">爱心捐赠鸣谢</a></li></ul>'),
    "about.html": ("中心简介", "<p>本中心成立于2019年，是在青溪区民政局登记的社会服务机构。</p>"),
    "news1.html": ("重阳节敬老活动顺利举行", "<p>10月11日，中心组织志愿者走进敬老院，为老人们表演节目。</p>"),
    "news2.html": ("冬季安全提示", "<p>冬季天干物燥，请各位居民注意用火用电安全。</p>"),
    "donate.html": ("爱心捐赠", "<p>感谢您对社区养老服务的关注。</p>"),
}
APPEAL = ("<p>欢迎社会各界爱心人士捐款，帮助困难老人度过寒冬。捐款账户：</p>"
          "<p>户名：青溪区安和社区服务中心 账号：6217 0023 1234 5678 901 开户行：云川银行青溪支行</p>")


def write_site(root: Path, *, appeal_on: str | None = None, nav_on: tuple[str, ...] = tuple(BODIES)) -> Path:
    """Five pages, each with the site navigation (and its 我要捐赠 button) on ``nav_on``."""
    site = root / "anhe"
    site.mkdir(parents=True, exist_ok=True)
    for name, (title, body) in BODIES.items():
        nav = NAV if name in nav_on else NAV.replace('<li><a href="/donate.html">我要捐赠</a></li>', "")
        body = body + (APPEAL if name == appeal_on else "")
        (site / name).write_text(PAGE.format(title=title, nav=nav, body=body), encoding="utf-8")
    return root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(config: Path) -> list[dict]:
    result = run("findings", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    return [f for f in json.loads(result.output) if f["category"] == "unqualified_fundraising"]


def _config(tmp_path: Path, base: str, sink_url: str, *, qualified: bool) -> Path:
    config = write_config(tmp_path, base, sink_url)
    registry_path = tmp_path / "registry.yaml"
    registry = yaml.safe_load(registry_path.read_text(encoding="utf-8"))
    org = registry["organizations"][0]
    org["channels"] = [{"kind": "website", "url": base + "/index.html"}]
    if qualified:
        org.update(charity=True, public_fundraising_qualified=True, fundraising_certificate="云民募证字〔2025〕第012号")
    registry_path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    assert org["uscc"] == ORG_USCC
    return config


@pytest.fixture()
def site(tmp_path: Path, serve_sites, alert_sink):
    def make(*, qualified: bool = False, appeal_on: str | None = None):
        root = write_site(tmp_path / "sites", appeal_on=appeal_on)
        base = serve_sites(root)["anhe"]
        return root, base, _config(tmp_path, base, alert_sink.url("manager"), qualified=qualified)
    return make


def test_navigation_button_is_one_finding_and_one_alert(site, alert_sink):
    root, base, config = site()
    first = run("scan", "--config", str(config))
    assert first.exit_code == 0, first.output

    (found,) = findings(config)
    assert found["rule"] == "site_donation_link" and found["status"] == "open"
    assert found["url"].startswith(base + "/")  # the first page where it was seen
    assert "我要捐赠" in found["evidence"] and "出现在 5 个页面上" in found["evidence"]
    assert "导航栏" in found["evidence"]
    # one message per recipient (manager, legal representative), each about this one finding
    assert sorted(m["path"] for m in alert_sink.received) == ["/manager", "/manager-legal"]
    assert all("发现 1 个新问题" in m["title"] and "我要捐赠" in m["message"] for m in alert_sink.received)

    # a page drops the button: the finding stays open (four pages still carry it), no new alert
    write_site(root, nav_on=("index.html", "about.html", "news1.html", "donate.html"))
    run("scan", "--config", str(config))
    (again,) = findings(config)
    assert again["id"] == found["id"] and again["status"] == "open"
    assert "出现在 4 个页面上" in again["evidence"]
    assert len(alert_sink.received) == 2

    # a page that carried it is gone (404): one page fewer
    (root / "anhe" / "about.html").unlink()
    run("scan", "--config", str(config))
    (fewer,) = findings(config)
    assert fewer["status"] == "open" and "出现在 3 个页面上" in fewer["evidence"]

    # the button is gone from every page: resolved
    write_site(root, nav_on=())
    run("scan", "--config", str(config))
    (gone,) = findings(config)
    assert gone["id"] == found["id"] and gone["status"] == "resolved"


def test_qualified_organisation_with_the_same_button_gets_nothing(site, alert_sink):
    _, _, config = site(qualified=True)
    assert run("scan", "--config", str(config)).exit_code == 0
    assert findings(config) == []
    assert alert_sink.received == []


def test_real_appeal_in_a_page_body_keeps_its_own_page_finding(site):
    _, base, config = site(appeal_on="news2.html")
    assert run("scan", "--config", str(config)).exit_code == 0
    by_rule = {f["rule"]: f for f in findings(config)}
    assert set(by_rule) == {"site_donation_link", "donation_appeal"}
    assert by_rule["donation_appeal"]["url"] == base + "/news2.html"
    assert "出现在 5 个页面上" in by_rule["site_donation_link"]["evidence"]
