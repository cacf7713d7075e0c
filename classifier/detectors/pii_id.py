"""Unmasked PRC resident ID numbers (GB 11643-1999) in a document's visible text.

One finding per document; the evidence and the detail carry only masked numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable, Iterator

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.codes import is_plausible_legacy_ric, is_valid_ric, is_valid_uscc
from classifier.evidence import mask_digits, snippet
from classifier.registry import register

#: A maximal run of ASCII letters and digits: an ID must be one whole run, or whole runs
#: split only by _GAP, never part of a longer run (order numbers, phone+ID, bank cards).
_TOKEN = re.compile(r"[0-9A-Za-z]+")
#: What may split a number: whitespace (table cells, spaced groups), zero-width
#: characters and hyphens (see _grouping_ok). Masking characters (*, ＊, ●, x) are not.
_GAP = re.compile(r"[\s\u200b-\u200d\ufeff\-\u2010-\u2013]{1,12}")
_HYPHEN = re.compile(r"[-\u2010-\u2013]")
_WHITESPACE = re.compile(r"[\s\u200b-\u200d\ufeff]")
#: The usual groupings, accepted with any separator.
_GROUPS = frozenset({(6, 8, 4), (6, 4, 4, 4)})
_MIN_WRAP = 5  # narrowest column width at which a wrapped number is still read
_PIECE = re.compile(r"[0-9]+[Xx]?|[Xx]")
#: Every ID starts with 14 digits, in one token or split by _GAP: pages without such a run are skipped.
_HINT = re.compile(r"\d(?:[\s\u200b-\u200d\ufeff\-\u2010-\u2013]{0,12}\d){13}")

#: Labels that say what the number right after them is (身份证号码, 统一社会信用代码,
#: 订单编号, 交易流水号, 银行卡号). A valid ID right after an order, transaction, card or
#: account label is not reported: such numbers rarely pass the ID checks by chance (most
#: start with a year, and "20" is no province), so the label is the better witness. A bare
#: "编号" is not such a label: member and certificate numbers are often the ID itself.
_LABEL = re.compile(
    r"(?:(?P<id>身份证|身份号码|证件)"
    r"|(?P<uscc>信用代码|统一代码|机构代码|登记证书?号|识别号|税号|注册号)"
    r"|(?P<other>订单|单号|流水|交易|凭证|票据|发票|合同|序列号|批次|商户|卡号|账号|帐号))"
    r"(?:号码|编号|号)?"
)
#: What may stand between a label and its number: a colon, spaces, 为/是; no newline,
#: so that a table header (姓名 身份证号码 银行卡号) does not label the next row.
_LABEL_GLUE = re.compile(r"[ \t\u3000\u00a0:：#＃=]*(?:为|是)?[ \t\u3000\u00a0:：#＃=]*")
_LABEL_WINDOW = 20
#: Words that make a 15-digit (pre-1999) number an ID; looked for this far before it.
_ID_WORDS = re.compile(r"身份证|证件号|身份号码")
_LEGACY_WINDOW = 150


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    number: str  # compact, upper case

    @property
    def masked(self) -> str:
        return mask_digits(self.number, 6, 4)


def _chunks(norm: str) -> Iterator[list[re.Match]]:
    """Runs of alphanumeric tokens that only _GAP characters separate."""
    chunk: list[re.Match] = []
    for tok in _TOKEN.finditer(norm):
        if chunk and not _GAP.fullmatch(norm, chunk[-1].end(), tok.start()):
            yield chunk
            chunk = []
        chunk.append(tok)
    if chunk:
        yield chunk


def _hyphen_joined(norm: str, start: int, end: int) -> bool:
    """True if the gap ``norm[start:end]`` joins two tokens by a hyphen and no space."""
    gap = norm[start:end]
    return bool(_HYPHEN.search(gap)) and not _WHITESPACE.search(gap)


def _grouping_ok(sizes: tuple[int, ...], gaps: list[str]) -> bool:
    """Whether pieces of these sizes, split by these gaps, may be one number.

    Any split that merely recombines to a valid ID is not enough: rows of year, month,
    day and small counts in table cells do so about once in 2,000 rows. So only: the
    usual groupings (6-8-4, 6-4-4-4); one character per box (登记表); two pieces (a
    stray space, or a cell wrapped once); or a cell wrapped at a fixed width (7-7-4).
    """
    if sizes in _GROUPS:
        return True
    if any(_HYPHEN.search(g) for g in gaps):
        return False
    if len(sizes) == 2 or all(size == 1 for size in sizes):
        return True
    width = sizes[0]
    return (width >= _MIN_WRAP and all(size == width for size in sizes[:-1])
            and sizes[-1] <= width and all("\n" in g for g in gaps))


def _combo_ok(norm: str, chunk: list[re.Match], i: int, j: int) -> bool:
    """Whether tokens i..j (inclusive) of a chunk may be read as one split number."""
    pieces = chunk[i:j + 1]
    if any(not _PIECE.fullmatch(p.group()) for p in pieces):
        return False
    if any("X" in p.group().upper() for p in pieces[:-1]):
        return False
    gaps = [norm[a.end():b.start()] for a, b in zip(pieces, pieces[1:])]
    if not _grouping_ok(tuple(len(p.group()) for p in pieces), gaps):
        return False
    if i > 0 and _hyphen_joined(norm, chunk[i - 1].end(), chunk[i].start()):
        return False  # part of a longer hyphenated code
    if j + 1 < len(chunk) and _hyphen_joined(norm, chunk[j].end(), chunk[j + 1].start()):
        return False
    return True


def _combos(norm: str, chunk: list[re.Match], used: set[int],
            accept: Callable[[_Hit], bool]) -> Iterator[_Hit]:
    """18-character IDs split across consecutive unused tokens of one chunk."""
    i = 0
    while i < len(chunk):
        total, j = 0, i
        while j < len(chunk) and j not in used and total < 18:
            total += len(chunk[j].group())
            j += 1
        last = j - 1
        if total == 18 and last > i and _combo_ok(norm, chunk, i, last):
            number = "".join(t.group() for t in chunk[i:j]).upper()
            hit = _Hit(chunk[i].start(), chunk[last].end(), number)
            if accept(hit):
                used.update(range(i, j))
                yield hit
                i = j
                continue
        i += 1


def _candidates(norm: str, accept: Callable[[_Hit], bool]) -> Iterator[_Hit]:
    """Every accepted ID: whole tokens first, then numbers split across tokens."""
    for chunk in _chunks(norm):
        used: set[int] = set()
        found = []
        for k, tok in enumerate(chunk):
            if len(tok.group()) in (15, 18):
                hit = _Hit(tok.start(), tok.end(), tok.group().upper())
                if accept(hit):
                    used.add(k)
                    found.append(hit)
        if len(chunk) > 1:
            found.extend(_combos(norm, chunk, used, accept))
        yield from sorted(found, key=lambda h: h.start)


def _label_before(norm: str, start: int) -> str | None:
    """The kind ("id", "uscc", "other") of the label right before the number at ``start``."""
    last = None
    for last in _LABEL.finditer(norm, max(0, start - _LABEL_WINDOW), start):
        pass
    if last is None or not _LABEL_GLUE.fullmatch(norm, last.end(), start):
        return None
    return last.lastgroup


class _Judge:
    """Decides whether a candidate number is an unmasked resident ID in this document."""

    def __init__(self, norm: str, ctx: OrgContext) -> None:
        self.norm = norm
        self.own_uscc = ctx.uscc.strip().upper()
        self.last_end = -(10 ** 9)  # end of the previous accepted ID (legacy context)

    def __call__(self, hit: _Hit) -> bool:
        ok = self._is_id(hit)
        if ok:
            self.last_end = hit.end
        return ok

    def _is_id(self, hit: _Hit) -> bool:
        number = hit.number
        if self.own_uscc and number == self.own_uscc:
            return False
        label = _label_before(self.norm, hit.start)
        if label == "other":
            return False  # the label says order, transaction, card or account number
        if len(number) == 15:  # 注册号 labels a 15-digit business registration number
            return label != "uscc" and is_plausible_legacy_ric(number) and self._legacy_context(hit)
        if not is_valid_ric(number):
            return False
        # About 1 valid ID in 31 also passes the USCC check: only a credit-code label
        # (or the organisation's own code, above) makes such a number a USCC.
        return not (is_valid_uscc(number) and label == "uscc")

    def _legacy_context(self, hit: _Hit) -> bool:
        if hit.start - self.last_end <= _LEGACY_WINDOW:
            return True  # a list of IDs: the previous one was close
        return bool(_ID_WORDS.search(self.norm, max(0, hit.start - _LEGACY_WINDOW), hit.start))


def _redact(text: str, norm: str, hits: list[_Hit]) -> str:
    """``text`` with every hit and every long digit run masked in place (same offsets)."""
    chars = list(text)
    spans = [(h.start, h.end) for h in hits]
    spans += [m.span() for m in _TOKEN.finditer(norm)
              if len(m.group()) >= 15 and sum(c.isdigit() for c in m.group()) >= 10]
    for start, end in spans:
        places = [k for k in range(start, end) if norm[k].isalnum() and norm[k].isascii()]
        for k in places[6:-4]:
            chars[k] = "*"
    return "".join(chars)


@register
class PiiIdDetector:
    """Unmasked resident ID numbers (18-char, or 15-digit by an ID label), also split by spaces, hyphens or cells."""

    name = "pii_id"
    kind: ClassVar[str] = "pii_id"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        norm = doc.narrow  # full-width digits and letters as ASCII, offsets kept
        hits = list(_candidates(norm, _Judge(norm, ctx))) if _HINT.search(norm) else []
        if not hits:
            return []
        hits.sort(key=lambda h: h.start)
        first = hits[0]
        return [Detection(
            category=self.kind,
            rule="unmasked_id",
            severity=Severity.HIGH,
            evidence=snippet(_redact(text, norm, hits), first.start, first.end, shown=first.masked),
            start=first.start,
            end=first.end,
            key="",
            detail={
                "count": len(hits),
                "positions": [[h.start, h.end] for h in hits],
                "masked": [h.masked for h in hits],
            },
        )]
