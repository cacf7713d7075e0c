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


_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z*])(\d{17}[\dXx]|\d{15,19})(?![0-9A-Za-z*])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z*])(1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z*])")


def mask_personal(text: str) -> str:
    """Mask every ID-, card- and mobile-like number in an evidence snippet.

    Detectors mask what they report; this also masks what merely stands next to a hit
    (a secret mark above a list of IDs), so no evidence ever carries personal numbers.
    """
    def long_number(m: re.Match) -> str:
        value = m.group(1)
        return mask_digits(value, 6, 4) if len(value) in (15, 18) else mask_digits(value, 4, 4)

    text = _LONG_NUMBER.sub(long_number, text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
