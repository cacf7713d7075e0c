"""The normalised forms a Document computes once for every detector, and their maps back to the original."""
from __future__ import annotations

import pytest

from classifier import Document
from classifier.textnorm import CharMap, Layout, fold_width_case, narrow, normalise

#: (id, original, narrow form): full-width ASCII forms become ASCII, nothing else changes.
NARROW = [
    ("digits", "号码：５００１０１１９９０", "号码:5001011990"),
    ("phone", "联系电话：１３８－１２３４－５６７８", "联系电话:138-1234-5678"),
    ("case-kept", "ＡＢｃ Abc", "ABc Abc"),
    ("cjk-punctuation", "（内部资料），请勿外传！", "(内部资料),请勿外传!"),
    ("spaces-kept", "机　密\xa0★", "机　密\xa0★"),
    ("traditional-kept", "機密★５年", "機密★5年"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NARROW], ids=[c[0] for c in NARROW])
def test_narrow_maps_full_width_one_for_one(text: str, expected: str) -> None:
    assert narrow(text) == expected
    assert len(narrow(text)) == len(text)
    assert Document(text=text).narrow == expected


def test_fold_width_case_equals_the_translation_table_on_every_mapped_character() -> None:
    every = "".join(chr(c) for c in range(0xFF00, 0xFF70)) + "ABCXYZ abc 中文\u3000\xa0，。"
    table = str.maketrans({"\u3000": " ", "\xa0": " "} | {chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)}
                          | {chr(0xFF21 + i): chr(0x61 + i) for i in range(26)}
                          | {chr(0x41 + i): chr(0x61 + i) for i in range(26)})
    assert fold_width_case(every) == every.translate(table)
    assert fold_width_case(every * 3)[len(every):2 * len(every)] == every.translate(table)


def test_char_map_replaces_only_what_the_text_holds() -> None:
    simplify = CharMap(str.maketrans({"機": "机", "內": "内"}), common="")
    assert simplify("機密 內部資料 機") == "机密 内部資料 机"
    assert simplify("没有繁体字") == "没有繁体字"


def test_document_normalises_once_and_maps_back() -> None:
    text = "澳門　新葡京 註冊即送！\n详情：ＷＷＷ．ＰＪ８８．ＣＯＭ"
    doc = Document(text=text)
    norm = doc.normalised
    assert norm is doc.normalised  # computed once, shared by the detectors
    assert norm.text == normalise(text).text == "澳门新葡京注册即送!\n详情:www.pj88.com"
    start = norm.text.index("新葡京")
    a, b = norm.span(start, start + 3)
    assert text[a:b] == "新葡京"
    a, b = norm.span(0, norm.text.index("新葡京") + 3)
    assert text[a:b] == "澳門　新葡京"  # the dropped space is inside the original span
    a, b = norm.span(norm.text.index("www"), len(norm.text))
    assert text[a:b] == "ＷＷＷ．ＰＪ８８．ＣＯＭ"


def test_offsets_of_every_character_point_at_the_character_it_came_from() -> None:
    text = "賭*博 Ｐｃ 蛋蛋\u200b百^家^乐，身　份　證"
    norm = Document(text=text).normalised
    assert len(norm.to_original) == len(norm.text)
    for k, char in enumerate(norm.text):
        assert normalise(text[norm.to_original[k]]).text == char


def test_document_layout_is_of_the_normalised_text() -> None:
    doc = Document(text="第一段，有两句。第二句！\n\n　\n第二段")
    assert doc.layout is doc.layout
    assert isinstance(doc.layout, Layout) and doc.layout.text == doc.normalised.text
    assert [doc.layout.text[s:e] for s, e in doc.layout.paragraphs()] == ["第一段,有两句。第二句!", "第二段"]
    assert doc.layout.paragraphs() is doc.layout.paragraphs()


def test_paragraphs_skip_blank_lines_of_any_whitespace() -> None:
    text = " a \n\t\n\u3000b\n\n  \x0b\nc"
    assert [text[s:e] for s, e in Layout(text).paragraphs()] == [" a ", "\u3000b", "c"]
    assert Layout("").paragraphs() == [] and Layout("\n\n").paragraphs() == []


def test_document_tree_is_parsed_once_and_none_without_markup() -> None:
    doc = Document(text="正文", html="<html><body><p>正文</p></body></html>")
    assert doc.tree is doc.tree and doc.tree.find(".//p").text == "正文"
    assert Document(text="正文").tree is None
