"""Text normalisation for phrase matching, with a map back to the original offsets.

Traditional to simplified (OpenCC t2s), full-width to half-width, Latin to lower case, and
the characters spammers put between words dropped (賭*博, 身.份.證, 博 彩, 百^家^乐, zero-width
characters), so that one pattern matches every spelling and evidence still marks the original.
"""
from __future__ import annotations

import bisect
import functools
import re
import threading
from dataclasses import dataclass

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
#: Invisible characters: dropped wherever they are.
_ZW = r"\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
#: Whitespace that may split words (newlines are kept: they end paragraphs).
_WS = r" \t\u00a0\u3000"
#: Symbols that may split CJK characters (after the half-width mapping), and the radicals
#: 丨 and 丶 used as separators. Sentence and clause punctuation (，。、；：！？ and their ASCII
#: forms, brackets, quotes) is kept.
_SEP_BMP = _WS + r"*.\-_^~|/\\+#@=`'\u4e28\u4e36\u00b7\u2022\u2027\u30fb\u2010-\u2015\u2190-\u21ff\u2500-\u27bf"
_SEP = _SEP_BMP + r"\U0001f300-\U0001faff"
#: A run of separators or invisible characters: a candidate for dropping (see _drops). Texts
#: without emoji (nearly all) use the faster pattern with no characters beyond U+FFFF.
_RUN = re.compile(rf"[{_SEP}{_ZW}]+")
_RUN_BMP = re.compile(rf"[{_SEP_BMP}{_ZW}]+")
_ZW_CHAR = re.compile(rf"[{_ZW}]")
_SPACE_RUN = re.compile(rf"[{_WS}{_ZW}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_MAX_CJK_GAP, _MAX_MIXED_GAP, _MAX_LETTER_GAP = 4, 3, 2

#: Full-width ASCII to half-width, ideographic and no-break spaces to a space, A-Z to a-z.
_WIDTH_CASE = str.maketrans(
    {"\u3000": " ", "\u00a0": " "}
    | {chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)}
    | {chr(0xFF21 + i): chr(0x61 + i) for i in range(26)}
    | {chr(0x41 + i): chr(0x61 + i) for i in range(26)}
)
#: Full-width forms found on nearly every Chinese page, replaced first by one C-level pass each.
_COMMON_WIDE = "，：；（）！？\u3000"


class CharMap:
    """A one-for-one character mapping, many times faster on Chinese pages than ``str.translate``
    (which looks every character up in a dict): one ``str.replace`` per common character, then
    one per other mapped character the text holds. No result may itself be a mapped character."""

    def __init__(self, table: dict[int, str], common: str = _COMMON_WIDE) -> None:
        self._table = {chr(k): v for k, v in table.items()}
        self._common = [(c, self._table[c]) for c in common if c in self._table]
        rest = sorted(set(self._table) - set(common))
        self._rest = re.compile("[" + "".join(map(re.escape, rest)) + "]")

    def __call__(self, text: str) -> str:
        for char, to in self._common:
            text = text.replace(char, to)
        for char in set(self._rest.findall(text)):
            text = text.replace(char, self._table[char])
        return text


_NARROW = CharMap({0xFF01 + i: chr(0x21 + i) for i in range(0x5E)})  # full-width ASCII forms, case kept
#: The mapping step of :func:`normalise`: full-width ASCII to ASCII, Latin letters to lower case,
#: ideographic and no-break spaces to spaces, one character for one.
fold_width_case = CharMap(_WIDTH_CASE)


def narrow(text: str) -> str:
    """``text`` with full-width ASCII forms (０-９, Ａ-Ｚ, ａ-ｚ, ：，（ …) as ASCII, one character for
    one, so that offsets in the result are offsets in ``text``; case, spaces and everything else kept."""
    return _NARROW(text)


_lock = threading.Lock()
_converter = None


def _t2s():
    """The OpenCC traditional-to-simplified converter, built once per process."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


@functools.lru_cache(maxsize=4096)
def _t2s_char(char: str) -> str:
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, one character for one (offsets are kept)."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(map(_t2s_char, text))  # a phrase rule changed the length: go char by char


@dataclass(frozen=True)
class Normalised:
    """Normalised text and, for each of its characters, the offset in the original.

    ``to_original`` is shared between callers (results are cached): do not modify it.
    """

    text: str
    to_original: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``, separators between its characters included."""
        if end <= start:
            at = self.to_original[start] if start < len(self.to_original) else self._end()
            return at, at
        return self.to_original[start], self.to_original[end - 1] + 1

    def _end(self) -> int:
        return self.to_original[-1] + 1 if self.to_original else 0


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or bool(_CJK_CHAR.match(char))  # the common block first


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _drops_whole(text: str, start: int, end: int) -> bool:
    """Whether the separator run ``text[start:end]`` splits a word: 賭*博, 博 彩, pc 蛋蛋, s f."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    cjk_before, cjk_after = _is_cjk(before), _is_cjk(after)
    if cjk_before and cjk_after:
        return end - start <= _MAX_CJK_GAP
    spaces = bool(_SPACE_RUN.fullmatch(text, start, end))
    if (cjk_before and _alnum(after)) or (_alnum(before) and cjk_after):
        return spaces and end - start <= _MAX_MIXED_GAP
    if _alnum(before) and _alnum(after) and spaces and end - start <= _MAX_LETTER_GAP:
        lone_before = start < 2 or not _alnum(text[start - 2])
        lone_after = end + 1 >= len(text) or not _alnum(text[end + 1])
        return lone_before and lone_after  # letter-spaced: s f 传奇, b o c a i
    return False


def _drops(text: str):
    """Spans to drop: whole separator runs that split words, and invisible characters anywhere."""
    bmp_only = len(text.encode("utf-16-le")) == 2 * len(text)
    for m in (_RUN_BMP if bmp_only else _RUN).finditer(text):
        if _drops_whole(text, *m.span()):
            yield m.span()
        else:
            yield from (z.span() for z in _ZW_CHAR.finditer(text, *m.span()))


@functools.lru_cache(maxsize=16)
def normalise(text: str) -> Normalised:
    """Normalise ``text`` for matching; cached, since every detector asks for the same page."""
    mapped = fold_width_case(to_simplified(text))
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    for start, end in _drops(mapped):
        if start > pos:
            pieces.append(mapped[pos:start])
            offsets.extend(range(pos, start))
        pos = max(pos, end)
    if not pieces and pos == 0:
        return Normalised(mapped, list(range(len(mapped))))
    pieces.append(mapped[pos:])
    offsets.extend(range(pos, len(mapped)))
    return Normalised("".join(pieces), offsets)


def normalise_phrase(phrase: str) -> str:
    """A pattern normalised the same way as the text it is matched against."""
    return normalise(phrase.strip()).text


_SENTENCE_END = re.compile(r"[。!?\n]")
_CLAUSE_END = re.compile(r"[。!?\n;:、]|,(?!\d)|(?<!\d),")  # 2,380 is one number
_NEWLINE = re.compile("\n")
_TEXT_LINE = re.compile(r"[^\S\n]*\S[^\n]*")  # a line with something besides whitespace, whole


class Layout:
    """Sentence, clause and line boundaries of a normalised text, for context windows (found on first use)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def _sentences(self) -> list[int]:
        return [m.start() for m in _SENTENCE_END.finditer(self.text)]

    @functools.cached_property
    def _clauses(self) -> list[int]:
        return [m.start() for m in _CLAUSE_END.finditer(self.text)]

    @functools.cached_property
    def _lines(self) -> list[int]:
        return [m.start() for m in _NEWLINE.finditer(self.text)]

    def _around(self, cuts: list[int], pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(cuts, pos)
        return (cuts[k - 1] + 1 if k else 0), (cuts[k] if k < len(cuts) else len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        """The span of the sentence holding ``pos`` (ends at 。!? or a newline)."""
        return self._around(self._sentences, pos)

    def clause(self, pos: int) -> tuple[int, int]:
        """The span of the clause holding ``pos`` (also ends at commas, colons and 、)."""
        return self._around(self._clauses, pos)

    def paragraph(self, pos: int) -> tuple[int, int]:
        """The span of the line holding ``pos``."""
        return self._around(self._lines, pos)

    def paragraphs(self) -> list[tuple[int, int]]:
        """Every non-empty line's span (shared between callers: do not modify the list)."""
        return self._paragraphs

    @functools.cached_property
    def _paragraphs(self) -> list[tuple[int, int]]:
        return [m.span() for m in _TEXT_LINE.finditer(self.text)]

    def lines_before(self, pos: int, count: int) -> list[str]:
        """The ``count`` non-empty lines before the line holding ``pos``."""
        start = self.paragraph(pos)[0]
        k = bisect.bisect_left(self._lines, start)
        found: list[str] = []
        while k > 0 and len(found) < count:
            k -= 1
            begin = self._lines[k - 1] + 1 if k else 0
            line = self.text[begin:self._lines[k]]
            if line.strip():
                found.append(line)
        return found[::-1]

    def head(self, lines: int = 3) -> str:
        """The first non-empty lines: where an article says what it is."""
        found: list[str] = []
        for line in _NEWLINE.split(self.text, maxsplit=lines * 4):
            if line.strip():
                found.append(line)
                if len(found) == lines:
                    break
        return "\n".join(found)
