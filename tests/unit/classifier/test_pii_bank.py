"""Table-driven tests of the pii_bank detector: individuals' bank card numbers."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.codes import is_valid_ric, ric_check_char
from classifier.detectors.pii_bank import PiiBankDetector, is_card_number, luhn_ok
from classifier.evidence import mask_digits
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")


def luhn_digit(body: str) -> str:
    """The Luhn check digit that completes ``body``."""
    return next(d for d in "0123456789" if luhn_ok(body + d))


def make_card(prefix: str, length: int, seed: int) -> str:
    """A Luhn-valid card number of ``length`` digits starting with ``prefix``."""
    rng = random.Random(seed)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    number = body + luhn_digit(body)
    assert luhn_ok(number) and len(number) == length
    return number


def break_luhn(number: str) -> str:
    last = int(number[-1])
    return number[:-1] + str((last + 1) % 10)


def grouped(number: str, sep: str = " ") -> str:
    return sep.join(number[k:k + 4] for k in range(0, len(number), 4))


def fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in value)


def make_gansu_id_passing_luhn() -> str:
    """A valid resident ID from 甘肃 (region 62…) that is also Luhn-valid: a card look-alike."""
    for seq in range(1000):
        first17 = f"62010219800101{seq:03d}"
        number = first17 + ric_check_char(first17)
        if number[-1].isdigit() and luhn_ok(number):
            assert is_valid_ric(number)
            return number
    raise AssertionError("no such ID")


C1 = make_card("622202", 19, 1)   # ICBC UnionPay debit
C2 = make_card("622848", 19, 2)   # ABC
C3 = make_card("621700", 19, 3)   # CCB
C4 = make_card("621098", 19, 4)   # Postal Savings
C5 = make_card("623668", 16, 5)   # 16-digit UnionPay
VISA = make_card("427020", 16, 6)
MASTER = make_card("524047", 16, 7)
LEGACY = make_card("955880", 19, 8)  # ICBC pre-UnionPay
JCB = make_card("356833", 16, 9)
BOC60 = make_card("601382", 16, 10)
ID62 = make_gansu_id_passing_luhn()
MASKED_ID = "500114********1234"
QUALIFIED = OrgContext(name="黔江区慈善会", charity=True, public_fundraising_qualified=True)
UNQUALIFIED = OrgContext(name="黔江区青少年服务中心")

#: (id, text, the exact substrings of the text that must be reported in order, ctx)
POSITIVE = [
    ("gongshi-tabs", f"2024年助学金发放公示\n序号\t姓名\t银行卡号\t金额\n1\t韦春燕\t{C1}\t2000", [C1], None),
    ("gongshi-three-rows", "困难职工慰问金发放名单\n序号 姓名 身份证号码 银行卡号 开户行\n"
     f"1 石海峰 {MASKED_ID} {C1} 工商银行\n2 谭晓梅 {MASKED_ID} {C2} 农业银行\n"
     f"3 冉小东 {MASKED_ID} {C3} 建设银行", [C1, C2, C3], None),
    ("label-kahao", f"受助人：彭玉兰，卡号：{C2}，请于本周内核对。", [C2], None),
    ("label-yinhangka", f"补助资金将直接发放至向晓红本人银行卡{C3}，请注意查收。", [C3], None),
    ("holder-person-one-line", f"开户行：中国农业银行黔江支行 账号：{C2}（户名：龚志强）", [C2], None),
    ("grouped-19", f"邹丽 卡号：{grouped(C1)}", [grouped(C1)], None),
    ("grouped-16", f"银行卡号 {grouped(C5)} 已登记", [grouped(C5)], None),
    ("grouped-hyphen", f"罗春梅 卡号 {grouped(C4, '-')}", [grouped(C4, "-")], None),
    ("grouped-ideographic", f"田志刚　卡号　{grouped(C3, chr(0x3000))}", [grouped(C3, "\u3000")], None),
    ("fullwidth-digits", f"黎小芳 银行卡号：{fullwidth(C2)}", [fullwidth(C2)], None),
    ("visa-credit", f"付晓燕 信用卡号：{VISA}", [VISA], None),
    ("mastercard", f"报销人 孔德明 信用卡 {MASTER}", [MASTER], None),
    ("legacy-icbc-9558", f"何志明 工商银行卡号 {LEGACY}", [LEGACY], None),
    ("jcb", f"陈国华 卡号{JCB}", [JCB], None),
    ("boc-60", f"欧阳晓雯 中国银行借记卡 {BOC60}", [BOC60], None),
    ("bank-after-number", f"慰问金发放：杨帆 {C1}（中国农业银行）", [C1], None),
    ("cells-per-line", f"姓名\n蒋玉\n银行卡号\n{C3}\n金额\n500元", [C3], None),
    ("personal-holder-appeal", f"为患病女儿筹集医疗费，爱心捐款请转入：户名：任思远 开户行：建设银行 账号：{C3}",
     [C3], UNQUALIFIED),
    ("personal-holder-qualified", f"患儿家属收款账户：户名：秦雪 中国邮政储蓄银行 卡号 {C4}", [C4], QUALIFIED),
    ("holder-after-number", f"收款账户：{C1} 收款人：覃桂英", [C1], None),
    ("masked-and-unmasked", f"1 舒志勇 卡号 {mask_digits(C1, 4, 4)}\n2 冯雅琴 卡号 {C2}\n3 聂春生 卡号 {mask_digits(C3, 4, 4)}",
     [C2], None),
    ("id-and-card-row", f"姓名 身份证号 银行卡号\n韦春燕 {MASKED_ID} {C2}", [C2], None),
    ("inline-list", f"1.罗春梅 卡号{C1}；2.田志刚 卡号{C2}；3.黎小芳 卡号{C3}。", [C1, C2, C3], None),
    ("zhanghao-then-holder", f"账号：{C4} 户名：付晓燕", [C4], None),
    ("chuxuka", f"领取人 孔德明 邮政储蓄卡 {C5}", [C5], None),
    ("shebaoka", f"参保人 何志明 社保卡号：{C1}", [C1], None),
    ("org-named-on-line-person-card", f"黔江区慈善会向困难群众冉光明发放救助金，银行卡号{C1}。", [C1], QUALIFIED),
    ("header-holder-column-person", f"户名 开户行 账号\n何志明 农业银行黔江支行 {C2}", [C2], None),
    ("order-label-not-adjacent", f"订单编号 A20240315 持卡人 孔德明 卡号 {C1}", [C1], None),
    ("spaced-labels-person-holder", f"户　　名：韦春燕\n开 户 行：中国农业银行黔江支行\n账　　号：{C2}", [C2], None),
    ("amount-after-run", f"序号 姓名 银行卡号 金额\n1 石海峰 {C1} 2000\n2 谭晓梅 {C2} 1500", [C1, C2], None),
    ("transfer-verb", f"救助金已于3月15日打入受助人石海峰名下{C1}。", [C1], None),
    ("amount-after-grouped", f"序号 姓名 银行卡号 金额\n1 石海峰 {grouped(C5)} 2000元", [grouped(C5)], None),
]

#: (id, text, ctx) where nothing may be reported.
NEAR_MISS = [
    ("masked-stars", f"韦春燕 卡号：{mask_digits(C1, 4, 4)}", None),
    ("masked-x", f"石海峰 卡号：{C1[:4]}xxxxxxxxxxx{C1[-4:]}", None),
    ("luhn-invalid", f"谭晓梅 卡号：{break_luhn(C1)}", None),
    ("luhn-invalid-grouped", f"冉小东 卡号：{grouped(break_luhn(C2))}", None),
    ("no-context", f"截至目前本站累计访问量 {C1} 次。", None),
    ("order-number", f"订单号：{C1}", None),
    ("transaction-number", f"交易流水号：{C2}", None),
    ("bank-transaction-number", f"银行流水号 {C3}", None),
    ("member-card", f"会员卡号：{C1}", None),
    ("invoice-number", f"报销发票号码：{C5}", None),
    ("gansu-id-passes-luhn", f"姓名 银行卡号\n彭玉兰 {ID62}", None),
    ("unknown-issuer", f"向晓红 卡号：{make_card('888888', 19, 11)}", None),
    ("twenty-digits", f"龚志强 账号：{make_card('622202', 20, 12)}", None),
    ("fifteen-digits", f"邹丽 卡号 {make_card('622202', 15, 13)}", None),
    ("org-holder-block", f"户名：黔江区慈善会\n开户行：中国农业银行黔江支行\n账号：{C2}", UNQUALIFIED),
    ("org-holder-after", f"账号：{C2}\n户名：黔江区老年人体育协会\n开户行：重庆农商行黔江支行", None),
    ("holder-is-ctx-name", f"户名：黔江区微光公益\n账号：{C1}", OrgContext(name="黔江区微光公益")),
    ("org-holder-one-line", f"户名：重庆市黔江区社会组织联合会 账号：{C3} 开户行：重庆农商行黔江支行", None),
    ("org-holder-table", f"户名 开户行 账号\n黔江区慈善会 中国农业银行黔江支行 {C2}", None),
    ("company-payee", f"收款单位：重庆青禾文化传播有限公司 账号 {C4}", None),
    ("basic-account", f"本会基本账户：中国建设银行 {C3}", None),
    ("corporate-heading", f"对公账户信息\n开户行：中国农业银行黔江支行\n账号：{C1}", QUALIFIED),
    ("qualified-donation-block", f"爱心捐款通道\n开户银行：中国工商银行黔江支行\n捐款账号：{C1}", QUALIFIED),
    ("qualified-donation-line", f"捐款请汇至本会，开户行：重庆农商行，账号{C1}，谢谢您的爱心。", QUALIFIED),
    ("payee-org-word", f"收款账户：黔江区老年协会 中国银行 {BOC60}", None),
    ("spaced-labels-org-holder", f"户　　名：黔江区慈善会\n开 户 行：中国农业银行黔江支行\n账　　号：{C2}", None),
    ("footer-account", f"本会召开年度理事会。\n地址：黔江区城西街道文汇路8号 邮编：409000\n开户行：农业银行黔江支行 账号：{C2}\n"
     "版权所有：黔江区青少年服务中心 渝ICP备12345678号-1", None),
    ("settlement-card", f"本中心单位结算卡：{C5}", None),
    ("letters-attached", f"交易凭证 NO{C1}", None),
    ("longer-grouped-code", f"卡号 {grouped(C5)} 1234 5678", None),
    ("longer-digit-run", f"银行卡号 7{C1}", None),
    ("phone-and-id", f"韦春燕 13812345678 {MASKED_ID} 黔江区城西街道", None),
]


def _run(text: str, ctx: OrgContext | None = None) -> list:
    return list(PiiBankDetector().detect(Document(text=text), ctx or OrgContext()))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value.translate({c + 0xFEE0: c for c in range(0x30, 0x3A)}))


@pytest.mark.parametrize(("text", "expected", "ctx"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_card_numbers(text: str, expected: list[str], ctx: OrgContext | None) -> None:
    found = _run(text, ctx)
    assert len(found) == 1
    det = found[0]
    assert (det.category, det.rule, det.severity, det.key) == ("pii_bank", "card_number", Severity.HIGH, "")
    assert det.detail["count"] == len(expected)
    assert [text[s:e] for s, e in det.detail["positions"]] == expected
    assert (det.start, det.end) == tuple(det.detail["positions"][0])
    assert det.detail["masked"] == [mask_digits(_digits(e), 4, 4) for e in expected]
    assert f"【{det.detail['masked'][0]}】" in det.evidence


@pytest.mark.parametrize(("text", "expected", "ctx"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_no_full_number_in_evidence_or_detail(text: str, expected: list[str], ctx: OrgContext | None) -> None:
    det = _run(text, ctx)[0]
    shown = _digits(det.evidence) + " " + " ".join(_digits(str(v)) for v in det.detail.values())
    for number in expected:
        assert _digits(number) not in shown
    assert not re.search(r"\d{9,}", det.evidence.translate({0x3000: None, 0x20: None}))


@pytest.mark.parametrize(("text", "ctx"), [c[1:] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(text: str, ctx: OrgContext | None) -> None:
    assert _run(text, ctx) == []


def test_test_numbers_are_what_they_claim() -> None:
    for number in (C1, C2, C3, C4, C5, VISA, MASTER, LEGACY, JCB, BOC60):
        assert is_card_number(number), number
    assert not is_card_number(ID62) and luhn_ok(ID62)


def test_qualification_decides_a_bare_donation_account() -> None:
    text = f"爱心捐款通道\n开户银行：中国工商银行黔江支行\n捐款账号：{C1}"
    assert _run(text, QUALIFIED) == []
    assert _run(text, UNQUALIFIED)[0].detail["count"] == 1


def test_beneficiary_rows_above_a_donation_block_are_still_reported() -> None:
    text = (f"序号 姓名 银行卡号\n1 韦春燕 {C1}\n2 石海峰 {C2}\n"
            f"户名：黔江区慈善会\n开户行：中国农业银行黔江支行\n账号：{C3}")
    det = _run(text, QUALIFIED)[0]
    assert [text[s:e] for s, e in det.detail["positions"]] == [C1, C2]


def test_evidence_masks_neighbouring_numbers() -> None:
    text = f"1 韦春燕 卡号 {C1} 2 石海峰 卡号 {C2} 电话 13812345678"
    evidence = _run(text)[0].evidence
    assert C2 not in evidence and "13812345678" not in evidence
    assert evidence.startswith(f"1 韦春燕 卡号 【{mask_digits(C1, 4, 4)}】 2 石海峰 卡号 {C2[:4]}*")


def test_runs_through_analyze_with_basis() -> None:
    found = [d for d in analyze(Document(text=f"受助人 韦春燕 银行卡号 {C1}")) if d.category == "pii_bank"]
    assert len(found) == 1 and "个人信息保护法" in found[0].basis


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["pii_bank"] is PiiBankDetector
    assert PiiBankDetector.kind == "pii_bank" and (PiiBankDetector.__doc__ or "").strip()


def test_statute_text_has_no_cards() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    assert _run(LAWS.read_text(encoding="utf-8")[:300_000]) == []
