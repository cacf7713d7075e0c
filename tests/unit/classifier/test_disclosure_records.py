"""Disclosure records: evaluating the remembered records of the documents that have one gives the
same outcome as evaluating every document's text, on any day, and a record's key changes with
whatever the record depends on."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from classifier.disclosure import evaluate, parse_pack
from classifier.disclosure.match import match_doc
from classifier.disclosure.records import Recorder, all_specs
from tests.unit.classifier.test_disclosure import CHARITY, COMPLETE, GROUP, OTHER_USCC, PACK, SERVICE, USCC, page

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
    page("/r24.html", "2024年度工作报告（2025年3月发布）", "", D(2025, 3, 30)),
    page("/hb.html", "2021年度工作报告", "", D(2026, 2, 1), main_text="2025年度工作报告\n一、基本情况"),
    page("/mk.html", "“青苗助学”公开募捐活动", "扫码捐款，支持乡村孩子。", D(2025, 10, 1)),
    page("/fa.html", "募捐方案", "青苗助学募捐方案 备案编号：53500199MJP934562U00001", D(2025, 9, 20)),
    page("/jz.html", "青苗助学项目进展", "", D(2025, 12, 1)),
    page("/gk.html", "信息公开", "2025年度财务审计报告全文已在全国慈善信息公开平台公开。"),
    page("/gk/jz.html", "2026年第一季度捐赠收入和使用情况公示", ""),
    page("/contact.html", "联系我们", f"统一社会信用代码：{OTHER_USCC}\n机构名称：青溪区邻里互助服务社"),
]
DAYS = [D(2025, 3, 1), D(2025, 6, 1), D(2026, 5, 31), D(2026, 6, 1), D(2026, 12, 31), D(2028, 7, 1)]


def outcome(ev) -> dict:
    """What a reviewer sees of an evaluation: each item's status, due date, evidence and notes, the
    mismatches and the campaign."""
    def shown(m):
        return (m.doc.url, m.line, m.year) if m else None
    return {
        "items": [(r.item_id, r.title, r.status, r.due, shown(r.match), r.note, shown(r.platform_claim))
                  for r in ev.results],
        "mismatches": [(m.field, m.shown, m.expected, m.doc.url, m.excerpt) for m in ev.mismatches],
        "campaign": ([shown(m) for m in ev.campaign.matches], ev.campaign.start),
    }


def remembered(docs, recorder: Recorder) -> list:
    """The documents as a later scan sees them: home pages with their texts, the others as their
    records (stored as JSON and read back) without texts, those with no record left out."""
    kept = []
    for doc in docs:
        if doc.is_home:
            kept.append(doc)
            continue
        record = recorder.record(doc)
        if record is not None:
            record = json.loads(json.dumps(record, ensure_ascii=False))
            kept.append(dataclasses.replace(doc, text="", main_text="", findings=recorder.bind(record)))
    return kept


@pytest.mark.parametrize("org", [GROUP, SERVICE, CHARITY], ids=lambda o: o.org_id)
@pytest.mark.parametrize("as_of", DAYS, ids=str)
@pytest.mark.parametrize("require_own_site", [True, False])
def test_evaluating_the_records_gives_the_same_outcome_as_the_texts(org, as_of, require_own_site):
    docs = ORDINARY[:3] + USEFUL + ORDINARY[3:]
    kept = remembered(docs, Recorder(PACK, org))
    assert all(not d.text for d in kept if not d.is_home)
    full = evaluate(PACK, org, docs, as_of, require_own_site=require_own_site)
    assert outcome(evaluate(PACK, org, kept, as_of, require_own_site=require_own_site)) == outcome(full)


@pytest.mark.parametrize("org", [GROUP, SERVICE, CHARITY], ids=lambda o: o.org_id)
def test_ordinary_pages_have_no_record_and_useful_ones_do(org):
    recorder = Recorder(PACK, org)
    assert [d.url for d in ORDINARY if recorder.record(d) is not None] == []
    assert [d.url for d in USEFUL if not d.is_home and recorder.record(d) is None] == []


def test_a_footer_on_every_page_is_remembered_without_the_article():
    footer = "地址：云川市青溪区文星路1号 电话：023-65551234"
    article = page("/news/9.html", "协会开展重阳节敬老志愿服务活动", "10月11日，志愿者走访社区独居老人。" * 200 + "\n" + footer)
    record = Recorder(PACK, GROUP).record(article)
    assert record is not None and record["hits"] and len(json.dumps(record, ensure_ascii=False)) < 600


def test_a_registration_mismatch_is_remembered_on_a_page_no_item_needs():
    about = page("/about.html", "机构简介", f"统一社会信用代码：{OTHER_USCC}")
    assert Recorder(PACK, SERVICE).record(about)["mismatches"][0][:3] == ["uscc", OTHER_USCC, USCC]
    assert Recorder(PACK, SERVICE).record(page("/about.html", "机构简介", "本中心成立于2015年。")) is None


def test_the_key_changes_with_the_page_version_the_registry_facts_and_the_pack():
    key = Recorder(PACK, GROUP).key("a" * 64)
    assert key == Recorder(PACK, GROUP).key("a" * 64) and len(key) == 32
    assert Recorder(PACK, GROUP).key("b" * 64) != key
    renamed = GROUP.__class__(**{**GROUP.__dict__, "name": "青溪区邻里互助联合会"})
    assert Recorder(PACK, renamed).key("a" * 64) != key
    raw = PACK.model_dump(exclude_defaults=True)
    raw["items"][0]["title"] = raw["items"][0]["title"] + "（修订）"
    assert Recorder(parse_pack(raw, "test"), GROUP).key("a" * 64) != key
    later = GROUP.__class__(**{**GROUP.__dict__, "registered_on": D(2020, 1, 1)})
    assert Recorder(PACK, later).key("a" * 64) == key  # dates are judged at evaluation, not matching



@pytest.mark.parametrize("org", [GROUP, CHARITY], ids=lambda o: o.org_id)
def test_every_rule_matches_a_record_as_it_matches_the_text(org):
    recorder = Recorder(PACK, org)
    for doc in ORDINARY + USEFUL:
        record = recorder.record(doc)
        bound = dataclasses.replace(doc, text="", main_text="", findings=recorder.bind(record or {}))
        for spec in all_specs(PACK):
            for years in (None, range(1990, 2025), range(2025, 2027), range(2021, 2022)):
                want, got = match_doc(doc, spec, org, years), match_doc(bound, spec, org, years)
                assert (got and (got.line, got.year)) == (want and (want.line, want.year)), (doc.url, spec, years)
