"""Every setting, detector, category and alert format is documented."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from classifier.base import CATEGORIES
from classifier.registry import all_detectors
from config.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _setting_names(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _setting_names(annotation, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


def test_every_setting_is_in_the_configuration_reference():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in _setting_names(Settings) if f"`{n}`" not in text]
    assert missing == []


def test_every_detector_and_category_is_in_the_rules_reference():
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    assert [n for n in all_detectors() if f"## {n}" not in text] == []
    assert [c for c in CATEGORIES if f"`{c}`" not in text and f"## {c}" not in text] == []


def test_every_detector_has_a_docstring_and_a_known_category():
    for name, cls in all_detectors().items():
        assert (cls.__doc__ or "").strip(), name
        assert cls.kind in CATEGORIES, name


def test_alert_transports_are_documented():
    text = (DOCS / "alerts.md").read_text(encoding="utf-8")
    for scheme in ("mailto://", "wecombot://", "dingtalk://", "feishu://", "json://"):
        assert scheme in text
