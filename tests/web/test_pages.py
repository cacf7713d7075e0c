"""Every HTML page for each role: it renders, in Chinese, with what that role may see."""
from __future__ import annotations

import re

import pytest

from models.entities import OPEN_STATUSES
from tests.web.conftest import EDUCATION_UNIT, HEALTH_UNIT, NOTIFY_PHONE, ROLE_USER, SEEDS

#: the organisations each test user may see
VISIBLE = {"bureau": {"kangning", "xinhe", "zhuxue"}, "supervisor": {"kangning", "xinhe"}, "org": {"kangning"}}
PAGES = ("/", "/findings", "/organisations", "/reports", "/check")


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "page has no <title>"
    return match.group(1).strip()


def open_count(orgs: set[str]) -> int:
    return sum(1 for s in SEEDS if s.org_id in orgs and s.status in OPEN_STATUSES)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_each_role(role_client, world, path: str) -> None:
    response = role_client.get(path)
    assert response.status_code == 200
    html = response.text
    assert title(html).endswith("· orgwatch") and re.search(r"[\u4e00-\u9fff]", title(html))
    assert role_client.user in html  # the header names the user
    assert 'action="/logout"' in html and 'name="csrf_token"' in html
    assert ('href="/audit"' in html) == (role_client.role == "bureau")


def test_lists_show_only_the_organisations_in_scope(role_client, world) -> None:
    visible = VISIBLE[role_client.role]
    for path in ("/findings", "/organisations", "/"):
        html = role_client.get(path).text
        for org_id, name in world.org_names.items():
            if path == "/" and org_id == "zhuxue":
                continue  # the overview names organisations only beside channel problems; zhuxue has none
            assert (name in html) == (org_id in visible), (path, name)


def test_audit_log_is_for_the_bureau_only(role_client, world) -> None:
    response = role_client.get("/audit")
    if role_client.role == "bureau":
        assert response.status_code == 200
        assert "审计日志" in response.text and "登录" in response.text
    else:
        assert response.status_code == 403
        assert "只有登记管理机关的用户可以查看" in response.text


def test_overview_counts_open_findings_and_channel_problems(role_client, world) -> None:
    html = role_client.get("/").text
    expected = open_count(VISIBLE[role_client.role])
    assert re.search(rf"<b>{expected}</b><span>待处理的问题</span>", html)
    assert "近 12 周新发现与已解决" in html and "<svg" in html
    assert ("http://feeds.example.org/kangning.xml" in html)  # kangning's feed fails: every role sees it
    assert ("心禾协会网站" in html or "http://xinhe.example.org/" in html) == ("xinhe" in VISIBLE[role_client.role])


def test_anonymous_visitors_are_sent_to_login(make_client) -> None:
    client = make_client()
    for path in PAGES + ("/findings/1", "/organisations/kangning", "/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_logout_needs_the_token_and_ends_the_session(make_client) -> None:
    from tests.web.conftest import csrf_from

    client = make_client("reviewer")
    token = csrf_from(client.get("/").text)
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_organisation_page_shows_registry_health_and_checklist_without_contacts(role_client, world) -> None:
    html = role_client.get("/organisations/kangning").text
    assert "云川市康宁社会工作服务中心" in html and "社会服务机构" in html and HEALTH_UNIT in html
    assert "周立新" in html and "平台管理员" in html and "陈美华" in html and "法定代表人" in html
    assert NOTIFY_PHONE not in html and "mailto" not in html and "json://" not in html
    assert "无法访问" in html and "连续 4 次失败" in html  # the feed
    assert "可以访问" in html  # the website
    assert "年度工作报告" in html and "已公开" in html and "服务收费标准" in html and "缺失" in html
    assert "扫描记录" in html and "已完成" in html


def test_organisation_list_links_each_organisation(make_client, world) -> None:
    html = make_client("reviewer").get("/organisations").text
    for org_id in world.org_names:
        assert f'href="/organisations/{org_id}"' in html
    assert EDUCATION_UNIT in html and "基金会" in html


def test_reports_list_and_formats(make_client, world) -> None:
    client = make_client("health-unit")
    html = client.get("/reports").text
    weeks = re.findall(r'href="/reports/(\d{4}-W\d\d)"', html)
    assert weeks, "no week listed"
    view = client.get(f"/reports/{weeks[0]}")
    assert view.status_code == 200 and "<html" in view.text and "云川市康宁社会工作服务中心" in view.text
    assert "云川市助学圆梦基金会" not in view.text  # another unit's organisation
    xlsx = client.get(f"/reports/{weeks[0]}/xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx.headers["content-disposition"]
    assert client.get(f"/reports/{weeks[0]}/doc").status_code == 404
    assert "没有 2026-W99" in client.get("/reports/2026-W99").text


def test_report_pdf_download(make_client, world) -> None:
    client = make_client("kangning-staff")
    week = re.findall(r'href="/reports/(\d{4}-W\d\d)"', client.get("/reports").text)[0]
    pdf = client.get(f"/reports/{week}/pdf")
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.content[:5] == b"%PDF-" and pdf.headers["content-type"] == "application/pdf"


def test_org_user_report_holds_only_its_own_organisation(make_client, world) -> None:
    client = make_client("kangning-staff")
    week = re.findall(r'href="/reports/(\d{4}-W\d\d)"', client.get("/reports").text)[0]
    html = client.get(f"/reports/{week}").text
    assert "云川市康宁社会工作服务中心" in html
    assert "云川市心禾养老服务协会" not in html and "云川市助学圆梦基金会" not in html


def test_nav_marks_the_current_page(make_client) -> None:
    html = make_client(ROLE_USER["org"]).get("/organisations").text
    assert '<a href="/organisations" aria-current="page">机构</a>' in html


def test_audit_log_pages_and_filters(make_client, rt) -> None:
    from models import audit

    now = rt.now()
    with rt.db.session() as s:
        for n in range(60):
            audit.record(s, actor=f"script-{n:02d}", action="token.use", target_type="token", target_id=str(n),
                         now=now, ip="127.0.0.1")
    client = make_client("reviewer")
    first = client.get("/audit?action=token.use").text
    assert "第 1 / 2 页（共 60 条）" in first and "使用令牌" in first
    second = client.get("/audit?action=token.use&page=2").text
    shown = set(re.findall(r"<td>(script-\d\d)</td>", first)) | set(re.findall(r"<td>(script-\d\d)</td>", second))
    assert len(shown) == 60
    assert "script-" not in client.get("/audit?actor=reviewer").text


@pytest.mark.parametrize("path", ["/findings?page=99999999999999999999&per_page=abc", "/audit?page=99999999999999999999",
                                  "/findings?page=-3"])
def test_odd_page_numbers_are_harmless(make_client, path: str) -> None:
    response = make_client("reviewer").get(path)
    assert response.status_code == 200


def test_scripts_and_styles_come_from_this_server(make_client) -> None:
    client = make_client("reviewer")
    for path in PAGES + ("/audit",):
        html = client.get(path).text
        assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert assets and all(a.startswith("/static/") for a in assets), (path, assets)
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "Zero-Clause BSD" in htmx.text[:300] and "htmx" in htmx.text
    assert client.get("/static/style.css").status_code == 200
    assert "Zero-Clause BSD" in client.get("/static/htmx.LICENSE.txt").text
