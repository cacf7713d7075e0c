"""Table-driven tests of donation appeals: unqualified_fundraising and fundraising_notice_incomplete."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from classifier import Document, OrgContext, Severity, analyze
from classifier.detectors.fundraising import FundraisingDetector
from classifier.fundraising import ITEMS, AppealSpan, appeal_spans, fundraising_detections
from classifier.fundraising.notice import name_forms
from classifier.fundraising.platforms import platforms
from classifier.registry import all_detectors

LAWS = Path("/work/shared/bench/laws-zh.txt")
UNQUALIFIED = OrgContext(org_id="chunhui", name="云川市青溪区春晖助老协会", org_type="社会团体")
QUALIFIED = OrgContext(org_id="zhuxue", name="云川市青溪助学基金会", org_type="基金会", charity=True,
                       public_fundraising_qualified=True)
INTRO = "春晖助老协会成立于2015年，长期为辖区独居老人提供助餐、陪诊服务。"
QR_PAGE_HTML = '<p>冬季助老行动</p><img src="/upload/2026/qrcode_chunhui.png"><p>爱心捐赠，温暖老人</p>'

#: (id, text, html or None, kind of the leading appeal)
UNQUALIFIED_POSITIVE = [
    ("scan-to-donate", f"{INTRO}\n扫码捐款，为独居老人送一份热饭。", None, "qr"),
    ("long-press-qr", "长按识别二维码，为山里的老人捐一件棉衣", None, "qr"),
    ("qr-caption", "图：爱心捐款二维码（春晖助老协会）", None, "qr"),
    ("scan-love", "扫一扫，献爱心", None, "qr"),
    ("qr-support-project", "10元也是爱，扫码即可支持“暖冬包”项目", None, "qr"),
    ("img-alt-in-text", "冬季助老行动 扫码捐款 每一份爱心都会送到老人手中", '<img src="a.png" alt="扫码捐款">', "qr"),
    ("qr-image-by-file-name", "冬季助老行动\n爱心捐赠，温暖老人", QR_PAGE_HTML, "qr"),
    ("bank-block", "爱心捐款账户\n户名：青溪区春晖助老协会\n开户行：云川银行青溪支行\n账号：6228 4800 1234 5678 901",
     None, "bank"),
    ("bank-one-line", "捐赠通道：户名 春晖助老协会 开户行 云川银行 账号 3100 1234 5678 9012 3456", None, "bank"),
    ("bank-after-ask", "善款请汇入以下账户：\n云川银行青溪支行\n账号：622848001234567890", None, "bank"),
    ("bank-fundraising-account", "募捐账户：云川银行 账号 6228480012345678", None, "bank"),
    ("members-and-public", "欢迎各会员单位和社会各界爱心人士踊跃捐款，为独居老人送一份温暖。", None, "text"),
    ("link-other-platform", "我要捐赠", '<a href="https://www.crowd-example.com/p/123">我要捐赠</a>', "link"),
    ("link-own-page", "首页 机构简介 在线捐款 联系我们", '<a href="/donate.html">在线捐款</a>', "link"),
    ("url-in-text", "捐款链接：https://pay.example.com/chunhui", None, "link"),
    ("read-more-link", "重建老年食堂还差5万元。点击文末“阅读原文”即可支持。", None, "link"),
    ("welcome-donations", f"{INTRO}欢迎社会各界爱心人士踊跃捐款。", None, "text"),
    ("invite-help", "诚邀您伸出援手，帮助这些老人度过寒冬。", None, "text"),
    ("button-line", "首页\n我要捐赠\n联系我们", None, "text"),
    ("channel-heading", "爱心捐赠通道：\n请通过以下方式与我们联系。", None, "text"),
    ("channel-opened", "本会开通抗洪救灾专项捐赠渠道，支援受灾群众。", None, "text"),
    ("monthly-amount", "月捐40元，就能支持一次陪诊。", None, "text"),
    ("amount-for", "捐赠5元，为一只流浪猫做一次驱虫。", None, "text"),
    ("unit-price", "今年冬天我们想为36位独居老人每人送去一份暖冬包。每份300元，您愿意认领一份吗？", None, "text"),
    ("join-monthly", "加入我们的月捐计划，陪伴老人走过四季。", None, "text"),
    ("donate-via", "资金捐赠请通过文末链接，物资请先填写表单。", None, "text"),
    ("traditional", "歡迎社會各界人士踴躍捐款", None, "text"),
    ("transfer-instruction", "善款请汇入本会账户，并备注“助老”。", None, "text"),
    ("our-appeal", "本会倡议：请社会各界慷慨解囊，为独居老人添置取暖器。", None, "text"),
    ("per-amount", "每50元可以为一位老人配一个保暖包。", None, "text"),
    ("quoted-button", "点击页面下方“我要捐赠”按钮，即可为老人送上一份年夜饭。", None, "text"),
]

#: Pages an unqualified organisation may publish: news of gifts received, partners' campaigns,
#: volunteers, dues, warnings, past campaigns, law.
UNQUALIFIED_NEAR_MISS = [
    ("directed-staff-notice", "关于开展2025年“慈善一日捐”活动的通知\n各单位于6月30日前将捐款汇至区慈善会账户。", None),
    ("landline-near-giving-words", "资金来源：本会自有资金、定向捐赠及政府购买服务资金。\n电话：0925-18977220 传真：0925-18977221\n"
                                   "助学金一次性发放到受助人本人账户。", None),
    ("landline-without-label", "助学金一次性发放到受助人本人账户。资金来源：本会自有资金、定向捐赠及政府购买服务资金。\n"
                               "联系我们 0925-18977220", None),
    ("directed-members", "本会倡议全体会员奉献爱心，善款请汇至协会账户，由协会统一转交区慈善会。", None),
    ("gift-received", "3月12日，恒远建材有限公司向本会捐赠人民币50万元，用于支持“银龄食堂”项目。", None),
    ("ceremony", "捐赠仪式在协会会议室举行，理事长向企业代表颁发了捐赠证书。", None),
    ("thanks", "感谢社会各界爱心人士的慷慨捐赠，所获款物已全部用于老人冬季慰问。", None),
    ("partner-campaign", "本项目由云川市青溪助学基金会在腾讯公益平台发起公开募捐，公开募捐资格证书编号：云民募证字〔2025〕"
                         "第007号。扫码捐款，为老人送温暖。", None),
    ("partner-subject", "募捐主体：云川市慈善总会（具有公开募捐资格）\n扫码捐款，支持“银龄食堂”。", None),
    ("designated-platform-link", "我要捐赠", '<a href="https://gongyi.qq.com/succor/detail.htm?id=1">我要捐赠</a>'),
    ("volunteers", "招募“清水青溪”河道清洁志愿者，扫码报名，名额有限。", None),
    ("dues-account", "会费缴纳：户名 青溪区春晖助老协会 开户行 云川银行 账号 6228 4800 1234 5678 901", None),
    ("fake-charity-warning", "谨防不法分子冒用本会名义募捐。本会从未委托个人募集款物，请勿向任何个人账户转账。", None),
    ("fake-qr-warning", "朋友圈转发的“某某爱心基金会”捐款二维码，真的可信吗？教大家三步辨别真假募捐。", None),
    ("follow-qr", "扫码关注“春晖助老”公众号，了解更多捐赠项目。", None),
    ("past-campaign", "本次义卖活动通过扫码捐款共筹得善款1.2万元，已全部用于购买助行器。", None),
    ("campaign-closed", "“暖冬行动”已于2月28日结束，感谢大家通过捐款通道献出的爱心。", None),
    ("receipt-qr", "捐赠人可扫码查询捐赠票据和捐赠明细。", None),
    ("disclosure-menu", "首页\n捐赠公示\n捐赠查询\n联系我们", None),
    ("not-qualified-statement", "本中心未取得公开募捐资格，不面向社会公众开展募捐活动。", None),
    ("reported-appeal", "市慈善总会日前发出倡议，呼吁社会各界为受灾群众踊跃捐款。", None),
    ("annual-report", "全年接收捐赠收入86.3万元，其中在线捐赠收入12.5万元，均已按规定使用。", None),
    ("thank-you-letter", "谢谢您通过扫码捐款支持孩子们，您的每一分钱都用在了午餐上。", None),
    ("statute", "第二十二条 慈善组织开展公开募捐，应当取得公开募捐资格。", None),
    ("policy-explainer", "公开募捐的，应当在募捐活动结束后三个月内公开募得款物情况。", None),
    ("organ-donation", "欢迎市民登记器官捐献志愿，传递生命接力。", None),
    ("blood-donation", "欢迎广大市民参加无偿献血，为生命加油。", None),
    ("org-donates-out", "我会向受灾地区捐款10万元，并组织志愿者赴灾区服务。", None),
    ("goods-received", "近日，本会收到市民陈女士捐赠的羽绒服120件、毛毯60条。", None),
    ("quoted-campaign-name", "本次“一起捐”活动共带动2104人次参与，筹款额超过预期目标。", None),
    ("donor-list", "2025年第四季度捐赠名单\n捐赠1000元：张明、李华\n捐赠500元：王芳", None),
    ("use-lookup", "本项目善款可通过慈善中国平台查询使用情况。", None),
    ("quoted-phrase", "检查规则：正文有“扫码捐”“捐赠通道”等字样的页面会被标记。", None),
    ("disclosure-link", "捐赠信息公示",
     '<a href="/gongshi/donate-2025.html">捐赠信息公示</a>'),
]


def _detect(text: str, ctx: OrgContext, html: str | None = None) -> list:
    return list(FundraisingDetector().detect(Document(text=text, html=html), ctx))


@pytest.mark.parametrize(("text", "html", "kind"), [c[1:] for c in UNQUALIFIED_POSITIVE],
                         ids=[c[0] for c in UNQUALIFIED_POSITIVE])
def test_reports_appeals_by_unqualified_organisations(text: str, html: str | None, kind: str) -> None:
    (det,) = _detect(text, UNQUALIFIED, html)
    assert (det.category, det.rule, det.severity) == ("unqualified_fundraising", "donation_appeal", Severity.HIGH)
    assert det.detail["kinds"][0] == kind
    assert "【" in det.evidence and text[det.start:det.end].split("\n")[0] in det.evidence
    assert det.detail["line"] == text.count("\n", 0, det.start) + 1


@pytest.mark.parametrize(("text", "html"), [c[1:] for c in UNQUALIFIED_NEAR_MISS], ids=[c[0] for c in UNQUALIFIED_NEAR_MISS])
def test_unqualified_near_misses(text: str, html: str | None) -> None:
    assert _detect(text, UNQUALIFIED, html) == []


# ------------------------------------------------------------------ art. 25 items

APPEAL = "“山区午餐”项目为寄宿制学校的孩子提供营养午餐。扫码捐款，每4元让一个孩子多吃一份荤菜。"
ITEM_LINES = {
    "name": "募捐主体：青溪助学基金会",
    "certificate": "公开募捐资格证书：云民募证字〔2025〕第007号",
    "plan": "募捐方案备案编号：53500199MJP934562U25003",
    "contact": "联系电话：023-65550199",
    "lookup": "可登录慈善中国查询本次募捐的备案信息。",
}
ORDER = [item for item, _ in ITEMS]


def _notice(present: set[str], appeal: str = APPEAL) -> str:
    return "\n".join([appeal] + [ITEM_LINES[i] for i in ORDER if i in present])


#: Every combination with at least one item missing, and a few hand-written pages.
INCOMPLETE = [
    (f"missing-{'+'.join(m)}", _notice(set(ORDER) - set(m)), list(m))
    for size in range(1, len(ORDER) + 1) for m in itertools.combinations(ORDER, size)
] + [
    ("bank-only", "青溪助学基金会爱心捐款账户\n户名：云川市青溪助学基金会\n账号：6228 4800 1234 5678 901",
     ["certificate", "plan", "contact", "lookup"]),
    ("landline-and-email-ok", "欢迎社会各界踊跃捐款。青溪助学基金会 邮箱：give@qxzx.example 电话 023-65550199",
     ["certificate", "plan", "lookup"]),
    ("icp-number-is-no-filing", "欢迎社会各界踊跃捐款。\n版权所有 青溪助学基金会 ICP备案号：渝ICP备2019000001号-1 "
                                "渝公网安备50010002000001号",
     ["certificate", "plan", "contact", "lookup"]),
]

COMPLETE_VARIANTS = [
    ("all-items", _notice(set(ORDER))),
    ("full-name", _notice(set(ORDER) - {"name"}) + "\n云川市青溪助学基金会"),
    ("certificate-number", _notice(set(ORDER) - {"certificate"}) + "\n公开募捐资格证书编号：云民募证字〔2025〕第007号"),
    ("filing-number-only", _notice(set(ORDER) - {"plan"}) + "\n备案号：53500199MJP934562U25003"),
    ("email-contact", _notice(set(ORDER) - {"contact"}) + "\n电子邮件：give@qxzx.example"),
    ("address-contact", _notice(set(ORDER) - {"contact"}) + "\n联系地址：云川市青溪区文昌路18号"),
    ("mobile-contact", _notice(set(ORDER) - {"contact"}) + "\n项目联系人 李老师 13800138000"),
    ("unified-platform", _notice(set(ORDER) - {"lookup"}) + "\n可在全国慈善信息公开平台查验。"),
    ("lookup-sentence", _notice(set(ORDER) - {"lookup"}) + "\n公众可通过民政部门网站查询本次募捐方案。"),
    ("traditional", "掃碼捐款，支持山區午餐。\n青溪助學基金會 公開募捐資格證書 募捐方案備案編號 聯繫電話：023-65550199 "
                    "可登錄慈善中國查詢"),
    ("partner-named", "本项目由云川市慈善总会在腾讯公益平台发起公开募捐，云川市慈善总会公开募捐资格证书：云民募证字〔2019〕第001号\n"
                      "募捐方案备案编号：51500199MJP000000X25001\n联系电话：023-65550100\n可登录慈善中国查询。\n扫码捐款。"),
]

#: A qualified organisation's pages that are not appeals, or only point to the appeal page.
QUALIFIED_NEAR_MISS = [
    ("news", "基金会召开第三届理事会第六次会议，审议通过2025年度工作报告。"),
    ("gift-received", "云川恒达建材有限公司向青苗助学计划捐赠20万元。"),
    ("menu-button", "首页\n我要捐赠\n信息公开\n联系我们"),
    ("menu-button-arrow", "项目动态\n立即捐赠 →\n联系我们"),
    ("report", "2025年度，本会通过腾讯公益平台开展“青苗助学”公开募捐，募得善款86.3万元。"),
    ("disclosure", "捐赠收支公示：本季度共收到捐款38笔，合计15,620元，详见附表。"),
    ("warning", "近期有不法分子冒充本会工作人员募捐，请勿向个人账户转账。"),
    ("thanks", "感谢您的捐赠！捐赠票据将在30日内寄出。"),
    ("volunteer", "招募助学志愿者，扫码报名。"),
    ("policy", "慈善组织通过互联网开展公开募捐的，应当在民政部指定的平台发布募捐信息。"),
    ("project-progress", "“青苗助学”项目进展公示：本季度资助学生126名，支出善款18.9万元。"),
    ("aid-list", "2026年秋季助学金受助学生名单（身份证号已遮盖）"),
    ("follow-account", "扫码关注“青溪助学”公众号，了解项目动态。"),
    ("job-ad", "招聘启事：本基金会招聘项目专员1名，简历请投递至hr@qxzx.example。"),
    ("thank-you-letter", "亲爱的月捐人：感谢您一年来的陪伴，2025年共有2,380位伙伴加入月捐。"),
    ("ended-campaign", "“暖冬行动”已于2月28日结束，捐款通道已关闭，感谢大家的支持。"),
]


@pytest.mark.parametrize(("text", "missing"), [c[1:] for c in INCOMPLETE], ids=[c[0] for c in INCOMPLETE])
def test_reports_missing_items_for_qualified_organisations(text: str, missing: list[str]) -> None:
    (det,) = _detect(text, QUALIFIED)
    assert (det.category, det.rule, det.severity) == ("fundraising_notice_incomplete", "missing_items", Severity.MEDIUM)
    assert det.detail["missing"] == missing
    labels = dict(ITEMS)
    assert det.evidence.endswith("（缺少：" + "、".join(labels[m] for m in missing) + "）")
    assert det.key == ""


@pytest.mark.parametrize("text", [c[1] for c in COMPLETE_VARIANTS], ids=[c[0] for c in COMPLETE_VARIANTS])
def test_complete_notices_are_not_reported(text: str) -> None:
    assert appeal_spans(Document(text=text)) != []  # an appeal it is
    assert _detect(text, QUALIFIED) == []


@pytest.mark.parametrize("text", [c[1] for c in QUALIFIED_NEAR_MISS], ids=[c[0] for c in QUALIFIED_NEAR_MISS])
def test_qualified_near_misses(text: str) -> None:
    assert _detect(text, QUALIFIED) == []


def test_qualified_link_to_designated_platform_is_not_an_appeal_here() -> None:
    html = '<p>青苗助学</p><a href="https://gongyi.qq.com/succor/detail.htm?id=7">在线捐款</a>'
    assert _detect("青苗助学 在线捐款", QUALIFIED, html) == []
    assert _detect("青苗助学 在线捐款", UNQUALIFIED, html) == []


# ------------------------------------------------------------------ API and data


def test_appeal_spans_give_original_offsets_and_kinds() -> None:
    text = "欢迎爱心人士捐款。\n扫码捐款\n捐款账户：云川银行 账号 6228 4800 1234 5678"
    spans = appeal_spans(Document(text=text))
    assert [s.kind for s in spans] == ["text", "qr", "bank"]
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_model_spans_are_turned_into_findings() -> None:
    text = f"{INTRO}\n老人们需要过冬的棉被，请帮帮他们。"
    start = text.index("老人们")
    span = AppealSpan(start, len(text), "text", text[start:])
    assert appeal_spans(Document(text=text)) == []
    (det,) = fundraising_detections(Document(text=text), UNQUALIFIED, [span])
    assert (det.category, det.start, det.end) == ("unqualified_fundraising", start, len(text))
    (det,) = fundraising_detections(Document(text=text), QUALIFIED, [span])
    assert det.category == "fundraising_notice_incomplete"
    assert fundraising_detections(Document(text=text), UNQUALIFIED, []) == []


def test_one_finding_per_document_led_by_the_strongest_appeal() -> None:
    text = "欢迎社会各界踊跃捐款。\n" * 3 + "扫码捐款"
    (det,) = _detect(text, UNQUALIFIED)
    assert det.detail["kinds"] == ["qr", "text"] and det.detail["count"] == 4
    assert text[det.start:det.end] == "扫码捐款"


def test_unknown_organisation_is_treated_as_unqualified() -> None:
    found = [d for d in analyze(Document(text="扫码捐款，支持山区午餐。")) if d.category.endswith("fundraising")]
    assert [d.category for d in found] == ["unqualified_fundraising"]


def test_name_forms_drop_place_names_only() -> None:
    assert name_forms("云川市青溪区康宁养老服务中心") == ["云川市青溪区康宁养老服务中心", "青溪区康宁养老服务中心", "康宁养老服务中心"]
    assert name_forms("东城区社区服务中心") == ["东城区社区服务中心", "社区服务中心"]
    assert name_forms("") == []


def test_platform_list_is_data() -> None:
    data = platforms()
    assert data.is_designated_url("https://ssl.gongyi.qq.com/m/detail.htm?id=9")
    assert data.is_designated_url("gongyi.weibo.com/r/1")
    assert not data.is_designated_url("https://gongyi.qq.com.evil.example/x")
    assert data.names.search("腾讯公益") and data.names.search("亲青筹") and data.names.search("水滴公益")


def test_is_registered_with_a_docstring() -> None:
    assert all_detectors()["fundraising"] is FundraisingDetector
    assert FundraisingDetector.kind == "unqualified_fundraising"
    assert (FundraisingDetector.__doc__ or "").strip()


def test_statute_text_has_no_appeals() -> None:
    if not LAWS.exists():
        pytest.skip(f"{LAWS} is not present")
    text = LAWS.read_text(encoding="utf-8")[:300_000]
    pages = [text[k:k + 2000] for k in range(0, len(text), 2000)]
    assert [p[:40] for p in pages if appeal_spans(Document(text=p))] == []
    for ctx in (UNQUALIFIED, QUALIFIED):
        assert _detect(text, ctx) == []
