"""The model: TF-IDF over jieba words united with TF-IDF over character 1-3-grams, and a
linear SVM whose scores are calibrated to probabilities (Platt scaling, cross-validated).
"""
from __future__ import annotations

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.model.features import CharNgramCounts, WordCounts

#: One label set for passages. donation_appeal feeds the fundraising detectors.
LABELS: tuple[str, ...] = ("benign", "donation_appeal", "illegal_fundraising", "spam_injected")
#: Labels that become model findings of the same category.
FINDING_LABELS: tuple[str, ...] = ("illegal_fundraising", "spam_injected")

#: Chosen by 5-fold cross-validation on the training files only (see docs/model-card.md).
SVM_C = 0.5
CALIBRATION_FOLDS = 5


def build_pipeline(seed: int = 0) -> Pipeline:
    """An unfitted pipeline; ``seed`` fixes every random choice so training is reproducible."""
    words = Pipeline([("counts", WordCounts(min_df=2)), ("tfidf", TfidfTransformer(sublinear_tf=True))])
    chars = Pipeline([
        ("counts", CharNgramCounts(ngram_range=(1, 3), min_df=2)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=seed)
    calibrated = CalibratedClassifierCV(
        svm,
        method="sigmoid",
        cv=StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed),
        ensemble=False,
    )
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])), ("clf", calibrated)])
