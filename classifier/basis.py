"""The legal basis and the advice for each category and rule, read from ``config/basis.yaml``."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from classifier.exceptions import RulePackError

BASIS_FILE = Path(__file__).resolve().parent.parent / "config" / "basis.yaml"


@dataclass(frozen=True)
class Basis:
    """Why a finding matters and what to do about it, in the user's words."""

    title: str
    basis: str
    action: str


@functools.cache
def _load(path: Path = BASIS_FILE) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulePackError(f"无法读取依据文件 {path}：{exc}") from exc
    if not isinstance(data, dict):
        raise RulePackError(f"依据文件 {path} 应为以类别为键的映射")
    return data


def basis_for(category: str, rule: str = "") -> Basis:
    """The basis of ``category``; a rule's own entry overrides the category's fields."""
    data = _load()
    if category not in data:
        raise RulePackError(f"依据文件 {BASIS_FILE} 缺少类别 {category!r}")
    entry = dict(data[category])
    entry.update((entry.pop("rules", None) or {}).get(rule, {}))
    return Basis(title=entry["title"], basis=entry["basis"], action=entry["action"])
