"""Train, evaluate and install a model: what ``orgwatch model train`` and ``evaluate`` do.

A new model is installed only when it is not worse on the held-out set than the installed
one (:func:`classifier.model.evaluation.should_replace`); the replaced model is archived as
``previous`` and a rejected one kept as ``candidate``, both under the archive directory.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from classifier.model.errors import ModelError
from classifier.model.evaluation import Decision, Report, compare, evaluate, should_replace
from classifier.model.pagelevel import LAWS_TEXT, evaluate_pages, law_pages, read_pages
from classifier.model.store import META_FILE, MODEL_FILE, load, save
from classifier.model.training import (
    BACKGROUND_FILE, HELDOUT_FILE, TRAIN_FILES, VALIDATION_PAGES_FILE, TrainedModel, read_examples, train,
)

log = logging.getLogger(__name__)


def corpus_examples(background: bool = True) -> list[dict]:
    """The training corpus (train_a, train_b, train_pages) and, unless ``background`` is False,
    the benign background; a statute's background passages count as one validation page."""
    out = [{**ex, "origin": "corpus"} for ex in read_examples(TRAIN_FILES)]
    if background:
        out += [{**ex, "origin": "background", "page": ex["source"]} for ex in read_examples([BACKGROUND_FILE])]
    return out


def heldout_examples() -> list[dict]:
    """The held-out test set."""
    return read_examples([HELDOUT_FILE])


@dataclass
class Outcome:
    """What a training run produced and where it went."""

    model: TrainedModel
    report: Report
    decision: Decision
    comparison: dict | None
    saved_to: Path
    archived: Path | None = None


def full_evaluation(model: TrainedModel, heldout: Sequence[dict], laws: Path | None = LAWS_TEXT) -> Report:
    """``model`` on the held-out passages, and page by page on the held-out pages and, when
    ``laws`` is a file, on its statutes cut into pages."""
    report = evaluate(model, heldout)
    report.pages = evaluate_pages(model, read_pages(), law_pages(laws) if laws is not None else {})
    return report


def evaluate_dir(directory: Path, heldout: Sequence[dict], laws: Path | None = LAWS_TEXT) -> tuple[dict, Report]:
    """Load the model in ``directory`` and evaluate it on ``heldout``: (its meta, the report)."""
    model = load(directory)
    return model.meta, full_evaluation(model, heldout, laws)


def _copy_model(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in (MODEL_FILE, META_FILE):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)


def train_and_install(examples: Sequence[dict], *, out_dir: Path, archive_dir: Path, seed: int = 0,
                      force: bool = False, heldout: Sequence[dict] | None = None,
                      laws: Path | None = LAWS_TEXT) -> Outcome:
    """Train on ``examples``, evaluate on the held-out set, and install into ``out_dir`` if
    the model there (if any) is not better; otherwise keep the new one in ``archive_dir/candidate``."""
    heldout = heldout_examples() if heldout is None else heldout
    model = train(examples, seed, read_examples([VALIDATION_PAGES_FILE]))
    report = full_evaluation(model, heldout, laws)
    model.meta["heldout"] = report.summary()
    old_summary = None
    if (out_dir / META_FILE).exists():
        try:
            old_summary = evaluate_dir(out_dir, heldout, laws)[1].summary()
        except ModelError as exc:
            log.warning("the installed model cannot be compared and will be replaced: %s", exc)
    decision = should_replace(old_summary, report.summary())
    if force and not decision.replace:
        decision = Decision(True, decision.reasons + ["--force：仍然替换"])
    comparison = compare(old_summary, report.summary()) if old_summary else None
    archived = None
    if decision.replace:
        if (out_dir / MODEL_FILE).exists():
            archived = archive_dir / "previous"
            _copy_model(out_dir, archived)
        save(model, out_dir)
        saved_to = out_dir
    else:
        saved_to = archive_dir / "candidate"
        save(model, saved_to)
    report.model["sha256"] = model.meta.get("model_sha256", "")
    report.model["git_commit"] = model.meta.get("git_commit", "")
    return Outcome(model, report, decision, comparison, saved_to, archived)
