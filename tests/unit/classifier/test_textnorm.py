"""Table-driven tests of text normalisation and its map back to the original offsets."""
from __future__ import annotations

import pytest

from classifier.textnorm import Layout, normalise, normalise_phrase, to_simplified

#: (id, original, normalised) — what a spammer writes and what the matchers see.
POSITIVE = [
    ("star-between", "賭*博", "赌博"),
    ("dots-between", "身.份.證", "身份证"),
    ("space-between", "博 彩", "博彩"),
    ("underscore-between", "博_彩", "博彩"),
    ("caret-run", "百^家^乐^稳^赢", "百家乐稳赢"),
    ("arrows", "办↓证 刻↓章", "办证刻章"),
    ("middle-dots", "澳·门·新·葡·京", "澳门新葡京"),
    ("hyphens", "博-彩-网-站", "博彩网站"),
    ("hearts", "约❤炮", "约炮"),
    ("emoji", "足⚽球", "足球"),
    ("stars", "赌★场", "赌场"),
    ("radical-dot", "毕丶业丶证", "毕业证"),
    ("zero-width", "百\u200b家\u200b乐", "百家乐"),
    ("zero-width-in-latin", "bo\u200bcai", "bocai"),
    ("bom", "\ufeff六合彩", "六合彩"),
    ("soft-hyphen", "时时\u00ad彩", "时时彩"),
    ("traditional", "娛樂城 註冊即送", "娱乐城注册即送"),
    ("traditional-mixed", "百家樂 眞人", "百家乐真人"),
    ("fullwidth-latin", "ｗｗｗ．ｐｊ８８．ｅｘａｍｐｌｅ", "www.pj88.example"),
    ("upper-latin", "PC 蛋蛋", "pc蛋蛋"),
    ("fullwidth-upper", "ＡＧ真人", "ag真人"),
    ("letter-spaced", "S F 传 奇", "sf传奇"),
    ("ideographic-space", "博\u3000彩", "博彩"),
    ("nbsp", "真人\xa0视讯", "真人视讯"),
    ("fullwidth-punctuation", "注册送彩金！首存优惠，", "注册送彩金!首存优惠,"),
    ("cjk-then-digits", "加拿大 28", "加拿大28"),
    ("mixed-separators", "办 * 证", "办证"),
]

#: (id, text) whose normalised form must equal the expected one given (often the text itself).
NEAR_MISS = [
    ("plain-simplified", "关于召开第三届理事会第二次会议的通知", "关于召开第三届理事会第二次会议的通知"),
    ("comma-kept", "彩票，博彩", "彩票,博彩"),
    ("full-stop-kept", "六合。彩虹", "六合。彩虹"),
    ("enumeration-comma-kept", "一区、二区、三区", "一区、二区、三区"),
    ("colon-kept", "联系电话：023-65550186", "联系电话:023-65550186"),
    ("newline-kept", "百家\n乐", "百家\n乐"),
    ("blank-line-kept", "第一段\n\n第二段", "第一段\n\n第二段"),
    ("latin-words-kept", "hello world", "hello world"),
    ("url-kept", "https://www.example.org/a-b_c", "https://www.example.org/a-b_c"),
    ("email-kept", "info@example.org", "info@example.org"),
    ("decimal-kept", "3.5%", "3.5%"),
    ("phone-hyphen-kept", "023-6555 0186", "023-6555 0186"),
    ("date-kept", "2026-10-12", "2026-10-12"),
    ("secret-mark-kept", "机密★5年", "机密★5年"),
    ("quotes-kept", "“保本付息”", "“保本付息”"),
    ("brackets-kept", "（内部刊物）", "(内部刊物)"),
    ("book-title-kept", "《慈善法》", "《慈善法》"),
    ("question-kept", "真的可信吗？", "真的可信吗?"),
    ("latin-hyphen-kept", "b-j-l", "b-j-l"),
    ("two-letter-words-kept", "ab cd", "ab cd"),
    ("uscc-kept", "52500199MJP7123408", "52500199mjp7123408"),
    ("qian-long-kept", "乾隆", "乾隆"),
    ("already-simplified-hou", "后来", "后来"),
    ("empty", "", ""),
    ("spaces-only", "   ", "   "),
    ("digits-spaced-kept", "6222 0212 3456", "6222 0212 3456"),
]


@pytest.mark.parametrize(("original", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_normalises_obfuscated_spellings(original: str, expected: str) -> None:
    norm = normalise(original)
    assert norm.text == expected
    assert len(norm.to_original) == len(norm.text)
    start, end = norm.span(0, len(norm.text))
    assert original[start:end].strip("\ufeff") == original.strip("\ufeff")


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_keeps_what_is_not_obfuscation(text: str, expected: str) -> None:
    norm = normalise(text)
    assert norm.text == expected
    assert norm.to_original == list(range(len(text)))  # nothing dropped: offsets are the same


@pytest.mark.parametrize(("original", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_every_character_maps_to_its_original(original: str, expected: str) -> None:
    norm = normalise(original)
    simplified = to_simplified(original).lower()
    for k, char in enumerate(norm.text):
        source = simplified[norm.to_original[k]]
        assert char == source or char == source.translate({0x3000: 0x20}) or ord(source) - ord(char) == 0xFEE0


def test_span_marks_the_original_obfuscated_run() -> None:
    text = "本会简介。賭*博网站 请勿访问"
    norm = normalise(text)
    at = norm.text.index("赌博网站")
    start, end = norm.span(at, at + 4)
    assert text[start:end] == "賭*博网站"


def test_span_of_empty_range() -> None:
    norm = normalise("博 彩")
    assert norm.span(1, 1) == (2, 2)
    assert norm.span(2, 2) == (3, 3)


def test_results_are_cached_per_text() -> None:
    assert normalise("百 家 乐") is normalise("百 家 乐")


def test_phrase_normalisation_matches_text_normalisation() -> None:
    assert normalise_phrase(" 百家樂 ") == "百家乐"
    assert normalise_phrase("PC 蛋蛋") == "pc蛋蛋"


def test_length_changing_conversion_falls_back_to_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.textnorm as textnorm

    class Stretching:
        def convert(self, text: str) -> str:
            return text.replace("後", "后来") if len(text) > 1 else {"後": "后"}.get(text, text)

    monkeypatch.setattr(textnorm, "_converter", Stretching())
    textnorm._t2s_char.cache_clear()
    try:
        assert to_simplified("之後的事") == "之后的事"
    finally:
        textnorm._t2s_char.cache_clear()


def test_layout_windows() -> None:
    text = "第一句,第二分句。第二句!\n第二段"
    layout = Layout(text)
    assert text[slice(*layout.sentence(1))] == "第一句,第二分句"
    assert text[slice(*layout.clause(5))] == "第二分句"
    assert text[slice(*layout.paragraph(11))] == "第一句,第二分句。第二句!"
    assert [text[s:e] for s, e in layout.paragraphs()] == ["第一句,第二分句。第二句!", "第二段"]
    assert layout.lines_before(len(text) - 1, 2) == ["第一句,第二分句。第二句!"]
    assert layout.head(1) == "第一句,第二分句。第二句!"
    numbers = "共有2,380位伙伴,加入"
    assert numbers[slice(*Layout(numbers).clause(4))] == "共有2,380位伙伴"


def test_normalising_a_statute_page_is_fast_enough() -> None:
    text = ("第一条 为了规范慈善活动，保护慈善组织、捐赠人、志愿者、受益人等慈善活动参与者的合法权益，制定本法。\n" * 40)
    import time

    start = time.perf_counter()
    for k in range(50):
        normalise(text + str(k))
    assert time.perf_counter() - start < 1.0
