"""Table-driven tests of the hidden_link detector: links to other sites hidden from visitors."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.css import css_rules
from classifier.detectors.hidden_link import HiddenLinkDetector
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")
URL = "https://www.qjcsh.org.cn/news/2024/0315.html"
SPAM = "http://www.am8888-yl.com/"
SPAM2 = "https://bet-365cn.net/"
CASINO = "澳门威尼斯人娱乐场"
BETTING = "体育投注开户"
NEWS = "<h1>我会开展“情暖重阳”敬老志愿服务活动</h1><p>10月11日，本会组织志愿者走进城西街道敬老院，为老人们送去慰问品。</p>"
MENU = '<ul class="menu"><li><a href="/">首页</a></li><li><a href="/about/">关于我们</a></li></ul>'


def page(body: str, css: str = "", *, body_attrs: str = "", head: str = "") -> str:
    """A small organisation news page with ``body`` injected after the article."""
    style = f"<style>{css}</style>" if css else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻动态</title>{head}{style}</head>"
            f"<body{body_attrs}>{MENU}<div id='main'>{NEWS}</div>{body}"
            "<div class='footer'>版权所有：黔江区慈善会 渝ICP备12345678号</div></body></html>")


def spam(href: str = SPAM, text: str = CASINO) -> str:
    return f'<a href="{href}" target="_blank">{text}</a>'


WIDGETS_CSS = (
    ".navbar-collapse.collapse{display:none!important}.navbar-collapse.collapse.in{display:block!important}"
    ".dropdown-menu{position:absolute;top:100%;display:none}.open>.dropdown-menu{display:block}"
    ".ewm-box{display:none;position:absolute}.wx:hover .ewm-box{display:block}"
    ".slide-item{display:none}.slide-item.cur{display:block}.tabbox .bd ul{display:none}"
    "@media (max-width:767px){.hidden-xs{display:none!important}}"
)
#: A template's usual widgets holding links to partner sites: none of them is a hidden link.
WIDGETS = (
    '<nav class="navbar"><div class="navbar-collapse collapse"><ul><li class="dropdown">'
    '<a href="#" data-toggle="dropdown">合作机构</a><ul class="dropdown-menu">'
    '<li><a href="http://www.partner-a.org.cn/">合作机构甲</a></li></ul></li></ul></div></nav>'
    '<div class="wx"><span>微信</span><div class="ewm-box"><a href="https://www.partner-b.cn/">扫码关注</a></div></div>'
    '<div class="slider"><div class="slide-item cur"><a href="https://www.partner-c.cn/a">专题一</a></div>'
    '<div class="slide-item"><a href="https://www.partner-c.cn/b">专题二</a></div></div>'
    '<div class="tabbox"><div class="hd"><span onmouseover="tab(0)">政府网站</span>'
    '<span onmouseover="tab(1)">社会组织</span></div><div class="bd"><ul style="display:block">'
    '<li><a href="http://www.cq.gov.cn/">重庆市人民政府</a></li></ul><ul><li>'
    '<a href="http://www.cqngo.org.cn/">重庆社会组织网</a></li></ul></div></div>'
    '<a class="hidden-xs" href="https://www.partner-e.org/">伙伴机构</a>'
)
#: Absolute links to the site itself: with no address given, they tell which site the page is on.
SITE_LINKS = "".join(f'<a href="https://www.qjcsh.org.cn/news/{k}.html">新闻{k}</a>' for k in range(4))

#: (id, html, url, [(rule, host, count), ...] in page order)
POSITIVE = [
    ("inline-display-none", page(f'<div style="display:none">{spam()}{spam(SPAM + "bjl/", "百家乐")}</div>'), URL,
     [("display_none", "www.am8888-yl.com", 2)]),
    ("display-none-spaced-upper", page(f'<div style="DISPLAY : NONE ;">{spam()}</div>'), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("display-none-important", page(f'<p style="display:none!important">{spam()}</p>'), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("on-the-anchor", page(f'<p>友情链接：<a href="{SPAM2}" style="display:none">{BETTING}</a></p>'), URL,
     [("display_none", "bet-365cn.net", 1)]),
    ("visibility-hidden", page(f'<div style="visibility:hidden;height:0">{spam()}</div>'), URL,
     [("visibility_hidden", "www.am8888-yl.com", 1)]),
    ("sheet-id", page(f'<div id="a1b2">{spam()}</div>', "#a1b2{display:none}"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("sheet-class", page(f'<div class="hide">{spam()}</div>', ".hide{display:none;}"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("sheet-tag-class", page(f'<span class="x9">{spam()}</span>', "span.x9 { display: none }"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("sheet-descendant", page(f'<div id="ft"><p class="lk">{spam()}</p></div>', "#ft .lk{display:none}"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("sheet-child", page(f'<div class="ft"><p>{spam()}</p></div>', "div.ft > p {display:none}"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("sheet-media-screen", page(f'<div class="zz">{spam()}</div>', "@media screen{.zz{display:none}}"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("offscreen-left", page(f'<div style="position:absolute;left:-9999px;top:0">{spam()}</div>'), URL,
     [("offscreen", "www.am8888-yl.com", 1)]),
    ("offscreen-top", page(f'<div style="position:absolute; top:-1000px">{spam(SPAM2, BETTING)}</div>'), URL,
     [("offscreen", "bet-365cn.net", 1)]),
    ("text-indent", page(f'<p style="text-indent:-9999px">{spam()}</p>'), URL,
     [("offscreen", "www.am8888-yl.com", 1)]),
    ("offscreen-sheet", page(f'<div class="seo">{spam()}</div>', ".seo{position:fixed;top:-999px;left:-999px}"),
     URL, [("offscreen", "www.am8888-yl.com", 1)]),
    ("zero-size", page(f'<div style="width:0;height:0;overflow:hidden">{spam()}</div>'), URL,
     [("zero_size", "www.am8888-yl.com", 1)]),
    ("one-pixel", page(f'<div style="height:1px;overflow:hidden">{spam()}</div>'), URL,
     [("zero_size", "www.am8888-yl.com", 1)]),
    ("font-size-zero", page(f'<div style="font-size:0">{spam()}</div>'), URL,
     [("font_size_zero", "www.am8888-yl.com", 1)]),
    ("font-size-zero-sheet", page(f'<p class="f0">{spam()}</p>', ".f0{font-size:0px}"), URL,
     [("font_size_zero", "www.am8888-yl.com", 1)]),
    ("colour-match", page(f'<div style="color:#fff;background-color:#ffffff">{spam()}</div>'), URL,
     [("color_match", "www.am8888-yl.com", 1)]),
    ("font-colour-on-bgcolor", page(f'<font color="#FFFFFF">{spam()}</font>', body_attrs=' bgcolor="white"'), URL,
     [("color_match", "www.am8888-yl.com", 1)]),
    ("colour-match-sheet", page(f'<div class="c9">{spam()}</div>', ".c9{color:#FFF;background:#fff}"), URL,
     [("color_match", "www.am8888-yl.com", 1)]),
    ("inline-colour-on-sheet-background", page(f'<p><a style="color:#ffffff" href="{SPAM2}">{BETTING}</a></p>',
                                               "body{background:#FFF}"), URL,
     [("color_match", "bet-365cn.net", 1)]),
    ("marquee-tiny", page(f'<marquee width="1" height="1">{spam()}</marquee>'), URL,
     [("marquee", "www.am8888-yl.com", 1)]),
    ("marquee-fast", page(f'<marquee scrollamount="10000">{spam()}</marquee>'), URL,
     [("marquee", "www.am8888-yl.com", 1)]),
    ("zero-width-text", page(f'<p>本站讯 <a href="{SPAM2}">\u200b\u200c\u2060</a></p>'), URL,
     [("zero_width_text", "bet-365cn.net", 1)]),
    ("hidden-attribute", page(f"<div hidden>{spam()}</div>"), URL, [("display_none", "www.am8888-yl.com", 1)]),
    ("document-write-wrapper", page(
        "<script>document.write('<div style=\"display:none\">');</script>"
        f"<p>{spam()}</p><p>{spam(SPAM2, BETTING)}</p><script>document.write('</div>');</script>"), URL,
     [("display_none", "www.am8888-yl.com", 1), ("display_none", "bet-365cn.net", 1)]),
    ("two-hosts-two-techniques", page(
        f'<div style="display:none">{spam()}{spam(SPAM + "a/", "真人荷官")}</div>'
        f'<div style="position:absolute;left:-5000px">{spam(SPAM2, BETTING)}</div>'), URL,
     [("display_none", "www.am8888-yl.com", 2), ("offscreen", "bet-365cn.net", 1)]),
    ("ip-host-other-port", page(f'<div style="display:none">{spam("http://10.2.3.4:8888/x.html")}</div>'),
     "http://10.2.3.4/index.html", [("display_none", "10.2.3.4:8888", 1)]),
    ("protocol-relative", page(f'<div style="display:none">{spam("//www.am8888-yl.com/")}</div>'), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("hidden-table-row", page(f'<table><tr><td>链接</td></tr><tr style="display:none"><td>{spam()}</td></tr></table>'),
     URL, [("display_none", "www.am8888-yl.com", 1)]),
    ("no-url-canonical", page(f'<div style="display:none">{spam()}</div>',
                              head='<link rel="canonical" href="https://www.qjcsh.org.cn/">'), "",
     [("display_none", "www.am8888-yl.com", 1)]),
    ("id-only-a-substring-of-script", page(f'<div id="top" style="display:none">{spam()}</div>'
                                           "<script>document.body.scrollTop = 0;</script>"), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("injected-list-item", page(f'<ul class="news"><li class="item"><a href="/n/1.html">通知</a></li>'
                                f'<li class="item" style="display:none">{spam()}</li></ul>'), URL,
     [("display_none", "www.am8888-yl.com", 1)]),
    ("hacked-template-with-widgets", page(
        f'<div style="position:absolute;top:-999px;left:-999px">{spam()}</div>' + WIDGETS, WIDGETS_CSS), URL,
     [("offscreen", "www.am8888-yl.com", 1)]),
    ("no-url-majority-site", page(SITE_LINKS + f'<div style="display:none">{spam()}</div>'), "",
     [("display_none", "www.am8888-yl.com", 1)]),
    ("wechat-hidden-inside-body", page(
        f'<div id="js_content" class="rich_media_content" style="visibility: hidden;"><p>正文</p>'
        f'<section style="display:none">{spam()}</section></div>'), "https://mp.weixin.qq.com/s/AbCdEf",
     [("display_none", "www.am8888-yl.com", 1)]),
]

SKIP_LINK_CSS = ".skip{position:absolute;left:-9999px}.skip:focus{left:0}"
DROPDOWN_CSS = ".nav li ul{display:none}.nav li:hover ul{display:block}"
PARTNER = "https://www.qingnian-partner.org.cn/"

#: (id, html, url) where nothing may be reported.
NEAR_MISS = [
    ("visible-friend-links", page(f'<div class="links">友情链接：{spam(PARTNER, "青年志愿者协会")}</div>'), URL),
    ("mobile-menu-relative", page('<div class="m-menu" style="display:none"><a href="/news/">新闻</a></div>'), URL),
    ("hidden-in-site-absolute", page('<div style="display:none"><a href="https://www.qjcsh.org.cn/x/">旧栏目</a></div>'),
     URL),
    ("hidden-subdomain", page('<div style="display:none"><a href="http://news.qjcsh.org.cn/">新闻网</a></div>'), URL),
    ("hover-dropdown-external", page(
        f'<ul class="nav"><li><a href="/">链接</a><ul><li>{spam(PARTNER, "合作机构")}</li></ul></li></ul>',
        DROPDOWN_CSS), URL),
    ("submenu-class", page(f'<div class="sub-menu" style="display:none">{spam(PARTNER, "合作机构")}</div>'), URL),
    ("js-tabs", page(f'<div id="con_one_2" style="display:none">{spam(PARTNER, "合作机构")}</div>'
                     "<script>function setTab(n,i){document.getElementById('con_'+n+'_'+i).style.display='block';}"
                     "</script>"), URL),
    ("tab-siblings", page(f'<div class="lk">{spam(PARTNER, "合作机构")}</div>'
                          f'<div class="lk" style="display:none">{spam("https://www.other-ngo.org.cn/", "兄弟单位")}</div>'),
     URL),
    ("skip-link", page('<a class="skip" href="#main">跳到主要内容</a>', SKIP_LINK_CSS), URL),
    ("javascript-link", page('<div style="display:none"><a href="javascript:void(0)">关闭</a></div>'), URL),
    ("mailto-link", page('<div style="display:none"><a href="mailto:qjcsh@example.org">邮箱</a></div>'), URL),
    ("tel-link", page('<div style="display:none"><a href="tel:023-79221234">电话</a></div>'), URL),
    ("hidden-form-field", page('<form action="/search"><input type="hidden" name="u" value="http://x.example/">'
                               '<input name="q"></form>'), URL),
    ("sr-only-in-site", page('<a href="/donate/"><span style="position:absolute;width:1px;height:1px;overflow:hidden">'
                             '捐赠</span><i class="icon"></i></a>'), URL),
    ("wechat-body-hidden-wrapper", page(
        f'<div class="rich_media_content" id="js_content" style="visibility: hidden;"><p>详见 '
        f'{spam(PARTNER, "合作机构官网")}</p></div>'), "https://mp.weixin.qq.com/s/AbCdEf"),
    ("wechat-class-only", page(f'<div class="rich_media_content" style="visibility:hidden">{spam(PARTNER, "官网")}</div>'),
     "https://mp.weixin.qq.com/s/XyZ"),
    ("cnzz-counter", page('<div style="display:none"><script src="https://s4.cnzz.com/z_stat.php?id=1"></script>'
                          '<a href="https://www.cnzz.com/stat/website.php?web_id=1" title="站长统计">站长统计</a></div>'),
     URL),
    ("share-popup", page('<div id="share" style="display:none"><a href="https://service.weibo.com/share/share.php">'
                         '微博</a><a href="https://connect.qq.com/widget/shareqq/">QQ</a></div>'), URL),
    ("hidden-gov-link", page('<div style="display:none"><a href="http://www.mca.gov.cn/">民政部</a></div>'), URL),
    ("modal", page(f'<div class="modal" style="display:none">{spam(PARTNER, "合作机构")}</div>'), URL),
    ("dropdown-in-li", page(f'<ul><li><a href="/">关于</a><ul style="display:none"><li>{spam(PARTNER, "合作")}'
                            "</li></ul></li></ul>"), URL),
    ("collapse-target", page(f'<button data-target="#fl">友情链接</button><div id="fl" style="display:none">'
                             f'{spam(PARTNER, "合作机构")}</div>'), URL),
    ("hover-handler", page(f'<div onmouseover="showPop()"><span>扫码关注</span><div style="display:none">'
                           f'{spam(PARTNER, "公众号")}</div></div>'), URL),
    ("active-class-reveal", page(f'<div class="pane">{spam(PARTNER, "合作机构")}</div>',
                                 ".pane{display:none}.pane.active{display:block}"), URL),
    ("media-query-mobile", page(f'<div class="pc-links">{spam(PARTNER, "合作机构")}</div>',
                                "@media (max-width: 768px){.pc-links{display:none}}"), URL),
    ("different-colours", page(f'<div style="color:#333;background:#fff">{spam(PARTNER, "合作机构")}</div>'), URL),
    ("same-colour-over-image", page(
        f'<div style="color:#fff;background:#fff url(/img/banner.jpg) no-repeat">{spam(PARTNER, "合作机构")}</div>'), URL),
    ("icon-link-font-zero", page(f'<a href="{PARTNER}" style="font-size:0"><img src="/img/logo.png" alt="合作"></a>'),
     URL),
    ("font-size-restored", page(f'<div style="font-size:0"><a href="{PARTNER}" style="font-size:14px">合作</a></div>'),
     URL),
    ("visibility-restored", page(f'<div style="visibility:hidden"><p style="visibility:visible">'
                                 f'{spam(PARTNER, "合作")}</p></div>'), URL),
    ("template-element", page(f"<template>{spam()}</template>"), URL),
    ("same-ip-same-port", page('<div style="display:none"><a href="http://10.2.3.4/old/">旧版</a></div>'),
     "http://10.2.3.4/index.html"),
    ("template-widgets", page(WIDGETS, WIDGETS_CSS), URL),
    ("no-url-hidden-own-link", page(SITE_LINKS + '<div style="display:none"><a href="https://www.qjcsh.org.cn/old/">'
                                    "旧版网站</a></div>"), ""),
    ("no-html", None, URL),
]


def _text(html: str | None) -> str:
    """The page's visible text, roughly as the crawler extracts it (whitespace folded)."""
    if not html:
        return ""
    tree = lxml.html.document_fromstring(html)
    for el in tree.xpath("//script|//style|//head|//template"):
        el.drop_tree()
    return " ".join(tree.text_content().split())


def _run(html: str | None, url: str) -> list:
    doc = Document(text=_text(html), html=html, url=url)
    return list(HiddenLinkDetector().detect(doc, OrgContext()))


@pytest.mark.parametrize(("html", "url", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_hidden_external_links(html: str, url: str, expected: list[tuple[str, str, int]]) -> None:
    found = _run(html, url)
    assert [(d.rule, d.key, d.detail["count"]) for d in found] == expected
    text = _text(html)
    for det in found:
        assert det.category == "hidden_link" and det.severity is Severity.HIGH
        assert det.detail["technique"] == det.rule and det.detail["host"] == det.key
        assert det.evidence.startswith(f'【<a href="{det.detail["href"]}">')
        assert "】 隐藏方式：" in det.evidence
        anchor_text = det.evidence.split('">', 1)[1].split("</a>")[0]
        if det.start or det.end:
            assert text[det.start:det.end] == anchor_text
        else:
            assert det.rule == "zero_width_text" or anchor_text not in text


@pytest.mark.parametrize(("html", "url"), [c[1:] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(html: str | None, url: str) -> None:
    assert _run(html, url) == []


def test_evidence_and_position_of_a_casino_link() -> None:
    html = page(f'<div style="display:none">{spam()}</div>')
    det = _run(html, URL)[0]
    assert det.evidence == f'【<a href="{SPAM}">{CASINO}</a>】 隐藏方式：display:none'
    assert _text(html)[det.start:det.end] == CASINO
    assert det.detail == {"technique": "display_none", "href": SPAM, "host": "www.am8888-yl.com", "count": 1}


def test_long_anchor_text_is_shortened_in_evidence() -> None:
    det = _run(page(f'<div style="display:none">{spam(text=CASINO * 10)}</div>'), URL)[0]
    assert len(det.evidence) < 140 and "…</a>" in det.evidence


def test_broken_html_still_parses() -> None:
    html = f'<html><body><div style="display:none"><table><tr><td>{spam()}<p><b>未闭合'
    assert [d.rule for d in _run(html, URL)] == ["display_none"]


def test_css_rules_reader() -> None:
    css = "/* c */ a{color:red} @media (max-width:1px){.m{display:none}} @media screen{.s{display:none}} .t{top:-1px}"
    assert css_rules(css) == [("a", {"color": "red"}), (".s", {"display": "none"}), (".t", {"top": "-1px"})]


def test_runs_through_analyze_with_basis() -> None:
    html = page(f'<div style="display:none">{spam()}</div>')
    found = [d for d in analyze(Document(text=_text(html), html=html, url=URL)) if d.category == "hidden_link"]
    assert len(found) == 1 and "暗链" in found[0].basis


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["hidden_link"] is HiddenLinkDetector
    assert HiddenLinkDetector.kind == "hidden_link" and (HiddenLinkDetector.__doc__ or "").strip()


def test_statute_text_has_no_hidden_links() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    html = page("".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip()))
    assert _run(html, URL) == [] and _run(None, URL) == []
    assert list(HiddenLinkDetector().detect(Document(text=text), OrgContext())) == []
