"""Confidentiality markings on published content: state-secret marks and internal-circulation marks.

Marks only: prose about secrecy (保守国家秘密, 商业秘密, 机密性) never fires.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import ClassVar, Iterable, Iterator

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.evidence import line_of, snippet
from classifier.registry import register
from classifier.textnorm import CharMap

#: The traditional characters of the marks to their simplified forms, one for one, so that
#: offsets in the normalised text are offsets in the original (full-width forms: ``Document.narrow``).
_SIMPLIFIED = CharMap(str.maketrans(dict(zip("絕機長個內資請傳嚴讀參閱級", "绝机长个内资请传严读参阅级"))), common="")

_SP = r"[ \t\u3000\u00a0]"  # spaces inside a mark (机 密 ★ 5 年), never a newline
_LEVEL = rf"(?:绝|机|秘){_SP}{{0,2}}密"
_PERIOD = rf"(?:(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}}){_SP}{{0,2}}(?:年|个月)|长{_SP}{{0,2}}期)"
_STRONG_STARS = "★☆"
_OPEN_QUOTES = "“‘「『\"'《〈"
_CLOSE_QUOTES = "”’」』\"'》〉"

#: 机密★5年, 绝密★长期, 秘密☆, 机 密 ★ 5 年, 秘密＊1年.
_STAR_MARK = re.compile(
    rf"(?P<level>{_LEVEL}){_SP}{{0,3}}(?P<star>[★☆＊*])(?:{_SP}{{0,3}}(?P<period>{_PERIOD}))?"
)
#: 密级：机密  保密期限：5年 on one line (forms and covers).
_FIELD_MARK = re.compile(
    rf"密{_SP}*级{_SP}*[:：]{_SP}*(?P<level>{_LEVEL}){_SP}*[,，;；]?{_SP}*"
    rf"(?:保密)?期{_SP}*限{_SP}*[:：]?{_SP}*(?P<period>{_PERIOD})"
)
#: A header line holding only a level (机密, 密级：秘密) and the 期限 line under it.
_BARE_LEVEL_LINE = re.compile(rf"(?:密{_SP}*级{_SP}*[:：]{_SP}*)?(?P<level>{_LEVEL})")
_PERIOD_LINE = re.compile(rf"(?:保密)?期{_SP}*限{_SP}*[:：]?{_SP}*(?P<period>{_PERIOD}){_SP}*$")
_HEADER_LINES = 5  # the bare-level form counts only among the first non-empty lines
_PERIOD_LOOKAHEAD = 2  # ... with its 期限 line among the next non-empty lines
_EXAMPLE_BEFORE = re.compile(r"(?:例如|比如|如)[:：]?$")  # 如：机密★5年 (an example, not a mark)

_INT_HEAD = r"内部(?:资料|文件|刊物|材料|读物|参考资料|交流资料)"
_INT_TAIL = (
    r"(?:注意保存|妥善保存|注意保密|请勿外传|严禁外传|不得外传|禁止外传|请勿翻印|不得翻印"
    r"|请勿转载|免费交流|仅供内部交流|仅供内部使用|内部交流)"
)
#: 内部资料 注意保存, 内部资料，注意保存, 内部文件 请勿外传, 内部资料 免费交流.
_INT_PHRASE = re.compile(
    rf"(?P<head>{_INT_HEAD})[\s,，、·•.。:：;；!！/|]{{0,4}}(?P<tail>{_INT_TAIL})"
)
#: A line that is only the mark, possibly in brackets: 内部资料, 【内部资料】.
_INT_ALONE = re.compile(rf"[\[【（(〔“\"]?(?P<head>{_INT_HEAD})[\]】）)〕”\"]?")
#: The mark in brackets inside a line: 协会通讯（内部刊物）.
_INT_BRACKETED = re.compile(rf"[【（(〔\[](?P<head>{_INT_HEAD})[】）)〕\]]")
_MENU_ITEM = re.compile(r"[\u4e00-\u9fff]{1,6}")
_SPACES = re.compile(r"\s+")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class _Mark:
    rule: str
    start: int
    end: int
    key: str
    form: str


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-empty lines as (offset of first non-space character, stripped line)."""
    for m in _LINE.finditer(text):
        stripped = m.group().strip()
        if stripped:
            yield m.start() + m.group().index(stripped[0]), stripped


def _squash(value: str) -> str:
    return _SPACES.sub("", value)


def _level_key(level: str, star: bool, period: str | None) -> str:
    key = _squash(level) + ("★" if star or period else "")
    return key + _squash(period) if period else key


def _quoted(norm: str, start: int, end: int) -> bool:
    """True if the mark is quoted or given as an example (标注“机密★5年”字样, 如：机密★5年)."""
    before = norm[max(0, start - 3):start]
    if (before and before[-1] in _OPEN_QUOTES) or (end < len(norm) and norm[end] in _CLOSE_QUOTES):
        return True
    return bool(_EXAMPLE_BEFORE.search(before))


def _alone_after(norm: str, end: int) -> bool:
    """True if the line ends at ``end`` or continues after a space (机密★ 特急)."""
    return end >= len(norm) or norm[end] in "\r\n" or bool(re.match(_SP, norm[end]))


def _star_marks(norm: str) -> Iterator[_Mark]:
    for m in _STAR_MARK.finditer(norm):
        start, end, period = m.start(), m.end(), m.group("period")
        if _quoted(norm, start, end) or (start and norm[start - 1] in "*＊★☆"):
            continue  # an example, or decoration such as **机密** or ★★机密★
        if period is None:
            # No period: a strong star, the mark opening its line and nothing glued
            # after it. Rejects 秘密★花园, 成功的秘密★★★, 绝密★启用前 (exam papers).
            line_start = norm.rfind("\n", 0, start) + 1
            if (m.group("star") not in _STRONG_STARS or norm[line_start:start].strip()
                    or not _alone_after(norm, end)):
                continue
        yield _Mark("level_mark", start, end, _level_key(m.group("level"), True, period), "star")


def _field_marks(norm: str) -> Iterator[_Mark]:
    for m in _FIELD_MARK.finditer(norm):
        key = _level_key(m.group("level"), False, m.group("period"))
        yield _Mark("level_mark", m.start(), m.end(), key, "field")


def _header_marks(norm: str) -> Iterator[_Mark]:
    """A bare level line among the first lines, with a 保密期限 line right under it."""
    lines = list(itertools.islice(_lines(norm), _HEADER_LINES + _PERIOD_LOOKAHEAD))
    for k, (offset, line) in enumerate(lines[:_HEADER_LINES]):
        level = _BARE_LEVEL_LINE.fullmatch(line)
        if not level:
            continue
        for _, below in lines[k + 1:k + 1 + _PERIOD_LOOKAHEAD]:
            period = _PERIOD_LINE.match(below)
            if period:
                key = _level_key(level.group("level"), False, period.group("period"))
                yield _Mark("level_mark", offset, offset + len(line), key, "header")
                return


def _is_menu(lines: list[tuple[int, str]], k: int) -> bool:
    """True if 3 of the 4 lines around line ``k`` are short bare words, as in a site menu."""
    around = lines[max(0, k - 2):k] + lines[k + 1:k + 3]
    return sum(1 for _, line in around if _MENU_ITEM.fullmatch(line)) >= 3


def _internal_marks(norm: str) -> Iterator[_Mark]:
    for m in _INT_PHRASE.finditer(norm):
        key = f"{m.group('head')} {m.group('tail')}"
        yield _Mark("internal_mark", m.start(), m.end(), key, "phrase")
    lines = list(_lines(norm))
    for k, (offset, line) in enumerate(lines):
        m = _INT_ALONE.fullmatch(line)
        if m and not _is_menu(lines, k):
            yield _Mark("internal_mark", offset, offset + len(line), m.group("head"), "line")
    for m in _INT_BRACKETED.finditer(norm):
        yield _Mark("internal_mark", m.start(), m.end(), m.group("head"), "bracketed")


def _marks(norm: str) -> list[_Mark]:
    """Every mark once: overlapping finds keep the first found, then one per key."""
    kept: list[_Mark] = []
    keys: set[str] = set()
    finders = ((_star_marks, _field_marks, _header_marks) if "密" in norm else ()) + (
        (_internal_marks,) if "内部" in norm else ())  # every level mark holds 密, every internal one 内部
    for finder in finders:
        for mark in finder(norm):
            overlaps = any(mark.start < k.end and k.start < mark.end for k in kept)
            if not overlaps and mark.key not in keys:
                kept.append(mark)
                keys.add(mark.key)
    return sorted(kept, key=lambda mk: mk.start)


@register
class SecretMarkDetector:
    """State-secret marks (机密★5年, 绝密★长期, 秘密 over 保密期限) and internal-circulation marks (内部资料 注意保存)."""

    name = "secret_mark"
    kind: ClassVar[str] = "secret_mark"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        norm = _SIMPLIFIED(doc.narrow)
        return [
            Detection(
                category=self.kind,
                rule=mark.rule,
                severity=Severity.HIGH if mark.rule == "level_mark" else Severity.LOW,
                evidence=snippet(text, mark.start, mark.end),
                start=mark.start,
                end=mark.end,
                key=mark.key,
                detail={"form": mark.form, "line": line_of(text, mark.start)},
            )
            for mark in _marks(norm)
        ]
