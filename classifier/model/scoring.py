"""Scoring pages: split into passages, reuse the page's tokens, one probability per label and passage.

:class:`ModelScorer` computes exactly what the fitted pipeline's ``predict_proba`` computes
(TF-IDF, linear SVM, sigmoid calibration), but from the page's shared tokens and with numpy
arrays instead of scikit-learn's per-call checks, so the model costs a fraction of jieba's time.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from classifier.base import Document
from classifier.model.errors import ModelError
from classifier.model.store import RETRAIN
from classifier.model.features import TextBatch
from classifier.model.passages import Passage, passages
from classifier.model.training import TrainedModel


class PassageScore(NamedTuple):
    """The probability that ``doc.text[start:end]`` is ``label``."""

    label: str
    prob: float
    start: int
    end: int


@dataclass(frozen=True)
class _Block:
    """One feature block of the union: its counter and where its columns start."""

    counts: object
    offset: int


class ModelScorer:
    """Scores documents with a trained model; holds no per-document state except a one-entry cache."""

    def __init__(self, model: TrainedModel):
        self.model = model
        self.labels: list[str] = model.labels
        self.thresholds: dict[str, float] = model.thresholds
        self._unpack(model)
        self._last: tuple[Document, list[PassageScore]] | None = None

    def _unpack(self, model: TrainedModel) -> None:
        features = model.pipeline.named_steps["features"]
        clf = model.pipeline.named_steps["clf"]
        (calibrated,) = clf.calibrated_classifiers_
        svm = calibrated.estimator
        if calibrated.method != "sigmoid" or list(svm.classes_) != list(clf.classes_):
            raise ModelError(f"不支持的模型结构（需要 sigmoid 校准的线性模型）：{RETRAIN}")
        blocks, idf, sublinear, offset = [], [], set(), 0
        for _name, sub in features.transformer_list:
            counts, tfidf = sub.named_steps["counts"], sub.named_steps["tfidf"]
            if tfidf.norm != "l2" or not tfidf.use_idf:
                raise ModelError(f"不支持的模型结构（需要 L2 归一化的 TF-IDF 特征）：{RETRAIN}")
            blocks.append(_Block(counts, offset))
            idf.append(tfidf.idf_)
            sublinear.add(tfidf.sublinear_tf)
            offset += len(tfidf.idf_)
        if len(blocks) > 2 or len(sublinear) != 1:
            raise ModelError(f"不支持的模型结构（需要一至两组词频缩放相同的特征）：{RETRAIN}")
        self._blocks = blocks
        self._n_features = offset
        self._idf = np.concatenate(idf)
        self._sublinear = sublinear.pop()
        self._weights = np.ascontiguousarray(svm.coef_.T)  # (n_features, n_labels)
        self._intercept = svm.intercept_
        self._a = np.array([c.a_ for c in calibrated.calibrators])
        self._b = np.array([c.b_ for c in calibrated.calibrators])

    def decision_function(self, batch: TextBatch) -> np.ndarray:
        """The SVM's scores for each span of ``batch``: (n_spans, n_labels)."""
        n_rows = len(batch.spans)
        rows_l, cols_l = [], []
        for block in self._blocks:
            rows, cols = block.counts.occurrences(batch)
            rows_l.append(rows)
            cols_l.append(cols + block.offset)
        decision = np.tile(self._intercept, (n_rows, 1))
        # one sort for both blocks: distinct (row, feature) pairs and their counts, rows ascending
        key = np.sort((np.concatenate(rows_l) << 32) | np.concatenate(cols_l))
        if not len(key):
            return decision
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        counts = np.diff(np.append(first, len(key)))
        key = key[first]
        rows, cols = key >> 32, key & 0xFFFFFFFF
        value = (np.log(counts) + 1.0 if self._sublinear else counts.astype(np.float64)) * np.take(self._idf, cols)
        block = rows * 2 + (cols >= self._blocks[-1].offset) if len(self._blocks) > 1 else rows * 2
        norm = np.sqrt(np.bincount(block, value * value, minlength=2 * n_rows))
        value /= norm[block]
        contrib = np.take(self._weights, cols, axis=0) * value[:, None]
        row_first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        decision[rows[row_first]] += np.add.reduceat(contrib, row_first, axis=0)
        return decision

    def predict_proba(self, batch: TextBatch) -> np.ndarray:
        """One-vs-rest calibrated probabilities for each span of ``batch``: (n_spans, n_labels),
        equal to :meth:`TrainedModel.predict_proba` of the spans' texts."""
        return expit(-(self.decision_function(batch) * self._a + self._b))

    def score_passages(self, text: str, tokens, spans: list[Passage]) -> list[PassageScore]:
        """One :class:`PassageScore` per passage and label, passages in order."""
        if not spans:
            return []
        proba = self.predict_proba(TextBatch(text, tokens, [(p.start, p.end) for p in spans])).tolist()
        labels = self.labels
        return [
            PassageScore(label, prob, span.start, span.end)
            for span, row in zip(spans, proba)
            for label, prob in zip(labels, row)
        ]

    def score_document(self, doc: Document) -> list[PassageScore]:
        """Scores of every passage of ``doc`` for every label, from ``doc.tokens`` (tokenised once)."""
        last = self._last
        if last is not None and last[0] is doc:
            return last[1]
        scores = self.score_passages(doc.text, doc.tokens, passages(doc.text))
        self._last = (doc, scores)
        return scores

    def strongest(self, doc: Document, label: str) -> PassageScore | None:
        """The passage of ``doc`` most likely to be ``label`` (a page's score is its strongest passage)."""
        best = None
        for s in self.score_document(doc):
            if s.label == label and (best is None or s.prob > best.prob):
                best = s
        return best


_default: ModelScorer | None = None
_default_lock = threading.Lock()


def default_scorer(directory: Path | str | None = None) -> ModelScorer:
    """The shipped model's scorer, loaded once per process (``ModelError`` if it cannot be used)."""
    global _default
    from classifier.model.store import SHIPPED_DIR, load

    if directory is not None and Path(directory) != SHIPPED_DIR:
        return ModelScorer(load(directory))
    with _default_lock:
        if _default is None:
            _default = ModelScorer(load(SHIPPED_DIR))
    return _default
