"""The one place detectors are registered, listed and run."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Iterable

from classifier.base import Detection, Detector, Document, OrgContext

_DETECTORS: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: add a detector class to the registry under ``cls.name``."""
    name = getattr(cls, "name", None) or cls.__name__
    if name in _DETECTORS:
        raise ValueError(f"detector {name!r} registered twice")
    if not (cls.__doc__ or "").strip():
        raise ValueError(f"detector {name!r} needs a docstring: it is the user documentation")
    _DETECTORS[name] = cls
    return cls


_BUILTIN_LOADED: list[bool] = []


def _load_builtin() -> None:
    import classifier.detectors as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"classifier.detectors.{info.name}")
    _BUILTIN_LOADED.append(True)


def all_detectors() -> dict[str, type]:
    """Every registered detector class by name; the built-in modules are all imported on first
    call, also when one of them was imported directly before (as ``configure`` calls do)."""
    if not _BUILTIN_LOADED:
        _load_builtin()
    return dict(_DETECTORS)


_INSTANCES: list[Detector] = []


def _instances() -> list[Detector]:
    if not _INSTANCES or len(_INSTANCES) != len(all_detectors()):
        _INSTANCES.clear()
        _INSTANCES.extend(cls() for cls in all_detectors().values())
    return _INSTANCES


def analyze(doc: Document, ctx: OrgContext | None = None) -> list[Detection]:
    """Run every registered detector over ``doc`` and return their detections, located, in order."""
    ctx = ctx or OrgContext()
    found: list[Detection] = []
    for det in _instances():
        found.extend(det.detect(doc, ctx))
    if _MODEL["enabled"] and doc.text.strip():
        found.extend(_model_findings(doc, ctx, found))
    found = [_finish(doc, d) for d in _drop_redundant(found)]
    found.sort(key=lambda d: (d.start, d.category, d.rule))
    return found


_MODEL = {"enabled": False}
FUNDRAISING_CATEGORIES = ("unqualified_fundraising", "fundraising_notice_incomplete")


def configure_model(enabled: bool) -> None:
    """Turn the text model on or off for this process (setting ``detect.model``)."""
    _MODEL["enabled"] = enabled


def _model_findings(doc: Document, ctx: OrgContext, found: list[Detection]) -> list[Detection]:
    """What the model adds where no rule fired: illegal_fundraising and spam_injected findings,
    and donation appeals in words no rule lists, judged like the rules' appeals."""
    from classifier.fundraising import fundraising_detections
    from classifier.fundraising.appeals import AppealSpan
    from classifier.model import appeal_passages, default_scorer, model_detections

    scorer = default_scorer()
    extra = model_detections(doc, ctx, found, scorer)
    # a donate button in the site's navigation says nothing about this page's own text
    if not any(d.category in FUNDRAISING_CATEGORIES and not d.detail.get("site_chrome") for d in found):
        spans = [AppealSpan(start=s, end=e, kind="model", text=t) for s, e, t, _ in appeal_passages(doc, scorer)]
        extra += [dataclasses.replace(d, detail={**d.detail, "model": True})
                  for d in fundraising_detections(doc, ctx, spans)]
    return extra


def _drop_redundant(found: list[Detection]) -> list[Detection]:
    """The shipped spam lexicon (pack ``default``) says nothing new where spam_injected fired:
    keep one alert for one hacked page."""
    if not any(d.category == "spam_injected" for d in found):
        return found
    return [d for d in found if not (d.category == "custom_lexicon" and d.rule == "default")]


def _finish(doc: Document, det: Detection) -> Detection:
    """Mask personal numbers anywhere in the evidence, and add where the hit stands: its line
    in the text and, for HTML pages, a CSS selector."""
    from classifier.evidence import line_of, mask_personal
    from classifier.locate import selector_for

    where = {"line": det.detail.get("line") or line_of(doc.text, det.start)}
    needle = doc.text[det.start:det.end].strip()
    if doc.html and len(needle) >= 2 and "selector" not in det.detail:
        selector = selector_for(doc.html, needle)
        if selector:
            where["selector"] = selector
    return dataclasses.replace(det, evidence=mask_personal(det.evidence), detail={**det.detail, **where})


def iter_kinds() -> Iterable[tuple[str, str, str]]:
    """(name, kind, first docstring line) for each detector, for --help and docs."""
    for name, cls in sorted(all_detectors().items()):
        yield name, cls.kind, (cls.__doc__ or "").strip().splitlines()[0]
