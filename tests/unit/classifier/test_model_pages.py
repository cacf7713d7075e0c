"""The model judged page by page: generated page passages, page-level thresholds, warnings that
are not findings, and the shipped model's page-level figures (a CI check)."""
from __future__ import annotations

import json

import pytest

from classifier.base import Document, OrgContext
from classifier.data import pagegen
from classifier.model import ModelScorer, load, model_detections
from classifier.model.detections import warns
from classifier.model.pagelevel import PAGE_LABELS, evaluate_pages, law_pages, read_pages
from classifier.model.training import (
    BACKGROUND_FILE, VALIDATION_PAGES_FILE, benign_pages, page_threshold, pages_flagged, read_examples,
)


@pytest.fixture(scope="module")
def shipped():
    return load()


def test_train_pages_file_is_what_the_generator_writes():
    written = [json.loads(line) for line in pagegen.OUT.read_text(encoding="utf-8").splitlines()]
    assert written == pagegen.generate()
    labels = {ex["label"] for ex in written}
    assert labels == {"benign", "spam_injected", "illegal_fundraising", "donation_appeal"}
    assert all(ex["page"].startswith("gen-") and ex["text"].strip() for ex in written)


def test_a_generated_page_passage_takes_the_label_of_the_block_it_overlaps():
    blocks = [("benign", "首页 | 关于我们 | 新闻动态 | 联系我们"), ("benign", "本会召开理事会。" * 20),
              ("spam_injected", "真人百家乐 | 皇冠体育 | 开元棋牌"), ("benign", "版权所有 © 2025 某某协会")]
    labelled = pagegen.label_passages(blocks)
    spam = [text for text, label in labelled if label == "spam_injected"]
    assert spam and all("百家乐" in text for text in spam)
    assert all("百家乐" not in text for text, label in labelled if label == "benign")


@pytest.mark.parametrize(("strongest", "rate", "expected"), [
    ([0.1, 0.2, 0.3, 0.4], 0.0, 0.4001),  # no page may be flagged: just above the strongest
    ([0.1, 0.2, 0.3, 0.9], 0.25, 0.3001),  # one page in four may be: just above the second strongest
    ([0.1, 0.2], 1.0, 0.0),  # every page may be
    ([], 0.005, 0.0),  # no validation pages: no constraint
])
def test_page_threshold_flags_at_most_the_allowed_share_of_benign_pages(strongest, rate, expected):
    t = page_threshold(strongest, rate)
    assert t == pytest.approx(expected)
    assert pages_flagged(strongest, t) <= rate * len(strongest)


def test_validation_pages_are_the_all_benign_ones():
    examples = [{"text": "a", "label": "benign", "page": "p1"}, {"text": "b", "label": "benign", "page": "p1"},
                {"text": "c", "label": "spam_injected", "page": "p2"}, {"text": "d", "label": "benign", "page": "p2"},
                {"text": "e", "label": "benign"}]
    assert [rows.tolist() for rows in benign_pages(examples)] == [[0, 1]]


@pytest.mark.parametrize(("passage", "warning"), [
    ("警方提醒：凡是承诺保本保息、高额返利的，都是非法集资。", True),
    ("千万别信“交一年物业费返两年”的说法，物业从未开展理财业务。", True),
    ("被告人以投资养老公寓为名，承诺年化18%的回报，吸收资金1.3亿元。", True),
    ("本项目不是非法集资，每份1万元，月返2%，到期还本。", False),  # a scheme denying it is one
    ("每份1万元，月返2%，三年到期返还本金，推荐亲友另有奖励。", False),
])
def test_warnings_and_case_reports_are_recognised(passage, warning):
    assert warns(passage) is warning


def test_a_page_warning_against_a_scheme_is_no_model_finding(shipped):
    text = ("防范非法集资宣传\n警惕！有人以“养老床位认购”为名，承诺每份2万元每月返500元、三年还本，"
            "还给推荐人奖励。这是典型的非法集资手法，请不要轻信，发现线索请向公安机关举报。")
    assert model_detections(Document(text=text), OrgContext(), [], ModelScorer(shipped)) == []


def test_validation_pages_are_whole_pages_of_the_background_statutes():
    background = {ex["source"] for ex in read_examples([BACKGROUND_FILE])}
    pages = read_examples([VALIDATION_PAGES_FILE])
    assert {p["page"] for p in pages} == background  # each scored by the fold that held out its statute
    assert all(0 < len(p["text"]) <= 2000 for p in pages)


def test_law_pages_are_skipped_when_the_text_is_absent(tmp_path):
    assert law_pages(tmp_path / "none.txt") == {}


def test_shipped_model_pages_at_or_above_recorded_figures(shipped):
    recorded = shipped.meta["heldout"]["pages"]["heldout_pages"]
    figures = evaluate_pages(shipped, read_pages())["heldout_pages"]
    assert figures["pages"] == recorded["pages"]
    assert figures["false_findings"] <= recorded["false_findings"]
    for label in PAGE_LABELS:
        assert figures["per_label"][label]["precision"] >= recorded["per_label"][label]["precision"] - 1e-9, label
        assert figures["per_label"][label]["recall"] >= recorded["per_label"][label]["recall"] - 1e-9, label


def test_heldout_pages_are_mostly_ordinary_pages():
    pages = read_pages()
    benign = [p for p in pages if not p["labels"]]
    assert len(benign) >= 30 and len(pages) - len(benign) >= 3 * 5
    assert {label for p in pages for label in p["labels"]} == set(PAGE_LABELS)
