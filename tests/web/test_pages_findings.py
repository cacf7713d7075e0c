"""The findings pages: filters, search and pagination in the URL, htmx fragments, the detail page
with the evidence marked in the stored snapshot, the snapshot route's sandbox, and triage by form."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from models import findings as store
from models.entities import Channel, Feedback, Finding
from tests.web.conftest import HACK_SCRIPT, MASKED_ID, RAW_ID, SEEDS, csrf_from, store_page


def ids_in(html: str) -> set[int]:
    """The finding ids listed in the findings table."""
    return {int(n) for n in re.findall(r'<td><a href="/findings/(\d+)">', html)}


def expected(world, **match) -> set[int]:
    return {world.findings[s.key] for s in SEEDS if all(getattr(s, k) == v for k, v in match.items())}


@pytest.mark.parametrize(("query", "match"), [
    ("category=pii_id", {"category": "pii_id"}),
    ("severity=high", {"severity": "high"}),
    ("status=false_positive", {"status": "false_positive"}),
    ("org=xinhe", {"org_id": "xinhe"}),
    ("org=kangning&severity=high&status=open", {"org_id": "kangning", "severity": "high", "status": "open"}),
])
def test_filters(make_client, world, query: str, match: dict) -> None:
    html = make_client("reviewer").get(f"/findings?{query}").text
    assert ids_in(html) == expected(world, **match)


def test_active_status_means_open_and_acknowledged(make_client, world) -> None:
    html = make_client("reviewer").get("/findings?status=active").text
    assert ids_in(html) == expected(world, status="open") | expected(world, status="acknowledged")


def test_date_range_filters_by_first_discovery(make_client, world) -> None:
    today = dt.date.today()
    since = (today - dt.timedelta(days=15)).isoformat()
    until = (today - dt.timedelta(days=4)).isoformat()
    html = make_client("reviewer").get(f"/findings?since={since}&until={until}").text
    assert ids_in(html) == {world.findings[s.key] for s in SEEDS if 4 <= s.days_ago <= 15}
    # the filter form keeps what was asked
    assert f'value="{since}"' in html and f'value="{until}"' in html


def test_a_bad_date_gets_a_chinese_message(make_client) -> None:
    response = make_client("reviewer").get("/findings?since=2026-13-45")
    assert response.status_code == 400
    assert "起始日期“2026-13-45”不是有效日期，请写成 2026-11-28 这样的形式" in response.text


@pytest.mark.parametrize(("q", "key"), [
    ("会长个人账户", "xinhe_fund"),   # evidence
    ("助餐补贴", "kangning_id"),      # page title
    ("notice.html", "zhuxue_fund"),  # url
])
def test_search(make_client, world, q: str, key: str) -> None:
    html = make_client("reviewer").get("/findings", params={"q": q}).text
    assert ids_in(html) == {world.findings[key]}
    assert f'value="{q}"' in html


def test_search_by_organisation_name(make_client, world) -> None:
    html = make_client("reviewer").get("/findings", params={"q": "心禾养老"}).text
    assert ids_in(html) == expected(world, org_id="xinhe")


def test_htmx_gets_only_the_table_and_a_clean_url(make_client, world) -> None:
    response = make_client("reviewer").get(
        "/findings?org=&category=pii_id&severity=&q=", headers={"HX-Request": "true", "HX-Target": "findings-table"})
    assert response.status_code == 200
    assert "<html" not in response.text and response.text.lstrip().startswith('<section id="findings-table"')
    assert ids_in(response.text) == expected(world, category="pii_id")
    assert response.headers["HX-Push-Url"] == "/findings?category=pii_id"


def test_filter_form_works_with_htmx_and_without(make_client) -> None:
    html = make_client("reviewer").get("/findings").text
    form = re.search(r'<form class="filters card"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/findings"' in form  # plain form without JavaScript
    assert 'hx-get="/findings"' in form and 'hx-target="#findings-table"' in form and 'hx-push-url="true"' in form
    for field in ("org", "category", "severity", "status", "since", "until", "q"):
        assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html


def _add_findings(rt, count: int) -> set[int]:
    now = rt.now()
    ids = set()
    with rt.db.session() as s:
        channel = s.scalars(select(Channel).where(Channel.org_id == "zhuxue", Channel.kind == "website")).first()
        for n in range(count):
            url = f"{channel.url}list/{n}.html"
            values = dict(fingerprint=store.fingerprint("zhuxue", url, "broken_link", "http_404", None, str(n)),
                          org_id="zhuxue", channel_id=channel.id, url=url, category="broken_link", rule="http_404",
                          severity="low", evidence=f"页面中的链接 【{url}】 无法打开：HTTP 404")
            ids.add(store.upsert_finding(s, values, scan_id=None, now=now - dt.timedelta(minutes=n))[0])
    return ids


def test_pagination_keeps_the_filters(make_client, rt, world) -> None:
    added = _add_findings(rt, 45)
    client = make_client("reviewer")
    first = client.get("/findings?category=broken_link&per_page=20").text
    assert "第 1 / 3 页（共 46 个）" in first
    assert len(ids_in(first)) == 20
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "category=broken_link" in next_link and "per_page=20" in next_link and "page=2" in next_link
    seen = ids_in(first)
    for page in (2, 3):
        html = client.get(f"/findings?category=broken_link&per_page=20&page={page}").text
        assert not seen & ids_in(html)
        seen |= ids_in(html)
    assert seen == added | expected(world, category="broken_link")


def test_detail_page_shows_everything_about_a_finding(make_client, world) -> None:
    fid = world.findings["kangning_id"]
    html = make_client("kangning-staff").get(f"/findings/{fid}").text
    assert f"问题 #{fid}：身份证号" in html
    assert "《测试依据》关于pii_id的条款" in html  # the legal basis stored with the finding
    assert "http://kangning.example.org/gongkai/zhucan-2026q3.html" in html and "助餐补贴发放名单" in html
    assert "首次发现" in html and "最近看到" in html and "扫描时首次发现" in html
    # the evidence marked inside the snapshot, personal numbers masked, never the raw number or the script
    assert re.search(r'<mark id="evidence">公示如下。\s*张桂兰 ' + re.escape(MASKED_ID), html)
    assert RAW_ID not in html and HACK_SCRIPT not in html
    # the alert and its delivery state
    alerts = html[html.index('id="alerts"'):]
    assert "周立新" in alerts and "投递失败" in alerts and "HTTP 502：接收端暂时不可用" in alerts
    assert "127.0.0.1:9" not in html  # alert targets are not shown


def test_detail_decodes_a_gb18030_snapshot(make_client, world) -> None:
    html = make_client("zhuxue-staff").get(f"/findings/{world.findings['zhuxue_fund']}").text
    assert '<mark id="evidence">本会现面向社会开展助学募捐。</mark>' in html
    assert "各位爱心人士：为帮助山区学生" in html


def test_finding_without_snapshot_says_so(make_client, world) -> None:
    html = make_client("reviewer").get(f"/findings/{world.findings['xinhe_stale']}").text
    assert "没有保存这个问题的页面快照" in html
    assert make_client("reviewer").get(f"/findings/{world.findings['xinhe_stale']}/snapshot").status_code == 404


def test_snapshot_route_is_sandboxed_and_never_returns_the_pages_script(make_client, world) -> None:
    response = make_client("reviewer").get(f"/findings/{world.findings['kangning_id']}/snapshot")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    body = response.text
    assert "<script" not in body.lower() and HACK_SCRIPT not in body and "onload" not in body
    assert RAW_ID not in body and MASKED_ID in body
    assert '<mark id="evidence">' in body and "公示期七天" in body


def test_attachment_snapshot_is_not_shown_as_text(make_client, rt, world) -> None:
    fid = world.findings["xinhe_fund"]
    with rt.db.session() as s:
        channel = s.scalars(select(Channel).where(Channel.org_id == "xinhe", Channel.kind == "website")).first()
        _, snapshot_id = store_page(s, rt.now(), channel, "donate.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                    "", "捐款说明", content_type="application/pdf")
        s.get(Finding, fid).snapshot_id = snapshot_id
    client = make_client("health-unit")
    for path in (f"/findings/{fid}", f"/findings/{fid}/snapshot"):
        html = client.get(path).text
        assert "快照是附件文件（application/pdf），不在网页中显示" in html and "%PDF" not in html


def _triage(client, fid: int, action: str, reason: str = "", **kwargs):
    token = csrf_from(client.get(f"/findings/{fid}").text)
    return client.post(f"/findings/{fid}/triage", data={"csrf_token": token, "action": action, "reason": reason},
                       **kwargs)


def test_false_positive_through_the_form_changes_status_history_and_feedback(make_client, rt, world) -> None:
    fid, client = world.findings["kangning_id"], make_client("kangning-staff")
    response = _triage(client, fid, "false_positive", "名单是培训用的示例数据", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/findings/{fid}?done=false_positive"
    html = client.get(response.headers["location"]).text
    assert re.search(r'<span id="status"><span class="badge st-false_positive">误报</span>', html)
    assert "已标记误报。当前状态：误报。" in html
    history = html[html.index('id="history"'):]
    assert "标记为误报" in history and "kangning-staff" in history and "名单是培训用的示例数据" in history
    assert "重新打开" in html and "标记误报</button>" not in html  # only what the new status allows
    with rt.db.session() as s:
        feedback = s.scalars(select(Feedback).where(Feedback.finding_id == fid)).all()
    assert [(f.verdict, f.author, f.note) for f in feedback] == [("false_positive", "kangning-staff", "名单是培训用的示例数据")]


def test_false_positive_without_a_reason_is_refused_and_nothing_changes(make_client, world) -> None:
    fid, client = world.findings["kangning_id"], make_client("kangning-staff")
    response = _triage(client, fid, "false_positive", "   ")
    assert response.status_code == 409
    assert "标记误报时必须填写理由" in response.text
    assert re.search(r'<span id="status"><span class="badge st-open">待处理</span>', client.get(f"/findings/{fid}").text)


def test_triage_through_htmx_returns_the_updated_page(make_client, world) -> None:
    fid, client = world.findings["xinhe_fund"], make_client("health-unit")
    token = csrf_from(client.get(f"/findings/{fid}").text)
    response = client.post(f"/findings/{fid}/triage", data={"action": "acknowledge"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200  # htmx followed the redirect
    assert re.search(r'<span id="status"><span class="badge st-acknowledged">已确认</span>', response.text)


def test_resolve_then_reopen(make_client, world) -> None:
    fid, client = world.findings["kangning_secret"], make_client("reviewer")
    assert _triage(client, fid, "resolve", "已删除该页面").status_code == 200
    html = _triage(client, fid, "reopen").text
    assert re.search(r'<span id="status"><span class="badge st-open">待处理</span>', html)
    history = html[html.index('id="history"'):]
    assert history.index("标记为已解决") < history.index("重新打开") and "已删除该页面" in history


def test_audit_log_lists_the_triage(make_client, world) -> None:
    fid = world.findings["kangning_id"]
    _triage(make_client("kangning-staff"), fid, "acknowledge")
    html = make_client("reviewer").get("/audit?action=triage.acknowledge").text
    assert f'<a href="/findings/{fid}">问题 #{fid}</a>' in html and "kangning-staff" in html and "确认收到" in html
    assert "原状态：待处理" in html and "新状态：已确认" in html
