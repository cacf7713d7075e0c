"""The text model: passages of a page scored as benign, donation_appeal, illegal_fundraising or
spam_injected, to find in words nobody listed what the rule detectors find by phrase.

Pure like the rest of :mod:`classifier`: no database, no network. See docs/model-card.md.
"""
from classifier.model.detections import appeal_passages, model_detections
from classifier.model.errors import ModelError
from classifier.model.evaluation import Decision, Report, compare, evaluate, should_replace
from classifier.model.passages import Passage, passages
from classifier.model.pipeline import FINDING_LABELS, LABELS, build_pipeline
from classifier.model.scoring import ModelScorer, PassageScore, default_scorer
from classifier.model.store import SHIPPED_DIR, load, save
from classifier.model.training import TrainedModel, train

__all__ = [
    "Decision", "FINDING_LABELS", "LABELS", "ModelError", "ModelScorer", "Passage", "PassageScore", "Report",
    "SHIPPED_DIR", "TrainedModel", "appeal_passages", "build_pipeline", "compare", "default_scorer", "evaluate",
    "load", "model_detections", "passages", "save", "should_replace", "train",
]
