"""Tests of classifier.locate: the CSS selector path and source line of a finding in a page."""
from __future__ import annotations

import time

import pytest
from lxml.cssselect import CSSSelector

from classifier.locate import find_element, line_in_html, parse, selector_for

LIST_PAGE = """<!DOCTYPE html>
<html>
<head><title>2024年助学金发放公示</title>
<script>var note = "韦春燕";</script></head>
<body>
<div id="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/gs/">公示公告</a></li></ul></div>
<div id="main">
  <h2 class="title">2024年助学金发放公示</h2>
  <table class="list" border="1">
    <tr><th>序号</th><th>姓名</th><th>金额</th></tr>
    <tr><td>1</td><td>石海峰</td><td>2000</td></tr>
    <tr><td>2</td><td>韦春燕</td><td>1500</td></tr>
    <tr><td>3</td><td>谭晓梅</td><td>1500</td></tr>
  </table>
  <p>公示期：2024年3月15日至3月22日。</p>
  <p>监督电话：023-79221234</p>
</div>
</body>
</html>
"""

NESTED_TABLES = """<html><body>
<table width="980"><tr><td>
  <table class="frame"><tr><td class="left">栏目导航</td><td class="right">
    <table class="inner"><tr><td>项目名称</td></tr><tr><td>情暖重阳</td><td>冉小东 <b>13812345678</b></td></tr></table>
  </td></tr></table>
</td></tr></table>
</body></html>"""

BROKEN = """<html><body><div class="content"><p>受助人名单<p>1 彭玉兰 <font color=red>6222
<div><span>2 向晓红<table><tr><td>困难家庭</td>
<p>3 龚志强 未闭合的段落"""


def _resolve(html: str, selector: str) -> list:
    return CSSSelector(selector, translator="html")(parse(html))


@pytest.mark.parametrize(("html", "needle", "selector"), [
    (LIST_PAGE, "韦春燕", "body > div#main > table.list > tr:nth-of-type(3) > td:nth-of-type(2)"),
    (LIST_PAGE, "公示期", "body > div#main > p:nth-of-type(1)"),
    (LIST_PAGE, "监督电话：023-79221234", "body > div#main > p:nth-of-type(2)"),
    (LIST_PAGE, "2024年助学金发放公示", "body > div#main > h2.title"),
    (LIST_PAGE, "公示公告", "body > div#top > ul.nav > li:nth-of-type(2) > a"),
    (LIST_PAGE, "2 韦春燕 1500", "body > div#main > table.list > tr:nth-of-type(3)"),
    (LIST_PAGE, "  韦春燕\n", "body > div#main > table.list > tr:nth-of-type(3) > td:nth-of-type(2)"),
    (NESTED_TABLES, "13812345678",
     "body > table > tr > td > table.frame > tr > td.right > table.inner > tr:nth-of-type(2) > td:nth-of-type(2) > b"),
    (NESTED_TABLES, "冉小东 13812345678",
     "body > table > tr > td > table.frame > tr > td.right > table.inner > tr:nth-of-type(2) > td:nth-of-type(2)"),
    (NESTED_TABLES, "情暖重阳",
     "body > table > tr > td > table.frame > tr > td.right > table.inner > tr:nth-of-type(2) > td:nth-of-type(1)"),
    (NESTED_TABLES, "栏目导航", "body > table > tr > td > table.frame > tr > td.left"),
])
def test_selector_paths(html: str, needle: str, selector: str) -> None:
    assert selector_for(html, needle) == selector
    matched = _resolve(html, selector)
    assert len(matched) == 1 and matched[0] is find_element(html, needle)


@pytest.mark.parametrize("needle", ["6222", "向晓红", "困难家庭", "龚志强 未闭合的段落"])
def test_broken_html(needle: str) -> None:
    selector = selector_for(BROKEN, needle)
    assert selector is not None and selector.startswith("body > ")
    (el,) = _resolve(BROKEN, selector)
    assert needle.replace(" ", "") in "".join(el.text_content().split())


@pytest.mark.parametrize(("html", "needle"), [
    (LIST_PAGE, "不存在的文字"),
    (LIST_PAGE, "var note"),  # only in a script
    (LIST_PAGE, ""),
    ("", "韦春燕"),
    ("   \n", "韦春燕"),
    ("<?xml version='1.0' encoding='utf-8'?>", "韦春燕"),
])
def test_not_found(html: str, needle: str) -> None:
    assert selector_for(html, needle) is None
    assert line_in_html(html, needle) is None


def test_title_text_is_not_a_place_on_the_page() -> None:
    html = "<html><head><title>仅在标题中</title></head><body><p>正文</p></body></html>"
    assert selector_for(html, "仅在标题中") is None


@pytest.mark.parametrize(("needle", "line"), [
    ("石海峰", 11),
    ("韦春燕", 12),  # also in the <script> on line 4, which is not shown
    ("公示期", 15),
    ("监督电话", 16),
    ("2 韦春燕 1500", 12),
])
def test_line_in_html(needle: str, line: int) -> None:
    assert line_in_html(LIST_PAGE, needle) == line


def test_line_with_xml_declaration_and_crlf() -> None:
    html = "<?xml version='1.0' encoding='utf-8'?>\r\n<html>\r\n<body>\r\n<p>甲</p>\r\n<p>谭晓梅</p>\r\n</body></html>"
    assert line_in_html(html, "谭晓梅") == 5
    assert selector_for(html, "谭晓梅") == "body > p:nth-of-type(2)"


def test_odd_ids_and_classes_fall_back_to_position() -> None:
    html = '<html><body><div id="1st"><p class="a:b ok">甲</p></div><div id="1st">乙</div></body></html>'
    assert selector_for(html, "甲") == "body > div:nth-of-type(1) > p.ok"


def test_parse_is_cached_and_a_tree_is_accepted() -> None:
    assert parse(LIST_PAGE) is parse(LIST_PAGE)
    tree = parse(LIST_PAGE)
    assert selector_for(tree, "谭晓梅") == selector_for(LIST_PAGE, "谭晓梅")
    assert find_element(None, "谭晓梅") is None


def test_large_page_is_fast() -> None:
    rows = "".join(f"<tr><td>{k}</td><td>姓名{k}</td><td>{k * 10}</td></tr>" for k in range(5000))
    html = f"<html><body><div id='main'><table class='list'>{rows}</table></div></body></html>"
    began = time.perf_counter()
    assert selector_for(html, "姓名4999") == "body > div#main > table.list > tr:nth-of-type(5000) > td:nth-of-type(2)"
    assert time.perf_counter() - began < 2.0


def test_deeply_nested_unclosed_tags() -> None:
    html = "<html><body>" + "<font>" * 1500 + "受助人 冉小东" + "</font>" * 3 + "<p>尾部</p></body></html>"
    selector = selector_for(html, "冉小东")
    assert selector is not None and selector.count(" > font") == 1500
    assert selector_for(html, "尾部") is not None
