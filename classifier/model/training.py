"""Training: the corpus files, cross-validated thresholds, the fitted model and its provenance."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from classifier.model.errors import ModelError
from classifier.model.pipeline import FINDING_LABELS, LABELS, build_pipeline

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: The training files: two written by separate authors, one of passages of generated whole
#: pages (classifier/data/pagegen.py; see docs/data-card.md).
TRAIN_FILES = (DATA_DIR / "train_a.jsonl", DATA_DIR / "train_b.jsonl", DATA_DIR / "train_pages.jsonl")
#: The independently written held-out set; never used for fitting or choosing thresholds.
HELDOUT_FILE = DATA_DIR / "heldout.jsonl"
#: Benign background: 400 statute passages, so that formal, legal prose (which the corpus
#: lacks and organisations' policy pages are full of) is not mistaken for schemes or spam.
BACKGROUND_FILE = Path(__file__).resolve().parent.parent / "model_data" / "background.jsonl"
#: The background statutes cut into whole pages, for choosing thresholds page by page.
VALIDATION_PAGES_FILE = BACKGROUND_FILE.with_name("validation_pages.jsonl")

#: Model findings need this precision on validation data.
TARGET_PRECISION = 0.9
#: ... and never fire below this probability, so the label is the model's best guess.
MIN_THRESHOLD = 0.5
#: A stricter threshold flagging fewer validation passages than this is too noisy to judge.
MIN_FLAGGED = 10
VALIDATION_FOLDS = 5
#: ... and may flag at most this share of the benign validation pages (the goal is under 1 in
#: 100 on real pages; half of that on validation pages leaves a margin).
MAX_PAGE_FALSE_RATE = 0.005


@dataclass
class TrainedModel:
    """A fitted pipeline and its ``meta`` (thresholds, validation scores, provenance)."""

    pipeline: Pipeline
    meta: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.meta.get("thresholds", {}))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One-vs-rest calibrated probabilities, one row per text, columns in ``labels`` order."""
        return ovr_proba(self.pipeline, texts)


def ovr_proba(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """Each label's own calibrated probability (Platt scaling of its one-vs-rest SVM score).

    Unlike ``pipeline.predict_proba`` the rows are not normalised to sum to 1: a passage unlike
    anything in training gets low probabilities for every label instead of a confident guess.
    The arg-max, and so the predicted label, is the same.
    """
    features = pipeline.named_steps["features"].transform(list(texts))
    (calibrated,) = pipeline.named_steps["clf"].calibrated_classifiers_
    decision = calibrated.estimator.decision_function(features)
    return np.column_stack([c.predict(decision[:, k]) for k, c in enumerate(calibrated.calibrators)])


def read_examples(paths: Iterable[Path]) -> list[dict]:
    """The JSON Lines records ``{text, label, source, ...}`` of ``paths``, in order."""
    out = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ModelError(f"无法读取训练数据 {path}：{exc.strerror}") from exc
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ModelError(f"{path} 第 {n} 行不是有效的 JSON：{exc.msg}") from exc
            out.append(record)
    return out


def snapshot_id(examples: Sequence[dict]) -> str:
    """SHA-256 of the (text, label) pairs in order: the training-data snapshot a model saw."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps([ex["text"], ex["label"]], ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _check(examples: Sequence[dict]) -> None:
    unknown = sorted({ex.get("label") for ex in examples} - set(LABELS), key=str)
    if unknown:
        raise ModelError(f"训练数据中有未知标签 {unknown}；可用的标签：{', '.join(LABELS)}")
    counts = Counter(ex["label"] for ex in examples)
    few = [label for label in LABELS if counts[label] < 2 * VALIDATION_FOLDS]
    if few:
        raise ModelError(f"标签 {few} 的训练样本不足 {2 * VALIDATION_FOLDS} 条，无法训练和交叉验证")
    if any(not str(ex.get("text", "")).strip() for ex in examples):
        raise ModelError("训练数据中有空文本")


def precision_recall_at(is_pos: np.ndarray, prob: np.ndarray, threshold: float) -> dict:
    """Precision and recall of ``prob >= threshold`` against ``is_pos``."""
    flagged = prob >= threshold
    tp = int((flagged & is_pos).sum())
    n_flagged, n_pos = int(flagged.sum()), int(is_pos.sum())
    return {
        "threshold": round(float(threshold), 4),
        "precision": tp / n_flagged if n_flagged else 1.0,
        "recall": tp / n_pos if n_pos else 0.0,
        "flagged": n_flagged,
    }


def choose_threshold(is_pos: np.ndarray, prob: np.ndarray, target: float = TARGET_PRECISION,
                     floor: float = MIN_THRESHOLD, min_flagged: int = MIN_FLAGGED) -> float:
    """The lowest threshold >= ``floor`` at which precision, and precision at every stricter
    threshold flagging at least ``min_flagged`` passages, is >= ``target``; 1.0 if none."""
    candidates = np.unique(np.ceil(prob[prob >= floor] * 10_000) / 10_000)[::-1]  # strictest first
    chosen = 1.0
    for t in candidates:
        at = precision_recall_at(is_pos, prob, t)
        if at["precision"] < target and at["flagged"] >= min_flagged:
            break
        if at["precision"] >= target:
            chosen = float(t)
    return chosen


def benign_pages(examples: Sequence[dict]) -> list[np.ndarray]:
    """The row indices of each validation page: examples sharing a ``page`` id, all benign."""
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        if ex.get("page"):
            groups.setdefault(ex["page"], []).append(i)
    return [np.array(rows) for rows in groups.values() if all(examples[i]["label"] == "benign" for i in rows)]


def pages_flagged(strongest: Sequence[float], threshold: float) -> int:
    """How many pages, given each page's strongest passage, reach ``threshold``."""
    return int(np.sum(np.asarray(strongest) >= threshold))


def page_threshold(strongest: Sequence[float], rate: float = MAX_PAGE_FALSE_RATE) -> float:
    """The lowest threshold flagging at most ``rate`` of the benign pages whose strongest
    passages score ``strongest`` (0.0 without pages)."""
    ordered = np.sort(np.asarray(strongest, dtype=float))[::-1]
    allowed = int(np.floor(rate * len(ordered)))  # pages that may be flagged
    if allowed >= len(ordered):
        return 0.0
    return float(np.ceil((ordered[allowed] + 1e-12) * 10_000) / 10_000)


def _strongest(pipeline: Pipeline, text: str, labels: Sequence[str]) -> np.ndarray:
    """Each label's strongest passage of the page ``text``; for finding labels, as model findings
    do, passages that warn are left out."""
    from classifier.model.detections import warns
    from classifier.model.passages import passages

    spans = [p.text for p in passages(text)]
    if not spans:
        return np.zeros(len(labels))
    proba = ovr_proba(pipeline, spans)
    warned = np.array([warns(t) for t in spans])
    for i, label in enumerate(labels):
        if label in FINDING_LABELS:
            proba[warned, i] = 0.0
    return proba.max(axis=0)


def validation_probabilities(texts: Sequence[str], y: np.ndarray, seed: int, groups: Sequence[str] | None = None,
                             pages: Sequence[dict] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold one-vs-rest probabilities of a stratified k-fold split of the training data,
    and each label's strongest passage on each validation page ``{page, text}``.

    Examples of one ``groups`` value (one page: a generated page, one statute's background
    passages) fall in the same fold, so a page is scored by models that saw none of it; a
    validation page is scored by the model of the fold that held out its ``page`` group (NaN
    when no example has that group).
    """
    texts = list(texts)
    labels = sorted(set(y.tolist()))
    proba = np.zeros((len(texts), len(labels)))
    strongest = np.full((len(pages), len(labels)), np.nan)
    groups = list(range(len(texts))) if groups is None else list(groups)
    folds = StratifiedGroupKFold(VALIDATION_FOLDS, shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(texts, y, groups):
        fold = build_pipeline(seed).fit([texts[i] for i in train_idx], y[train_idx])
        proba[test_idx] = ovr_proba(fold, [texts[i] for i in test_idx])
        held = {groups[i] for i in test_idx}
        for j, page in enumerate(pages):
            if page["page"] in held:
                strongest[j] = _strongest(fold, page["text"], labels)
    return proba, strongest


def train(examples: Sequence[dict], seed: int = 0, validation_pages: Sequence[dict] = ()) -> TrainedModel:
    """Fit the model on ``examples`` ({text, label, ...}) and choose its thresholds on
    cross-validated probabilities of the same examples (precision >= ``TARGET_PRECISION``),
    raised where needed so that at most ``MAX_PAGE_FALSE_RATE`` of the benign validation pages
    are flagged: the all-benign example groups, and ``validation_pages`` ({page, text}: whole
    benign pages of the same groups, e.g. the background statutes cut into pages).

    An example's optional ``origin`` (corpus, background, feedback) is counted in the meta.
    """
    _check(examples)
    texts = [ex["text"] for ex in examples]
    y = np.array([ex["label"] for ex in examples])
    log.info("cross-validating on %d examples", len(texts))
    groups = [ex.get("page") or f"example-{i}" for i, ex in enumerate(examples)]
    proba, page_proba = validation_probabilities(texts, y, seed, groups, validation_pages)
    page_proba = page_proba[~np.isnan(page_proba).any(axis=1)]
    labels = sorted(set(y.tolist()))
    thresholds, validation, page_validation = {}, {}, {}
    pages = benign_pages(examples)
    for i, label in enumerate(labels):
        is_pos = y == label
        t = choose_threshold(is_pos, proba[:, i])
        if label in FINDING_LABELS or label == "donation_appeal":
            strongest = [proba[rows, i].max() for rows in pages] + page_proba[:, i].tolist()
            page_t = page_threshold(strongest)
            t = max(t, page_t)
            thresholds[label] = t
            page_validation[label] = {"page_threshold": page_t, "pages": len(strongest),
                                      "flagged": pages_flagged(strongest, t)}
        validation[label] = precision_recall_at(is_pos, proba[:, i], t)
    log.info("fitting on all %d examples", len(texts))
    pipeline = build_pipeline(seed).fit(texts, y)
    meta = {
        "labels": [str(c) for c in pipeline.classes_],
        "seed": seed,
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "thresholds": thresholds,
        "threshold_rule": {
            "target_precision": TARGET_PRECISION,
            "min_threshold": MIN_THRESHOLD,
            "min_flagged": MIN_FLAGGED,
            "folds": VALIDATION_FOLDS,
            "max_page_false_rate": MAX_PAGE_FALSE_RATE,
        },
        "validation": {
            "per_label_at_threshold": validation,
            "benign_pages": page_validation,
            "macro_f1": _macro_f1(y, np.array(labels)[proba.argmax(axis=1)], labels),
        },
        "training_data": {
            "snapshot": snapshot_id(examples),
            "examples": len(examples),
            "labels": dict(sorted(Counter(y.tolist()).items())),
            "origins": dict(sorted(Counter(ex.get("origin", "corpus") for ex in examples).items())),
        },
    }
    return TrainedModel(pipeline=pipeline, meta=meta)


def _macro_f1(y: np.ndarray, pred: np.ndarray, labels: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, labels=labels, average="macro", zero_division=0))
