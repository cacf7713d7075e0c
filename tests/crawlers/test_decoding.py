"""decode_body: declared encodings first, GBK read as GB18030, detection, never a crash."""
from __future__ import annotations

import pytest

from crawlers.decoding import decode_body, declared_encodings

NOTICE = "关于召开第二届会员代表大会的通知：各会员单位请于十二月五日前报送参会代表名单，会议地点另行通知。"
RARE = "名誉会长刘䶮先生"  # 䶮 (U+4DAE) is in GB18030 but not in GBK


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>通知</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected_encoding"),
    [
        # HTTP header only
        (html(NOTICE).encode("gbk"), "text/html; charset=GBK", "gb18030"),
        (html(NOTICE).encode("gbk"), 'text/html; charset="gb2312"', "gb18030"),
        (html(NOTICE).encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
        # <meta> only
        (html(NOTICE, '<meta charset="gbk">').encode("gbk"), "text/html", "gb18030"),
        (html(NOTICE, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk"), None, "gb18030"),
        # BOM beats a wrong header, as in browsers
        (b"\xef\xbb\xbf" + html(NOTICE).encode("utf-8"), "text/html; charset=gbk", "utf-8"),
        # declared UTF-8, actually GBK (a common misconfiguration): the <meta> is right
        (html(NOTICE, '<meta charset="gbk">').encode("gbk"), "text/html; charset=utf-8", "gb18030"),
        # nothing declared
        (html(NOTICE).encode("utf-8"), None, "utf-8"),
        (html(NOTICE).encode("gb18030"), "text/html", "gb18030"),
    ],
)
def test_decodes_to_the_right_text(body: bytes, content_type: str | None, expected_encoding: str) -> None:
    text, encoding = decode_body(body, content_type)
    assert encoding == expected_encoding
    assert NOTICE in text
    assert "\ufffd" not in text


def test_gb2312_label_reads_gb18030_only_characters() -> None:
    body = html(RARE, '<meta charset="gb2312">').encode("gb18030")
    text, encoding = decode_body(body, None)
    assert (encoding, RARE in text) == ("gb18030", True)


def test_big5_traditional_chinese() -> None:
    notice = "關於召開會員大會的通知：請各會員準時出席。"
    text, encoding = decode_body(html(notice, '<meta charset="big5">').encode("big5"), None)
    assert (encoding, notice in text) == ("big5hkscs", True)


def test_a_few_stray_bytes_do_not_override_the_declaration() -> None:
    body = html(NOTICE * 5).encode("gbk").replace("通知".encode("gbk"), b"\xff\xfe", 1)
    text, encoding = decode_body(body, "text/html; charset=gbk")
    assert encoding == "gb18030"
    assert NOTICE in text and "\ufffd" in text


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00", b"\xff\xfe\xfd\xfc" * 50, b"\x81" * 3, b"<html><meta charset=klingon>\xe4\xb8", bytes(range(256))],
)
def test_never_crashes(body: bytes) -> None:
    text, encoding = decode_body(body, "text/html; charset=no-such-charset")
    assert isinstance(text, str) and encoding


def test_empty_body_keeps_declared_encoding() -> None:
    assert decode_body(b"", "text/html; charset=gbk") == ("", "gb18030")
    assert decode_body(b"", None) == ("", "utf-8")


def test_declared_encodings_order_and_resolution() -> None:
    body = b"\xef\xbb\xbf<meta charset=gb2312>"
    assert declared_encodings(body, "text/html; charset=GBK") == ["utf-8", "gb18030"]
    assert declared_encodings(b"<?xml version='1.0' encoding='gbk'?><rss/>", None) == ["gb18030"]
    assert declared_encodings(b"<meta charset=utf-16>", None) == ["utf-8"]


@pytest.mark.parametrize("text", ["姓名 电话", "活动须知", "<td>姓名</td><td>电话</td>"])
def test_short_undeclared_gbk_is_not_taken_for_korean(text: str) -> None:
    assert decode_body(text.encode("gbk"), None) == (text, "gb18030")
