"""Channel health, pure: staleness, navigation columns, blank columns, home-page defacement."""
from __future__ import annotations

import datetime as dt

import pytest

from classifier.health import (
    DatedDoc, HomeState, check_defacement, column_kind, column_name, find_columns, is_external, jaccard, shingles,
    stale_evidence, staleness, text_diff,
)

D = dt.date
AS_OF = D(2026, 6, 1)


@pytest.mark.parametrize("dates, threshold, newest, stale", [
    ([D(2026, 5, 20), D(2026, 4, 1)], 14, D(2026, 5, 20), False),
    ([D(2026, 5, 1)], 14, D(2026, 5, 1), True),
    ([D(2026, 5, 18)], 14, D(2026, 5, 18), False),  # exactly 14 days: not yet
    ([D(2026, 5, 17)], 14, D(2026, 5, 17), True),
    ([D(2026, 1, 1), D(2026, 9, 1)], 90, D(2026, 1, 1), True),  # a date after as_of is ignored
    ([None, None], 90, None, False),  # nothing dated: cannot tell
])
def test_staleness_uses_the_newest_dated_item(dates, threshold, newest, stale):
    docs = [DatedDoc(url=f"/{i}", title=f"t{i}", published_at=d) for i, d in enumerate(dates)]
    check = staleness(docs, AS_OF, threshold)
    assert (check.newest.published_at if check.newest else None) == newest
    assert check.stale is stale


def test_stale_evidence_names_the_newest_item_and_its_date():
    check = staleness([DatedDoc(url="http://x/mp/1.html", title="开学季助学", published_at=D(2026, 4, 1))], AS_OF, 14)
    text = stale_evidence("公众号", check)
    assert "【2026-04-01】" in text and "《开学季助学》" in text and "61 天" in text and "超过 14 天" in text


@pytest.mark.parametrize("title, org, name, kind", [
    ("新闻动态 - 青溪区康宁养老服务中心", "青溪区康宁养老服务中心", "新闻动态", "news"),
    ("通知公告_青溪区志愿者协会", "青溪区志愿者协会", "通知公告", "notice"),
    ("基金会动态 | 青溪区助学基金会", "青溪区助学基金会", "基金会动态", "news"),
    ("政策法规", "", "政策法规", "notice"),
    ("新闻公告", "", "新闻公告", "notice"),  # both: the longer threshold
    ("信息公开", "", "信息公开", None),
    ("机构简介 - 某协会", "某协会", "机构简介", None),
])
def test_column_names_and_kinds(title, org, name, kind):
    assert column_name(title, org) == name
    assert column_kind(name) == kind


def _site(notice_text: str = "通知公告\n暂无信息", notice_links: tuple[str, ...] = ()) -> tuple[DatedDoc, dict]:
    nav = ("/", "/about.html", "/news/", "/notice/", "/contact.html")
    home = DatedDoc(url="/", title="某协会", links=nav + ("/news/1.html",))
    pages = {
        "/": home,
        "/about.html": DatedDoc(url="/about.html", title="机构简介 - 某协会", links=nav),
        "/contact.html": DatedDoc(url="/contact.html", title="联系我们 - 某协会", links=nav),
        "/news/": DatedDoc(url="/news/", title="新闻动态 - 某协会", links=nav + ("/news/1.html", "/news/2.html"),
                           published_at=D(2026, 5, 20), source="meta"),  # htmldate dated the list
        "/news/1.html": DatedDoc(url="/news/1.html", title="会员大会召开", published_at=D(2026, 5, 20), source="visible",
                                 links=nav),
        "/news/2.html": DatedDoc(url="/news/2.html", title="邻里节", published_at=D(2026, 1, 3), source="visible",
                                 links=nav),
        "/notice/": DatedDoc(url="/notice/", title="通知公告 - 某协会", links=nav + notice_links, text=notice_text),
    }
    return home, pages


def test_columns_are_list_pages_linked_from_home():
    home, pages = _site()
    cols = {c.name: c for c in find_columns(home, pages, AS_OF, "某协会")}
    assert set(cols) == {"新闻动态", "通知公告"}  # not 机构简介, 联系我们 or the article linked from home
    assert cols["新闻动态"].kind == "news" and cols["新闻动态"].items == 2
    assert cols["新闻动态"].newest.url == "/news/1.html" and not cols["新闻动态"].blank
    assert cols["通知公告"].blank and "暂无信息" in cols["通知公告"].blank_reason


def test_a_notice_column_without_item_links_is_blank_but_one_with_undated_items_is_not():
    home, pages = _site(notice_text="通知公告")
    assert next(c for c in find_columns(home, pages, AS_OF, "某协会") if c.name == "通知公告").blank
    home, pages = _site(notice_text="通知公告 关于停水的通知", notice_links=("/notice/1.html",))
    col = next(c for c in find_columns(home, pages, AS_OF, "某协会") if c.name == "通知公告")
    assert not col.blank and col.newest is None


HOME_TEXT = "\n".join([
    "青溪区邻里互助协会", "首页 机构简介 新闻动态 通知公告 信息公开 联系我们",
    "青溪区邻里互助协会是在民政部门登记的非营利性社会组织，致力于服务社区居民、开展公益活动。",
    "新闻动态", "协会开展邻里节活动 2026-05-20", "协会召开理事会 2026-04-02", "统一社会信用代码：51500199MJQ1000012",
])
LINKS = ("http://a.org/", "http://a.org/about.html", "http://a.org/news/", "http://www.gov.cn/")


def test_a_home_page_with_new_news_items_is_not_defaced():
    current = HomeState(HOME_TEXT.replace("协会召开理事会 2026-04-02", "协会举办插花培训 2026-05-28"), LINKS)
    assert check_defacement(current, [HomeState(HOME_TEXT, LINKS)], "http://a.org/", min_similarity=0.2,
                            min_new_links=3) is None


def test_replaced_text_is_defacement_with_a_diff():
    spam = HomeState("澳门新葡京娱乐城\n百家乐 老虎机 彩票 注册就送888元\n全网最高返水，24小时在线客服", ())
    found = check_defacement(spam, [HomeState(HOME_TEXT, LINKS, "2026-05-01")], "http://a.org/", min_similarity=0.2,
                             min_new_links=3)
    assert found.reasons == ("text_replaced",) and found.similarity < 0.2
    assert "--- 基线 2026-05-01" in found.diff and "+澳门新葡京娱乐城" in found.diff and "-青溪区邻里互助协会" in found.diff
    assert "大部分文字被替换" in found.evidence


def test_a_new_majority_of_external_links_is_defacement():
    casinos = tuple(f"http://bet{i}.casino.example/" for i in range(8))
    found = check_defacement(HomeState(HOME_TEXT, LINKS + casinos), [HomeState(HOME_TEXT, LINKS)], "http://a.org/",
                             min_similarity=0.2, min_new_links=3)
    assert found.reasons == ("external_links",) and len(found.new_links) == 8
    assert "bet0.casino.example" in found.evidence


@pytest.mark.parametrize("extra", [
    ("http://partner.example/", "http://other.example/"),  # two new partners: fewer than 3
    tuple(f"http://a.org/p{i}.html" for i in range(8)),  # new in-site links
    tuple(f"http://www.gov.cn/p{i}" for i in range(8)),  # a host the baseline already linked
])
def test_ordinary_link_changes_are_not_defacement(extra):
    assert check_defacement(HomeState(HOME_TEXT, LINKS + extra), [HomeState(HOME_TEXT, LINKS)], "http://a.org/",
                            min_similarity=0.2, min_new_links=3) is None


def test_no_baseline_no_verdict_and_the_closest_baseline_counts():
    assert check_defacement(HomeState("x", ()), [], "http://a.org/", min_similarity=0.2, min_new_links=3) is None
    old = HomeState("完全不同的旧版首页内容，早已改版，与现在的首页没有任何共同的文字内容可言。", ())
    assert check_defacement(HomeState(HOME_TEXT, LINKS), [old, HomeState(HOME_TEXT, LINKS)], "http://a.org/",
                            min_similarity=0.2, min_new_links=3) is None


@pytest.mark.parametrize("link, home, extra, external", [
    ("http://news.a.org.cn/1", "http://www.a.org.cn/", (), False),
    ("http://b.org.cn/1", "http://www.a.org.cn/", (), True),
    ("http://cdn.b.net/x", "http://www.a.org.cn/", ("b.net",), False),
    ("http://127.0.0.1:8001/x", "http://127.0.0.1:8000/", (), True),
    ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/", (), False),
])
def test_external_links(link, home, extra, external):
    assert is_external(link, home, extra) is external


def test_shingles_ignore_spacing_and_digits_and_diff_is_cut():
    assert jaccard(shingles("协会 开展 活动 2026"), shingles("协会开展活动 2027")) == 1.0
    long = HomeState("\n".join(f"第{i}行内容" for i in range(3000)), ())
    diff = text_diff(HomeState("", ()), long, limit=500)
    assert len(diff) < 600 and diff.endswith("已截断）")
