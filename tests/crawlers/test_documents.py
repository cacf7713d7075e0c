"""Reading attachments: real PDF, Word and Excel files built in the test, and the ones we cannot read."""
from __future__ import annotations

import io
import zipfile

import pytest

from crawlers import documents
from crawlers.documents import attachment_name, extract_document, is_document_response, sniff_format
from tests.crawlers.docfactory import encrypt_pdf, make_docx, make_ole, make_pdf, make_xlsx

ID_NUMBER = "110101199003077777"


def test_pdf_text_first_page_and_title() -> None:
    pdf = make_pdf([["关于开展年度检查的通知", f"身份证号：{ID_NUMBER}"], ["第二页：捐赠收入一百万元"]], title="年检通知")
    doc = extract_document(pdf, "notice.pdf", "application/pdf")
    assert (doc.format, doc.readable, doc.title) == ("pdf", True, "年检通知")
    assert doc.text == f"关于开展年度检查的通知\n身份证号：{ID_NUMBER}\n第二页：捐赠收入一百万元"
    assert doc.first_page_text == f"关于开展年度检查的通知\n身份证号：{ID_NUMBER}"


def test_pdf_without_title_is_named_by_file() -> None:
    assert extract_document(make_pdf([["正文"]]), "2026年报.pdf").title == "2026年报.pdf"


def test_scanned_pdf_is_not_readable() -> None:
    doc = extract_document(make_pdf([[], []]), "scan.pdf", "application/pdf")
    assert not doc.readable and "扫描件" in doc.unreadable_reason and doc.text == ""


def test_encrypted_pdf_needs_a_password() -> None:
    doc = extract_document(encrypt_pdf(make_pdf([["机密内容"]]), "secret"), "locked.pdf")
    assert not doc.readable and doc.unreadable_reason.startswith("加密的 PDF")
    assert "机密内容" not in doc.text


def test_pdf_protected_only_against_printing_is_read() -> None:
    doc = extract_document(encrypt_pdf(make_pdf([["可以阅读的内容"]]), ""), "print-only.pdf")
    assert doc.readable and doc.text == "可以阅读的内容"


def test_damaged_pdf() -> None:
    doc = extract_document(b"%PDF-1.4\n% not really a report\n", "report.pdf")
    assert not doc.readable and "损坏" in doc.unreadable_reason and "PDF" in doc.unreadable_reason


def test_docx_headers_body_tables_footers() -> None:
    body = make_docx(title="名单", header="内部资料 注意保密", footer="青禾办公室", first_page=["机密★1年", "关于评选的通知"],
                     later=["第二页正文"], table=[["姓名", "身份证号"], ["张三", ID_NUMBER]])
    doc = extract_document(body, "list.docx")
    assert (doc.format, doc.readable, doc.title) == ("docx", True, "名单")
    assert doc.text.splitlines() == ["内部资料 注意保密", "机密★1年", "关于评选的通知", "第二页正文",
                                     "姓名\t身份证号", f"张三\t{ID_NUMBER}", "青禾办公室"]
    assert doc.first_page_text == "内部资料 注意保密\n机密★1年\n关于评选的通知"


def test_docx_without_page_break_is_all_first_page() -> None:
    doc = extract_document(make_docx(first_page=["只有一页"]), "a.docx")
    assert doc.first_page_text == doc.text == "只有一页"


def test_xlsx_every_sheet_hidden_ones_too() -> None:
    body = make_xlsx({"公示": [["姓名", "金额"], ["张三", 300.0], [None, None]],
                      "原始名单": [["姓名", "身份证号", "登记日期"], ["李四", ID_NUMBER, "2026-11-01"]]},
                     hidden=("原始名单",), title="补贴名单")
    doc = extract_document(body, "members.xlsx")
    assert (doc.format, doc.title) == ("xlsx", "补贴名单")
    assert doc.text.splitlines() == ["工作表：公示", "姓名\t金额", "张三\t300", "工作表：原始名单（隐藏）",
                                     "姓名\t身份证号\t登记日期", f"李四\t{ID_NUMBER}\t2026-11-01"]
    assert doc.first_page_text == "姓名\t金额\n张三\t300"


@pytest.mark.parametrize(
    ("name", "content_type", "words"),
    [
        ("old.doc", "application/msword", "旧版 Word"),
        ("old.xls", "application/vnd.ms-excel", "旧版 Excel"),
        ("old.wps", "application/octet-stream", "WPS 文字"),
        ("old.et", "application/octet-stream", "WPS 表格"),
        ("download", "application/octet-stream", "旧版 Office"),
    ],
)
def test_old_binary_office_formats_are_not_readable(name: str, content_type: str, words: str) -> None:
    doc = extract_document(make_ole(), name, content_type)
    assert not doc.readable and words in doc.unreadable_reason and "另存为" in doc.unreadable_reason


def test_a_doc_that_is_really_a_docx_or_a_web_page_is_read_as_such() -> None:
    assert extract_document(make_docx(first_page=["其实是新格式"]), "old.doc").text == "其实是新格式"
    table = "<html><body><table><tr><td>姓名</td><td>电话</td></tr></table></body></html>".encode("gbk")
    doc = extract_document(table, "list.xls", "application/vnd.ms-excel")
    assert (doc.format, doc.text) == ("html", "姓名 电话")


def test_gbk_text_file() -> None:
    doc = extract_document("活动须知\n\n请携带身份证原件。".encode("gbk"), "notes.txt", "text/plain")
    assert (doc.text, doc.encoding) == ("活动须知\n请携带身份证原件。", "gb18030")


def test_unknown_and_zip_formats() -> None:
    assert extract_document(b"\x89PNG\r\n\x1a\n\x00\x00", "a.pdf").unreadable_reason.startswith("无法识别的文件格式")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "x")
    assert "压缩包" in extract_document(archive.getvalue(), "a.docx").unreadable_reason


def test_zip_bomb_is_not_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_UNZIPPED_BYTES", 10_000)
    body = make_xlsx({"大表": [["x" * 100] * 50] * 10})
    doc = extract_document(body, "big.xlsx")
    assert not doc.readable and "压缩炸弹" in doc.unreadable_reason


def test_text_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_TEXT_CHARS", 10)
    doc = extract_document("一二三四五六七八九十十一".encode(), "a.txt")
    assert (doc.text, doc.truncated) == ("一二三四五六七八九十", True)


@pytest.mark.parametrize(
    ("body", "name", "content_type", "expected"),
    [
        (b"junk%PDF-1.5", "a.bin", "", "pdf"),
        (make_ole(), "a.xls", "", "xls"),
        (make_ole(), "a", "application/msword", "doc"),
        (b"{\\rtf1\\ansi hello}", "a.doc", "", "rtf"),
        (b"plain words", "a.txt", "", "txt"),
        (b"\x00\x01\x02", "a.bin", "application/octet-stream", "unknown"),
    ],
)
def test_sniff_format(body: bytes, name: str, content_type: str, expected: str) -> None:
    assert sniff_format(body, name, content_type) == expected


@pytest.mark.parametrize(
    ("url", "disposition", "expected"),
    [
        ("http://x.cn/files/report.pdf", None, "report.pdf"),
        ("http://x.cn/files/%E5%90%8D%E5%8D%95.xlsx", None, "名单.xlsx"),
        ("http://x.cn/files/%C3%FB%B5%A5.xls", None, "名单.xls"),  # GBK percent-encoding
        ("http://x.cn/download.jsp?id=7", "attachment; filename*=UTF-8''%E6%8A%A5%E5%90%8D.xlsx", "报名.xlsx"),
        ("http://x.cn/download.jsp?id=7", 'attachment; filename="' + "报名表.docx".encode("gbk").decode("latin-1") + '"', "报名表.docx"),
        ("http://x.cn/download.jsp?id=7", 'attachment; filename="' + "名单.pdf".encode().decode("latin-1") + '"', "名单.pdf"),
    ],
)
def test_attachment_name(url: str, disposition: str | None, expected: str) -> None:
    assert attachment_name(url, disposition) == expected


@pytest.mark.parametrize(
    ("content_type", "name", "expected"),
    [
        ("application/pdf", "x", True), ("application/vnd.ms-excel; charset=gbk", "", True),
        ("application/octet-stream", "名单.xlsx", True), ("application/octet-stream", "a.zip", False),
        ("text/html", "a.html", False), ("image/png", "a.png", False),
    ],
)
def test_is_document_response(content_type: str, name: str, expected: bool) -> None:
    assert is_document_response(content_type, name) is expected
