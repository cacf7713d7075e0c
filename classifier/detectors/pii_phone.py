"""Lists of named private persons with their mainland mobile numbers.

Fires when three or more distinct persons are named next to unmasked mobile numbers
(tables, lists, 联系人：张三 13812345678 lines). The organisation's own contact numbers
(footer, 联系我们 section, 咨询电话/服务热线 labels, numbers repeated as a contact) do
not count. One finding per document; evidence and detail hold masked numbers only.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import ClassVar, Iterable

import phonenumbers

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.evidence import mask_digits, snippet
from classifier.registry import register

#: 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, 86-138…, 0086…, (+86)138…. A bare
#: "86 " is no prefix: in 王德贵 男 86 138… it is an age.
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[ \-]?|86-?|[（(]\+?86[）)] ?)?"
    r"(?P<num>1[3-9]\d(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4})(?![0-9A-Za-z])"
)
#: What every _MOBILE match holds; cheap to look for (a literal first character), so that pages
#: without one skip the full pattern.
_MOBILE_HINT = re.compile(r"1[3-9]\d[ \-]?\d{4}")
_NON_DIGIT = re.compile(r"\D")
_LONG_DIGITS = re.compile(r"\d{11,}")
#: Right before the number, these say it is no phone: 京公网安备, 渝ICP备, 编号, 卡号, QQ.
_NOT_PHONE = re.compile(r"(?:备案|公网安备|ICP备|编号|单号|订单|流水|账号|帐号|卡号|QQ|qq|工号|学号|证号|代码)"
                        r"[号码]?[ \t:：#]*$")
#: A label before the number on its line that makes it the organisation's line.
_ORG_LABEL = re.compile(r"咨询|热线|举报|投诉|监督电话|传真|办公电话|办公室电话|值班|报名电话|客服|总机|座机|服务电话")
#: A line with these is an address block (地址 … 电话 … 邮编), not a list of persons.
_CONTACT_LINE = re.compile(r"邮编|邮政编码|邮箱|[Ee]-?mail|传真|网址|QQ群")
_CONTACT_HEADING = re.compile(
    r"(?:联系我们|联系方式|联系信息|联系地址|联系人及联系方式|联系人及电话|Contact\s*Us)[:：]?", re.IGNORECASE)
_CONTACT_SECTION_LINES = 8
_FOOTER_MARK = re.compile(r"版权所有|[Cc]opyright|©|ICP备|公网安备|技术支持|网站标识码|All Rights Reserved")
_FOOTER_LEAD = re.compile(r"地址|邮编|邮政编码|邮箱|传真|主办|承办|技术支持|版权|备案|热线|网站|联系我们|开户|账号|帐号|户名")
_FOOTER_SCAN = 15  # the footer is looked for among the last lines
_FOOTER_LEAD_LINES = 3  # address lines just above the copyright line belong to the footer
_REPEATS_AS_CONTACT = 3  # a number printed this often is a contact line, not a person's

_SURNAMES_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 宇文 夏侯 轩辕 端木 独孤 南宫 西门 司徒 司空 "
    "呼延 澹台 公冶 太史 申屠 万俟 闻人 赫连 钟离 宗政 濮阳 淳于 单于 拓跋 第五 左丘 东郭 百里"
).split()
#: About 260 common single-character surnames (those that are also everyday words such as
#: 国, 和, 时, 都 are left out: 国庆 or 时间 before a number is no name).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘苑迟邝匡鞠荆冀郁胥"
    "储栗燕楚鄢谌奚粟冼蔺闻厉伊仝郜阚屠朴廉禹祖漆祁晁芮扈阙浦鹿邸辜羊裘邰赫杭逯慕亢嵇湛宾戎勾茅尉檀昝奉衡富尧"
)
#: Characters that end or fill words, places and units but hardly ever a given name.
_NOT_IN_NAME = frozenset(
    "的了是在和与及或等个们区县市镇乡村路街号楼室局会院站部处科所组队社司店馆校厂场省单门电话手机码"
    "联系式传邮编址网请拨打咨询热线服务办公年日时秒亿周次名位户员务费款额"
)
_STOP_WORDS = frozenset(
    "周一 周二 周三 周四 周五 周六 周日 周末 常年 常用 金额 方式 安全 文明 高速 高新 江北 黄金 石油 林业 马上 于是 "
    "关于 程序 齐全 向日 包括 宁可 田间 余额 余下 温馨 康复 施工 易于 颜色 庄园 章程 夏季 秋季 冬季 管理 蓝天 "
    "白天 夜间 晚上 全天 万达 苏宁 华为 联通 移动 电信 邮政 申请 申报 成功 成都 武汉 沈阳 杭州 贵阳 南宁 柳州 "
    "单元 单位 房间 车间 商铺 门面 向阳 东方红".split()
)
_NAME_PREFIX = re.compile(
    r"^(?:联系人|负责人|姓名|受助人|申请人|户主|监护人|家长|志愿者|队长|组长|网格员|社工|学生|成员|老人|捐赠人"
    r"|捐款人|受益人|救助对象|对象|学员|获奖者|本人|报名人|联系)"
)
_PHONE_LABEL = re.compile(r"联系电话|联系方式|电话号码|手机号码|手机号|电话|手机|号码")
_NAME_SUFFIX = re.compile(r"(?:联系电话|联系方式|电话号码|手机号码|手机号|电话|手机|号码|联系)$")
#: Surname + a title (王老师, 李主任): how organisations name their own staff as contacts.
_STAFF_TITLE = re.compile(r"(?:老师|主任|经理|书记|会长|秘书长|部长|站长|院长|校长|所长|馆长|干事|科长|处长|局长|专员)$")
_HONORIFIC = re.compile(r"(?:先生|女士|同志|同学|阿姨|大爷|奶奶|爷爷|师傅|小朋友|大姐|大哥)$")
_MASK_CHARS = "某*＊×xX"
_SEGMENT = re.compile(r"[\u4e00-\u9fff*＊×]+")
_PROSE = re.compile(r"[，。；！？,;!?]")
_EARLIER_NUMBER = re.compile(r"\d{7,}")
_NAME_WINDOW = 20  # the name starts at most this many characters before the number
_AFTER_WINDOW = 8  # ... or ends this close after it: 13812345678（张三）


def _given_ok(given: str) -> bool:
    if given and all(c in _MASK_CHARS for c in given):
        return len(given) <= 2
    return 1 <= len(given) <= 2 and not any(c in _NOT_IN_NAME for c in given)


def as_name(segment: str) -> str | None:
    """The personal name a CJK segment is, after its labels are stripped (联系人张三 → 张三)."""
    seg = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", segment))
    title = _STAFF_TITLE.search(seg)
    if title:  # 王老师 is the organisation's contact persona; 韦春燕主任 is still 韦春燕
        seg = seg[:title.start()]
        if seg in _SURNAMES or seg in _SURNAMES_COMPOUND:
            return None
    honorific = _HONORIFIC.search(seg)
    if honorific:  # 王先生 is a person whose given name is not shown: 王*
        seg = seg[:honorific.start()]
        seg = seg + "*" if seg in _SURNAMES or seg in _SURNAMES_COMPOUND else seg
    if not seg or seg in _STOP_WORDS:
        return None
    if seg[:2] in _SURNAMES_COMPOUND and _given_ok(seg[2:]):
        return seg
    if seg[0] in _SURNAMES and _given_ok(seg[1:]):
        return seg
    return None


@functools.lru_cache(maxsize=4096)
def is_mobile(national: str) -> bool:
    """True if ``national`` (11 digits) is a valid mainland mobile number per libphonenumber."""
    try:
        number = phonenumbers.parse("+86" + national)
    except phonenumbers.NumberParseException:
        return False
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in kinds


@dataclass
class _Hit:
    start: int
    end: int
    number: str
    name: str | None = None
    org: bool = False

    @property
    def masked(self) -> str:
        return mask_digits(self.number, 3, 4)


def _name_before(before: str) -> str | None:
    """The nearest CJK segment that is a name, starting at most _NAME_WINDOW characters back."""
    for m in reversed(list(_SEGMENT.finditer(before))):
        if m.end() < len(before) - _NAME_WINDOW:
            break
        name = as_name(m.group())
        if name:
            return name
    return None


def _row_name(before: str) -> str | None:
    """In a table row (cells, no sentence punctuation), the first name among the cells before
    the number and after any earlier number: 1 韦春燕 女 黔江区城西街道文汇路8号3单元 138…."""
    cells = _EARLIER_NUMBER.split(before)[-1]
    if _PROSE.search(cells):
        return None
    return next((n for n in map(as_name, cells.split()) if n), None)


def _name_near(before: str, after: str, above: str | None) -> str | None:
    """The name next to a number: before it (anywhere in a table row, else within _NAME_WINDOW),
    right after it, or on the line above when the number's line holds only a label
    (姓名：韦春燕 / 电话：138…, or one cell per line)."""
    name = _row_name(before) or _name_before(before)
    if name:
        return name
    m = _SEGMENT.search(after[:_AFTER_WINDOW])
    if m and not after[:m.start()].strip(" \t（(【[:：,，、"):
        name = as_name(m.group())
        if name:
            return name
    if above is not None and not _PHONE_LABEL.sub("", before).strip(" \t:：0123456789.、"):
        return _name_before(above.rstrip(" \t:：,，;；"))
    return None


def contact_lines(lines: list[str], title: str = "") -> set[int]:
    """Lines of the footer and of any 联系我们 section: their numbers are the organisation's."""
    if _CONTACT_HEADING.search(title or ""):
        return set(range(len(lines)))
    org: set[int] = set()
    for k, line in enumerate(lines):
        if _CONTACT_HEADING.fullmatch(line.strip()):
            org.update(range(k, min(len(lines), k + 1 + _CONTACT_SECTION_LINES)))
        if _CONTACT_LINE.search(line):
            org.add(k)
    for k in range(max(0, len(lines) - _FOOTER_SCAN), len(lines)):
        if _FOOTER_MARK.search(lines[k]):
            first = k
            while first > 0 and k - first < _FOOTER_LEAD_LINES and _FOOTER_LEAD.search(lines[first - 1]):
                first -= 1
            org.update(range(first, len(lines)))
            break
    return org


def _hits(norm: str, title: str) -> list[_Hit]:
    """Every valid mobile number with its name and whether it is an organisation's."""
    matches = list(_MOBILE.finditer(norm)) if _MOBILE_HINT.search(norm) else []
    if not matches:
        return []
    lines = norm.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    org_lines = contact_lines(lines, title)
    hits: list[_Hit] = []
    k = 0
    for m in matches:
        while starts[k + 1] <= m.start():
            k += 1
        number = _NON_DIGIT.sub("", m.group("num"))
        before, after = norm[starts[k]:m.start()], norm[m.end():starts[k + 1] - 1]
        if not is_mobile(number) or _NOT_PHONE.search(before):
            continue
        above = lines[k - 1] if k else None
        hit = _Hit(m.start(), m.end(), number, _name_near(before, after, above))
        hit.org = k in org_lines or bool(_ORG_LABEL.search(before))
        hits.append(hit)
    return hits


def named_mobiles(norm: str, title: str = "") -> tuple[list[_Hit], int]:
    """The private persons' numbers of a page (first named occurrence each) and how many persons;
    ``norm`` has full-width digits as ASCII (:attr:`Document.narrow`)."""
    hits = _hits(norm, title)
    by_number: dict[str, list[_Hit]] = {}
    for hit in hits:
        by_number.setdefault(hit.number, []).append(hit)
    kept: list[_Hit] = []
    persons: set[str] = set()
    for number, group in by_number.items():
        names = {h.name for h in group if h.name}
        if any(h.org for h in group) or len(group) >= _REPEATS_AS_CONTACT or len(names) > 1:
            continue
        named = next((h for h in group if h.name), None)
        if named:
            kept.append(named)
            masked_name = any(c in _MASK_CHARS for c in named.name)
            persons.add(f"{named.name}/{number}" if masked_name else named.name)
    return sorted(kept, key=lambda h: h.start), len(persons)


def _redact(text: str, norm: str) -> str:
    """``text`` with every mobile-like number masked in place (same offsets); ``norm`` is its narrow form."""
    chars = list(text)
    for m in _MOBILE.finditer(norm):
        digits = [k for k in range(m.start("num"), m.end("num")) if norm[k].isdigit()]
        for k in digits[3:-4]:
            chars[k] = "*"
    for m in _LONG_DIGITS.finditer(norm):
        for k in range(m.start() + 3, m.end() - 4):
            chars[k] = "*"
    return "".join(chars)


@register
class PiiPhoneListDetector:
    """Pages listing three or more named private persons with unmasked mobile numbers."""

    name = "pii_phone_list"
    kind: ClassVar[str] = "pii_phone_list"
    min_persons = 3
    high_from = 10

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        hits, persons = named_mobiles(doc.narrow, doc.title)
        if persons < self.min_persons:
            return []
        first = hits[0]
        return [Detection(
            category=self.kind,
            rule="named_mobiles",
            severity=Severity.HIGH if len(hits) >= self.high_from else Severity.MEDIUM,
            evidence=snippet(_redact(text, doc.narrow), first.start, first.end, shown=first.masked),
            start=first.start,
            end=first.end,
            key="",
            detail={
                "count": len(hits),
                "persons": persons,
                "positions": [[h.start, h.end] for h in hits],
                "masked": [h.masked for h in hits],
            },
        )]
