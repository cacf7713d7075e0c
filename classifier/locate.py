"""Where a finding sits in a page's HTML: a CSS selector path and a source line.

Both functions take the raw HTML (parsed once and cached by :func:`parse`) or a tree
already parsed with :func:`parse`. The cached tree is shared: callers must not modify it.
"""
from __future__ import annotations

import bisect
import functools
import re

import lxml.html
from lxml import etree

_PARSER = lxml.html.HTMLParser(huge_tree=True)  # deep nesting of unclosed tags is common
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WS = re.compile(r"\s+")
_NON_SPACE = re.compile(r"\S+")
#: Elements whose text is never shown, so never the place of a finding.
_UNSHOWN = frozenset({"head", "script", "style", "noscript", "template", "title"})
_IDENT = re.compile(r"-?[_a-zA-Z][_a-zA-Z0-9-]*")
_CACHE_SIZE = 8  # pages analysed at once by one worker; each tree holds a page in memory


@functools.lru_cache(maxsize=_CACHE_SIZE)
def parse(html: str) -> etree._Element | None:
    """The lxml tree of ``html`` (lenient; None when there is nothing to parse), cached per string."""
    html = _XML_DECLARATION.sub(lambda m: "\n" * m.group().count("\n"), html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _tree(html_or_tree: str | etree._Element | None) -> etree._Element | None:
    if html_or_tree is None or isinstance(html_or_tree, etree._Element):
        return html_or_tree
    return parse(html_or_tree)


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


class _ShownText:
    """The shown text under one element, and the span of every element in it.

    Built in one iterative pass (pages nest unclosed tags thousands deep), in O(size) memory.
    """

    def __init__(self, root: etree._Element) -> None:
        parts: list[str] = []
        self.spans: dict = {}
        pos = 0
        stack: list[tuple[etree._Element, bool]] = [(root, False)]
        while stack:
            el, closing = stack.pop()
            if closing:
                self.spans[el] = (self.spans[el], pos)
                if el is not root and el.tail:
                    parts.append(el.tail)
                    pos += len(el.tail)
                continue
            if not isinstance(el.tag, str) or el.tag in _UNSHOWN:
                if el.tail:
                    parts.append(el.tail)
                    pos += len(el.tail)
                continue
            self.spans[el] = pos
            parts.append(el.text or "")
            pos += len(el.text or "")
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self.text = "".join(parts)
        self._runs = list(_NON_SPACE.finditer(self.text))
        self._compact = "".join(m.group() for m in self._runs)
        self._starts = []  # where each run of non-space characters starts in the compact text
        total = 0
        for m in self._runs:
            self._starts.append(total)
            total += m.end() - m.start()

    def find(self, needle: str) -> tuple[int, int] | None:
        """The span of the first occurrence of ``needle``, whitespace ignored on both sides
        (cells joined by a space in the extracted text may touch in the markup)."""
        compact_needle = _WS.sub("", needle)
        at = self._compact.find(compact_needle)
        if not compact_needle or at < 0:
            return None
        runs, starts = self._runs, self._starts
        last_char = at + len(compact_needle) - 1
        first, last = bisect.bisect_right(starts, at) - 1, bisect.bisect_right(starts, last_char) - 1
        return runs[first].start() + at - starts[first], runs[last].start() + last_char - starts[last] + 1


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _shown_text(root: etree._Element) -> _ShownText:
    """The shown text of ``root``, kept for the next lookup in the same page."""
    return _ShownText(root)


def find_element(html_or_tree: str | etree._Element | None, needle: str) -> etree._Element | None:
    """The deepest shown element whose text contains ``needle`` (its first occurrence)."""
    tree = _tree(html_or_tree)
    if tree is None or not (needle or "").strip():
        return None
    body = tree.find("body")
    shown = _shown_text(body if body is not None else tree)
    span = shown.find(needle)
    if span is None:
        return None
    node = body if body is not None else tree
    while True:
        for child in node:
            inner = shown.spans.get(child)
            if inner is not None and inner[0] <= span[0] and span[1] <= inner[1]:
                node = child
                break
        else:
            return node


def _step(el: etree._Element) -> str:
    """One step of the path: tag, #id or .classes, and :nth-of-type when that is not unique."""
    tag = el.tag.lower()
    ident = el.get("id", "").strip()
    if ident and _IDENT.fullmatch(ident):
        return f"{tag}#{ident}"
    classes = [c for c in (el.get("class") or "").split() if _IDENT.fullmatch(c)]
    step = tag + "".join(f".{c}" for c in classes)
    parent = el.getparent()
    if parent is not None:
        same = [s for s in parent if isinstance(s.tag, str) and s.tag.lower() == tag]
        alike = [s for s in same if set(classes) <= set((s.get("class") or "").split())]
        if len(alike) > 1:
            step += f":nth-of-type({same.index(el) + 1})"
    return step


def selector_for(html_or_tree: str | etree._Element | None, needle: str) -> str | None:
    """The CSS selector path from ``body`` to the deepest element whose text contains ``needle``.

    Like ``body > div#main > table.list > tr:nth-of-type(3) > td:nth-of-type(2)``: the
    structure lxml read (no ``tbody`` is added where the markup has none). None when the
    needle is not in the page's shown text.
    """
    el = find_element(html_or_tree, needle)
    if el is None:
        return None
    steps = []
    while el is not None and el.tag != "html":
        steps.append(_step(el))
        if el.tag == "body":
            break
        el = el.getparent()
    return " > ".join(reversed(steps))


def line_in_html(html: str, needle: str) -> int | None:
    """The 1-based source line of ``needle`` in ``html``: where it is written inside its element,
    else the line of the element's start tag; None when it is not in the shown text."""
    el = find_element(html, needle)
    if el is None:
        return None
    first = el.sourceline or 1
    offset = 0
    for _ in range(first - 1):
        offset = html.find("\n", offset) + 1
    at = html.find(_squash(needle), offset)
    return html.count("\n", 0, at) + 1 if at >= 0 else first
