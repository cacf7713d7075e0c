"""Read the text of documents that organisations' pages link to: PDF, Word, Excel, WPS, plain text.

Pure: bytes, a file name and a Content-Type in, an :class:`ExtractedDocument` out; no network,
no files. The format is recognised from the bytes first (a ``.doc`` that is really a web page
or a ``.xls`` that is really an .xlsx is read as what it is), then from the name and type.
A document that cannot be read gives ``readable=False`` and a Chinese reason saying why and
what the organisation can do about it.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote_to_bytes, urlsplit

from crawlers.decoding import decode_body
from crawlers.extract import page_title, parse_html, visible_text
from crawlers.urls import DOCUMENT_EXTENSIONS

logger = logging.getLogger(__name__)

#: Text kept per document; the rest is cut and the document marked ``truncated``.
MAX_TEXT_CHARS = 2_000_000
#: PDF pages read per document.
MAX_PDF_PAGES = 500
#: Spreadsheet cells read per workbook.
MAX_CELLS = 500_000
#: An Office file (a zip) whose parts add up to more than this is not opened (zip bomb).
MAX_UNZIPPED_BYTES = 300_000_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

#: Old binary formats no installed library reads: the reason given, by format.
UNREADABLE_FORMATS = {
    "doc": "无法识别的 .doc 格式（旧版 Word），无法读取其中的文字，请另存为 .docx 或 PDF 后重新发布",
    "xls": "旧版 Excel（.xls）格式，无法读取其中的内容，请另存为 .xlsx 后重新发布",
    "wps": "WPS 文字（.wps）格式，无法读取其中的文字，请另存为 .docx 或 PDF 后重新发布",
    "et": "WPS 表格（.et）格式，无法读取其中的内容，请另存为 .xlsx 后重新发布",
    "ole": "旧版 Office 二进制格式，无法读取其中的内容，请另存为 .docx、.xlsx 或 PDF",
    "rtf": "RTF 格式文档暂不支持读取，请另存为 .docx 或 PDF",
    "zip": "压缩包或无法识别的 Office 格式，未读取其中的内容",
    "unknown": "无法识别的文件格式，未读取其中的内容",
}
CONTENT_TYPE_FORMATS = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-works": "wps",
    "application/wps-office.wps": "wps",
    "application/kswps": "wps",
    "application/wps-office.et": "et",
    "application/kset": "et",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/plain": "txt",
    "text/html": "html",
}


@dataclass
class ExtractedDocument:
    """What a document says. ``first_page_text`` is its first page (PDF), its headers and the
    text before the first page break (Word), or its first sheet (Excel)."""

    format: str
    title: str = ""
    text: str = ""
    first_page_text: str = ""
    readable: bool = True
    unreadable_reason: str = ""
    truncated: bool = False
    encoding: str = ""


class _Unreadable(Exception):
    """Raised inside a reader with the reason the document cannot be read."""


def extract_document(body: bytes, filename: str = "", content_type: str = "") -> ExtractedDocument:
    """Read ``body`` (a downloaded attachment called ``filename``, served as ``content_type``)."""
    kind = sniff_format(body, filename, content_type)
    reader = READERS.get(kind)
    if reader is None:
        doc = ExtractedDocument(kind, readable=False, unreadable_reason=UNREADABLE_FORMATS.get(kind, UNREADABLE_FORMATS["unknown"]))
    else:
        try:
            doc = reader(body, content_type)
        except _Unreadable as exc:
            doc = ExtractedDocument(kind, readable=False, unreadable_reason=str(exc))
        except Exception as exc:  # noqa: BLE001 - a damaged file must not stop the crawl
            logger.info("Cannot read %s as %s: %s: %s", filename or "document", kind, type(exc).__name__, exc)
            doc = ExtractedDocument(kind, readable=False, unreadable_reason=f"文件已损坏或格式异常，无法读取（{_FORMAT_NAMES.get(kind, kind)}）")
    doc.title = doc.title or filename
    if len(doc.text) > MAX_TEXT_CHARS:
        doc.text, doc.truncated = doc.text[:MAX_TEXT_CHARS], True
    return doc


def sniff_format(body: bytes, filename: str = "", content_type: str = "") -> str:
    """``pdf``, ``docx``, ``xlsx``, ``doc``, ``xls``, ``wps``, ``et``, ``ole``, ``rtf``,
    ``html``, ``txt``, ``zip`` or ``unknown``: the bytes first, then the name, then the type."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = CONTENT_TYPE_FORMATS.get(content_type.split(";", 1)[0].strip().lower(), "")
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(ZIP_MAGIC):
        return _zip_format(body)
    if body.startswith(OLE_MAGIC):
        return next((f for f in (ext, declared) if f in ("doc", "xls", "wps", "et")), "ole")
    if body.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in lowered:
        return "html"
    if ext == "txt" or declared == "txt" or (b"\x00" not in head and ext in ("", "txt") and declared in ("", "txt")):
        return "txt" if body.strip() else "unknown"
    return "unknown"


def _zip_format(body: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _check_zip_size(body: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNZIPPED_BYTES:
        raise _Unreadable(f"文件解压后超过 {MAX_UNZIPPED_BYTES // 1_000_000} MB，疑似压缩炸弹，未读取")


# -- PDF ------------------------------------------------------------------------------------


def read_pdf(body: bytes, content_type: str = "") -> ExtractedDocument:
    """Text of every page (up to MAX_PDF_PAGES) with pypdf; an encrypted PDF is tried with
    the empty password (many are "protected" against printing only)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    reader = PdfReader(io.BytesIO(body))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (NotImplementedError, PdfReadError, FileNotDecryptedError):
            opened = 0
        if not opened:
            raise _Unreadable("加密的 PDF，需要密码才能打开，无法读取文本")
    pages: list[str] = []
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            break
        try:
            pages.append(_tidy(page.extract_text() or ""))
        except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
            logger.info("PDF page %d unreadable: %s", number + 1, exc)
            pages.append("")
    if pages and not any(pages):
        raise _Unreadable("扫描件 PDF，没有文字层（页面是图片），无法检查其中的文字")
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # noqa: BLE001 - damaged metadata is not worth losing the text for
        pass
    return ExtractedDocument(
        "pdf", title=_squash(str(title)), text="\n".join(p for p in pages if p),
        first_page_text=pages[0] if pages else "", truncated=len(reader.pages) > MAX_PDF_PAGES,
    )


# -- Word -----------------------------------------------------------------------------------

_PAGE_BREAK = re.compile(r'<w:br [^>]*w:type="page"|<w:lastRenderedPageBreak|<w:sectPr')


def read_docx(body: bytes, content_type: str = "") -> ExtractedDocument:
    """Headers, then the body in order (paragraphs; table rows with cells tab-separated;
    text boxes), then footers."""
    import docx

    _check_zip_size(body)
    document = docx.Document(io.BytesIO(body))
    headers, footers = _headers_and_footers(document)
    body_lines: list[str] = []
    first_page: list[str] | None = None
    for block in document.iter_inner_content():
        body_lines.extend(_block_lines(block))
        if first_page is None and _PAGE_BREAK.search(block._element.xml if hasattr(block, "_element") else ""):
            first_page = list(body_lines)
    body_lines.extend(_textbox_lines(document))
    lines = [line for line in headers + body_lines + footers if line]
    first = [line for line in headers + (first_page if first_page is not None else body_lines) if line]
    return ExtractedDocument(
        "docx", title=_squash(document.core_properties.title or ""), text="\n".join(lines),
        first_page_text="\n".join(first),
    )


def _block_lines(block: object) -> list[str]:
    from docx.table import Table

    if isinstance(block, Table):
        return list(_table_lines(block))
    return [_squash(getattr(block, "text", ""))]


def _table_lines(table: object) -> Iterator[str]:
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        try:
            row_cells = row.cells
        except (IndexError, ValueError):  # a malformed grid
            continue
        for cell in row_cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            parts = [_squash(p.text) for p in cell.paragraphs]
            parts += [" ".join(_table_lines(inner)) for inner in cell.tables]
            cells.append(" ".join(p for p in parts if p))
        if any(cells):
            yield "\t".join(cells).rstrip("\t")


def _headers_and_footers(document: object) -> tuple[list[str], list[str]]:
    headers: dict[str, None] = {}
    footers: dict[str, None] = {}
    for section in document.sections:  # type: ignore[attr-defined]
        for target, parts in ((headers, ("first_page_header", "header", "even_page_header")),
                              (footers, ("first_page_footer", "footer", "even_page_footer"))):
            for name in parts:
                part = getattr(section, name)
                if part.is_linked_to_previous:
                    continue
                for block in part.iter_inner_content():
                    for line in _block_lines(block):
                        if line:
                            target[line] = None
    return list(headers), list(footers)


def _textbox_lines(document: object) -> list[str]:
    """Paragraphs inside text boxes, which python-docx's paragraphs do not include."""
    element = document.element.body  # type: ignore[attr-defined]
    lines = []
    for p in element.xpath(".//w:txbxContent//w:p"):
        text = _squash("".join(p.xpath(".//w:t/text()")))
        if text:
            lines.append(text)
    return list(dict.fromkeys(lines))


# -- Excel ----------------------------------------------------------------------------------


def read_xlsx(body: bytes, content_type: str = "") -> ExtractedDocument:
    """Every sheet, hidden ones included, each under a line "工作表：<name>"; cells of a row
    tab-separated, one row per line, cached values of formulas."""
    import openpyxl

    _check_zip_size(body)
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        sheets: list[list[str]] = []
        cells = 0
        truncated = False
        for sheet in workbook.worksheets:
            rows: list[str] = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    truncated = True
                    break
                values = [_cell_text(v) for v in row]
                while values and not values[-1]:
                    values.pop()
                if values:
                    rows.append("\t".join(values))
            hidden = "（隐藏）" if sheet.sheet_state != "visible" else ""
            sheets.append([f"工作表：{sheet.title}{hidden}", *rows])
            if truncated:
                break
        title = workbook.properties.title or ""
    finally:
        workbook.close()
    return ExtractedDocument(
        "xlsx", title=_squash(title), text="\n".join(line for sheet in sheets for line in sheet),
        first_page_text="\n".join(sheets[0][1:]) if sheets else "", truncated=truncated,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _squash(str(value))


# -- text and web pages ---------------------------------------------------------------------


def read_text(body: bytes, content_type: str = "") -> ExtractedDocument:
    """Plain text in whatever encoding it is in (GBK is common), lines kept."""
    text, encoding = decode_body(body, content_type or None)
    lines = [_squash(line) for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    return ExtractedDocument("txt", text=text, first_page_text=text[:3000], encoding=encoding)


def read_html(body: bytes, content_type: str = "") -> ExtractedDocument:
    """A "document" that is really a web page (e.g. a .xls exported as an HTML table)."""
    html, encoding = decode_body(body, content_type or None)
    tree = parse_html(html)
    if tree is None:
        return ExtractedDocument("html", encoding=encoding)
    text = visible_text(tree)
    return ExtractedDocument("html", title=page_title(tree), text=text, first_page_text=text[:3000], encoding=encoding)


READERS: dict[str, Callable[[bytes, str], ExtractedDocument]] = {
    "pdf": read_pdf, "docx": read_docx, "xlsx": read_xlsx, "txt": read_text, "html": read_html,
}
_FORMAT_NAMES = {"pdf": "PDF", "docx": "Word 文档", "xlsx": "Excel 表格", "txt": "文本文件", "html": "网页"}


# -- names ----------------------------------------------------------------------------------

def is_document_response(content_type: str, filename: str) -> bool:
    """True when a response is a document by its Content-Type (PDF, Office, WPS) or, for a
    generic type such as ``application/octet-stream``, by its file name."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in CONTENT_TYPE_FORMATS:
        return mime not in ("text/html", "text/plain")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return mime in ("", "application/octet-stream", "application/x-download", "application/force-download") and ext in DOCUMENT_EXTENSIONS


def attachment_name(url: str, content_disposition: str | None = None) -> str:
    """The file name a visitor's browser would save: Content-Disposition's ``filename*`` or
    ``filename`` (UTF-8 or GBK), else the URL's last path segment, percent-decoded."""
    if content_disposition:
        message = Message()
        message["content-disposition"] = content_disposition
        name = message.get_filename()
        if name:
            return _repair(name)
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return _decode_bytes(unquote_to_bytes(last)) if last else ""


def _repair(name: str) -> str:
    """A header value read as Latin-1 that was really UTF-8 or GBK bytes."""
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name.strip()
    return _decode_bytes(raw)


def _decode_bytes(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding).strip()
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").strip()


def _tidy(text: str) -> str:
    return "\n".join(line for line in (_squash(line) for line in text.splitlines()) if line)


def _squash(text: str) -> str:
    return " ".join(text.split())
