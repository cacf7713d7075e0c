"""Model findings next to the rules: where no rule fired, a confident passage becomes a finding;
appeal passages go to the fundraising detectors.
"""
from __future__ import annotations

from typing import Iterable

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.evidence import snippet
from classifier.model.pipeline import FINDING_LABELS
from classifier.model.scoring import ModelScorer

RULE = "model"
#: A quoted passage longer than this is shortened in the evidence (the detail keeps it whole).
MAX_QUOTE = 160


def _quote(text: str, start: int, end: int) -> str:
    passage = text[start:end]
    if len(passage) <= MAX_QUOTE:
        return snippet(text, start, end, width=20)
    half = MAX_QUOTE // 2
    return snippet(text, start, end, width=20, shown=passage[:half] + "……" + passage[-half:])


def model_detections(doc: Document, ctx: OrgContext, rule_detections: Iterable[Detection],
                     scorer: ModelScorer, thresholds: dict[str, float] | None = None) -> list[Detection]:
    """One finding per category (illegal_fundraising, spam_injected) that no rule found in
    ``doc`` and whose strongest passage scores at least the category's threshold.

    The finding quotes that passage, has severity MEDIUM and ``score`` = its probability.
    ``thresholds`` default to the ones chosen on validation data (``scorer.thresholds``).
    """
    thresholds = scorer.thresholds if thresholds is None else thresholds
    fired = {d.category for d in rule_detections}
    found = []
    for label in FINDING_LABELS:
        if label in fired or label not in thresholds:
            continue
        best = scorer.strongest(doc, label)
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
