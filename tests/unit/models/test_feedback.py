"""Reviewers' verdicts are kept once, masked, with the label they teach the model."""
from __future__ import annotations

import datetime as dt

import pytest

from models.entities import Feedback, Finding
from models.feedback import FeedbackError, feedback_examples, record_feedback

from tests.unit.models.conftest import NOW

SPAM = "最新澳门线上娱乐平台，注册即送88元彩金，联系微信 13912345678 领取，日赚千元不是梦。"


def _finding(session, n: int, category: str, *, evidence: str = "", detail: dict | None = None) -> Finding:
    f = Finding(fingerprint=f"fp{n}", org_id="org1", url=f"http://127.0.0.1/p{n}", category=category,
                rule="model" if detail else "rule", severity="medium", evidence=evidence, detail=detail or {},
                first_seen=NOW, last_seen=NOW)
    session.add(f)
    session.flush()
    return f


def test_confirmed_model_finding_keeps_its_passage_with_the_mobile_number_masked(db):
    with db.session() as s:
        f = _finding(s, 1, "spam_injected", evidence="…【最新澳门……不是梦。】", detail={"passage": SPAM})
        row = record_feedback(s, finding=f, verdict="confirmed", author="张审核", note="确为植入", now=NOW)
        assert row.label == "spam_injected"
    with db.session() as s:
        (stored,) = s.query(Feedback).all()
        assert "13912345678" not in stored.text and "139****5678" in stored.text
        assert stored.text.startswith("最新澳门线上娱乐平台") and stored.note == "确为植入"
        assert feedback_examples(s) == [{
            "text": stored.text, "label": "spam_injected",
            "source": f"复核反馈 #{stored.id}：spam_injected 判为确认（张审核，2026-11-20）",
        }]


def test_false_positive_teaches_benign_from_the_evidence_without_marks_and_id_numbers(db):
    evidence = "…本会收到张三（身份证 110101199003071234）捐赠【善款】 5000 元，特此公示…"
    with db.session() as s:
        f = _finding(s, 2, "unqualified_fundraising", evidence=evidence)
        record_feedback(s, finding=f, verdict="false_positive", author="李", note=None, now=NOW)
    with db.session() as s:
        (ex,) = feedback_examples(s)
    assert ex["label"] == "benign"
    assert ex["text"] == "本会收到张三（身份证 110***********1234）捐赠善款 5000 元，特此公示"


def test_the_same_verdict_twice_is_stored_once_and_the_opposite_verdict_replaces_it(db):
    with db.session() as s:
        f = _finding(s, 3, "illegal_fundraising", evidence="…【保本保息，年化收益18%】…")
        first = record_feedback(s, finding=f, verdict="confirmed", author="a", note=None, now=NOW)
        again = record_feedback(s, finding=f, verdict="confirmed", author="b", note="重复", now=NOW)
        assert again.id == first.id and again.author == "a"
    with db.session() as s:
        assert [(r.verdict, r.label) for r in s.query(Feedback)] == [("confirmed", "illegal_fundraising")]
        f = s.get(Finding, first.finding_id)
        record_feedback(s, finding=f, verdict="false_positive", author="c", note=None, now=NOW)
    with db.session() as s:
        assert [(r.verdict, r.label) for r in s.query(Feedback)] == [("false_positive", "benign")]
        assert [ex["label"] for ex in feedback_examples(s)] == ["benign"]


def test_verdicts_without_a_model_label_are_recorded_but_are_not_training_examples(db):
    with db.session() as s:
        pii = _finding(s, 4, "pii_id", evidence="…名单：王五 【110101********1234】…")
        broken = _finding(s, 5, "broken_link", evidence="http://127.0.0.1/gone 返回 404")
        assert record_feedback(s, finding=pii, verdict="confirmed", author="a", note=None, now=NOW).label == ""
        assert record_feedback(s, finding=broken, verdict="false_positive", author="a", note=None, now=NOW).label == ""
    with db.session() as s:
        assert s.query(Feedback).count() == 2
        assert feedback_examples(s) == []


def test_the_same_passage_judged_twice_gives_one_example_with_the_latest_label(db):
    later = NOW + dt.timedelta(days=1)
    with db.session() as s:
        a = _finding(s, 6, "spam_injected", detail={"passage": SPAM})
        b = _finding(s, 7, "spam_injected", detail={"passage": SPAM})
        record_feedback(s, finding=a, verdict="confirmed", author="a", note=None, now=NOW)
        record_feedback(s, finding=b, verdict="false_positive", author="b", note=None, now=later)
    with db.session() as s:
        assert [ex["label"] for ex in feedback_examples(s)] == ["benign"]


def test_an_unknown_verdict_is_refused_with_a_chinese_message_and_nothing_is_stored(db):
    with db.session() as s:
        f = _finding(s, 8, "spam_injected", detail={"passage": SPAM})
        with pytest.raises(FeedbackError, match="confirmed（确认）或 false_positive（误报）"):
            record_feedback(s, finding=f, verdict="maybe", author="a", note=None, now=NOW)
    with db.session() as s:
        assert s.query(Feedback).count() == 0
