"""Signs of illegal fundraising (非法集资) in normalised text: promised returns, downlines, schemes.

The regulators' warning signs (防范和处置非法集资条例; RULES.md): 保本付息, 高额回报, money put in
with a periodic return and the principal back, 发展下线, elderly-care and charity-dressed schemes.
Paragraphs that warn against such schemes or report cases are skipped.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick_rs

from classifier.textnorm import Layout, normalise

#: Words of articles that warn against illegal fundraising (防范非法集资宣传) or report cases.
_WARN = re.compile(
    "警惕|谨防|防范|防非|识别|提醒|切勿|不要相信|不要轻信|不要参与|不轻信|典型案例|以案说法|非法集资|骗局|诈骗|"
    "陷阱|套路|揭秘|受骗|被骗|上当|涉嫌|犯罪|判处|判决|法院|公安|民警|立案|案件|不法分子|诱饵|幌子|旗号|"
    "名义|声称|号称|谎称|虚构|一律|擦亮眼睛|举报|风险提示|郑重提示|特别提示|非法吸收|传销|普法"
)
#: Scams deny being one (本项目不是非法集资): such a phrase is no warning.
_DENIAL = re.compile(r"(?:不是|不属于|并非|绝非|绝不是|不涉及|不存在|不搞)(?:非法集资|传销|骗局|诈骗)")
#: 防非 (防范非法集资) and 守住钱袋子 head the regulators' campaign posters.
_TITLE_WARN = re.compile("防范|防非|钱袋子|警惕|谨防|识别|打击|远离|揭秘|以案说法|典型案例|非法集资|诈骗|骗局|风险提示|普法")
#: Accounts, insurance, cooperatives, farm subsidies and market reports tell of money in and out lawfully.
_LAWFUL = re.compile("同比|上年|本年度|报告期|审计|财务报表|会计|资产负债|保值增值|净资产|保险|社保|医保|公积金|年金|国债|"
                     "土地|村集体|集体经济|股份经济合作社|农户|种植户|养殖户|亩均|补助标准|财政|收盘|股指|a股|沪指|成交额")

_C = r"[^。!?\n]"  # within one sentence
_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)"
_CNUM = "[一二三四五六七八九十两零壹贰叁肆伍陆柒捌玖拾佰仟]+"
_MONEY = rf"(?:\d+(?:\.\d+)?\s*(?:万|千|百)?\s*(?:元|块)|\d+(?:\.\d+)?\s*万|{_CNUM}(?:[百千万佰仟]|元|块))"
_PCT = rf"(?:\d+(?:\.\d+)?\s*%|百分之{_CNUM}|\d+(?:\.\d+)?\s*倍|{_CNUM}倍|翻倍|翻番|翻一番)"

#: Phrases that are the promise itself.
_PROMISE = re.compile("保本保息|保本付息|保本保收益|保本保底|保本高收益|保本高息|稳赚不赔|只赚不赔|包赚不赔|稳赚不亏|"
                      "零风险高收益|无风险高收益")
#: Phrases that promise returns when money is about.
_PROMISE_MONEY = re.compile(
    rf"高额(?:回报|返利|收益|利息|分红)|高息回报|(?:一年|半年|当月|{_NUM}个月)(?:内)?(?:即可|就能)?回本|消费(?:全返|返利)|"
    r"购物全返|全额返还本金|(?:按月|按天|按日|月月|天天|日日)(?:分红|返息|返利|领收益)")
_MONEY_WORDS = re.compile(rf"{_MONEY}|%|分红|返利|提成|佣金|收益|回报|利息|本金|投资|投入|出资|认购|入股|理财|返还")
#: Multi-level marketing: rewards for recruits and their recruits.
_MLM = re.compile(r"拉人头|发展下线|下线(?:提成|返利|分红|奖励|佣金|收益|越多)|直推(?:奖|\d|[一二三四五六七八九十])|伞下|见点奖|"
                  r"对碰奖|层碰奖|级差奖|管理津贴|静态收益|动态收益|间接推荐(?:奖|奖励)")
_MLM_MONEY = re.compile(rf"{_MONEY}|%|提成|奖金|奖励|返利|佣金|分红|收益|津贴")
_REFERRAL = re.compile(rf"(?:推荐|邀请|介绍|拉|带|发展){_C}{{0,10}}?(?:人|亲友|朋友|好友|会员|家人|户)"
                       rf"{_C}{{0,12}}?(?:奖|提成|佣金|分润|返|得|津贴|补贴)")
_AMOUNT_AFTER = re.compile(rf"{_C}{{0,12}}?(?:{_MONEY}|{_PCT})")
#: Money put in, offer-shaped (认购五份，每份一万元; 交一万; 入会费3000元) or a buying word.
_IN_STRONG = re.compile(
    rf"(?:认购|认筹|认养|认缴|入股|入会费|会员费|入社费|预订金|预存|预交|充值|储值|首投|首充|出资|投资|投入|缴纳|交纳|存入|捐赠|捐款)"
    rf"{_C}{{0,14}}?{_MONEY}|(?:投|(?<!成)交|放|存|充|冲|储)了?{_MONEY}|(?:每|一)(?:份|股|只|台|亩|桶|坛|个床位){_C}{{0,3}}?{_MONEY}"
    rf"|{_MONEY}(?:起投|起步|起|即可参与)|(?:只需|仅需|门槛){_C}{{0,4}}?{_MONEY}")
_IN_WEAK = re.compile("认购|认筹|认养|认缴|入股|入会|入社|预存|储值|起投|复投|续投|投了|出资")
#: A periodic payout (每月领取, 按季度支付, 一年后返), with an amount when it says one.
_PERIOD = rf"(?:(?:每|按)个?(?:月|年|季度?|天|日|周|期|轮)|月月|年年|天天|年底|年终|到期|期满|{_NUM}个?(?:年|月)后|一年|半年)"
_PAY = "领|返|发放|发|支付|拿|到账|打到|给|付|兑付|享受|分红|分得|分给|分钱"
_OUT = re.compile(rf"{_PERIOD}{_C}{{0,14}}?(?:{_PAY})")
_OUT_AMOUNT = re.compile(rf"{_PERIOD}{_C}{{0,14}}?(?:{_PAY}){_C}{{0,10}}?(?:{_MONEY}|{_PCT})|{_PERIOD}\s*{_MONEY}")
#: Investment vocabulary of the return itself.
_RETURN = re.compile("收益|分红|利息|付息|返现|返利|回本|本息|利润分配|翻倍|翻番|升值|钱生钱")
#: A rate or multiple tied to a return.
_RATE_WORDS = "分红|返还|返利|返|收益|回报|回馈|补贴|利息|奖励|提成|佣金|津贴|分成|增值|回购|兑付|分享比例|翻|涨"
_RATE = re.compile(rf"{_PCT}{_C}{{0,8}}?(?:的)?(?:{_RATE_WORDS})|(?:{_RATE_WORDS}){_C}{{0,8}}?{_PCT}")
#: The principal back at the end.
_BACK = re.compile(
    rf"(?:本金|本钱|原价|全额|如数|原封不动|无条件|一分不少|原数){_C}{{0,8}}?(?:退还|返还|退|还|回购|奉还|赎回|退回)"
    rf"|连本带利|到期还本|还本付息|(?:退还|返还)(?:全部)?(?:本金|出资|认购款|预订金|入会费|会费|认养款|购房款)"
    rf"|(?:期满|到期){_C}{{0,8}}?(?:全额|原价)?(?:退还|返还|回购|全退)")
#: 年化18%, 月息2%, 日返1.2%: a rate is a promise only when it is high once annualised.
_HIGH_RATE = re.compile(
    r"(?P<period>日|天|周|月|年)(?:化(?:收益率?)?|息|利率|收益率?|回报率?|返|分红率?)\s*"
    r"(?:可达|最高|高达|高于|达到?|不低于|稳定在?|约|为|是|:)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?:%|个点)")
_PER_YEAR = {"日": 365, "天": 365, "周": 52, "月": 12, "年": 1}
_HIGH = 10.0  # per cent a year; deposits and bonds stay well below
_ELDERLY = re.compile("养老|老人|老年|康养|颐养|长者")
_BENEFICIARY = re.compile("用于|资助|救助|受助|助学金|奖学金|受益人")
_GIVER = re.compile("您|你|甲方|认购人|投资人|投资者|参与者|参与人|出资人|持有人")
_CHARITY = re.compile("公益|慈善|爱心|捐|扶贫|互助|帮扶|善心|助农")
_CHARITY_SHARE = re.compile("(?:公益|慈善|爱心|扶贫|助农|互助|帮扶|善心|众帮)(?:分红|股东|份额|合伙人|理财|收益|返利|通证|币)")


#: Every sign needs one of these words (a promise, MLM or charity-share word, a buying word, an
#: amount, a rate), by the family of regexes that can use it: paragraphs without any are skipped,
#: which is most text, and a paragraph runs only the regexes of the families it holds. Literal
#: words (prefixes of the regexes' own), found for the whole page in one Aho-Corasick pass.
_TRIGGERS = {
    "money": "元 块 万 千 百 佰 仟 % 倍 翻",
    "promise": _PROMISE.pattern.replace("|", " "),
    "promise_money": "高额 高息 回本 消费 购物全返 返还本金 按月 按天 按日 月月 天天 日日",
    "mlm": "拉人头 发展下线 下线 直推 伞下 见点奖 对碰奖 层碰奖 级差奖 管理津贴 静态收益 动态收益 间接推荐",
    "charity": "公益 慈善 爱心 扶贫 助农 互助 帮扶 善心 众帮",
    "in_weak": _IN_WEAK.pattern.replace("|", " "),
    "other": "到期 个点",
}
_TRIGGER_WORDS = [(w, family) for family, words in _TRIGGERS.items() for w in words.split()]
_TRIGGER_AUTOMATON = ahocorasick_rs.AhoCorasick([w for w, _ in _TRIGGER_WORDS])


def _trigger_families(norm: str) -> tuple[list[int], list[str]]:
    """Where the trigger words are in ``norm`` (sorted starts) and the family of each."""
    starts, families = [], []
    for index, start, _ in _TRIGGER_AUTOMATON.find_matches_as_indexes(norm, overlapping=True):
        starts.append(start)
        families.append(_TRIGGER_WORDS[index][1])
    return starts, families


@dataclass(frozen=True)
class Sign:
    """One sign of illegal fundraising: its rule and its span in the normalised text."""

    rule: str
    start: int
    end: int
    phrase: str


def _scheme_rule(para: str) -> str:
    """The rule a money-in, money-out scheme falls under, from the words around it."""
    if _ELDERLY.search(para):
        return "elderly_scheme"
    if _CHARITY.search(para):
        return "charity_disguise"
    return "pyramid" if _MLM.search(para) or _REFERRAL.search(para) else "return_promise"


def _scheme(para: str) -> re.Match | None:
    """Money in and a promised return on it: the shape of 认购一份两万，每月领取四百元，到期本金全退.

    Returns that go to beneficiaries (留本基金: 本金不动，每年收益用于资助学生) are not promised to the giver.
    """
    strong_in = _IN_STRONG.search(para)
    if not (strong_in or _IN_WEAK.search(para)):
        return None
    if _BENEFICIARY.search(para) and not _GIVER.search(para):
        return None
    out_amount, out, rate, back = _OUT_AMOUNT.search(para), _OUT.search(para), _RATE.search(para), _BACK.search(para)
    returns = _RETURN.search(para) or (out_amount and re.search("返|拿|分", out_amount.group()))
    score = (2 if strong_in else 1) + (2 if out_amount else 1 if out else 0) + bool(rate) + bool(back) + bool(returns)
    if (rate or back or returns) and (out or rate or (back and returns)) and score >= 3:
        return out_amount or rate or back or out or returns
    return None


def _referral(para: str) -> re.Match | None:
    """A reward for each recruit, with an amount, in a money-in scheme or with MLM words."""
    for m in _REFERRAL.finditer(para):
        if _AMOUNT_AFTER.match(para, m.end()) and (_IN_STRONG.search(para) or _IN_WEAK.search(para)
                                                   or _MLM.search(para) or _RETURN.search(para)):
            return m
    return None


def _paragraph_signs(para: str, families: set[str]) -> list[tuple[str, re.Match]]:
    """The signs in one paragraph that holds trigger words of ``families``."""
    found = [("return_promise", m) for m in _PROMISE.finditer(para)] if "promise" in families else []
    if "promise_money" in families:
        rest = _MONEY_WORDS.search(_PROMISE_MONEY.sub("", para))
        found += [("return_promise", m) for m in _PROMISE_MONEY.finditer(para) if rest]
    if "mlm" in families:
        found += [("pyramid", m) for m in _MLM.finditer(para)
                  if _MLM_MONEY.search(para[:m.start()] + "\n" + para[m.end():])]
    if _LAWFUL.search(para):
        return found
    if "charity" in families:
        found += [("charity_disguise", m) for m in _CHARITY_SHARE.finditer(para)
                  if _RATE.search(para) or (_RETURN.search(_CHARITY_SHARE.sub("", para)) and _IN_STRONG.search(para))]
    if "money" not in families and "in_weak" not in families:
        return found  # no money in and no amount: no scheme, referral or rate
    scheme = _scheme(para)
    if scheme:
        found.append((_scheme_rule(para), scheme))
    referral = _referral(para) if "money" in families else None
    if referral:
        found.append(("pyramid", referral))
    if _IN_STRONG.search(para) or _IN_WEAK.search(para):
        found += [("return_promise", m) for m in _HIGH_RATE.finditer(para)
                  if float(m.group("num")) * _PER_YEAR[m.group("period")] >= _HIGH]
    return found


def _warned(layout: Layout, start: int, end: int, head_warned: bool) -> bool:
    if head_warned:
        return True
    around = "\n".join([*layout.lines_before(start, 2), layout.text[start:end]])
    return bool(_WARN.search(_DENIAL.sub("", around)))


def fraud_signs(norm: str, title: str = "", layout: Layout | None = None) -> list[Sign]:
    """Signs of illegal fundraising in normalised text, outside warning paragraphs, in text order;
    ``layout`` is ``norm``'s (:attr:`Document.layout`), made here when not given."""
    starts, families = _trigger_families(norm)
    if not starts:
        return []
    layout = layout or Layout(norm)
    head = normalise(title).text + "\n" + layout.head()
    head_warned = bool(_TITLE_WARN.search(_DENIAL.sub("", head)))
    signs: list[Sign] = []
    for start, end in layout.paragraphs():
        first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        if first == last:
            continue
        para = norm[start:end]
        found = _paragraph_signs(para, set(families[first:last]))
        if found and not _warned(layout, start, end, head_warned):
            signs += [Sign(rule, start + m.start(), start + m.end(), m.group()) for rule, m in found]
    return sorted(signs, key=lambda s: (s.start, s.end))
