"""Donation appeals in a document: QR codes, bank accounts, donation links and appeal wording.

:func:`appeal_spans` is pure (no organisation context) so that other components, such as a
model, can add their own appeal passages before :func:`~classifier.fundraising.notice.fundraising_detections`.
News of donations received, thanks, reports of past campaigns and warnings are not appeals.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from classifier.base import Document
from classifier.fundraising.platforms import platforms
from classifier.textnorm import Normalised, normalise

KINDS = ("qr", "bank", "link", "text")  # strongest first

_C = r"[^。!?\n]"
#: Giving words; 捐赠 followed by 人, 仪式, 明细 ... names a donor, an event or a record.
_NOT_GIVING = ("人|方|者|献|血|单位|企业|证书|票据|仪式|协议|明细|公示|名单|情况|信息|记录|收据|鸣谢|管理|办法|制度|收入|查询|回执|"
               "发票|总额|物资清单")
_DON = (rf"(?:捐(?!(?:款|赠|助|物|书|衣|出)?(?:{_NOT_GIVING}))(?:款|赠|助|物|书|衣|出)?|认捐|乐捐|月捐|献爱心|奉献爱心|"
        r"认助|爱心款|善款|慷慨解囊|伸出援手)")
_QR = r"(?:二维码|小程序码|扫码|扫一扫|扫描|长按识别|qr ?code|收款码)"
_QR_APPEAL = re.compile(rf"{_QR}{_C}{{0,14}}?(?:{_DON}|支持{_C}{{0,10}}?(?:项目|计划|行动|我们)|为{_C}{{0,10}}?(?:添|送|买)一)"
                        r"|(?:捐款|捐赠|捐助|募捐|善款|爱心)(?:专用)?(?:二维码|收款码|小程序码|码)")
#: A phrase in quotes is named, not used (正文有“扫码捐”等字样), unless it names a button to press.
_OPEN_QUOTE, _CLOSE_QUOTE = "“‘「『\"'", "”’」』\"'"
_PRESS = re.compile("点击|点|按|选择|进入")
_BUTTON = re.compile("按钮|键|图标|链接|入口")
_QR_NOT = re.compile("关注|报名|查看|查询|下载|领取|开具|获取|登记|签到|入群|加入群|了解活动")
_TEXT_APPEALS = re.compile("|".join([
    r"(?:爱心)?(?:捐款|捐赠|捐助)(?:通道|入口|渠道|方式|热线|专线)(?=\s*:|如下|已?开通|开启|\s*\n|\s*$)",
    rf"(?:开通|开启|设立)(?:了)?{_C}{{0,10}}?(?:捐款|捐赠|捐助)(?:通道|入口|渠道|专线|账户)",
    r"(?:汇款|转账)捐(?:赠|款)|捐(?:赠|款)(?:汇款|转账)(?:方式|请)",
    r"(?:^|(?<=[\n。!?]))\s*(?:只需|仅需|每)?(?:捐(?:赠|款)?\s*\d+\s*元,?\s*(?:就能|就可以|可以|能|即可|可)?(?:为|给|帮|支持)"
    r"|认捐(?:一|\d))",
    r"月捐\s*\d+\s*元|每\s*\d+\s*元(?:钱)?(?:就|便)?(?:可以|能|即可|可)(?:为|让|帮|给|支援|资助|支持|提供)",
    rf"(?<!请勿)(?<!请不要)(?:欢迎|诚邀|恳请|敬请|诚请|期待您|邀请您|请您|请大家|请各位|请社会各界|请爱心人士){_C}{{0,18}}?{_DON}",
    rf"(?:我们|本会|我会|本中心|本基金会|本协会)(?:倡议|呼吁|号召){_C}{{0,24}}?{_DON}",
    r"(?:我要|立即|马上|在线|一键|点击|随手|快来|赶快|现在就)捐(?:款|赠|助|一)?",
    r"捐(?:出)?一(?:份|本|件|个|元|块|笔|次|点|包|箱|套|张|杯)",
    r"(?<!已)(?:善款|捐款|捐赠款|爱心款)(?:请|可)?(?:汇|转|存|打)(?:入|至|到)",
    r"(?:加入|成为|参与|开通|开启)(?:我们的)?月捐",
    r"(?:众筹|筹款)(?:链接|通道|入口|页面|二维码)|(?:参与|支持)(?:我们的)?(?:众筹|筹款)",
    r"(?:捐赠|捐款|募捐)(?:链接|页面|小程序)",
    rf"{_DON}(?:请|可)(?:通过|访问|点击|扫|拨打|联系|汇|转)",
    rf"每(?:份|台|个|套|件|张|本|只)\s*(?:约)?\s*\d[\d,.]*\s*元{_C}{{0,12}}?(?:您|你){_C}{{0,6}}?(?:认领|认购|认养|认捐|支持)",
]))
#: A call to follow a link, in a paragraph about money: 点击文末“阅读原文”即可支持.
_LINK_CALL = re.compile(
    rf"(?:点击|通过|访问){_C}{{0,10}}?(?:链接|阅读原文|小程序|按钮|网址|http|www){_C}{{0,10}}?(?:支持|{_DON}|助力|给ta)"
    rf"|(?:支持|{_DON}){_C}{{0,8}}?(?:请|可)?(?:点击|访问){_C}{{0,6}}?(?:链接|阅读原文|小程序|网址|http|www)")
_MONEY_CONTEXT = re.compile(r"\d\s*(?:万)?元|捐|善款|资金|筹|费用|预算")
#: A line that is only a donation button (我要捐赠, 在线捐款 →, 捐赠通道).
_CAPTION = re.compile(r"[\s>»→←\[\]【】()!]*(?:(?:我要|立即|马上|在线|网上|一键|点击)(?:捐款|捐赠|捐助|月捐)|(?:捐款|捐赠|捐助)(?:通道|入口)"
                      r"|(?:捐赠|捐款)?\s*donate(?: now)?)[\s>»→←\[\]【】()!]*")
#: Warnings against fake appeals, statements of not fundraising (same sentence).
_WARN = re.compile(r"谨防|警惕|提防|防范|冒充|假冒|冒用|仿冒|伪造|虚假|诈骗|骗局|骗子|未授权|未经授权|从未|不会(?:以|通过|向|要求)|非法|举报|"
                   r"报案|陌生|请勿|切勿|不要(?:向|相信|轻信|扫|转账|汇款|捐)|勿(?:扫|转|汇|捐)|不得|禁止|严禁|未取得|不具备|不开展|"
                   r"不面向|暂停|停止|关闭")
#: Articles that teach how to tell fake appeals, and gifts that are not money (same paragraph).
_WARN_PARAGRAPH = re.compile("辨别|(?<!长按)识别|可信吗|骗局|诈骗|骗子|警惕|防范|小心|以案说法|典型案例|器官|遗体|造血干细胞|骨髓|眼角膜|献血")
#: Reports of gifts received and campaigns done (same clause as the appeal words).
_REPORT = re.compile(r"共有|感谢|谢谢|致谢|鸣谢|收到|接收|接受了|筹得|募得|共筹|共募|累计|合计|共计|截至|截止|已结束|结束|圆满|仪式|举行|"
                     r"签署|签约|颁发|向本会|向我会|向基金会|向本中心|捐出了|捐赠了|捐献了|已捐|已汇|已筹|已募|收入|人次|金额为|"
                     r"查询|查看|公示")
#: Donations asked of staff or members only (定向募捐, Charity Law art. 28: 各单位…将捐款汇至…), unless
#: the same sentence also asks the public (社会各界, 爱心人士, 广大市民).
_DIRECTED = re.compile("各单位|各部门|各科室|全体(?:干部)?职工|全体员工|全体会员|全体党员|干部职工|本会会员|各会员单位")
_PUBLIC = re.compile("社会各界|爱心人士|爱心企业|广大|市民|网友|朋友|大家|您|公众")
#: A bank account number after its label, or a long grouped digit run.
_ACCOUNT = re.compile(r"(?:账号|帐号|账户|帐户|卡号)[^\n\d]{0,8}?(?P<a>\d[\d -]{8,30}\d)"
                      r"|(?<![\d-])(?P<b>\d{4}(?:[ -]?\d{3,4}){2,6})(?![\d-])")
#: Telephone numbers are no accounts: a landline (0925-18977220), or a number right after a phone label.
_LANDLINE = re.compile(r"0\d{2,3}-\d{7,8}")
_PHONE_LABEL = re.compile(r"(?:电话|传真|手机|热线|联系方式|tel|fax)\s*:?\s*$")
#: What every _ACCOUNT match holds: ten characters of digits, spaces and hyphens, digits at both ends.
_ACCOUNT_HINT = re.compile(r"\d[\d -]{8,}\d")
_BANK_WORDS = re.compile("开户行|开户银行|银行|户名|收款单位|收款人|账号|帐号|账户|帐户")
_BANK_GIVING = re.compile(rf"{_DON}|募捐|募集善款|助学款|救助款|爱心账户")
_FEES = re.compile("会费|服务费|培训费|报名费|学费|餐费|房租|货款|押金|保证金|年费|资料费|考试费|工本费|认证费|赞助费")
_BANK_BEFORE, _BANK_AFTER = 150, 60
_URL = re.compile(r"(?:https?://|www\.)[a-z0-9\-._~/?#=&%:]+"
                  r"|(?<![a-z0-9@.\-])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|cn|org|net)(?:/[a-z0-9\-._~/?#=&%]*)?")
_URL_APPEAL = re.compile(rf"{_DON}{_C}{{0,20}}?(?:链接|网址|访问|点击|登录|进入|:)")
# HTML: images and links.
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ANCHOR = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<inner>.{0,600}?)</a\s*>", re.I | re.S)
_ATTR = re.compile(r"""\b(?P<name>href|src|alt|title)\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<u>[^\s>]+))""", re.I)
_TAG = re.compile(r"<[^>]+>")
_QR_IMAGE = re.compile(r"qr|erweima|ewm|二维码|收款码|wxpay|shoukuan|skm", re.I)
_LINK_PATH = re.compile(r"donat|juankuan|juanzeng|juanzhu|/give\b", re.I)
_LINK_TEXT = re.compile(
    rf"(?:我要|立即|马上|在线|网上|一键|点击|爱心|我来|去)捐|(?:捐款|捐赠|捐助)(?:通道|入口|页面|平台)?$|^{_DON}|donat|月捐|乐捐")
_LINK_NOT = re.compile("公示|明细|查询|鸣谢|名单|票据|办法|制度|公开|报告|新闻|动态|故事|证书")
_HTML_WINDOW = 200
#: Every text appeal needs one of these (giving, QR, unit-price, link words): pages without any skip them.
_ANY = re.compile(r"捐|善款|爱心款|认助|筹|慷慨|援手|献爱心|donat|二维码|扫码|扫一扫|扫描|小程序码|收款码|长按识别|qr ?code|每\s*\d|"
                  r"认领|认购|认养|点击|访问|链接|阅读原文|小程序|按钮|网址|http|www")

#: Words every match of one pattern holds, looked for first (quick: each starts with a literal),
#: so that a page without them skips the slow pattern: _QR_APPEAL, _LINK_CALL (both), _TEXT_APPEALS, _CAPTION.
_QR_GATE = re.compile("码|扫|长按识别|qr")
_LINK_GATES = (re.compile("点击|通过|访问"), re.compile("链接|阅读原文|小程序|按钮|网址|http|www"))
_TEXT_GATE = re.compile(r"捐|献爱心|认助|爱心款|善款|慷慨解囊|伸出援手|众筹|筹款|每\s*\d|每[份台个套件张本只]")
_CAPTION_GATE = re.compile("捐|donate")


@dataclass(frozen=True)
class AppealSpan:
    """A passage of ``doc.text`` (original offsets) that asks for donations, and how."""

    start: int
    end: int
    kind: str  # qr | bank | link | text
    text: str


def _attrs(tag: str) -> dict[str, str]:
    return {m.group("name").lower(): html_lib.unescape(m.group("d") or m.group("s") or m.group("u") or "")
            for m in _ATTR.finditer(tag)}


def _plain(fragment: str, tag_as: str = " ") -> str:
    """Visible text of an HTML fragment; tags become ``tag_as`` (a newline keeps blocks apart)."""
    return re.sub(r"[ \t\r\f\v]+", " ", html_lib.unescape(_TAG.sub(tag_as, fragment))).strip()


def _locate(norm: Normalised, phrase: str) -> tuple[int, int] | None:
    """The normalised span of ``phrase`` (normalised the same way) in the document, if any."""
    key = normalise(phrase).text.strip()
    at = norm.text.find(key) if key else -1
    return (at, at + len(key)) if at >= 0 else None


class _Finder:
    """Collects appeal spans in normalised coordinates for one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.norm = doc.normalised
        self.text = self.norm.text
        self.layout = doc.layout
        self.spans: list[tuple[int, int, str]] = []
        self.excluded: list[tuple[int, int]] = []  # anchors to designated platforms

    def _quoted(self, start: int, end: int) -> bool:
        text = self.text
        if not (start and text[start - 1] in _OPEN_QUOTE and end < len(text) and text[end] in _CLOSE_QUOTE):
            return False
        return not (_PRESS.search(text, max(0, start - 8), start) or _BUTTON.match(text, end + 1))

    def _clean(self, start: int, end: int, *, report: bool = True) -> bool:
        """False if the sentence warns or asks only staff or members, or the clause reports a gift or a campaign done."""
        sentence = self.layout.sentence(start)
        if _WARN.search(self.text, *sentence) or _WARN_PARAGRAPH.search(self.text, *self.layout.paragraph(start)):
            return False
        if _DIRECTED.search(self.text, *sentence) and not _PUBLIC.search(self.text, *sentence):
            return False
        return not (report and _REPORT.search(self.text, *self.layout.clause(start)))

    def text_spans(self) -> None:
        text = self.text
        if not _ANY.search(text):
            return
        for m in _QR_APPEAL.finditer(text) if _QR_GATE.search(text) else ():
            if not _QR_NOT.search(m.group()) and not self._quoted(*m.span()) and self._clean(m.start(), m.end()):
                self.spans.append((m.start(), m.end(), "qr"))
        for m in _LINK_CALL.finditer(text) if all(g.search(text) for g in _LINK_GATES) else ():
            if _MONEY_CONTEXT.search(text, *self.layout.paragraph(m.start())) and self._clean(m.start(), m.end()):
                self.spans.append((m.start(), m.end(), "link"))
        for m in _TEXT_APPEALS.finditer(text) if _TEXT_GATE.search(text) else ():
            ends_in_report = _REPORT.search(text, *self.layout.clause(m.end() - 1))
            if not self._quoted(*m.span()) and self._clean(m.start(), m.end()) and not ends_in_report:
                self.spans.append((m.start(), m.end(), "text"))
        for start, end in self.layout.paragraphs() if _CAPTION_GATE.search(text) else ():
            caption = _CAPTION.fullmatch(self.text, start, end)
            if caption:
                self.spans.append((start, end, "text"))

    def bank_spans(self) -> None:
        if not _ACCOUNT_HINT.search(self.text):
            return
        for m in _ACCOUNT.finditer(self.text):
            number = m.group("a") or m.group("b")
            if sum(c.isdigit() for c in number) < 10 or _LANDLINE.fullmatch(number) or _PHONE_LABEL.search(
                    self.text, max(0, m.start() - 8), m.start()):
                continue
            lo, hi = max(0, m.start() - _BANK_BEFORE), min(len(self.text), m.end() + _BANK_AFTER)
            window = self.text[lo:hi]
            if m.group("b") and not _BANK_WORDS.search(window):
                continue
            giving = [g for g in _BANK_GIVING.finditer(window) if self._clean(lo + g.start(), lo + g.end(), report=False)]
            if not giving:
                continue
            near = min(giving, key=lambda g: abs(lo + g.start() - m.start()))
            fee = [f for f in _FEES.finditer(window) if abs(lo + f.start() - m.start()) < abs(lo + near.start() - m.start())]
            if not fee:
                self.spans.append((min(lo + near.start(), m.start()), max(lo + near.end(), m.end()), "bank"))

    def url_spans(self) -> None:
        for m in _URL_APPEAL.finditer(self.text):
            sentence_end = self.layout.sentence(m.start())[1]
            url = _URL.search(self.text, m.end(), sentence_end)
            if url and url.start() - m.end() <= 30 and self._clean(m.start(), url.end()):
                if not platforms().is_designated_url(url.group()):
                    self.spans.append((m.start(), url.end(), "link"))

    def html_spans(self) -> None:
        html = self.doc.html or ""
        if not html:
            return
        for m in _ANCHOR.finditer(html):
            attrs = _attrs(m.group("attrs"))
            inner = m.group("inner")
            label = _plain(inner) or " ".join(_attrs(i).get("alt", "") for i in _IMG.findall(inner)).strip()
            href = attrs.get("href", "").strip()
            if not label or not href or href.startswith(("javascript:", "#", "mailto:")) or _LINK_NOT.search(label):
                continue
            if not (_LINK_TEXT.search(normalise(label).text) or (_LINK_PATH.search(href) and len(label) <= 12)):
                continue
            where = _locate(self.norm, label)
            if where is None:
                continue
            if platforms().is_designated_url(href):
                self.excluded.append(where)
            elif self._clean(*where):
                self.spans.append((*where, "link"))
        for tag in _IMG.findall(html):
            attrs = _attrs(tag)
            if not _QR_IMAGE.search(" ".join(attrs.get(k, "") for k in ("src", "alt", "title"))):
                continue
            at = html.find(tag)
            around = (_plain(html[max(0, at - _HTML_WINDOW):at], "\n") + "\n"
                      + _plain(html[at + len(tag):at + len(tag) + _HTML_WINDOW], "\n"))
            for don in re.finditer(rf"[^\s。!?,]{{0,4}}{_DON}[^\s。!?]{{0,4}}", normalise(around).text):
                where = _locate(self.norm, don.group())
                if where and self._clean(*where):
                    self.spans.append((*where, "qr"))
                    break

    def result(self) -> list[AppealSpan]:
        rank = {kind: k for k, kind in enumerate(KINDS)}
        kept: list[tuple[int, int, str]] = []
        for start, end, kind in sorted(self.spans, key=lambda s: (rank[s[2]], s[0])):
            if any(start < b and a < end for a, b in self.excluded):
                continue
            if not any(start < b and a < end for a, b, _ in kept):
                kept.append((start, end, kind))
        out = []
        for start, end, kind in sorted(kept):
            o_start, o_end = self.norm.span(start, end)
            out.append(AppealSpan(o_start, o_end, kind, (self.doc.text or "")[o_start:o_end]))
        return out


def appeal_spans(doc: Document) -> list[AppealSpan]:
    """Every passage of ``doc`` that asks the public for donations, in text order."""
    if not (doc.text or "").strip():
        return []
    finder = _Finder(doc)
    finder.text_spans()
    finder.bank_spans()
    finder.url_spans()
    finder.html_spans()
    return finder.result()


def is_caption(doc_text: str, span: AppealSpan) -> bool:
    """True if the span is a donation button alone on its line (a menu item, not the appeal page)."""
    line_start = doc_text.rfind("\n", 0, span.start) + 1
    line_end = doc_text.find("\n", span.end)
    line = doc_text[line_start:line_end if line_end >= 0 else len(doc_text)]
    return bool(_CAPTION.fullmatch(normalise(line).text))
