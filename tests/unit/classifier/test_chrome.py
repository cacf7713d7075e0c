"""Donation buttons in a site's navigation, header, footer or menus: one site-wide detection with a
key that is the same on every page; appeals in the page body stay page findings."""
from __future__ import annotations

import lxml.html
import pytest

from classifier import Document, OrgContext
from classifier.detectors.fundraising import FundraisingDetector
from classifier.fundraising import appeal_spans
from classifier.fundraising.chrome import chrome_links

UNQUALIFIED = OrgContext(org_id="x", name="青溪区安和社区服务中心")
QUALIFIED = OrgContext(org_id="y", name="云川市青苗助学基金会", charity=True, public_fundraising_qualified=True)
BODY = "<h2>重阳节敬老活动顺利举行</h2><p>10月11日，中心组织志愿者走进敬老院，为老人们表演节目。</p>"
APPEAL = "<p>欢迎社会各界爱心人士捐款，帮助困难老人度过寒冬。</p>"
BUTTON = '<a href="/donate.html">我要捐赠</a>'
MENU_ITEMS = '<li><a href="/">首页</a></li><li><a href="/about.html">中心简介</a></li><li><a href="/news/">工作动态</a></li>'


def page(chrome: str, body: str = BODY, url: str = "https://www.anhe.org.cn/news/1.html") -> Document:
    """A page with ``chrome`` above its content; its text has one line per link, paragraph and heading."""
    html = f"<html><body>{chrome}<div class=\"content\">{body}</div></body></html>"
    lines = [el.text_content().strip() for el in lxml.html.document_fromstring(html).iter("a", "p", "h2", "span")]
    return Document(text="\n".join(line for line in lines if line), html=html, url=url)


#: (id, chrome markup, where the button is)
PLACES = [
    ("nav-element", f"<nav><ul>{MENU_ITEMS}<li>{BUTTON}</li></ul></nav>", "nav"),
    ("nav-class", f'<div class="main-nav">{BUTTON}</div>', "nav"),
    ("menu-id", f'<div id="menu">{BUTTON}</div>', "nav"),
    ("role-navigation", f'<div role="navigation">{BUTTON}</div>', "nav"),
    ("header-element", f"<header><span>{BUTTON}</span></header>", "header"),
    ("header-class", f'<div class="site-header">{BUTTON}</div>', "header"),
    ("top-id", f'<div id="top">{BUTTON}</div>', "header"),
    ("footer-element", f"<footer>{BUTTON}</footer>", "footer"),
    ("footer-class", f'<div class="footer_links">{BUTTON}</div>', "footer"),
    ("bare-menu-list", f"<ul>{MENU_ITEMS}<li>{BUTTON}</li></ul>", "menu"),
]


@pytest.mark.parametrize(("chrome", "where"), [c[1:] for c in PLACES], ids=[c[0] for c in PLACES])
def test_button_in_site_chrome_is_one_site_wide_detection(chrome: str, where: str) -> None:
    doc = page(chrome)
    (det,) = FundraisingDetector().detect(doc, UNQUALIFIED)
    assert det.category == "unqualified_fundraising" and det.rule == "site_donation_link"
    assert det.detail["site_chrome"] is True and det.detail["where"] == where
    assert det.detail["href"] == "https://www.anhe.org.cn/donate.html"
    assert det.key == "chrome:我要捐赠:https://www.anhe.org.cn/donate.html"
    assert doc.text[det.start:det.end] == "我要捐赠"


def test_key_is_the_same_on_every_page_of_the_site() -> None:
    chrome = f"<nav><ul>{MENU_ITEMS}<li>{BUTTON}</li></ul></nav>"
    keys = {next(iter(FundraisingDetector().detect(page(chrome, body, url), UNQUALIFIED))).key
            for body, url in [(BODY, "https://www.anhe.org.cn/"), ("<p>中心简介</p>", "https://www.anhe.org.cn/about.html"),
                              ("<p>冬季安全提示</p>", "https://www.anhe.org.cn/news/2026/12.html")]}
    assert keys == {"chrome:我要捐赠:https://www.anhe.org.cn/donate.html"}


#: (id, markup): a donation link in the page's own content, not in its chrome
NOT_CHROME = [
    ("content-link", f"<div class=\"article\"><p>冬季送温暖活动开始了，{BUTTON}</p></div>"),
    ("news-top-block", f'<div class="news-top">{BUTTON}</div>'),
    ("headline-class", f'<div class="headline">{BUTTON}</div>'),
    ("short-list-in-body", f"<ul><li>{BUTTON}</li><li>活动说明</li></ul>"),
]


@pytest.mark.parametrize("markup", [c[1] for c in NOT_CHROME], ids=[c[0] for c in NOT_CHROME])
def test_button_in_page_content_stays_a_page_finding(markup: str) -> None:
    doc = page("", BODY + markup)
    assert chrome_links(doc, appeal_spans(doc)) == []
    (det,) = FundraisingDetector().detect(doc, UNQUALIFIED)
    assert det.rule == "donation_appeal" and det.key == "" and "site_chrome" not in det.detail


def test_body_appeal_and_nav_button_give_both_findings() -> None:
    doc = page(f"<nav><ul>{MENU_ITEMS}<li>{BUTTON}</li></ul></nav>", BODY + APPEAL)
    found = FundraisingDetector().detect(doc, UNQUALIFIED)
    assert [d.rule for d in found] == ["donation_appeal", "site_donation_link"]
    page_finding = found[0]
    assert "欢迎社会各界爱心人士捐款" in doc.text[page_finding.start:page_finding.end]
    assert page_finding.detail["count"] == 1  # the nav button is not counted in the page finding


def test_same_button_in_header_and_footer_is_one_detection() -> None:
    doc = page(f'<div class="header">{BUTTON}</div><div class="footer">{BUTTON}</div>')
    assert [d.rule for d in FundraisingDetector().detect(doc, UNQUALIFIED)] == ["site_donation_link"]


def test_qualified_organisation_nav_button_gives_nothing() -> None:
    doc = page(f"<nav><ul>{MENU_ITEMS}<li>{BUTTON}</li></ul></nav>")
    assert FundraisingDetector().detect(doc, QUALIFIED) == []


def test_text_only_documents_have_no_chrome() -> None:
    doc = Document(text="首页\n中心简介\n我要捐赠\n联系我们")
    assert chrome_links(doc, appeal_spans(doc)) == []
    (det,) = FundraisingDetector().detect(doc, UNQUALIFIED)
    assert det.rule == "donation_appeal"
