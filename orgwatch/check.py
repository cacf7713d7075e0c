"""Pre-publish check: run every content detector and the model over a draft file before it goes online.

Files are read with :mod:`crawlers.documents` (Word, PDF, Excel) and :mod:`crawlers.decoding`
(text, Markdown, HTML), so a draft is read exactly as the crawler would read it once published.
Each finding carries the paragraph or line where it is, so the author can find and fix it.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.base import Detection, OrgContext, Severity

#: checks about a whole website or account, which a single draft cannot fail
NOT_APPLICABLE = ("disclosure_missing", "stale_channel", "broken_link", "unreachable", "defacement")
FORMAT_NAMES = {"docx": "Word 文档", "pdf": "PDF", "xlsx": "Excel 表格", "html": "网页", "txt": "文本", "md": "Markdown"}
TEXT_EXTENSIONS = {"txt": "txt", "text": "txt", "md": "md", "markdown": "md", "html": "html", "htm": "html"}
SCANNED_PDF = "扫描件，没有文字层，无法检查；请提供可复制文字的版本"
ENCRYPTED_PDF = "PDF 已加密，需要密码才能打开，无法检查；请提供未加密的版本"


class Unreadable(Exception):
    """Raised by :func:`read_draft` with the reason (in Chinese) a file cannot be checked."""


@dataclass
class Draft:
    """A draft's text as the detectors see it, and how to name a place in it."""

    name: str
    format: str
    text: str
    html: str | None = None  # the source of an HTML draft: places are its source lines
    unit: str = "行"  # 段 for Word paragraphs
    sheets: list[tuple[int, str]] = field(default_factory=list)  # Excel: (line of the sheet's name, name)
    truncated: bool = False

    def __post_init__(self) -> None:
        self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def place(self, start: int, end: int, hint: str = "") -> tuple[int, str]:
        """(number, words) of the paragraph or line holding ``text[start:end]``; ``hint`` is
        markup to look for in an HTML source when the hit is not in the shown text (a hidden link)."""
        if self.html is not None:
            source_line = self._source_line(self.text[start:end], hint)
            if source_line is not None:
                return source_line, f"第 {source_line} 行"
            line = self.line_of(start)
            return line, f"网页正文第 {line} 行"
        line = self.line_of(start)
        sheet = next(((first, name) for first, name in reversed(self.sheets) if first <= line), None)
        if sheet is not None:
            row = line - sheet[0]
            return row, f"工作表“{sheet[1]}”第 {row} 行（不计空行）"
        return line, f"第 {line} {self.unit}"

    def _source_line(self, needle: str, hint: str) -> int | None:
        from classifier.locate import line_in_html

        found = line_in_html(self.html, needle) if needle.strip() else None
        if found is None and hint:
            at = self.html.find(hint)
            found = self.html.count("\n", 0, at) + 1 if at >= 0 else None
        return found


@dataclass
class CheckFinding:
    """One detection in one draft, placed and explained."""

    detection: Detection
    line: int
    location: str
    lines: list[int]
    title: str
    basis: str
    action: str
    evidence: str  # the detection's snippet, with any personal number around the hit masked too


@dataclass
class FileResult:
    name: str
    format: str = ""
    findings: list[CheckFinding] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False

    def at_or_above(self, threshold: Severity) -> list[CheckFinding]:
        return [f for f in self.findings if f.detection.severity.rank >= threshold.rank]


def read_draft(body: bytes, name: str) -> Draft:
    """Recognise the format of ``body`` (named ``name``) and read its text; raise :class:`Unreadable`."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TEXT_EXTENSIONS.get(ext)
    if kind is None:
        from crawlers.documents import sniff_format

        kind = sniff_format(body, name)
    if kind in ("txt", "md"):
        return _text_draft(body, name, kind)
    if kind == "html":
        return _html_draft(body, name)
    return _document_draft(body, name)


def _text_draft(body: bytes, name: str, kind: str) -> Draft:
    from crawlers.decoding import decode_body

    text, _ = decode_body(body, None)
    return Draft(name, kind, text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))


def _html_draft(body: bytes, name: str) -> Draft:
    from crawlers.decoding import decode_body
    from crawlers.extract import parse_html, visible_text

    html, _ = decode_body(body, None)
    tree = parse_html(html)
    text = visible_text(tree) if tree is not None else ""
    return Draft(name, "html", text, html=html)


def _document_draft(body: bytes, name: str) -> Draft:
    from crawlers.documents import extract_document

    doc = extract_document(body, name)
    if not doc.readable:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext in ("docx", "xlsx", "pdf") and doc.format in ("zip", "unknown"):
            raise Unreadable(_reason(ext, "损坏"))
        raise Unreadable(_reason(doc.format, doc.unreadable_reason))
    if not doc.text.strip():
        raise Unreadable(SCANNED_PDF if doc.format == "pdf" else "文件中没有文字，无法检查")
    sheets = []
    if doc.format == "xlsx":
        sheets = [(i, line.removeprefix("工作表：")) for i, line in enumerate(doc.text.split("\n"), start=1)
                  if line.startswith("工作表：")]
    return Draft(name, doc.format, doc.text, unit="段" if doc.format == "docx" else "行", sheets=sheets,
                 truncated=doc.truncated)


def _reason(fmt: str, reason: str) -> str:
    """The extractor's reason, in the words the check command promises for the common cases."""
    if fmt == "pdf" and "扫描件" in reason:
        return SCANNED_PDF
    if fmt == "pdf" and "加密" in reason:
        return ENCRYPTED_PDF
    if "损坏" in reason or "异常" in reason:
        what = {"docx": "Word 文件", "xlsx": "Excel 文件", "pdf": "PDF 文件"}.get(fmt, "文件")
        return f"{what}已损坏（或不是有效的 .{fmt} 文件），无法读取；请用原软件重新保存后再检查"
    return reason


def check_draft(draft: Draft, ctx: OrgContext) -> list[CheckFinding]:
    """Every content detection in ``draft``, in document order, with place, basis and fix."""
    from classifier import Document, analyze

    doc = Document(text=draft.text, html=draft.html, url="", title=draft.name, kind="draft")
    return [_placed(draft, det) for det in analyze(doc, ctx) if det.category not in NOT_APPLICABLE]


def _placed(draft: Draft, det: Detection) -> CheckFinding:
    from classifier.basis import basis_for
    from orgwatch.reports.masking import mask_context

    basis = basis_for(det.category, det.rule)
    hint = str((det.detail or {}).get("href") or "")
    line, location = draft.place(det.start, det.end, hint)
    positions = (det.detail or {}).get("positions") or [[det.start, det.end]]
    lines = sorted({draft.place(s, e, hint)[0] for s, e in positions})
    return CheckFinding(detection=det, line=line, location=location, lines=lines, title=basis.title,
                        basis=det.basis or basis.basis, action=_action(det, basis.action),
                        evidence=mask_context(det.evidence))


def _action(det: Detection, action: str) -> str:
    masked = (det.detail or {}).get("masked") or []
    if masked:
        return f"遮盖后应为 {masked[0]} 这样的形式（本处）。{action}"
    return action


def check_path(path: str, ctx: OrgContext, stdin: Any = None) -> FileResult:
    """Check one file, or standard input for ``-``; an unreadable file gives ``error``, never raises."""
    result = FileResult(name="标准输入" if path == "-" else path)
    try:
        body = _read_bytes(path, stdin)
        draft = read_draft(body, "" if path == "-" else Path(path).name)
    except Unreadable as exc:
        result.error = str(exc)
        return result
    result.format, result.truncated = draft.format, draft.truncated
    result.findings = check_draft(draft, ctx)
    return result


def _read_bytes(path: str, stdin: Any) -> bytes:
    if path == "-":
        import sys

        stream = stdin if stdin is not None else sys.stdin.buffer
        return stream.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise Unreadable("文件不存在") from None
    except IsADirectoryError:
        raise Unreadable("这是一个目录，不是文件") from None
    except OSError as exc:
        raise Unreadable(f"无法读取文件：{exc.strerror}") from None


def check_record(result: FileResult, found: CheckFinding, ctx: OrgContext) -> dict[str, Any]:
    """One finding as the findings JSON contract (docs/findings-json.md) with ``path`` and ``line``
    instead of ``url``; keys about stored findings are null. Extra keys follow at the end."""
    from orgwatch.output import FINDING_KEYS

    det = found.detection
    known = {
        "org": ctx.org_id or None, "org_name": ctx.name or None, "path": result.name, "line": found.line,
        "category": det.category, "rule": det.rule, "item": det.item, "severity": det.severity.value,
        "evidence": found.evidence, "basis": found.basis,
    }
    record: dict[str, Any] = {}
    for key in FINDING_KEYS:
        if key == "url":
            record["path"], record["line"] = known["path"], known["line"]
        else:
            record[key] = known.get(key)
    record.update(location=found.location, lines=found.lines, count=(det.detail or {}).get("count", 1),
                  title=found.title, action=found.action, format=result.format)
    return record
