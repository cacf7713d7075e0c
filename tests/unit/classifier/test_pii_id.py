"""Table-driven tests of the pii_id detector: unmasked resident ID numbers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.codes import (
    is_plausible_legacy_ric,
    is_valid_ric,
    is_valid_uscc,
    ric_check_char,
    uscc_check_char,
)
from classifier.detectors.pii_id import PiiIdDetector
from classifier.evidence import mask_digits
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")


def make_id(region: str, birth: str, seq: str) -> str:
    """A valid 18-character resident ID from its parts, with the right check character."""
    first17 = region + birth + seq
    number = first17 + ric_check_char(first17)
    assert is_valid_ric(number), number
    return number


def make_id_ending_x(region: str, birth: str) -> str:
    """A valid ID whose check character is X."""
    for seq in range(1000):
        number = make_id(region, birth, f"{seq:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character found")


def make_uscc(first17: str) -> str:
    code = first17 + uscc_check_char(first17)
    assert is_valid_uscc(code), code
    return code


def make_id_that_is_also_uscc() -> str:
    """A valid ID that also passes the USCC check (about 1 in 31 IDs do)."""
    for seq in range(1000):
        number = make_id("110105", "19700101", f"{seq:03d}")
        if is_valid_uscc(number):
            return number
    raise AssertionError("no ID passing the USCC check found")


def make_legacy(region: str, yymmdd: str, seq: str) -> str:
    number = region + yymmdd + seq
    assert is_plausible_legacy_ric(number), number
    return number


def fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in value)


def spaced(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    return sep.join(parts)


A = make_id("500114", "19850212", "123")
B = make_id("110105", "19491001", "002")
C = make_id("320102", "20010930", "047")
D = make_id("440304", "19630517", "318")
AX = make_id_ending_x("510107", "19920304")
DUAL = make_id_that_is_also_uscc()
OWN_USCC = make_uscc("51500114MJP123456")
OTHER_USCC = make_uscc("53110000MJ0012345")
OWN_DIGIT_USCC = DUAL  # an organisation whose code happens to pass the ID check too
L1 = make_legacy("500114", "630517", "318")
L2 = make_legacy("110105", "490101", "021")
CARD = "6222021234567890123"
ADDRESS = "黔江区城西街道办事处某某社区居民委员会第三居民小组，家庭困难，申请临时救助，经审核同意。"

#: (id, text, the exact substrings of the text that must be reported, in order)
POSITIVE = [
    ("beneficiary-list", f"2023年受助人名单\n序号 姓名 身份证号码 救助金额\n1 张三 {A} 2000元\n", [A]),
    ("gongshi-tabs", f"公示名单\n序号\t姓名\t身份证号\t金额\n1\t李四\t{B}\t1500\n", [B]),
    ("relief-three-rows", f"救助金发放名单\n1 王五 {A} 800元\n2 赵六 {B} 800元\n3 钱七 {C} 800元", [A, B, C]),
    ("member-form", f"会员登记表\n姓名：张三  性别：男\n身份证号码：{D}\n联系电话：138****5678", [D]),
    ("check-x-upper", f"受助学生：刘八，身份证号{AX}，就读于实验中学", [AX]),
    ("check-x-lower", f"受助学生：刘八，身份证号{AX.lower()}，就读于实验中学", [AX.lower()]),
    ("fullwidth-digits", f"申请人身份证号：{fullwidth(A)}", [fullwidth(A)]),
    ("fullwidth-x", f"申请人身份证号：{fullwidth(AX)}。", [fullwidth(AX)]),
    ("spaces-6-8-4", f"身份证号 {spaced(A, (6, 8, 4), ' ')} 已核实", [spaced(A, (6, 8, 4), " ")]),
    ("spaces-6-4-4-4", f"证件号码：{spaced(B, (6, 4, 4, 4), ' ')}", [spaced(B, (6, 4, 4, 4), " ")]),
    ("hyphens-6-8-4", f"身份证：{spaced(C, (6, 8, 4), '-')}", [spaced(C, (6, 8, 4), "-")]),
    ("hyphens-6-4-4-4", f"身份证：{spaced(D, (6, 4, 4, 4), '-')}。", [spaced(D, (6, 4, 4, 4), "-")]),
    ("fullwidth-hyphens", f"身份证：{spaced(A, (6, 8, 4), '－')}", [spaced(A, (6, 8, 4), "－")]),
    ("ideographic-spaces", f"公民身份号码　{spaced(B, (6, 8, 4), '　')}", [spaced(B, (6, 8, 4), "　")]),
    ("table-cells-tabs", f"张三\t{spaced(A, (6, 8, 4), chr(9))}\t困难户", [spaced(A, (6, 8, 4), "\t")]),
    ("table-cells-newlines", f"姓名\n张三\n身份证\n{spaced(B, (10, 8), chr(10))}\n住址\n黔江区", [spaced(B, (10, 8), "\n")]),
    ("cell-wrapped-7-7-4", f"受助人\t{spaced(C, (7, 7, 4), chr(10))}\t1000元", [spaced(C, (7, 7, 4), "\n")]),
    ("digit-boxes-spaces", f"会员登记表\n身份证号码 {' '.join(C)} \n民族 汉", [" ".join(C)]),
    ("digit-boxes-tabs", f"公民身份号码\t{chr(9).join(D)}\n", ["\t".join(D)]),
    ("digit-boxes-x", f"身份证号码 {' '.join(AX)}", [" ".join(AX)]),
    ("legacy-label", f"老会员张某，身份证号：{L1}，1963年生。", [L1]),
    ("legacy-gongmin", f"公民身份号码 {L2}", [L2]),
    ("legacy-zhengjian", f"证件号：{L1}", [L1]),
    ("legacy-list-chained", f"身份证号码\n1 张某 {A} {ADDRESS}\n2 李某 {L1} {ADDRESS}\n3 王某 {L2} {ADDRESS}",
     [A, L1, L2]),
    ("parenthesised", f"本次资助困难群众张三（{A}）、李四（{B}）。", [A, B]),
    ("followed-by-cjk", f"受助人王五{C}男汉族", [C]),
    ("member-number-label", f"会员编号：{D}（以身份证号作为会员编号）", [D]),
    ("id-that-passes-uscc", f"受助人：周九 身份证号码：{DUAL} 金额：500元", [DUAL]),
    ("own-uscc-and-id", f"统一社会信用代码：{OWN_USCC}\n联系人：张三 {A}", [A]),
    ("header-with-card-column", f"姓名 身份证号码 银行卡号\n张三 {A} {CARD}", [A]),
    ("header-cells-per-line", f"身份证号码\n订单号\n张三\n{B}\n2024011512345678", [B]),
    ("after-labelled-card", f"银行卡号：{CARD} {A} 张三", [A]),
    ("after-order-with-own-label", f"订单号：2024011512345678 身份证号：{B}", [B]),
    ("masked-and-unmasked", f"1 张三 {mask_digits(A)}\n2 李四 {B}\n3 王五 {mask_digits(C)}", [B]),
    ("phone-space-id", f"张三 13812345678 {C} 黔江区", [C]),
    ("zero-width-split", f"身份证号{A[:6]}\u200b{A[6:]}", [f"{A[:6]}\u200b{A[6:]}"]),
]

#: (id, text, ctx) where nothing may be reported.
NEAR_MISS = [
    ("masked-stars", f"受助人名单\n1 张三 {mask_digits(A)} 2000元", None),
    ("masked-birth-year-kept", f"1 李四 {B[:10]}****{B[-4:]}", None),
    ("masked-fullwidth-stars", f"1 王五 {A[:6]}＊＊＊＊＊＊＊＊{A[-4:]}", None),
    ("masked-x-run", f"1 赵六 {A[:6]}xxxxxxxx{A[-4:]}", None),
    ("masked-x-run-upper", f"1 赵六 {A[:6]}XXXXXXXX{A[-4:]}", None),
    ("masked-dots", f"1 钱七 {C[:6]}●●●●●●●●{C[-4:]}", None),
    ("masked-spaced", f"身份证号 {A[:6]} ******** {A[-4:]}", None),
    ("wrong-check", f"身份证号：{A[:17]}{'0' if A[17] != '0' else '1'}", None),
    ("bad-date", "身份证号：" + (lambda f: f + ric_check_char(f))("50011419851345123"), None),
    ("future-birth", "身份证号：" + (lambda f: f + ric_check_char(f))("50011420990101123"), None),
    ("bad-province", "身份证号：" + (lambda f: f + ric_check_char(f))("99011419850212123"), None),
    ("split-wrong-check", f"身份证 {A[:6]} {A[6:14]} {A[14:17]}{'0' if A[17] != '0' else '1'}", None),
    ("own-uscc", f"主办单位：黔江区慈善会 统一社会信用代码：{OWN_USCC}", OrgContext(uscc=OWN_USCC)),
    ("own-uscc-digits", f"黔江区慈善会 {OWN_DIGIT_USCC} 渝ICP备12345678号", OrgContext(uscc=OWN_DIGIT_USCC)),
    ("other-org-uscc", f"合作单位：某某基金会（{OTHER_USCC}）", None),
    ("uscc-labelled-digits", f"会员单位 统一社会信用代码：{DUAL}", None),
    ("order-number", f"订单号：{A}  支付成功", None),
    ("transaction-number", f"交易流水号：{B}", None),
    ("waybill-number", f"快递单号 {C} 已签收", None),
    ("bank-card-label", f"银行卡号：{D}", None),
    ("longer-digit-run", f"产品序号 7{A} 已出库", None),
    ("id-inside-serial", f"设备编码 {A}AB07", None),
    ("phone-id-concatenated", f"联系方式13812345678{A}", None),
    ("bank-card", f"捐款账户 中国银行 {CARD}", None),
    ("legacy-without-context", f"项目编码 {L1} 已立项", None),
    ("legacy-context-too-far", "请携带身份证报名。" + "活动说明" * 60 + f"项目编码 {L1}", None),
    ("legacy-registration-number", f"请携带身份证原件。营业执照注册号：{L1}", None),
    ("order-number-wordy", f"您的订单编号为 {B}，请妥善保存。", None),
    ("legacy-bad-date", "身份证号：500114631345318", None),
    ("hyphen-grouping-4-4-4-4-2", f"设备编码 {spaced(A, (4, 4, 4, 4, 2), '-')}", None),
    ("hyphenated-longer-code", f"档案号 NO-{spaced(A, (6, 8, 4), '-')}-01", None),
    ("calendar-widget", "\n".join(
        " ".join(str(d) for d in range(w * 7 + 1, min(w * 7 + 8, 32))) for w in range(5)
    ), None),
    ("statistics-table", "年度收支（元）\n2019 2020 2021 2022 2023\n125000 340000 560000 780000 910000\n"
     "12 34 56 78 90 1985 0212 1231 11 5001", None),
    ("date-columns-table", "物资发放统计\n组别\t户数\t批次\t人数\t年\t月\t日\t件数\t箱数\n"
     "5\t43\t1\t27\t2005\t12\t26\t25\t15", None),
    ("laws-style-dates", "（2018-10-26）第一百二十条 自1999年10月1日起施行。", None),
]


def _run(text: str, ctx: OrgContext | None = None) -> list:
    return list(PiiIdDetector().detect(Document(text=text), ctx or OrgContext()))


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value.translate({c + 0xFEE0: c for c in range(0x21, 0x7F)}))


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_unmasked_ids(text: str, expected: list[str]) -> None:
    found = _run(text)
    assert len(found) == 1
    det = found[0]
    assert (det.category, det.rule, det.severity, det.key) == ("pii_id", "unmasked_id", Severity.HIGH, "")
    assert det.detail["count"] == len(expected)
    assert [text[s:e] for s, e in det.detail["positions"]] == expected
    assert (det.start, det.end) == tuple(det.detail["positions"][0])
    numbers = [_compact(e).upper() for e in expected]
    assert det.detail["masked"] == [mask_digits(n, 6, 4) for n in numbers]
    assert f"【{det.detail['masked'][0]}】" in det.evidence


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_evidence_never_holds_a_full_id(text: str, expected: list[str]) -> None:
    det = _run(text)[0]
    compact_evidence = _compact(det.evidence).upper()
    for number in expected:
        assert _compact(number).upper() not in compact_evidence
    assert not re.search(r"[0-9]{15,}", det.evidence)
    assert "*" in det.evidence


@pytest.mark.parametrize(("text", "ctx"), [c[1:] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(text: str, ctx: OrgContext | None) -> None:
    assert _run(text, ctx) == []


def test_evidence_masks_other_numbers_in_the_window() -> None:
    text = f"1 张三 {A} 2 李四 {B} 卡号{CARD}"
    evidence = _run(text)[0].evidence
    assert B not in evidence and CARD not in evidence
    assert evidence.startswith(f"1 张三 【{mask_digits(A)}】 2 李四 {B[:6]}")


def test_one_detection_per_document_with_basis() -> None:
    text = "\n".join(f"{k} 受助人 {n}" for k, n in enumerate([A, B, C, D, AX], 1))
    found = _run(text)
    assert len(found) == 1 and found[0].detail["count"] == 5
    assert "个人信息保护法" in found[0].basis


def test_runs_through_analyze() -> None:
    found = [d for d in analyze(Document(text=f"受助人名单 张三 {A}")) if d.category == "pii_id"]
    assert len(found) == 1 and found[0].detail["masked"] == [mask_digits(A)]


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["pii_id"] is PiiIdDetector
    assert PiiIdDetector.kind == "pii_id"
    assert (PiiIdDetector.__doc__ or "").strip()


def test_statute_text_has_no_ids() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    assert _run(text) == []
