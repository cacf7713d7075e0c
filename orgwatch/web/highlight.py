"""Show a stored snapshot safely: reduce its decoded HTML to text (no markup, no scripts), mask personal
numbers, and mark the finding's evidence in it with <mark>. Pure functions, no database."""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markupsafe import Markup, escape

from classifier.evidence import MARK_CLOSE, MARK_OPEN, mask_personal

#: elements whose content a reader never sees as text
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "object", "iframe")
#: elements that start a new line of text
_BLOCKS = frozenset((
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
    "header", "footer", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "title", "form", "nav",
))
_ELLIPSIS = "…"
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_TAG = re.compile(r"<[^>]*>")
#: the shortest piece of evidence worth looking for on its own
_MIN_PIECE = 4


@dataclass(frozen=True)
class Highlighted:
    """The snapshot's text as safe HTML with the evidence marked; ``found`` says whether it was located."""

    html: Markup
    found: bool


def html_to_text(html: str) -> str:
    """The visible text of an HTML document, one line per block; scripts, styles and tags dropped."""
    if not html.strip():
        return ""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    parts: list[str] = []
    _walk(tree, parts)
    lines = (line.strip() for line in _SPACES.sub(" ", "".join(parts)).split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def _walk(node, parts: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _INVISIBLE or not tag:
        if node.tail:
            parts.append(node.tail)
        return
    block = tag in _BLOCKS
    if block:
        parts.append("\n")
    if node.text:
        parts.append(node.text)
    for child in node:
        _walk(child, parts)
    if block:
        parts.append("\n")
    elif tag in ("td", "th"):
        parts.append(" ")
    if node.tail:
        parts.append(node.tail)


def is_textual(content_type: str, text: str) -> bool:
    """Whether a snapshot is a page (HTML, XML, plain text) rather than a binary attachment
    (PDF, Word, Excel, images), which cannot be shown as text here."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind:
        return kind.startswith("text/") or kind.endswith(("+xml", "/xml", "/json"))
    return "\x00" not in text[:4096] and text[:4096].count("\ufffd") < 8


def snapshot_text(raw_text: str, content_type: str = "text/html") -> str | None:
    """What a reviewer may see of a snapshot: its text (HTML reduced to text), personal numbers
    masked; None for a binary attachment."""
    if not is_textual(content_type, raw_text):
        return None
    kind = (content_type or "").lower()
    looks_html = "html" in kind or "xml" in kind or raw_text.lstrip()[:1] == "<"
    text = html_to_text(raw_text) if looks_html else raw_text
    return mask_personal(text)


def _char_pattern(char: str) -> str:
    if char == "*":
        return r"[^\s]"  # a masked character: any digit, letter or star
    if char in (MARK_OPEN, MARK_CLOSE):
        return re.escape(char) + "?"  # the detector's own marks; a page may also use them itself
    return re.escape(char)


def evidence_pattern(evidence: str) -> re.Pattern | None:
    """A pattern for the evidence inside the page text, whatever the whitespace and masking.

    The detector folded whitespace, put the hit between 【】 and masked personal numbers with
    ``*``; so whitespace may be anything (or nothing, where tags were), ``*`` stands for any
    character and the marks are optional.
    """
    chars = [c for c in evidence.strip().strip(_ELLIPSIS) if not c.isspace()]
    if len([c for c in chars if c not in (MARK_OPEN, MARK_CLOSE)]) < 2:
        return None
    return re.compile(r"\s*".join(_char_pattern(c) for c in chars))


def _pieces(evidence: str) -> list[str]:
    """The evidence first as a whole, then its hit (between the marks; without markup), then the
    longer of the words before and after it."""
    pieces = [evidence]
    if MARK_OPEN in evidence and MARK_CLOSE in evidence:
        start, end = evidence.index(MARK_OPEN), evidence.rindex(MARK_CLOSE)
        hit = evidence[start + 1:end]
        pieces.append(hit)
        if "<" in hit:  # a link's markup (hidden links): look for the words it shows
            pieces.append(_TAG.sub(" ", hit))
        pieces.extend(sorted((evidence[:start], evidence[end + 1:]), key=len, reverse=True))
    return [p for p in pieces if len(p.strip().strip(_ELLIPSIS)) >= _MIN_PIECE or p is evidence]


def locate(text: str, evidence: str) -> list[tuple[int, int]]:
    """Where the evidence stands in ``text`` (every occurrence), trying smaller pieces if needed."""
    for piece in _pieces(evidence):
        pattern = evidence_pattern(piece)
        if pattern is None:
            continue
        spans = [span for span in map(_trimmed(text), pattern.finditer(text)) if span[1] > span[0]]
        if spans:
            return spans
    return []


def _trimmed(text: str):
    """A match's span without the whitespace an optional mark let it take at either end."""
    def trim(match: re.Match) -> tuple[int, int]:
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    return trim


def highlight(text: str, evidence: str, around: int | None = None) -> Highlighted:
    """``text`` escaped, with each occurrence of the evidence wrapped in <mark>; the first one has
    ``id="evidence"`` so a link can jump to it. With ``around``, only that many characters either
    side of the first occurrence are kept (cut ends shown as …)."""
    spans = locate(text, evidence)
    if around is not None and spans:
        lo, hi = max(0, spans[0][0] - around), min(len(text), spans[0][1] + around)
        spans = [(a - lo, b - lo) for a, b in spans if a >= lo and b <= hi]
        text = ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")
        if lo:
            spans = [(a + 1, b + 1) for a, b in spans]
    out, pos = [], 0
    for n, (start, end) in enumerate(spans):
        out.append(escape(text[pos:start]))
        attr = Markup(' id="evidence"') if n == 0 else Markup("")
        out.append(Markup("<mark{}>{}</mark>").format(attr, text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Highlighted(html=Markup("").join(out), found=bool(spans))
