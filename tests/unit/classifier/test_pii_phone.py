"""Table-driven tests of the pii_phone_list detector: named private persons with mobile numbers."""
from __future__ import annotations

import random
import re
from pathlib import Path

import phonenumbers
import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.detectors.pii_phone import PiiPhoneListDetector, as_name, is_mobile
from classifier.evidence import mask_digits
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")


def make_mobile(prefix: str, seed: int) -> str:
    """An 11-digit mainland mobile number that libphonenumber accepts as a mobile."""
    rng = random.Random(seed)
    number = prefix + "".join(rng.choice("0123456789") for _ in range(11 - len(prefix)))
    parsed = phonenumbers.parse("+86" + number)
    assert phonenumbers.is_valid_number(parsed), number
    assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE, number
    return number


def spaced(number: str, sep: str = " ") -> str:
    return f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"


def fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in value)


P = [make_mobile(prefix, seed) for seed, prefix in enumerate(
    ["138", "139", "137", "158", "186", "152", "177", "199", "135", "187", "150", "182", "136", "189"])]
NAMES = ["韦春燕", "石海峰", "谭晓梅", "冉小东", "彭玉兰", "向晓红", "龚志强", "邹丽", "罗春梅", "田志刚",
         "黎小芳", "付晓燕", "孔德明", "何志明"]
MASKED_ID = "500114********1234"
FOOTER = f"地址：黔江区城西街道文汇路8号 联系电话：{P[13]} 邮编：409000\n版权所有：黔江区青少年服务中心 渝ICP备12345678号-1"


def rows(count: int, fmt: str = "{k} {name} {phone}", start: int = 0) -> str:
    return "\n".join(fmt.format(k=k + 1, name=NAMES[start + k], phone=P[start + k]) for k in range(count))


#: (id, text, the exact substrings of the text that must be reported in order)
POSITIVE = [
    ("volunteer-table-tabs", "2024年寒假志愿者名单\n序号\t姓名\t手机号码\n"
     + rows(3, "{k}\t{name}\t{phone}"), P[:3]),
    ("cells-with-gender", "助残志愿者登记\n序号 姓名 性别 联系电话\n1 冉小东 男 " + P[0] + "\n2 彭玉兰 女 "
     + P[1] + "\n3 向晓红 女 " + P[2], P[:3]),
    ("contact-person-lines", f"社区志愿服务队 联系人：韦春燕 {P[0]}\n老年人体育协会 联系人：石海峰 {P[1]}\n"
     f"书画研究会 联系人：谭晓梅 {P[2]}", P[:3]),
    ("plus86", "\n".join(f"{NAMES[k]} +86 {P[k]}" for k in range(3)), [f"+86 {P[k]}" for k in range(3)]),
    ("86-hyphen", "\n".join(f"{NAMES[k]}：86-{P[k]}" for k in range(3)), [f"86-{P[k]}" for k in range(3)]),
    ("spaced-3-4-4", "\n".join(f"{NAMES[k]} {spaced(P[k])}" for k in range(3)), [spaced(P[k]) for k in range(3)]),
    ("hyphen-3-4-4", "\n".join(f"{NAMES[k]} {spaced(P[k], '-')}" for k in range(3)),
     [spaced(P[k], "-") for k in range(3)]),
    ("fullwidth-digits", "\n".join(f"{NAMES[k]} {fullwidth(P[k])}" for k in range(3)),
     [fullwidth(P[k]) for k in range(3)]),
    ("compound-surnames", f"1 欧阳晓雯 {P[0]}\n2 司马长青 {P[1]}\n3 上官云 {P[2]}", P[:3]),
    ("honorific-persons", f"失物认领登记：王先生 {P[0]}；李女士 {P[1]}；赵阿姨 {P[2]}。", P[:3]),
    ("masked-names", f"受助家庭回访名单\n1 韦* {P[0]}\n2 石某某 {P[1]}\n3 谭** {P[2]}", P[:3]),
    ("same-surname-masked", f"1 张某 {P[0]}\n2 张某 {P[1]}\n3 张某 {P[2]}", P[:3]),
    ("cells-per-line", f"姓名\n手机\n{NAMES[0]}\n{P[0]}\n{NAMES[1]}\n{P[1]}\n{NAMES[2]}\n{P[2]}", P[:3]),
    ("number-then-name", "\n".join(f"{P[k]}（{NAMES[k]}）" for k in range(3)), P[:3]),
    ("inline-paragraph", f"参加培训人员：韦春燕{P[0]}、石海峰{P[1]}、谭晓梅{P[2]}。", P[:3]),
    ("list-above-footer", "2024年度优秀志愿者\n" + rows(3) + "\n" + FOOTER, P[:3]),
    ("with-masked-ids", "\n".join(f"{k + 1} {NAMES[k]} {MASKED_ID} {P[k]} 黔江区城西街道" for k in range(4)), P[:4]),
    ("name-phone-labels", "\n".join(f"姓名：{NAMES[k]} 电话：{P[k]}" for k in range(3)), P[:3]),
    ("compact-label", "\n".join(f"联系人{NAMES[k]}电话{P[k]}" for k in range(3)), P[:3]),
    ("name-then-label", "\n".join(f"{NAMES[k]}手机号码{P[k]}" for k in range(3)), P[:3]),
    ("parenthesised-86", "\n".join(f"{NAMES[k]}（+86）{P[k]}" for k in range(3)), [f"（+86）{P[k]}" for k in range(3)]),
    ("prefix-0086", "\n".join(f"{NAMES[k]} 0086{P[k]}" for k in range(3)), [f"0086{P[k]}" for k in range(3)]),
    ("gender-age-between", "\n".join(f"{NAMES[k]} 女 34岁 {P[k]}" for k in range(3)), P[:3]),
    ("household-heads", "\n".join(f"户主：{NAMES[k]} 联系电话：{P[k]}" for k in range(3)), P[:3]),
    ("some-masked-numbers", rows(4) + f"\n5 {NAMES[4]} {mask_digits(P[4], 3, 4)}\n6 {NAMES[5]} 158xxxx1234", P[:4]),
    ("org-number-in-header-too", f"服务热线：{P[13]}\n活动报名名单\n" + rows(3) + "\n" + FOOTER, P[:3]),
    ("age-86-before-number", "\n".join(f"{k + 1} {NAMES[k]} 男 86 {P[k]}" for k in range(3)), P[:3]),
    ("two-line-records", "\n".join(f"姓名：{NAMES[k]}\n电话：{P[k]}" for k in range(3)), P[:3]),
    ("one-line-record-with-fields", "\n".join(f"姓名：{NAMES[k]}，性别：女，联系电话：{P[k]}" for k in range(3)), P[:3]),
    ("address-column-between", "\n".join(f"{k + 1}\t{NAMES[k]}\t女\t黔江区城西街道文汇路{k + 8}号3单元2楼\t{P[k]}"
                                          for k in range(3)), P[:3]),
    ("two-per-line", f"{NAMES[0]} {P[0]} {NAMES[1]} {P[1]}\n{NAMES[2]} {P[2]} {NAMES[3]} {P[3]}", P[:4]),
    ("nine-persons-medium", rows(9), P[:9]),
]

HIGH_CASES = [
    ("ten-persons", rows(10), 10),
    ("thirteen-persons", rows(13), 13),
]

#: (id, text, title) where nothing may be reported.
NEAR_MISS = [
    ("two-persons", rows(2), ""),
    ("masked-stars", "\n".join(f"{NAMES[k]} {mask_digits(P[k], 3, 4)}" for k in range(4)), ""),
    ("masked-x", "\n".join(f"{NAMES[k]} {P[k][:3]}xxxx{P[k][-4:]}" for k in range(4)), ""),
    ("footer-only", "本会召开年度理事会。\n" + FOOTER, ""),
    ("contact-section", f"联系我们\n秘书处：韦春燕 {P[0]}\n项目部：石海峰 {P[1]}\n财务部：谭晓梅 {P[2]}", ""),
    ("contact-page-title", rows(3, "{name} {phone}"), "联系我们"),
    ("consultation-staff", f"报名咨询：王老师 {P[0]}；李老师 {P[1]}；赵老师 {P[2]}。", ""),
    ("staff-titles", f"王老师 {P[0]}\n李主任 {P[1]}\n赵经理 {P[2]}", ""),
    ("consultation-full-names", f"报名咨询：韦春燕 {P[0]}、石海峰 {P[1]}、谭晓梅 {P[2]}", ""),
    ("landlines", "\n".join(f"{NAMES[k]} 023-7922{k:04d}" for k in range(3)), ""),
    ("filing-numbers", "京公网安备 11010502030000号 京ICP备13012345号-1 渝公网安备 50011402000123号", ""),
    ("hotlines", "市民服务热线 12345\n民政服务热线 96345\n心理援助热线 96320", ""),
    ("invalid-mobile-range", "\n".join(f"{NAMES[k]} 140{k}1234567" for k in range(3)), ""),
    ("same-number-three-names", f"{NAMES[0]} {P[0]}\n{NAMES[1]} {P[0]}\n{NAMES[2]} {P[0]}", ""),
    ("repeated-org-contact", f"{NAMES[0]} {P[13]}\n{NAMES[1]} {P[1]}\n{NAMES[2]} {P[2]}\n" + FOOTER, ""),
    ("numbers-without-names", "\n".join(P[:4]), ""),
    ("prose-numbers", "\n".join(f"如有疑问请拨打{P[k]}咨询。" for k in range(3)), ""),
    ("place-names", f"黔江区 {P[0]}\n城西街道 {P[1]}\n正阳镇 {P[2]}", ""),
    ("weekdays", f"周一 {P[0]}\n周三 {P[1]}\n周五 {P[2]}", ""),
    ("departments", f"办公室 {P[0]}\n项目部 {P[1]}\n财务部 {P[2]}", ""),
    ("service-hotline-label", "\n".join(f"服务热线：{P[k]}（{NAMES[k]}）" for k in range(3)), ""),
    ("qq-numbers", "\n".join(f"{NAMES[k]} QQ：{P[k]}" for k in range(3)), ""),
    ("order-numbers", "\n".join(f"{NAMES[k]} 订单号：{P[k]}" for k in range(3)), ""),
    ("branch-address-lines", "\n".join(
        f"{w}工作站 地址：黔江区{w}路1号 电话：{P[k]} 邮箱：qj{k}@example.org" for k, w in enumerate("东西南")), ""),
    ("twelve-digits", "\n".join(f"{NAMES[k]} {P[k]}9" for k in range(3)), ""),
    ("inside-id-number", "\n".join(f"{NAMES[k]} 5001{P[k]}123" for k in range(3)), ""),
    ("notice-contacts-heading", f"联系人及联系方式：\n韦春燕 {P[0]}\n石海峰 {P[1]}\n谭晓梅 {P[2]}", ""),
    ("prose-name-far-before", "\n".join(f"{NAMES[k]}参加了本次在黔江区城西街道举办的志愿服务活动，如需了解详情请致电{P[k]}"
                                         for k in range(3)), ""),
    ("fax-and-footer", f"传真：{P[0]}\n办公电话：{P[1]}\n值班电话：{P[2]}\n版权所有 黔江区慈善会", ""),
]


def _run(text: str, title: str = "") -> list:
    return list(PiiPhoneListDetector().detect(Document(text=text, title=title), OrgContext()))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value.translate({c + 0xFEE0: c for c in range(0x30, 0x3A)}))


def _national(value: str) -> str:
    return _digits(value)[-11:]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_named_mobile_lists(text: str, expected: list[str]) -> None:
    found = _run(text)
    assert len(found) == 1
    det = found[0]
    assert (det.category, det.rule, det.severity, det.key) == (
        "pii_phone_list", "named_mobiles", Severity.MEDIUM, "")
    assert det.detail["count"] == len(expected)
    assert [text[s:e] for s, e in det.detail["positions"]] == expected
    assert (det.start, det.end) == tuple(det.detail["positions"][0])
    assert det.detail["masked"] == [mask_digits(_national(e), 3, 4) for e in expected]
    assert f"【{det.detail['masked'][0]}】" in det.evidence


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_no_full_number_in_evidence_or_detail(text: str, expected: list[str]) -> None:
    det = _run(text)[0]
    shown = _digits(det.evidence) + " " + " ".join(_digits(str(v)) for v in det.detail.values())
    for phone in expected:
        assert _national(phone) not in shown
    assert "****" in det.evidence


@pytest.mark.parametrize(("text", "count"), [c[1:] for c in HIGH_CASES], ids=[c[0] for c in HIGH_CASES])
def test_ten_or_more_is_high(text: str, count: int) -> None:
    det = _run(text)[0]
    assert det.severity is Severity.HIGH and det.detail["count"] == count


@pytest.mark.parametrize(("text", "title"), [c[1:] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(text: str, title: str) -> None:
    assert _run(text, title) == []


@pytest.mark.parametrize(("segment", "name"), [
    ("韦春燕", "韦春燕"), ("联系人石海峰", "石海峰"), ("谭晓梅电话", "谭晓梅"), ("欧阳晓雯", "欧阳晓雯"),
    ("王先生", "王*"), ("李某某", "李某某"), ("王老师", None), ("欧阳主任", None), ("韦春燕主任", "韦春燕"), ("周六", None), ("黔江区", None),
    ("项目部", None), ("城西街道", None), ("如有疑问请", None), ("金额", None),
])
def test_name_heuristic(segment: str, name: str | None) -> None:
    assert as_name(segment) == name


def test_generated_numbers_are_mobiles() -> None:
    assert all(is_mobile(p) for p in P)
    assert not is_mobile("14012345678") and not is_mobile("02379221234")


def test_runs_through_analyze_with_basis() -> None:
    found = [d for d in analyze(Document(text=rows(3))) if d.category == "pii_phone_list"]
    assert len(found) == 1 and "个人信息保护法" in found[0].basis


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["pii_phone_list"] is PiiPhoneListDetector
    assert PiiPhoneListDetector.kind == "pii_phone_list" and (PiiPhoneListDetector.__doc__ or "").strip()


def test_statute_text_has_no_phone_lists() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    assert _run(LAWS.read_text(encoding="utf-8")[:300_000]) == []
