"""The disclosure pack, evidence matching, due dates and evaluation: pure, table-driven."""
from __future__ import annotations

import datetime as dt

import pytest

from classifier.codes import uscc_check_char
from classifier.disclosure import (
    EvidenceDoc, Looked, OrgFacts, evaluate, load_pack, missing_evidence, parse_pack, registration_mismatches,
)
from classifier.disclosure.due import add_months, annual, due_info
from classifier.disclosure.match import find, match_doc, years_in
from classifier.disclosure.pack import Due, EvidenceSpec
from classifier.exceptions import RulePackError

D = dt.date
USCC = (lambda b: b + uscc_check_char(b))("51500199MJQ100001")
OTHER_USCC = (lambda b: b + uscc_check_char(b))("51500199MJQ200002")
PACK = load_pack()
GROUP = OrgFacts("linli", "青溪区邻里互助协会", USCC, "social_group", registration_authority="云川市青溪区民政局")
SERVICE = OrgFacts("anhe", "青溪区安和社区服务中心", USCC, "social_service")
CHARITY = OrgFacts("zhuxue", "青溪区助学基金会", USCC, "foundation", charity=True, public_fundraising=True,
                   certificate="云民募证字〔2025〕第007号")

CHARTER_TEXT = "青溪区邻里互助协会章程\n第一章 总则\n第一条 本会名称为青溪区邻里互助协会。"


def page(url: str, title: str, text: str = "", date: dt.date | None = None, kind: str = "page", **kw) -> EvidenceDoc:
    return EvidenceDoc(url=url, kind=kind, title=title, text=text or title, main_text=kw.pop("main_text", ""),
                       published_at=date, **kw)


def results(org: OrgFacts, docs: list[EvidenceDoc], as_of: dt.date, **kw) -> dict:
    return {r.item_id: r for r in evaluate(PACK, org, docs, as_of, **kw).results}


# --- the pack -------------------------------------------------------------------------------

def test_default_pack_covers_the_mandated_items():
    assert {i.id for i in PACK.items} >= {"charter", "registration", "leadership", "contact", "disclosure_policy",
                                          "annual_report", "financial_report", "donation_usage", "fundraising_plan"}
    assert all(i.basis and i.title for i in PACK.items)
    assert PACK.get("annual_report").due.kind == "annual" and PACK.get("annual_report").due.deadline == "05-31"
    assert PACK.get("donation_usage").applies_to.charity is True


@pytest.mark.parametrize("raw, message", [
    ({"items": [{"id": "x", "title": "X", "evidence": [{"patterns": [["("]]}], "due": {"kind": "annual"},
                 "basis": "b"}]}, "第 1 个事项（id: x）"),
    ({"items": [{"id": "x", "title": "X", "evidence": [{"names": ["a"]}], "due": {"kind": "annual",
                                                                                    "deadline": "5-31"}, "basis": "b"}]},
     "deadline"),
    ({"items": [{"id": "x", "title": "X", "evidence": [{}], "due": {"kind": "annual"}, "basis": "b"}]},
     "至少要写"),
    ({"items": [{"id": "x", "title": "X", "evidence": [{"names": ["a"]}], "due": {"kind": "annual"}}]}, "basis"),
    ({"items": []}, "items"),
    ({"items": [{"id": "x", "title": "X", "evidence": [{"names": ["a"]}], "due": {"kind": "annual"}, "basis": "b"}] * 2},
     "重复"),
])
def test_a_broken_pack_names_the_item_and_field(raw, message):
    with pytest.raises(RulePackError) as err:
        parse_pack(raw, "my-pack.yaml")
    assert "my-pack.yaml" in str(err.value) and message in str(err.value)


def test_a_missing_pack_file_is_a_clear_error(tmp_path):
    with pytest.raises(RulePackError, match="无法读取"):
        load_pack(tmp_path / "nope.yaml")


# --- due dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, covered, due_on", [
    (D(2026, 5, 31), 2024, D(2025, 5, 31)),  # the 2025 report is not yet late on its deadline
    (D(2026, 6, 1), 2025, D(2026, 5, 31)),
    (D(2026, 1, 1), 2024, D(2025, 5, 31)),
    (D(2026, 12, 31), 2025, D(2026, 5, 31)),
])
def test_annual_items_cover_the_newest_year_whose_deadline_has_passed(as_of, covered, due_on):
    info = annual(Due(kind="annual", deadline="05-31"), as_of)
    assert (info.owed, info.covered_year, info.due_on) == (True, covered, due_on)
    assert due_on.isoformat() in info.label


def test_annual_item_not_owed_before_the_first_full_year_after_registration():
    info = annual(Due(kind="annual"), D(2026, 6, 1), registered_on=D(2026, 2, 1))
    assert not info.owed and info.covered_year is None


@pytest.mark.parametrize("registered_on, as_of, owed, label", [
    (None, D(2026, 6, 1), True, "名册未记录登记日期"),
    (D(2026, 5, 1), D(2026, 5, 31), False, "2026-05-31"),
    (D(2026, 5, 1), D(2026, 6, 1), True, "2026-05-31"),
])
def test_registration_items_are_due_30_days_after_registration(registered_on, as_of, owed, label):
    info = due_info(Due(kind="registration", days=30), as_of, registered_on=registered_on)
    assert info.owed is owed and label in info.label


def test_periodic_items_are_due_every_few_months_after_the_last():
    due = Due(kind="periodic", months=3, grace_days=15)
    assert not due_info(due, D(2026, 5, 1), latest=D(2026, 2, 1)).owed
    assert due_info(due, D(2026, 5, 17), latest=D(2026, 2, 1)).owed
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)


# --- evidence -------------------------------------------------------------------------------

CHARTER = PACK.get("charter").evidence


@pytest.mark.parametrize("doc, found", [
    (page("/zc.html", "青溪区邻里互助协会章程", CHARTER_TEXT), True),
    (page("/a/1.html", "协会召开会员大会审议通过章程修改", "会议审议通过了章程修改草案，第一章内容不变。"), False),
    (page("/a/2.html", "协会简介", "本会章程规定，会员大会每年召开一次。第一条是宗旨。"), False),
    (page("/upload/zc.pdf", "", CHARTER_TEXT, kind="attachment"), True),  # heading line in the document
    (page("/upload/%E7%AB%A0%E7%A8%8B.pdf", "", "第一条 本会名称", kind="attachment"), True),  # file name 章程.pdf
    (EvidenceDoc(url="/upload/%E7%AB%A0%E7%A8%8B.pdf", kind="link"), False),  # a link: the text is unknown
    (page("/about/zhangcheng.html", "关于我们", "第一章 总则\n第一条"), True),  # by address
    (page("/mp/1.html", "一图读懂新修订的协会章程", "第一条……", kind="feed_item"), True),
])
def test_charter_needs_a_name_and_the_charter_text(doc, found):
    assert bool(find([doc], CHARTER, GROUP)) is found


@pytest.mark.parametrize("line, years", [
    ("2025年度工作报告", [2025]), ("二〇二五年度工作报告", [2025]), ("工作报告（2024）", [2024]), ("年度工作报告", []),
    ("电话 023-65552025", []),
])
def test_years_in_a_name_line(line, years):
    assert years_in(line) == years


@pytest.mark.parametrize("title, covered, found", [
    ("青溪区邻里互助协会2025年度工作报告", 2025, True),
    ("2026年度工作报告", 2025, True),  # a later year covers it too
    ("2024年度工作报告", 2025, False),
    ("学习2025年政府工作报告精神", 2025, False),
    ("2025年度财务审计报告", 2025, False),
    ("年度工作报告", 2025, False),  # no year: cannot tell which
])
def test_annual_report_must_cover_the_year(title, covered, found):
    spec = PACK.get("annual_report").evidence[0]
    assert (match_doc(page("/r.html", title), spec, GROUP, range(covered, 2027)) is not None) is found


def test_an_undownloaded_attachment_link_counts_by_its_file_name():
    link = EvidenceDoc(url="http://x/upload/2025%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A.pdf", kind="link")
    r = results(GROUP, [link], D(2026, 6, 1))["annual_report"]
    assert r.status == "present" and r.match.doc is link


def test_placeholders_use_the_organisations_own_facts():
    spec = EvidenceSpec(markers=[["{uscc}"]])
    assert match_doc(page("/", "首页", f"统一社会信用代码：{USCC}"), spec, GROUP)
    assert not match_doc(page("/", "首页", f"统一社会信用代码：{OTHER_USCC}"), spec, GROUP)


# --- evaluation -----------------------------------------------------------------------------

COMPLETE = [
    page("/", "青溪区邻里互助协会", f"统一社会信用代码：{USCC}\n地址：云川市青溪区文星路1号 电话：023-65551234", is_home=True),
    page("/about.html", "机构简介", "法定代表人：张建国\n理事：李明、王芳、赵强\n信息公开负责人：周敏"),
    page("/zc.html", "协会章程", CHARTER_TEXT),
    page("/r25.html", "2025年度工作报告", "", D(2026, 3, 20)),
    page("/f25.html", "2025年度财务会计报告", "", D(2026, 4, 20)),
]


def test_a_complete_social_group_has_everything_that_applies():
    found = results(GROUP, COMPLETE, D(2026, 6, 1))
    assert {k: r.status for k, r in found.items()} == {
        "charter": "present", "registration": "present", "leadership": "present", "contact": "present",
        "disclosure_policy": "present", "annual_report": "present", "financial_report": "present",
        "donation_usage": "not_applicable", "fundraising_plan": "not_applicable",
        "fundraising_progress": "not_applicable",
    }
    assert found["charter"].match.doc.url == "/zc.html"
    assert found["donation_usage"].note == "仅适用于慈善组织"


def test_missing_and_outdated_around_the_deadline():
    docs = [page("/r24.html", "2024年度工作报告", "", D(2025, 4, 1))]
    before = results(SERVICE, docs, D(2026, 5, 31))["annual_report"]
    after = results(SERVICE, docs, D(2026, 6, 1))["annual_report"]
    assert before.status == "present" and before.covered_year == 2024
    assert after.status == "outdated" and after.rule == "outdated" and after.key == "2025"
    assert after.match.year == 2024 and "2024 年度" in after.note
    none = results(SERVICE, [], D(2026, 6, 1))["annual_report"]
    assert none.status == "missing" and none.due.due_on == D(2026, 5, 31)


def test_a_charity_must_show_donations_and_an_audit_when_it_fundraises():
    found = results(CHARITY, COMPLETE, D(2026, 6, 1))
    assert found["donation_usage"].status == "missing"
    assert found["financial_report"].status == "missing"  # a 财务会计报告 is not an 审计报告
    assert found["financial_report"].title.startswith("上一年度审计报告")
    assert found["fundraising_plan"].status == "not_applicable"  # no campaign seen
    audited = results(CHARITY, COMPLETE + [page("/a25.html", "2025年度审计报告")], D(2026, 6, 1))
    assert audited["financial_report"].status == "present"


def test_fundraising_plan_and_progress_apply_once_a_campaign_is_seen():
    campaign = page("/mk.html", "“青苗助学”公开募捐活动", "扫码捐款，支持乡村孩子。", D(2025, 10, 1))
    found = results(CHARITY, COMPLETE + [campaign], D(2026, 6, 1))
    assert found["fundraising_plan"].status == "missing"
    assert found["fundraising_progress"].status == "missing"  # running over 6 months, no progress report
    plan = page("/fa.html", "募捐方案", "青苗助学募捐方案 备案编号：53500199MJP934562U00001", D(2025, 9, 20))
    old = page("/jz.html", "青苗助学项目进展", "", D(2025, 12, 1))
    later = results(CHARITY, COMPLETE + [campaign, plan, old], D(2026, 6, 1))
    assert later["fundraising_plan"].status == "present"
    assert later["fundraising_progress"].status == "outdated"
    fresh = page("/jz2.html", "青苗助学项目进展（第三期）", "", D(2026, 4, 1))
    assert results(CHARITY, COMPLETE + [campaign, plan, old, fresh], D(2026, 6, 1))["fundraising_progress"].status \
        == "present"


def test_a_news_report_of_a_donation_is_not_the_donation_list():
    news = page("/mp/3.html", "某公司向青苗助学计划捐赠20万元", "基金会将按规定公开捐赠收入和使用情况。",
                main_text="11月2日上午，某公司向基金会捐赠人民币20万元，全部用于资助学生。\n具体收支明细将在年度工作报告中公开。",
                kind="feed_item")
    assert results(CHARITY, [news], D(2026, 6, 1))["donation_usage"].status == "missing"
    listed = page("/gk/jz.html", "2026年第一季度捐赠收入和使用情况公示", "")
    assert results(CHARITY, [listed], D(2026, 6, 1))["donation_usage"].status == "present"


def test_bureau_policy_decides_whether_the_platform_may_stand_in():
    strict = results(CHARITY, [], D(2026, 6, 1))
    assert strict["charter"].status == "missing" and "法律允许在慈善中国公开" in strict["charter"].note
    lenient = results(CHARITY, [], D(2026, 6, 1), require_own_site=False)
    assert lenient["charter"].status == "not_applicable" and "可在慈善中国公开" in lenient["charter"].note
    assert results(GROUP, [], D(2026, 6, 1), require_own_site=False)["charter"].status == "missing"  # not a charity


def test_a_platform_claim_is_noted_but_does_not_count_as_own_disclosure():
    claim = page("/gk.html", "信息公开", "2025年度财务审计报告全文已在全国慈善信息公开平台公开。")
    r = results(CHARITY, [claim], D(2026, 6, 1))["financial_report"]
    assert r.status == "missing" and r.platform_claim.doc.url == "/gk.html"
    assert "网站称已在统一平台公开" in missing_evidence(r, Looked(3, 0, 2))


def test_an_incomplete_crawl_leaves_missing_items_unverified():
    found = results(GROUP, COMPLETE[:1], D(2026, 6, 1), incomplete="抓取达到上限（max_pages）")
    assert found["charter"].status == "unverified" and "max_pages" in found["charter"].note
    assert found["registration"].status == "present"


def test_missing_evidence_names_item_due_date_where_looked_and_basis():
    r = results(SERVICE, [], D(2026, 6, 1))["annual_report"]
    text = missing_evidence(r, Looked(pages=12, attachments=3, articles=5))
    assert "【2025 年度工作报告】" in text and "2026-05-31" in text
    assert "已检查网站 12 个页面、附件 3 个、公众号文章 5 篇" in text and "登记管理条例" in text


# --- registration consistency ---------------------------------------------------------------

@pytest.mark.parametrize("doc, expected", [
    (page("/", "首页", f"统一社会信用代码：{OTHER_USCC}", is_home=True), [("uscc", OTHER_USCC)]),
    (page("/", "首页", f"统一社会信用代码：{USCC.lower()}", is_home=True), []),
    (page("/about.html", "机构简介", f"统一社会信用代码 {OTHER_USCC}"), [("uscc", OTHER_USCC)]),
    (page("/news/1.html", "协会与某公司签订合作协议", f"某公司（统一社会信用代码：{OTHER_USCC}）"), []),  # not our page
    (page("/about.html", "机构简介", "机构名称：青溪区老年人协会\n成立于2010年"), [("name", "青溪区老年人协会")]),
    (page("/about.html", "机构简介", "机构名称 青溪区邻里互助协会 统一社会信用代码"), []),
    (page("/about.html", "机构简介", "名称：邻里互助协会"), []),  # a short form of the registered name
    (page("/about.html", "机构简介", "项目名称：邻里守望计划"), []),
])
def test_registration_mismatch_on_own_basic_information(doc, expected):
    assert [(m.field, m.shown) for m in registration_mismatches(GROUP, [doc])] == expected
