"""Evidence snippets: the words around a hit, the hit marked, personal data masked."""
from __future__ import annotations

import re

MARK_OPEN, MARK_CLOSE = "【", "】"
_WS = re.compile(r"\s+")


def mask_digits(value: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """Mask the middle of an identifier the way public lists should: 500114********1234."""
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[len(value) - keep_tail:]


def snippet(text: str, start: int, end: int, *, width: int = 30, shown: str | None = None) -> str:
    """The text around ``text[start:end]`` with the hit between 【】 and whitespace folded.

    ``shown`` replaces the hit itself (a masked form of personal data).
    """
    hit = text[start:end] if shown is None else shown
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    head = "…" if start > width else ""
    tail = "…" if end + width < len(text) else ""
    return (
        head
        + _WS.sub(" ", before).lstrip()
        + MARK_OPEN
        + _WS.sub(" ", hit)
        + MARK_CLOSE
        + _WS.sub(" ", after).rstrip()
        + tail
    )


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1
