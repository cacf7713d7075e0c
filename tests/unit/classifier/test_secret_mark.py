"""Table-driven tests of the secret_mark detector: state-secret and internal-circulation marks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.detectors.secret_mark import SecretMarkDetector
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")
NOTICE = "关于做好社会组织领域安全稳定工作的通知\n全区各社会组织，有关业务主管单位：\n现就有关工作通知如下。"

LEVEL, INTERNAL = "level_mark", "internal_mark"

#: (id, text, [(rule, key, the exact marked substring of the text)...] in text order)
POSITIVE = [
    ("machine-5y", f"机密★5年\n{NOTICE}", [(LEVEL, "机密★5年", "机密★5年")]),
    ("top-secret-long", f"绝密★长期\n{NOTICE}", [(LEVEL, "绝密★长期", "绝密★长期")]),
    ("secret-1y", f"秘密★1年\n{NOTICE}", [(LEVEL, "秘密★1年", "秘密★1年")]),
    ("secret-6-months", f"秘密★6个月\n{NOTICE}", [(LEVEL, "秘密★6个月", "秘密★6个月")]),
    ("machine-10y", f"机密★10年\n{NOTICE}", [(LEVEL, "机密★10年", "机密★10年")]),
    ("star-alone", f"机密★\n{NOTICE}", [(LEVEL, "机密★", "机密★")]),
    ("star-alone-then-urgency", f"秘密☆ 特急\n{NOTICE}", [(LEVEL, "秘密★", "秘密☆")]),
    ("spaced", f"机 密 ★\n{NOTICE}", [(LEVEL, "机密★", "机 密 ★")]),
    ("ideographic-space", f"秘\u3000密☆\n{NOTICE}", [(LEVEL, "秘密★", "秘\u3000密☆")]),
    ("spaced-period", f"机密 ★ 5 年\n{NOTICE}", [(LEVEL, "机密★5年", "机密 ★ 5 年")]),
    ("nbsp-from-html", f"机密\xa0★\xa05年\n{NOTICE}", [(LEVEL, "机密★5年", "机密\xa0★\xa05年")]),
    ("fullwidth-asterisk", f"机密＊5年\n{NOTICE}", [(LEVEL, "机密★5年", "机密＊5年")]),
    ("ascii-asterisk", f"秘密*1年\n{NOTICE}", [(LEVEL, "秘密★1年", "秘密*1年")]),
    ("fullwidth-digit", f"机密★５年\n{NOTICE}", [(LEVEL, "机密★5年", "机密★５年")]),
    ("chinese-numeral", f"秘密★一年\n{NOTICE}", [(LEVEL, "秘密★一年", "秘密★一年")]),
    ("traditional-machine", f"機密★10年\n關於社會組織工作的通知", [(LEVEL, "机密★10年", "機密★10年")]),
    ("traditional-top", f"絕密★長期\n關於社會組織工作的通知", [(LEVEL, "绝密★长期", "絕密★長期")]),
    ("after-doc-number", f"渝民〔2021〕6号      机密★1年\n{NOTICE}", [(LEVEL, "机密★1年", "机密★1年")]),
    ("in-attachment-text", f"附件2\n秘密★5年\n2021年度工作要点", [(LEVEL, "秘密★5年", "秘密★5年")]),
    ("bare-header", f"机密\n保密期限：5年\n{NOTICE}", [(LEVEL, "机密★5年", "机密")]),
    ("bare-header-long", f"秘密\n期限：长期\n{NOTICE}", [(LEVEL, "秘密★长期", "秘密")]),
    ("bare-header-field", f"密级：秘密\n保密期限：10年\n{NOTICE}", [(LEVEL, "秘密★10年", "密级：秘密")]),
    ("bare-header-below-title", f"黔江区慈善会\n绝 密\n保密期限 长期\n{NOTICE}", [(LEVEL, "绝密★长期", "绝 密")]),
    ("field-one-line", f"项目申报书\n密级：机密  保密期限：10年\n{NOTICE}",
     [(LEVEL, "机密★10年", "密级：机密  保密期限：10年")]),
    ("two-marks", f"机密★5年\n{NOTICE}\n附件\n秘密★1年\n名单",
     [(LEVEL, "机密★5年", "机密★5年"), (LEVEL, "秘密★1年", "秘密★1年")]),
    ("same-mark-twice", f"机密★5年\n{NOTICE}\n附件\n机密★5年\n名单", [(LEVEL, "机密★5年", "机密★5年")]),
    ("internal-keep", f"内部资料 注意保存\n{NOTICE}", [(INTERNAL, "内部资料 注意保存", "内部资料 注意保存")]),
    ("internal-keep-comma", f"内部资料，注意保存\n{NOTICE}", [(INTERNAL, "内部资料 注意保存", "内部资料，注意保存")]),
    ("internal-file", f"内部文件 请勿外传\n{NOTICE}", [(INTERNAL, "内部文件 请勿外传", "内部文件 请勿外传")]),
    ("internal-strict", f"内部资料 严禁外传\n会员名册", [(INTERNAL, "内部资料 严禁外传", "内部资料 严禁外传")]),
    ("internal-free-exchange", "黔江慈善\n2023年第2期\n内部资料·免费交流",
     [(INTERNAL, "内部资料 免费交流", "内部资料·免费交流")]),
    ("internal-two-lines", f"内部资料\n注意保存\n{NOTICE}", [(INTERNAL, "内部资料 注意保存", "内部资料\n注意保存")]),
    ("internal-journal-line", "黔江社会组织通讯\n内部刊物\n2023年第4期", [(INTERNAL, "内部刊物", "内部刊物")]),
    ("internal-journal-bracketed", "《黔江社会组织通讯》（内部刊物）2023年第4期 主办：区社会组织联合会",
     [(INTERNAL, "内部刊物", "（内部刊物）")]),
    ("internal-standalone-top", f"内部资料\n{NOTICE}", [(INTERNAL, "内部资料", "内部资料")]),
    ("internal-lenticular", f"【内部资料】\n2022年度理事会会议纪要", [(INTERNAL, "内部资料", "【内部资料】")]),
    ("internal-cover-short-lines", "会刊\n内部资料\n主办单位\n黔江区社会组织联合会", [(INTERNAL, "内部资料", "内部资料")]),
    ("crlf-line-ends", f"机密★\r\n{NOTICE}", [(LEVEL, "机密★", "机密★")]),
    ("internal-traditional", "內部資料\n理事會會議紀要", [(INTERNAL, "内部资料", "內部資料")]),
    ("internal-traditional-phrase", "內部資料 請勿外傳\n會員名冊", [(INTERNAL, "内部资料 请勿外传", "內部資料 請勿外傳")]),
    ("level-and-internal", f"秘密★1年\n内部资料 注意保存\n{NOTICE}",
     [(LEVEL, "秘密★1年", "秘密★1年"), (INTERNAL, "内部资料 注意保存", "内部资料 注意保存")]),
]

NEAR_MISS = [
    ("keep-state-secrets", "全体工作人员要增强保密意识，自觉保守国家秘密，严守工作纪律。"),
    ("trade-secret-law", "（九）泄露本企业的商业秘密；\n（十）违反对公司忠实义务的其他行为。"),
    ("leak-secrets", "严禁在互联网上泄露机密，严禁在微信群中传递涉密文件。"),
    ("rules-title", "黔江区慈善会机密文件管理制度\n第一条 为加强文件管理，制定本制度。"),
    ("secret-of-success", "志愿者分享了坚持服务十年的秘密：用心倾听每一位老人。"),
    ("confidentiality-property", "信息安全包括机密性、完整性和可用性。"),
    ("law-three-levels", "国家秘密的密级分为绝密、机密、秘密三级。"),
    ("law-periods", "国家秘密的保密期限，除另有规定外，绝密级不超过三十年，机密级不超过二十年，秘密级不超过十年。"),
    ("fee", "支出明细：印刷费 1200元，内部资料费 300元。"),
    ("news-prose", "会议学习了内部资料，并就下一步工作进行了部署。"),
    ("prose-internal-file", "对外不得公开的内部文件应当由专人保管。"),
    ("prose-internal-kept", "这些内部资料，我们会妥善保管。"),
    ("permit-prose", "申领内部资料性出版物准印证的条件和程序。"),
    ("exam-paper", "绝密★启用前\n2023年普通高等学校招生全国统一考试\n数学"),
    ("rating-stars", "分享成长的秘密★★★★★"),
    ("decorative-title", "秘密★花园亲子阅读活动报名开始啦"),
    ("decorated-line", "成长的秘密☆\n活动回顾"),
    ("quoted-example", "密级标志的格式为密级和保密期限，标注“机密★5年”字样。"),
    ("colon-example", "标志示例如：机密★5年"),
    ("markdown-bold", "**机密**信息不得在网上发布"),
    ("ascii-star-no-period", "机密*\n文件"),
    ("bare-level-title", "秘密\n每个孩子心中都有一个秘密，需要我们耐心倾听。"),
    ("bare-level-deep", "\n".join(["工作总结"] + [f"第{k}段内容。" for k in range(8)] + ["机密", "保密期限：5年"])),
    ("form-checkboxes", "密级：□绝密 □机密 □秘密 □公开"),
    ("field-public", "密级：公开\n保密期限：无"),
    ("site-menu", "首页\n协会简介\n内部资料\n联系我们"),
    ("site-menu-long", "首页\n新闻动态\n通知公告\n内部资料\n党建工作\n联系我们\n版权所有 黔江区慈善会"),
    ("star-after-digits", "秘密★2023年度工作总结"),
    ("law-internal-management", "（三）决定债务人的内部管理事务；"),
]


def _run(text: str) -> list:
    return list(SecretMarkDetector().detect(Document(text=text), OrgContext()))


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_reports_marks(text: str, expected: list[tuple[str, str, str]]) -> None:
    found = _run(text)
    assert [(d.rule, d.key, text[d.start:d.end]) for d in found] == expected
    for det in found:
        assert det.category == "secret_mark"
        assert det.severity == (Severity.HIGH if det.rule == LEVEL else Severity.LOW)
        assert "【" + re.sub(r"\s+", " ", text[det.start:det.end]) + "】" in det.evidence


@pytest.mark.parametrize("text", [c[1] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_near_misses_are_not_reported(text: str) -> None:
    assert _run(text) == []


def test_basis_per_rule() -> None:
    level, internal = _run(f"机密★5年\n内部资料 注意保存\n{NOTICE}")
    assert "保守国家秘密法" in level.basis
    assert "内部传阅" in internal.basis and internal.basis != level.basis


def test_runs_through_analyze() -> None:
    found = [d for d in analyze(Document(text=f"绝密★长期\n{NOTICE}")) if d.category == "secret_mark"]
    assert [(d.rule, d.key) for d in found] == [(LEVEL, "绝密★长期")]


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["secret_mark"] is SecretMarkDetector
    assert SecretMarkDetector.kind == "secret_mark"
    assert (SecretMarkDetector.__doc__ or "").strip()


def test_statute_text_has_no_level_marks() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    assert [d for d in _run(text) if d.rule == LEVEL] == []
    assert _run(text) == []  # nor internal-circulation marks: statutes carry none
