"""Reading pages: title, visible text, main text, links, dates, WeChat articles."""
from __future__ import annotations

import pytest

from crawlers import dates
from crawlers.extract import (
    absolute_link,
    extract_page,
    extract_wechat,
    looks_like_wechat,
    main_text,
    parse_html,
    visible_text,
)

URL = "http://www.example.org.cn/news/index.html"


def text_of(html: str) -> str:
    tree = parse_html(html)
    assert tree is not None
    return visible_text(tree)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>第一段</p><p>第二段</p>", "第一段\n第二段"),
        ("<div>社会<b>组织</b>登记</div>", "社会组织登记"),
        ("<p>上一行<br>下一行</p>", "上一行\n下一行"),
        ("<p>可见</p><script>var a='不可见';</script><style>p{}</style>", "可见"),
        ("<p>可见</p><noscript>请启用脚本</noscript><template><p>模板</p></template>", "可见"),
        ('<p>横幅：<img src="b.png" alt="年度公益之星评选"></p>', "横幅： 年度公益之星评选"),
        ('<img src="b.png" alt="同一句话" title="同一句话">', "同一句话"),
        ('<img src="b.png" title="只有标题">', "只有标题"),
        ("<table><tr><td>名称</td><td>金额</td></tr><tr><td>捐赠</td><td>100元</td></tr></table>", "名称 金额\n捐赠 100元"),
        ("<p>前<!-- 注释 -->后</p>", "前后"),
        ("<p>  很多   空白\u3000和\xa0不换行空格  </p>", "很多 空白 和 不换行空格"),
        ("<ul><li>一</li><li>二</li></ul>", "一\n二"),
        ("<p>没有结束<div>交错</p></div></span>", "没有结束\n交错"),
    ],
)
def test_visible_text(html: str, expected: str) -> None:
    assert text_of(f"<html><head><title>标题不算正文</title></head><body>{html}</body></html>") == expected


def test_visible_text_survives_deep_nesting() -> None:
    html = "<div>" * 1500 + "最深处" + "</div>" * 1500
    assert text_of(html) == "最深处"


@pytest.mark.parametrize("html", ["", "   ", "\n\t", "<?xml version='1.0' encoding='gbk'?>"])
def test_empty_documents(html: str) -> None:
    extracted = extract_page(html, URL)
    assert (extracted.title, extracted.text, extracted.main_text, extracted.links) == ("", "", "", [])


def test_xml_declaration_and_nul_bytes_do_not_break_parsing() -> None:
    extracted = extract_page("<?xml version='1.0' encoding='utf-8'?><html><body><p>正文\x00内容</p></body></html>", URL)
    assert "正文" in extracted.text


def test_title_falls_back_to_h1() -> None:
    assert extract_page("<html><head><title> </title></head><body><h1>年度报告</h1></body></html>", URL).title == "年度报告"


def test_main_text_picks_the_article() -> None:
    article = "".join(f"<p>第{i}段：本会坚持依法办会，按照章程开展活动，接受登记管理机关的监督管理和社会监督。</p>" for i in range(6))
    html = f"<html><body><nav><a href='/'>首页</a><a href='/a'>关于我们</a></nav><article>{article}</article><footer>版权所有</footer></body></html>"
    result = main_text(html, URL)
    assert "第0段：本会坚持依法办会" in result
    assert "版权所有" not in result


def test_main_text_tolerates_nothing_to_extract() -> None:
    assert main_text("<html><body></body></html>", URL) == ""
    assert main_text("", URL) == ""


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("about.html", "http://www.example.org.cn/news/about.html"),
        ("/a/b.html#part2", "http://www.example.org.cn/a/b.html"),
        ("//cdn.example.com/x", "http://cdn.example.com/x"),
        ("https://other.example.com/?b=2&a=1", "https://other.example.com/?a=1&b=2"),
        (" ../files/年度报告.pdf ", "http://www.example.org.cn/files/%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"),
        ("page\n2.html", "http://www.example.org.cn/news/page2.html"),
        ("#top", None),
        ("", None),
        ("mailto:office@example.org", None),
        ("javascript:void(0)", None),
        ("tel:01000000000", None),
        ("ftp://files.example.org/a", None),
        ("http://[::1", None),
    ],
)
def test_absolute_link(href: str, expected: str | None) -> None:
    assert absolute_link(href, URL) == expected


def test_links_honour_base_href_and_keep_page_order_without_duplicates() -> None:
    html = """<html><head><base href="http://www.example.org.cn/root/"></head><body>
    <a href="b.html">B</a><a href="a.html">A</a><a href="b.html#x">B again</a>
    <map><area href="map.html"></map><iframe src="frame.html"></iframe></body></html>"""
    links = extract_page(html, URL).links
    root = "http://www.example.org.cn/root/"
    assert links == [root + "b.html", root + "a.html", root + "map.html", root + "frame.html"]


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("来源：本会 发布时间：2026-11-25 10:00", URL, ("2026-11-25", "visible")),
        ("发布日期：2026年11月5日", URL, ("2026-11-05", "visible")),
        ("日期：2026/3/8 点击：120", URL, ("2026-03-08", "visible")),
        ("活动时间：2026年12月1日（报名截止：2026-11-20）", URL, (None, None)),
        ("本会于2026年11月25日召开理事会", URL, ("2026-11-25", "visible")),
        ("没有日期", "http://x.org.cn/art/2026/11/3/art_1_2.html", ("2026-11-03", "url")),
        ("没有日期", "http://x.gov.cn/zwgk/t20261002_123456.html", ("2026-10-02", "url")),
        ("没有日期", "http://x.org.cn/news/2026/1125.html", ("2026-11-25", "url")),
        ("没有日期", "http://x.org.cn/news/2026/1125/art_3.html", ("2026-11-25", "url")),
        ("没有日期", "http://x.org.cn/article.jsp?id=20261399", (None, None)),
        ("发布时间：2026-02-30", URL, (None, None)),
        ("发布时间：1899-01-01", URL, (None, None)),
    ],
)
def test_published_date_from_text_and_url(text: str, url: str, expected: tuple) -> None:
    assert dates.published_date(None, text, url) == expected


def test_published_date_from_markup() -> None:
    html = '<html><head><meta property="article:published_time" content="2026-11-01T08:00:00+08:00"></head><body><p>正文</p></body></html>'
    extracted = extract_page(html, URL)
    assert (extracted.published_at, extracted.published_source) == ("2026-11-01", "meta")


def test_markup_string_that_looks_like_a_url_is_not_fetched() -> None:
    # htmldate downloads a *string* that looks like a URL; extract gives it the parsed tree.
    extracted = extract_page("http://127.0.0.1:9/never-fetched", URL)
    assert extracted.text == "http://127.0.0.1:9/never-fetched"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [(1_795_482_000, "2026-11-24"), (1_795_449_600, "2026-11-24"), (0, None), (10**12, None)],
)
def test_timestamp_dates_are_china_time(timestamp: int, expected: str | None) -> None:
    assert dates.timestamp_date(timestamp) == expected


WECHAT = """<html><head><meta charset="utf-8"><title></title></head><body>
<h1 class="rich_media_title " id="activity-name">  关于开展冬季送温暖活动的倡议  </h1>
<div class="rich_media_content" id="js_content" style="visibility: hidden;">
<p>各位会员：寒冬将至，本会倡议大家为困难群众捐赠冬衣。</p><p>联系人：秘书处</p></div>
<div id="js_pc_qr_code">微信扫一扫关注该公众号</div>
<script>var ct = "1795482000"; var nickname = "示例协会";</script></body></html>"""


def test_wechat_article_by_structure() -> None:
    assert looks_like_wechat(WECHAT)
    assert looks_like_wechat("<html></html>", "https://mp.weixin.qq.com/s/abc")
    assert not looks_like_wechat("<html><body><p>普通页面</p></body></html>", URL)
    article = extract_wechat(WECHAT, "https://mp.weixin.qq.com/s/abc")
    assert article.title == "关于开展冬季送温暖活动的倡议"
    assert article.main_text == "各位会员：寒冬将至，本会倡议大家为困难群众捐赠冬衣。\n联系人：秘书处"
    assert "微信扫一扫" in article.text
    assert (article.published_at, article.published_source) == ("2026-11-24", "wechat_ct")


def test_wechat_article_without_ct_or_body() -> None:
    article = extract_wechat("<html><head><title>验证页面</title></head><body><p>发布时间：2026-11-02</p></body></html>", URL)
    assert article.title == "验证页面"
    assert (article.published_at, article.published_source) == ("2026-11-02", "visible")


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("Sat Nov 28 10:00:00 +0800 2026", "2026-11-28"),
        ("Fri Nov 27 20:00:00 +0000 2026", "2026-11-28"),  # 04:00 on the 28th in China
        ("2026-11-20 08:00", "2026-11-20"),
        ("11-02", "2026-11-02"),
        ("3小时前", "2026-11-28"),
        ("刚刚", "2026-11-28"),
        ("昨天 10:00", "2026-11-27"),
        ("Sat Nov 28 10:00:00 +0800 2099", None),  # in the future
        ("", None), ("不是日期", None),
    ],
)
def test_weibo_dates(created_at: str, expected: str | None) -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dates.CHINA_TZ)
    assert dates.weibo_date(created_at, now=now) == expected
