"""Page-level evaluation: what the model does to whole pages, the unit a user sees.

Two sets: ``classifier/data/pages_heldout.jsonl`` (whole pages written independently of the
training data, each with the labels it should get; most are ordinary news, government and
organisation pages) and the PRC statutes of the benchmark text cut into 2,000-character pages
(real text, all benign; statutes whose passages are in the model's background data are
counted apart). A page gets a label when its strongest passage reaches the label's threshold,
as :func:`classifier.model.detections.model_detections` decides where no rule fired.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from classifier.base import Document
from classifier.model.detections import strongest_finding
from classifier.model.paths import LAWS_TEXT
from classifier.model.pipeline import FINDING_LABELS
from classifier.model.scoring import ModelScorer
from classifier.model.training import BACKGROUND_FILE, DATA_DIR, TrainedModel, read_examples

PAGES_FILE = DATA_DIR / "pages_heldout.jsonl"
LAW_PAGE_CHARS = 2000
#: Labels judged per page: the two that become model findings, and appeals (which the
#: fundraising detectors turn into findings for organisations without the qualification).
PAGE_LABELS: tuple[str, ...] = (*FINDING_LABELS, "donation_appeal")


def page_labels(scorer: ModelScorer, text: str, thresholds: dict[str, float]) -> dict[str, float]:
    """The labels the model gives the page ``text`` and their scores (strongest passage)."""
    doc = Document(text=text)
    out = {}
    for label in PAGE_LABELS:
        best = strongest_finding(doc, label, scorer) if label in FINDING_LABELS else scorer.strongest(doc, label)
        if best is not None and label in thresholds and best.prob >= thresholds[label]:
            out[label] = round(best.prob, 4)
    return out


def law_pages(path: Path = LAWS_TEXT, size: int = LAW_PAGE_CHARS) -> dict[str, list[str]]:
    """The statutes of ``path`` cut into pages of ``size`` characters: ``unseen`` statutes and
    ``background`` ones (whose passages trained the model). Empty when the file is absent."""
    if not path.is_file():
        return {}
    seen = {ex["source"].removeprefix("background: ") for ex in read_examples([BACKGROUND_FILE])}
    out: dict[str, list[str]] = {"unseen": [], "background": []}
    for statute in (s for s in re.split(r"(?m)^(?=# )", path.read_text(encoding="utf-8")) if s.strip()):
        group = "background" if statute.splitlines()[0].lstrip("# ").strip() in seen else "unseen"
        out[group] += [statute[i:i + size] for i in range(0, len(statute), size)]
    return out


def _per_100(n: int, total: int) -> float:
    return round(100 * n / total, 2) if total else 0.0


def _benign_figures(judged: Sequence[dict[str, float]]) -> dict:
    """False findings and false appeals on benign pages, given what the model gave each."""
    findings = sum(any(label in got for label in FINDING_LABELS) for got in judged)
    appeals = sum("donation_appeal" in got for got in judged)
    n = len(judged)
    return {"pages": n, "false_findings": findings, "false_findings_per_100": _per_100(findings, n),
            "false_appeals": appeals, "false_appeals_per_100": _per_100(appeals, n)}


def evaluate_pages(model: TrainedModel, pages: Sequence[dict], laws: dict[str, list[str]] | None = None) -> dict:
    """Page-level figures: per label precision and recall on ``pages``, false findings per 100
    benign pages there and on each set of statute ``laws`` pages, and the pages judged wrong."""
    scorer, thresholds = ModelScorer(model), model.thresholds
    counts = {label: {"tp": 0, "fp": 0, "fn": 0} for label in PAGE_LABELS}
    errors, benign = [], []
    for page in pages:
        expected = set(page.get("labels", []))
        got = page_labels(scorer, page["text"], thresholds)
        if not expected:
            benign.append(got)
        for label in PAGE_LABELS:
            key = "tp" if label in got and label in expected else "fp" if label in got else "fn" if label in expected else None
            if key:
                counts[label][key] += 1
        if set(got) != expected:
            errors.append({"source": page.get("source", ""), "expected": sorted(expected), "got": got})
    per_label = {}
    for label, c in counts.items():
        flagged, positive = c["tp"] + c["fp"], c["tp"] + c["fn"]
        per_label[label] = {**c, "precision": c["tp"] / flagged if flagged else 1.0,
                            "recall": c["tp"] / positive if positive else 0.0}
    out = {"heldout_pages": {**_benign_figures(benign), "all_pages": len(pages), "per_label": per_label,
                             "errors": errors}}
    for group, texts in (laws or {}).items():
        out[f"laws_{group}"] = _benign_figures([page_labels(scorer, t, thresholds) for t in texts])
    return out


def read_pages(path: Path = PAGES_FILE) -> list[dict]:
    """The held-out pages ``{text, labels, kind, source}``."""
    return read_examples([path])
