"""Disclosure relevance: evaluating only the documents it keeps gives the same outcome as
evaluating every document, on any day, and its key changes with whatever the verdict depends on."""
from __future__ import annotations

import datetime as dt

import pytest

from classifier.disclosure import evaluate, parse_pack
from classifier.disclosure.relevance import Relevance
from tests.unit.classifier.test_disclosure import CHARITY, COMPLETE, GROUP, OTHER_USCC, PACK, SERVICE, page

D = dt.date

#: what most of an organisation's site is: news, notices and activity reports that no item needs
ORDINARY = [
    page("/news/1.html", "协会开展重阳节敬老志愿服务活动", "10月11日，协会组织志愿者走访社区独居老人，送去慰问品。",
         D(2025, 10, 11)),
    page("/news/2.html", "“书香青溪”阅读分享会顺利举办", "本次活动共有120名居民参加，现场交流读书心得。", D(2026, 1, 8)),
    page("/notice/3.html", "关于调整办公时间的通知", "自2026年3月1日起，工作日办公时间调整为8:30至17:30。",
         D(2026, 2, 20)),
    page("/news/4.html", "2024年社区服务项目回顾", "2024年，中心共开展社区活动46场，服务居民3,200人次。", D(2025, 1, 15)),
    page("/news/5.html", "志愿者培训班开班", "培训内容包括急救常识、沟通技巧和安全注意事项。", D(2026, 4, 2),
         kind="feed_item"),
    page("/doc/6.pdf", "活动照片集", "", kind="attachment"),
]

#: documents that some item, the campaign, the platform check or the registration check can use
USEFUL = COMPLETE + [
    page("/a25.html", "2025年度审计报告", "", D(2026, 4, 30)),
    page("/r23.html", "2023年度工作报告", "", D(2024, 3, 30)),
    page("/mk.html", "“青苗助学”公开募捐活动", "扫码捐款，支持乡村孩子。", D(2025, 10, 1)),
    page("/fa.html", "募捐方案", "青苗助学募捐方案 备案编号：53500199MJP934562U00001", D(2025, 9, 20)),
    page("/jz.html", "青苗助学项目进展", "", D(2025, 12, 1)),
    page("/gk.html", "信息公开", "2025年度财务审计报告全文已在全国慈善信息公开平台公开。"),
    page("/gk/jz.html", "2026年第一季度捐赠收入和使用情况公示", ""),
    page("/contact.html", "联系我们", f"统一社会信用代码：{OTHER_USCC}\n机构名称：青溪区邻里互助服务社"),
]
DAYS = [D(2025, 3, 1), D(2025, 6, 1), D(2026, 5, 31), D(2026, 6, 1), D(2026, 12, 31), D(2028, 7, 1)]


@pytest.mark.parametrize("org", [GROUP, SERVICE, CHARITY], ids=lambda o: o.org_id)
@pytest.mark.parametrize("as_of", DAYS, ids=str)
@pytest.mark.parametrize("require_own_site", [True, False])
def test_evaluating_the_relevant_documents_gives_the_same_outcome(org, as_of, require_own_site):
    docs = ORDINARY[:3] + USEFUL + ORDINARY[3:]
    relevant = Relevance(PACK, org)
    kept = [d for d in docs if relevant(d)]
    full = evaluate(PACK, org, docs, as_of, require_own_site=require_own_site)
    assert evaluate(PACK, org, kept, as_of, require_own_site=require_own_site) == full


@pytest.mark.parametrize("org", [GROUP, SERVICE, CHARITY], ids=lambda o: o.org_id)
def test_ordinary_pages_are_not_relevant_and_useful_ones_are(org):
    relevant = Relevance(PACK, org)
    assert [d.url for d in ORDINARY if relevant(d)] == []
    assert [d.url for d in USEFUL if not relevant(d)] == []
    assert relevant(page("/", "首页", "欢迎访问", is_home=True))  # the home page always is


def test_a_registration_mismatch_keeps_a_page_that_no_item_needs():
    about = page("/about.html", "机构简介", f"统一社会信用代码：{OTHER_USCC}")
    assert Relevance(PACK, SERVICE)(about)
    assert not Relevance(PACK, SERVICE)(page("/about.html", "机构简介", "本中心成立于2015年。"))


def test_the_key_changes_with_the_page_version_the_registry_facts_and_the_pack():
    key = Relevance(PACK, GROUP).key("a" * 64)
    assert key == Relevance(PACK, GROUP).key("a" * 64) and len(key) == 32
    assert Relevance(PACK, GROUP).key("b" * 64) != key
    renamed = GROUP.__class__(**{**GROUP.__dict__, "name": "青溪区邻里互助联合会"})
    assert Relevance(PACK, renamed).key("a" * 64) != key
    raw = PACK.model_dump(exclude_defaults=True)
    raw["items"][0]["title"] = raw["items"][0]["title"] + "（修订）"
    assert Relevance(parse_pack(raw, "test"), GROUP).key("a" * 64) != key
    later = GROUP.__class__(**{**GROUP.__dict__, "registered_on": D(2020, 1, 1)})
    assert Relevance(PACK, later).key("a" * 64) == key  # dates are judged at evaluation, not matching

