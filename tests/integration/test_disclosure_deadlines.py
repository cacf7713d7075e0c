"""Disclosure checks end to end: organisations of every type with complete, partial and missing
disclosures, scanned from real sites on 127.0.0.1 on each side of the 31 May deadline."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.disclosure_sites import (
    Doc, Site, findings, items, run, scan, status, uscc, write_config, write_feed, write_site,
)
from tests.integration.disclosure_sites import wired  # noqa: F401 - fixture

D = dt.date
LINLI, ANHE, ZHUXUE = uscc("51500199MJQ100001"), uscc("52500199MJQ100002"), uscc("53500199MJQ100003")
CHARTER = "<p>第一章 总则</p><p>第一条 本会名称为{name}。</p>"


def linli() -> Site:
    """A social group that publishes everything."""
    name = "青溪区邻里互助协会"
    return Site(
        name=name, uscc_shown=LINLI,
        about="<p>法定代表人：张建国</p><p>理事：李明、王芳、赵强、孙丽</p>",
        contact="<p>地址：云川市青溪区文星路1号</p><p>电话：023-65551234</p><p>信息公开负责人：周敏</p>",
        news=[Doc("/news/1.html", "协会开展邻里节活动", D(2026, 5, 20)), Doc("/news/2.html", "协会召开理事会", D(2026, 4, 2))],
        notices=[Doc("/notice/1.html", "关于开展2026年会员登记的通知", D(2026, 3, 1))],
        gongkai=[Doc("/gongkai/charter.html", f"{name}章程", D(2024, 1, 5), CHARTER.format(name=name)),
                 Doc("/gongkai/report-2025.html", "2025年度工作报告", D(2026, 3, 20)),
                 Doc("/gongkai/audit-2025.html", "2025年度财务会计报告", D(2026, 4, 20))],
    )


def anhe(with_2025: bool = False) -> Site:
    """A social service organisation with a partial disclosure: last published the 2024 report."""
    reports = [Doc("/gongkai/report-2024.html", "2024年度工作报告", D(2025, 4, 10))]
    if with_2025:
        reports.append(Doc("/gongkai/report-2025.html", "青溪区安和社区服务中心2025年度工作报告", D(2026, 6, 1)))
    return Site(name="青溪区安和社区服务中心", uscc_shown=ANHE, contact="<p>地址：云川市青溪区柳荫路8号 电话：023-65552345</p>",
                news=[Doc("/news/1.html", "中心开展助餐服务", D(2026, 5, 10))], gongkai=reports)


def zhuxue() -> Site:
    """A charitable foundation with public-fundraising qualification; its charter is only on its public account."""
    return Site(name="青溪区助学基金会", uscc_shown=ZHUXUE, news=[Doc("/news/1.html", "助学金发放", D(2026, 5, 15))])


@pytest.fixture()
def orgs(tmp_path, serve_sites, wired):  # noqa: F811 - wired is a fixture
    root = tmp_path / "sites"
    write_site(root, "linli", linli())
    write_site(root, "anhe", anhe())
    write_site(root, "zhuxue", zhuxue())
    write_feed(root, "zhuxue", "青溪区助学基金会公众号", [
        Doc("/mp/2.html", "受助学生回访", D(2026, 5, 28)),
        Doc("/mp/1.html", "青溪区助学基金会章程（2024年修订）", D(2024, 6, 1),
            CHARTER.format(name="青溪区助学基金会")),
    ])
    urls = serve_sites(root)
    config = write_config(tmp_path, [
        {"id": "linli", "name": "青溪区邻里互助协会", "type": "social_group", "uscc": LINLI,
         "channels": [{"kind": "website", "url": urls["linli"] + "/"}]},
        {"id": "anhe", "name": "青溪区安和社区服务中心", "type": "social_service", "uscc": ANHE,
         "channels": [{"kind": "website", "url": urls["anhe"] + "/"}]},
        {"id": "zhuxue", "name": "青溪区助学基金会", "type": "foundation", "charity": True, "uscc": ZHUXUE,
         "public_fundraising_qualified": True, "fundraising_certificate": "云民募证字〔2025〕第007号",
         "channels": [{"kind": "website", "url": urls["zhuxue"] + "/"},
                      {"kind": "feed", "url": urls["zhuxue"] + "/feed.xml"}]},
    ])
    return root, urls, config


def disclosure(config, org: str) -> dict[tuple[str, str], dict]:
    return {(f["item"], f["rule"]): f for f in findings(config, "disclosure_missing") if f["org"] == org}


def test_checklists_around_the_annual_deadline(orgs):
    root, urls, config = orgs

    scan(config, "2026-05-31")
    linli_st, anhe_st, zhuxue_st = (items(r) for r in status(config, "2026-05-31", "linli", "anhe", "zhuxue"))
    assert {k: v["status"] for k, v in linli_st.items()} == {
        "charter": "present", "registration": "present", "leadership": "present", "contact": "present",
        "disclosure_policy": "present", "annual_report": "present", "financial_report": "present",
        "donation_usage": "not_applicable", "fundraising_plan": "not_applicable",
        "fundraising_progress": "not_applicable",
    }
    assert linli_st["charter"]["url"] == urls["linli"] + "/gongkai/charter.html"
    assert disclosure(config, "linli") == {}

    # on the deadline the 2024 report is what is owed, and anhe has it
    assert anhe_st["annual_report"]["status"] == "present"
    assert anhe_st["annual_report"]["url"] == urls["anhe"] + "/gongkai/report-2024.html"
    assert {k for k, v in anhe_st.items() if v["status"] == "missing"} == {
        "charter", "leadership", "disclosure_policy", "financial_report"}

    # the foundation's charter is found in a public-account article
    assert zhuxue_st["charter"]["status"] == "present" and zhuxue_st["charter"]["url"].endswith("/mp/1.html")
    assert zhuxue_st["donation_usage"]["status"] == "missing"
    assert zhuxue_st["fundraising_plan"]["status"] == "not_applicable"
    old = disclosure(config, "zhuxue")[("annual_report", "missing")]
    assert "2024 年度工作报告" in old["evidence"] and "2025-05-31" in old["evidence"]
    assert "公众号文章 2 篇" in old["evidence"] and old["url"] == urls["zhuxue"] + "/"
    assert old["severity"] == "medium" and "5月31日" in old["basis"]

    # the day after: the 2025 report is due
    scan(config, "2026-06-01")
    outdated = disclosure(config, "anhe")[("annual_report", "outdated")]
    assert outdated["status"] == "open"
    assert "【2025 年度工作报告】" in outdated["evidence"] and "2026-05-31" in outdated["evidence"]
    assert "最近找到的是 2024 年度的" in outdated["evidence"] and "report-2024.html" in outdated["evidence"]
    zhuxue_findings = [f for f in findings(config, "disclosure_missing")
                       if f["org"] == "zhuxue" and f["item"] == "annual_report"]
    assert sorted((f["status"], "2025 年度" in f["evidence"]) for f in zhuxue_findings) == [
        ("open", True), ("resolved", False)], "last year's finding gives way to this year's"
    assert disclosure(config, "linli") == {}

    # anhe publishes its 2025 report: the finding resolves and the checklist links it
    write_site(root, "anhe", anhe(with_2025=True))
    scan(config, "2026-06-02")
    assert disclosure(config, "anhe")[("annual_report", "outdated")]["status"] == "resolved"
    report = items(status(config, "2026-06-02", "anhe")[0])["annual_report"]
    assert report["status"] == "present" and report["url"].endswith("/gongkai/report-2025.html")

    text = run("status", "--config", str(config), "--as-of", "2026-06-02", "--org", "anhe").output
    assert "青溪区安和社区服务中心（anhe）· 社会服务机构" in text
    assert "✓ 2025 年度工作报告：已公开" in text and "✗ 章程：缺失" in text
    assert "最新发布 2026-06-01" in text


def test_bureau_may_accept_the_unified_platform_for_charities(tmp_path, serve_sites, wired):  # noqa: F811
    root = tmp_path / "sites"
    write_site(root, "zhuxue", zhuxue())
    urls = serve_sites(root)
    config = write_config(tmp_path, [
        {"id": "zhuxue", "name": "青溪区助学基金会", "type": "foundation", "charity": True, "uscc": ZHUXUE,
         "channels": [{"kind": "website", "url": urls["zhuxue"] + "/"}]},
    ], health={"require_own_site_disclosure": False})
    scan(config, "2026-06-01")
    checklist = items(status(config, "2026-06-01", "zhuxue")[0])
    assert checklist["charter"]["status"] == "not_applicable" and "可在慈善中国公开" in checklist["charter"]["note"]
    assert checklist["registration"]["status"] == "present"
    assert findings(config, "disclosure_missing") == []


def test_registration_date_in_the_registry_sets_the_30_day_deadline(tmp_path, serve_sites, wired):  # noqa: F811
    """anhe lacks a charter: registered 10 days ago it is not yet owed; registered 40 days ago it is."""
    root = tmp_path / "sites"
    write_site(root, "anhe", anhe(with_2025=True))
    urls = serve_sites(root)

    def configure(registered_on: str):
        return write_config(tmp_path, [
            {"id": "anhe", "name": "青溪区安和社区服务中心", "type": "social_service", "uscc": ANHE,
             "registered_on": registered_on, "channels": [{"kind": "website", "url": urls["anhe"] + "/"}]},
        ])

    config = configure("2026-06-20")
    scan(config, "2026-06-30")
    checklist = items(status(config, "2026-06-30", "anhe")[0])
    assert checklist["charter"]["status"] != "missing"
    assert ("charter", "missing") not in disclosure(config, "anhe")

    config = configure("2026-05-01")
    scan(config, "2026-06-30")
    assert items(status(config, "2026-06-30", "anhe")[0])["charter"]["status"] == "missing"
    assert disclosure(config, "anhe")[("charter", "missing")]["status"] == "open"
