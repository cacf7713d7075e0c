"""Split a page into passages, the unit the model scores: paragraphs and lines, tiny lines
merged, long ones cut into overlapping windows. Offsets always point into the original text.
"""
from __future__ import annotations

import re
from typing import NamedTuple

#: A line shorter than this is merged with its neighbours (menus, titles, captions).
MIN_CHARS = 40
#: No passage is longer than this; longer paragraphs are cut into windows.
MAX_CHARS = 300
#: Consecutive windows of one long paragraph share this many characters.
OVERLAP = 60

#: A line without its surrounding spaces: group 1 runs from its first to its last non-space.
_LINE = re.compile(r"[^\S\n]*(\S(?:[^\n]*\S)?)")
_SENTENCE_END = re.compile(r"[。！？!?；;…]")


class Passage(NamedTuple):
    """``text[start:end]`` of the page it came from."""

    start: int
    end: int
    text: str


def _line_spans(text: str) -> list[tuple[int, int]]:
    return [m.span(1) for m in _LINE.finditer(text)]


def _blocks(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge a short line with its neighbour while the block stays within ``MAX_CHARS``."""
    blocks: list[tuple[int, int]] = []
    for start, end in spans:
        if blocks:
            b_start, b_end = blocks[-1]
            short = (b_end - b_start) < MIN_CHARS or (end - start) < MIN_CHARS
            if short and end - b_start <= MAX_CHARS:
                blocks[-1] = (b_start, end)
                continue
        blocks.append((start, end))
    return blocks


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into windows of at most ``MAX_CHARS``, ending at a sentence end when one is near."""
    out = []
    while end - start > MAX_CHARS:
        stop = start + MAX_CHARS
        tail = text[stop - MAX_CHARS // 3:stop]
        ends = [m.end() for m in _SENTENCE_END.finditer(tail)]
        if ends:
            stop = stop - MAX_CHARS // 3 + ends[-1]
        out.append((start, stop))
        start = max(stop - OVERLAP, start + 1)
        while start < end and text[start].isspace():
            start += 1
    out.append((start, end))
    return out


def passages(text: str) -> list[Passage]:
    """The passages of ``text`` in order; an empty or blank text has none."""
    out = []
    for b_start, b_end in _blocks(_line_spans(text)):
        for start, end in _windows(text, b_start, b_end):
            out.append(Passage(start, end, text[start:end]))
    return out
