"""Evaluation as an artifact: per-label scores, confusion matrix, precision/recall at thresholds,
a comparison with the previous model, and the rule for replacing it.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from classifier.model.training import TARGET_PRECISION, TrainedModel, precision_recall_at, snapshot_id

#: Thresholds at which every report gives precision and recall, besides the chosen ones.
THRESHOLD_GRID = (0.3, 0.5, 0.7, 0.9)
#: A new model may be at most this much worse in macro-F1 on the held-out set ...
MACRO_F1_TOLERANCE = 0.005
#: ... and at most this much worse in any one label's F1 (about two of its ~110 held-out passages).
LABEL_F1_TOLERANCE = 0.01
#: A new model may give at most this many more false findings on each set of benign pages.
PAGE_TOLERANCE = 1
#: How many misclassified passages a report lists.
MAX_ERRORS = 200


@dataclass
class Report:
    """How a model did on one set of labelled passages (usually the held-out set)."""

    model: dict
    data: dict
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict]
    confusion: list[list[int]]
    at_threshold: dict[str, dict]
    threshold_grid: dict[str, list[dict]]
    by_difficulty: dict[str, dict] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    comparison: dict | None = None  # against the previous model, when there is one
    pages: dict = field(default_factory=dict)  # page-level figures (classifier.model.pagelevel)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        return cls(**data)

    def write_json(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path

    def summary(self) -> dict:
        """The figures stored in meta.json and checked by CI: macro-F1, per-label F1, at-threshold P/R."""
        return {
            "data": self.data,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_label": self.per_label,
            "at_threshold": self.at_threshold,
            "pages": {name: {k: v for k, v in figures.items() if k != "errors"} for name, figures in self.pages.items()},
        }


def _scores(y: np.ndarray, pred: np.ndarray, labels: list[str]) -> tuple[dict, float]:
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    per_label = {
        label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    return per_label, float(np.mean(f))


def evaluate(model: TrainedModel, examples: Sequence[dict], *, data_name: str = "heldout") -> Report:
    """Score ``model`` on labelled ``examples``; each example is scored as one passage."""
    labels = model.labels
    texts = [ex["text"] for ex in examples]
    y = np.array([ex["label"] for ex in examples])
    proba = model.predict_proba(texts)
    pred = np.array(labels)[proba.argmax(axis=1)]
    per_label, macro_f1 = _scores(y, pred, labels)
    at_threshold, grid = {}, {}
    for i, label in enumerate(labels):
        if label not in model.thresholds:
            continue
        at = precision_recall_at(y == label, proba[:, i], model.thresholds[label])
        at["meets_target"] = at["precision"] >= TARGET_PRECISION
        at_threshold[label] = at
        grid[label] = [precision_recall_at(y == label, proba[:, i], t) for t in THRESHOLD_GRID]
    by_difficulty = {}
    difficulties = [ex.get("difficulty") for ex in examples]
    for level in sorted({d for d in difficulties if d}):
        mask = np.array([d == level for d in difficulties])
        per, macro = _scores(y[mask], pred[mask], labels)
        by_difficulty[level] = {
            "examples": int(mask.sum()),
            "accuracy": float((y[mask] == pred[mask]).mean()),
            "macro_f1": macro,
            "f1": {label: per[label]["f1"] for label in labels},
        }
    errors = [
        {"text": texts[i], "label": str(y[i]), "predicted": str(pred[i]),
         "prob": round(float(proba[i].max()), 4), "source": examples[i].get("source", ""),
         "difficulty": examples[i].get("difficulty", "")}
        for i in np.flatnonzero(y != pred)[:MAX_ERRORS]
    ]
    return Report(
        model={"snapshot": model.meta.get("training_data", {}).get("snapshot", ""),
               "sha256": model.meta.get("model_sha256", ""), "trained_at": model.meta.get("trained_at", ""),
               "git_commit": model.meta.get("git_commit", ""), "thresholds": model.thresholds},
        data={"name": data_name, "examples": len(examples), "snapshot": snapshot_id(examples)},
        labels=labels,
        accuracy=float((y == pred).mean()),
        macro_f1=macro_f1,
        per_label=per_label,
        confusion=confusion_matrix(y, pred, labels=labels).tolist(),
        at_threshold=at_threshold,
        threshold_grid=grid,
        by_difficulty=by_difficulty,
        errors=errors,
    )


@dataclass(frozen=True)
class Decision:
    """Whether a new model may replace the current one, and why."""

    replace: bool
    reasons: list[str]


def compare(old: dict, new: dict) -> dict:
    """Differences new - old of two report summaries (``Report.summary()`` or meta["heldout"])."""
    labels = sorted(set(old["per_label"]) & set(new["per_label"]))
    pages = {
        name: {"pages": figures["pages"], "old": old["pages"][name]["false_findings"],
               "new": figures["false_findings"], "change": figures["false_findings"] - old["pages"][name]["false_findings"]}
        for name, figures in new.get("pages", {}).items()
        if figures.get("pages") and old.get("pages", {}).get(name, {}).get("pages") == figures["pages"]
    }
    return {
        "false_findings": pages,
        "same_data": old.get("data", {}).get("snapshot") == new.get("data", {}).get("snapshot"),
        "macro_f1": {"old": old["macro_f1"], "new": new["macro_f1"], "change": new["macro_f1"] - old["macro_f1"]},
        "f1": {
            label: {"old": old["per_label"][label]["f1"], "new": new["per_label"][label]["f1"],
                    "change": new["per_label"][label]["f1"] - old["per_label"][label]["f1"]}
            for label in labels
        },
    }


def should_replace(old: dict | None, new: dict, *, macro_tolerance: float = MACRO_F1_TOLERANCE,
                   label_tolerance: float = LABEL_F1_TOLERANCE) -> Decision:
    """A new model replaces the old one only if it is not worse on the same held-out set:
    macro-F1 no more than ``macro_tolerance`` lower, no label's F1 more than ``label_tolerance``
    lower, and on each set of benign pages both were evaluated on at most ``PAGE_TOLERANCE``
    more false findings. With no old model (or a different held-out set) it replaces."""
    if old is None:
        return Decision(True, ["没有可比较的旧模型"])
    diff = compare(old, new)
    if not diff["same_data"]:
        return Decision(True, ["旧模型的评估数据与本次不同，无法比较；以新模型为准"])
    reasons = []
    change = diff["macro_f1"]["change"]
    if change < -macro_tolerance:
        reasons.append(f"宏平均 F1 下降 {-change:.4f}（允许 {macro_tolerance}）")
    for label, d in diff["f1"].items():
        if d["change"] < -label_tolerance:
            reasons.append(f"{label} 的 F1 下降 {-d['change']:.4f}（允许 {label_tolerance}）")
    for name, d in diff["false_findings"].items():
        if d["change"] > PAGE_TOLERANCE:
            reasons.append(f"{name} 的 {d['pages']} 个正常页面上误报从 {d['old']} 个增加到 {d['new']} 个（允许多 {PAGE_TOLERANCE} 个）")
    if reasons:
        return Decision(False, reasons)
    return Decision(True, [f"宏平均 F1 变化 {change:+.4f}，各标签 F1 和正常页面上的误报均未明显变差"])
