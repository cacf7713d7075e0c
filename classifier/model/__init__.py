"""The text model: passages of a page scored as benign, donation_appeal, illegal_fundraising or
spam_injected, to find in words nobody listed what the rule detectors find by phrase.

Pure like the rest of :mod:`classifier`: no database, no network. See docs/model-card.md.
"""
import importlib
from typing import Any

# Light, and imported at once: ``passages`` is also the name of its module, which an import of
# the module would otherwise leave in the package's namespace in place of the function.
from classifier.model.errors import ModelError
from classifier.model.passages import Passage, passages

#: Where each public name lives. Loaded on first use (PEP 562): scikit-learn takes over a second
#: to import, and every CLI command (``orgwatch --help`` too) imports the ``model`` commands.
_HOMES = {
    "appeal_passages": "detections", "model_detections": "detections",
    "Decision": "evaluation", "Report": "evaluation", "compare": "evaluation", "evaluate": "evaluation",
    "should_replace": "evaluation",
    "FINDING_LABELS": "pipeline", "LABELS": "pipeline", "build_pipeline": "pipeline",
    "ModelScorer": "scoring", "PassageScore": "scoring", "default_scorer": "scoring",
    "SHIPPED_DIR": "store", "load": "store", "save": "store", "TrainedModel": "training", "train": "training",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'classifier.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"classifier.model.{home}"), name)


__all__ = sorted(["ModelError", "Passage", "passages", *_HOMES])
