"""Individuals' bank card numbers in a document's visible text.

A number counts when it has 16-19 digits, a known issuer prefix, a valid Luhn check
digit, a card or account word next to it (or over its table column), and no sign that
the account belongs to an organisation. One finding per document; evidence and detail
carry only masked numbers (6222****1234).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Iterable

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.codes import is_valid_ric
from classifier.detectors.pii_phone import contact_lines
from classifier.evidence import mask_digits, snippet
from classifier.registry import register

#: Issuer prefixes (BIN ranges) of cards issued in mainland China, with the lengths they
#: come in: UnionPay 62 (nearly every debit card) and 60 (early BOC/city-bank BINs) at
#: 16-19 digits; the legacy pre-UnionPay BINs 9555 (China Merchants), 9558 (ICBC) and
#: 9559 (ABC) at 16-19; Visa 4, Mastercard 51-55 and JCB 3528-3589 co-branded credit
#: cards at 16. Left out: Mastercard 2221-2720 (clashes with dates and order numbers
#: that start with a year) and 15-digit American Express.
_ISSUERS = re.compile(r"6[02]\d{14,17}|955[589]\d{12,15}|4\d{15}|5[1-5]\d{14}|35(?:2[89]|[3-8]\d)\d{12}")

_SEP = r"[ \u00a0\u3000\-]"
#: A whole run of 16-19 digits, or groups of four split by one consistent separator
#: (6222 0212 3456 7890 123); never part of a longer run of letters and digits.
_CARD = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?<!\d{{4}}{_SEP})\d{{4}}(?:{_SEP}\d{{4}}){{3}}(?:{_SEP}\d{{1,3}})?"
    rf"|\d{{16,19}})(?![0-9A-Za-z])"
)
#: What every _CARD match holds (eight digits, maybe split once), quick to look for first.
_CARD_HINT = re.compile(rf"\d{{4}}{_SEP}?\d{{4}}")
_NON_DIGIT = re.compile(r"\D")
_MORE_GROUPS = re.compile(rf"{_SEP}\d{{4}}(?!\S)")  # 2000元 after a card is an amount
_LONG_RUN = re.compile(r"[0-9A-Za-z]*\d{11,}[0-9A-Za-z]*")

#: The label right before a number says what it is: a card or account (pos), or an
#: order, transaction, certificate or non-bank card number (neg). The last label before
#: the number on its line wins: 银行流水号 is a transaction number.
_LABEL = re.compile(
    r"(?P<neg>订单|单号|流水|交易号|交易编号|凭证|票据|发票|合同|编号|序列号|批次|商户号|证书|身份证|证件"
    r"|信用代码|税号|条码|运单|快递|物流|编码|会员卡|购物卡|礼品卡|储值卡|加油卡|公交卡|校园卡|就诊卡"
    r"|医保卡|充值卡|电话卡|手机|电话|微信|QQ|支付宝)"
    r"|(?P<pos>卡号|银行卡|借记卡|储蓄卡|信用卡|社保卡|开户行|开户银行|账号|帐号|账户|帐户|银行|信用社|农商行|邮储"
    r"|打入|转入|汇入|汇至|转至|存入)"
)
_LABEL_WINDOW = 24
#: What may stand between a label and its number: 订单号：2024… (so 订单编号 A001 张三 6222… is no order number).
_LABEL_GLUE = re.compile(r"[号码]*[ \t\u3000\u00a0:：#＃=]*(?:为|是)?[ \t\u3000\u00a0:：#＃=]*$")
_BANK_AFTER = re.compile(r"[（(]?[\u4e00-\u9fff]{0,6}(?:银行|信用社|农商行|邮储)")
_HEADER_LINES = 30  # a table header counts this many lines above the row
_DIGIT_RUN = re.compile(r"\d{8,}")  # a line with one is a row, not a header
_CELL_SPLIT = re.compile(r"\s+")
_HOLDER_COLUMN = re.compile(r"户名|账户名|帐户名|开户名|收款人|收款单位|持卡人|姓名")

#: 户名：X and its kin; the value runs to the next space or punctuation.
_HOLDER = re.compile(
    r"(?:账户名称|帐户名称|开户名称|收款户名|收款单位|收款人|收款方|开户单位|持卡人|账户名|帐户名|开户名|户名|户主)"
    r"[ \t\u3000:：]*(?P<value>[^\s,，;；。:：、|()（）【】]{2,40})"
)
#: Organisation names end like this (户名：黔江区慈善会).
_ORG_SUFFIX = re.compile(
    r"(?:协会|基金会|中心|学会|商会|促进会|研究会|联合会|服务社|公司|慈善会|委员会|研究院|合作社|工作站|服务站"
    r"|俱乐部|联谊会|总会|分会|事务所|办事处|学校|小学|中学|大学|幼儿园|医院|卫生院|工会|妇联|团委|党委|党支部"
    r"|居委会|村委会|红十字会|基金|[会社院所局站校园部馆厂店队团处科室司])$"
)
_ORG_SINGLE_MIN = 5  # a value ending in one of the one-character suffixes is an org from 5 chars
_CORPORATE = re.compile(
    r"对公|单位账户|单位帐户|单位账号|单位帐号|基本账户|基本帐户|基本存款账户|基本户|一般存款账户|一般户"
    r"|公司账户|机构账户|专用账户|专户|结算卡"
)
_DONATION = re.compile(r"捐款|捐赠|募捐|善款|爱心款|捐助|募集")
_PAYEE_WORDS = re.compile(r"收款|捐款|捐赠|募捐|对公|汇款|转账")
_ORG_WORD = re.compile(r"协会|基金会|慈善会|促进会|研究会|联合会|商会|学会|服务社|服务中心|公司|委员会|红十字会")
_HOLDER_TAIL = re.compile(r"开户|账号|帐号|卡号|账户|帐户")
#: A label spaced out to align a notice (户  名：, 账　　号：, 开 户 行：).
_SPACED_LABEL = re.compile(r"(?:[\u4e00-\u9fff][ \u3000\u00a0]+){1,3}[\u4e00-\u9fff][ \u3000\u00a0]*[:：]")
_SPACES = re.compile(r"[ \u3000\u00a0]+")
#: A 'label: value' line (户名：…, 开户行：…): a donation block is a run of them.
_LABEL_LINE = re.compile(r"\s*[\u4e00-\u9fff \u3000\u00a0]{1,10}[:：]")
_BLOCK_REACH = 4
_HEADING_LINES = 2  # lines above a block still read for 对公账户 / 捐款 words


def luhn_ok(digits: str) -> bool:
    """True if the last digit of ``digits`` is its Luhn (ISO/IEC 7812) check digit."""
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """True for 16-19 digits with a known issuer prefix and a valid Luhn check digit."""
    return bool(_ISSUERS.fullmatch(digits)) and luhn_ok(digits) and not is_valid_ric(digits)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    number: str

    @property
    def masked(self) -> str:
        return mask_digits(self.number, 4, 4)


class _Page:
    """The normalised text cut into lines, with the helpers the judge needs."""

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self.starts = [0] + [m.end() for m in re.finditer("\n", norm)]

    def line_no(self, offset: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if self.starts[mid] <= offset else (lo, mid - 1)
        return lo

    def line(self, k: int) -> str:
        end = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.norm)
        return self.norm[self.starts[k]:end]

    def label_line(self, k: int) -> str:
        """Line ``k`` with spaced-out labels closed up (户  名： → 户名：); offsets not kept."""
        return _squeeze(self.line(k))


def _squeeze(text: str) -> str:
    return _SPACED_LABEL.sub(lambda m: _SPACES.sub("", m.group()), text)


def _last_label(text: str) -> str | None:
    last = None
    for last in _LABEL.finditer(text):
        pass
    return last.lastgroup if last else None


def _label_before(before: str) -> str | None:
    """What the words just before a number call it: ``pos`` (a card or account word among the
    last characters), ``neg`` (an order or other non-card label right before it), or None."""
    window = before[-_LABEL_WINDOW:]
    matches = list(_LABEL.finditer(window))
    if matches and matches[-1].lastgroup == "neg":
        return "neg" if _LABEL_GLUE.match(window, matches[-1].end()) else None
    return "pos" if matches else None


def _is_org(value: str, ctx: OrgContext) -> bool:
    value = value.strip()
    name = ctx.name.strip()
    if name and (name in value or (len(value) >= 4 and value in name)):
        return True
    m = _ORG_SUFFIX.search(value)
    return bool(m) and (len(m.group()) > 1 or len(value) >= _ORG_SINGLE_MIN)


def _cells(line: str, start: int, end: int) -> tuple[list[str], int]:
    """The cells of a table row with the number at [start:end) as one cell, and its index."""
    row = line[:start] + "\x00" + line[end:]
    cells = [c for c in _CELL_SPLIT.split(row.strip()) if c]
    return cells, next((k for k, c in enumerate(cells) if "\x00" in c), -1)


class _Judge:
    """Decides whether a candidate is an individual's card number in this document."""

    def __init__(self, norm: str, ctx: OrgContext, title: str) -> None:
        self.page = _Page(norm)
        self.ctx = ctx
        self.contact = contact_lines(norm.split("\n"), title)  # footer and 联系我们 lines

    def __call__(self, start: int, end: int) -> bool:
        page = self.page
        k = page.line_no(start)
        line, at = page.line(k), start - page.starts[k]
        before, after = line[:at], line[end - page.starts[k]:]
        label = _label_before(_squeeze(before))
        if label == "neg":
            return False
        header = self._header(k, line, at, at + end - start)
        if label != "pos" and not _BANK_AFTER.match(after.lstrip()[:12]) and header[0] != "pos":
            return False
        holder = self._holder(k, line, header[1])
        if holder is not None:
            return not _is_org(holder, self.ctx)
        return not self._organisation_account(k, before)

    def _header(self, k: int, line: str, start: int, end: int) -> tuple[str | None, str | None]:
        """What a table header above says about this column ("pos"/"neg"/None) and the holder cell."""
        for j in range(k - 1, max(-1, k - 1 - _HEADER_LINES), -1):
            head = self.page.line(j)
            if not _LABEL.search(head) or _DIGIT_RUN.search(head):
                continue
            heads = [c for c in _CELL_SPLIT.split(head.strip()) if c]
            cells, col = _cells(line, start, end)
            if len(heads) == len(cells) and col >= 0:
                holder = next((cells[i] for i, h in enumerate(heads) if _HOLDER_COLUMN.search(h)), None)
                return ("pos" if _last_label(heads[col]) == "pos" else "neg"), holder
            return ("pos" if any(_last_label(h) == "pos" for h in heads) else None), None
        return None, None

    def _block(self, k: int) -> list[int]:
        """Line numbers of the run of 'label: value' lines around line ``k`` (only ``k`` if none)."""
        if not _LABEL_LINE.match(self.page.line(k)):
            return [k]
        lines = [k]
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(self.page.starts) and abs(j - k) <= _BLOCK_REACH:
                text = self.page.line(j)
                if not _LABEL_LINE.match(text) or _CARD.search(text):
                    break
                lines.append(j)
                j += step
        return sorted(lines)

    def _holder(self, k: int, line: str, from_header: str | None) -> str | None:
        """The account holder: 户名 on the line, the 户名/姓名 column, or 户名 in the block."""
        m = _HOLDER.search(_squeeze(line))
        if m is None and from_header:
            return from_header
        for j in [] if m else self._block(k):
            m = _HOLDER.search(self.page.label_line(j))
            if m:
                break
        return _HOLDER_TAIL.split(m.group("value"))[0] if m else None

    def _organisation_account(self, k: int, before: str) -> bool:
        """True if the words around an account without a 户名 make it an organisation's."""
        around = self.page.label_line(k)
        if _LABEL_LINE.match(around):  # 账号：6228… in a block: read the block and its heading
            block = self._block(k)
            first = max(0, block[0] - _HEADING_LINES)
            around = "\n".join(self.page.label_line(j) for j in range(first, block[-1] + 1))
        if k in self.contact or _CORPORATE.search(around):
            return True
        if self.ctx.public_fundraising_qualified and _DONATION.search(around):
            return True
        name = self.ctx.name.strip()
        return bool(_PAYEE_WORDS.search(before)) and bool(
            _ORG_WORD.search(before) or (name and name in before))


def _redact(text: str, norm: str, hits: list[_Hit]) -> str:
    """``text`` with every hit and every other long digit run masked in place (same offsets)."""
    chars = list(text)
    spans = [(h.start, h.end) for h in hits] + [m.span() for m in _CARD.finditer(norm)]
    spans += [m.span() for m in _LONG_RUN.finditer(norm)]
    for start, end in spans:
        places = [k for k in range(start, end) if norm[k].isascii() and norm[k].isalnum()]
        for k in places[4:-4]:
            chars[k] = "*"
    return "".join(chars)


def find_cards(norm: str, ctx: OrgContext, title: str = "") -> list[_Hit]:
    """Every individual's card number in ``norm`` (a text with full-width digits as ASCII,
    :attr:`Document.narrow`), in order."""
    found: list[_Hit] = []
    for m in _CARD.finditer(norm) if _CARD_HINT.search(norm) else ():
        number, seps = _NON_DIGIT.sub("", m.group()), set(_NON_DIGIT.findall(m.group()))
        if len(seps) > 1 or (seps and _MORE_GROUPS.match(norm, m.end())):
            continue  # mixed separators, or four groups out of a longer grouped code
        if is_card_number(number):
            found.append(_Hit(m.start(), m.end(), number))
    if not found:
        return []
    judge = _Judge(norm, ctx, title)
    return [h for h in found if judge(h.start, h.end)]


@register
class PiiBankDetector:
    """Individuals' bank card numbers (16-19 digits, issuer prefix, Luhn-valid) next to a card or account word."""

    name = "pii_bank"
    kind: ClassVar[str] = "pii_bank"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        hits = find_cards(doc.narrow, ctx, doc.title)
        if not hits:
            return []
        first = hits[0]
        evidence = snippet(_redact(text, doc.narrow, hits), first.start, first.end, shown=first.masked)
        return [Detection(
            category=self.kind,
            rule="card_number",
            severity=Severity.HIGH,
            evidence=evidence,
            start=first.start,
            end=first.end,
            key="",
            detail={
                "count": len(hits),
                "positions": [[h.start, h.end] for h in hits],
                "masked": [h.masked for h in hits],
            },
        )]
