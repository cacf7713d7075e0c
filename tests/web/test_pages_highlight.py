"""Evidence highlighting inside a stored snapshot (orgwatch/web/highlight.py): pure, table-driven."""
from __future__ import annotations

import pytest

from orgwatch.web.highlight import highlight, html_to_text, locate, snapshot_text

ROSTER = "公示如下。\n张桂兰  110101199003071234  300元\n李德明 110101********5678 300元"


@pytest.mark.parametrize(("text", "evidence", "expected"), [
    # masked ID number in the evidence still finds the original, unmasked passage
    (ROSTER, "公示如下。 张桂兰 【110101********1234】 300元", "公示如下。\n张桂兰  110101199003071234  300元"),
    # the hit alone, with ellipses the detector adds at cut ends
    ("甲乙丙丁 关于做好冬季安全工作的通知 戊己", "…丁 【关于做好冬季安全工作的通知】 戊…", "丁 关于做好冬季安全工作的通知 戊"),
    # the page wrote the brackets itself: 【机密★5年】 marked again by the detector
    ("标题\n【机密★5年】 关于印发方案的通知", "【【机密★5年】】 关于印发方案的通知", "【机密★5年】 关于印发方案的通知"),
    # a masked mobile number and a masked name character
    ("联系人：王*明 13812345678", "王*明 【138****5678】", "王*明 13812345678"),
    # whitespace differs: the evidence has spaces where tags were, the text none
    ("扫码捐款个人收款码", "扫码捐款 【个人收款码】", "扫码捐款个人收款码"),
])
def test_locate_finds_the_original_passage(text: str, evidence: str, expected: str) -> None:
    spans = locate(text, evidence)
    assert [text[a:b] for a, b in spans][:1] == [expected]


def test_locate_falls_back_to_the_hit_when_the_context_changed() -> None:
    text = "新的开头文字 个人收款码 新的结尾文字"
    assert [text[a:b] for a, b in locate(text, "旧的开头 【个人收款码】 旧的结尾")] == ["个人收款码"]


def test_every_occurrence_is_marked_and_the_first_is_the_anchor() -> None:
    result = highlight("棋牌 一段话 棋牌", "【棋牌】")
    assert result.found
    assert str(result.html) == '<mark id="evidence">棋牌</mark> 一段话 <mark>棋牌</mark>'


def test_text_is_escaped_around_and_inside_the_mark() -> None:
    result = highlight("<b>注意</b> 募捐 <i>", "【募捐】")
    assert str(result.html) == '&lt;b&gt;注意&lt;/b&gt; <mark id="evidence">募捐</mark> &lt;i&gt;'


def test_evidence_not_in_the_text_leaves_it_unmarked() -> None:
    result = highlight("完全无关的文字", "页面中的链接 【<a href=\"http://x/\">x</a>】 隐藏方式：display:none")
    assert not result.found
    assert "<mark" not in str(result.html)
    assert str(result.html) == "完全无关的文字"


def test_html_to_text_drops_scripts_styles_and_handlers() -> None:
    html = ("<html><head><title>标题</title><script>steal(document.cookie)</script>"
            "<style>p{color:red}</style></head><body onload=\"x()\"><p>第一段</p><div>第二<b>段</b></div>"
            "<table><tr><td>张三</td><td>300元</td></tr></table><noscript>请开启脚本</noscript></body></html>")
    text = html_to_text(html)
    assert text.splitlines() == ["第一段", "第二段", "张三 300元"]
    assert "steal" not in text and "color" not in text and "onload" not in text


def test_snapshot_text_masks_personal_numbers() -> None:
    text = snapshot_text("<p>张桂兰 110101199003071234 电话 13912345678</p>", "text/html; charset=utf-8")
    assert text == "张桂兰 110101********1234 电话 139****5678"


def test_around_keeps_a_window_round_the_first_occurrence() -> None:
    text = "甲" * 50 + "个人收款码" + "乙" * 50 + "个人收款码"
    result = highlight(text, "【个人收款码】", around=3)
    assert str(result.html) == '…甲甲甲<mark id="evidence">个人收款码</mark>乙乙乙…'


@pytest.mark.parametrize(("content_type", "text", "shown"), [
    ("application/pdf", "%PDF-1.7 binary", False),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04", False),
    ("text/plain; charset=utf-8", "通知全文", True),
    ("application/xhtml+xml", "<p>通知</p>", True),
    ("", "<p>通知</p>", True),
    ("", "\x00\x01binary", False),
])
def test_binary_attachments_are_not_shown_as_text(content_type: str, text: str, shown: bool) -> None:
    assert (snapshot_text(text, content_type) is not None) == shown


def test_a_hidden_links_words_are_found_without_its_markup() -> None:
    text = "首页 新闻 澳门在线娱乐平台 联系我们"
    evidence = '【<a href="http://bad.example/">澳门在线娱乐平台</a>】 隐藏方式：display:none'
    assert [text[a:b] for a, b in locate(text, evidence)] == ["澳门在线娱乐平台"]
