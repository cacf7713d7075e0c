"""Model findings next to the rules: where no rule fired, a confident passage becomes a finding;
appeal passages go to the fundraising detectors.
"""
from __future__ import annotations

import re
from typing import Iterable

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.evidence import snippet
from classifier.model.pipeline import FINDING_LABELS
from classifier.model.scoring import ModelScorer, PassageScore

RULE = "model"
#: A quoted passage longer than this is shortened in the evidence (the detail keeps it whole).
MAX_QUOTE = 160
#: Words of texts that warn against schemes and spam or report cases, which the rule detectors
#: leave alone too: such a passage never becomes a model finding, however much it reads like one.
WARNING = re.compile(
    "警惕|谨防|防范|提醒|切勿|别信|不要(?:轻信|相信|参与)|骗局|诈骗|骗子|受骗|被骗|上当|陷阱|涉嫌|犯罪|判处|判决|"
    "法院|检察|公安|警方|民警|报警|立案|案件|嫌疑人|被告|不法分子|举报|风险提示|非法集资|非法吸收|以案说法|典型案例|"
    "打击|禁赌|远离"
)
#: A scheme that denies being one (本项目不是非法集资) does not warn.
_DENIAL = re.compile("(?:不是|不属于|并非|绝非|不涉及|不存在|不搞)(?:非法集资|传销|骗局|诈骗)")


def warns(passage: str) -> bool:
    """True when ``passage`` warns against schemes or spam, or reports a case."""
    return bool(WARNING.search(_DENIAL.sub("", passage)))


def strongest_finding(doc: Document, label: str, scorer: ModelScorer) -> PassageScore | None:
    """The passage of ``doc`` most likely to be ``label`` among those that do not warn."""
    best = None
    for s in scorer.score_document(doc):
        if s.label == label and (best is None or s.prob > best.prob) and not warns(doc.text[s.start:s.end]):
            best = s
    return best


def _quote(text: str, start: int, end: int) -> str:
    passage = text[start:end]
    if len(passage) <= MAX_QUOTE:
        return snippet(text, start, end, width=20)
    half = MAX_QUOTE // 2
    return snippet(text, start, end, width=20, shown=passage[:half] + "……" + passage[-half:])


def model_detections(doc: Document, ctx: OrgContext, rule_detections: Iterable[Detection],
                     scorer: ModelScorer, thresholds: dict[str, float] | None = None) -> list[Detection]:
    """One finding per category (illegal_fundraising, spam_injected) that no rule found in
    ``doc`` and whose strongest passage (one that does not warn) scores at least the category's threshold.

    The finding quotes that passage, has severity MEDIUM and ``score`` = its probability.
    ``thresholds`` default to the ones chosen on validation data (``scorer.thresholds``).
    """
    thresholds = scorer.thresholds if thresholds is None else thresholds
    fired = {d.category for d in rule_detections}
    found = []
    for label in FINDING_LABELS:
        if label in fired or label not in thresholds:
            continue
        best = strongest_finding(doc, label, scorer)
        if best is None or best.prob < thresholds[label]:
            continue
        found.append(Detection(
            category=label,
            rule=RULE,
            severity=Severity.MEDIUM,
            evidence=_quote(doc.text, best.start, best.end),
            start=best.start,
            end=best.end,
            key="",
            score=round(best.prob, 4),
            detail={"model": True, "score": round(best.prob, 4), "threshold": thresholds[label],
                    "passage": doc.text[best.start:best.end]},
        ))
    return found


def appeal_passages(doc: Document, scorer: ModelScorer,
                    threshold: float | None = None) -> list[tuple[int, int, str, float]]:
    """(start, end, text, probability) of each passage of ``doc`` that the model reads as a
    donation appeal (at or above ``threshold``, default the validated one), in page order."""
    threshold = scorer.thresholds["donation_appeal"] if threshold is None else threshold
    return [
        (s.start, s.end, doc.text[s.start:s.end], s.prob)
        for s in scorer.score_document(doc)
        if s.label == "donation_appeal" and s.prob >= threshold
    ]
