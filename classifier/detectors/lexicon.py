"""Lexicon packs: YAML word lists matched after normalisation, one finding per pack and word.

A pack (``config/lexicons/*.yaml`` and any extra paths a deployment configures) has a
``name``, a ``category`` (default ``custom_lexicon``), a ``severity``, ``words`` and ``allow``
(longer phrases holding a word that are fine, such as 福利彩票 for 彩票).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterable, Iterator, Sequence

import ahocorasick_rs
import yaml

from classifier.base import CATEGORIES, Detection, Document, OrgContext, Severity
from classifier.evidence import line_of, snippet
from classifier.exceptions import RulePackError
from classifier.registry import register
from classifier.textnorm import Normalised, normalise_phrase

logger = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "config" / "lexicons"
_PACK_KEYS = frozenset({"name", "category", "severity", "words", "allow", "description"})


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True)
class PhraseHit:
    """One matched word: its form as written in the pack, and its span in the normalised text."""

    word: str
    start: int
    end: int


class PhraseSet:
    """Words and allowed longer phrases in one leftmost-longest Aho-Corasick automaton.

    An allowed phrase that starts at or before a word wins the match, so the word inside
    it is not reported. ASCII words match whole words only (``av`` is not in ``java``).
    """

    def __init__(self, words: Iterable[str], allow: Iterable[str] = ()) -> None:
        self._word_of: dict[str, str | None] = {}  # normalised pattern -> word (None: allowed)
        for phrase in allow:
            key = normalise_phrase(phrase)
            if key:
                self._word_of[key] = None
        for word in words:
            key = normalise_phrase(word)
            if key and key not in self._word_of:
                self._word_of[key] = word.strip()
        self._patterns = list(self._word_of)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if self._patterns else None
        )

    def find(self, text: str) -> Iterator[PhraseHit]:
        """Every non-overlapping word hit in already normalised ``text``."""
        if self._automaton is None:
            return
        for index, start, end in self._automaton.find_matches_as_indexes(text):
            pattern = self._patterns[index]
            word = self._word_of[pattern]
            if word is None:
                continue
            if _is_word_char(pattern[0]) and start > 0 and _is_word_char(text[start - 1]):
                continue
            if _is_word_char(pattern[-1]) and end < len(text) and _is_word_char(text[end]):
                continue
            yield PhraseHit(word, start, end)


@dataclass(frozen=True)
class Pack:
    """One lexicon pack, loaded from one YAML file."""

    name: str
    category: str
    severity: Severity
    phrases: PhraseSet
    source: str


def _strings(data: dict, key: str, path: Path) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulePackError(f"词库 {path}：{key} 应为非空字符串列表")
    return value


def load_pack(path: Path) -> Pack:
    """Read and check one pack file; raises RulePackError with the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulePackError(f"无法读取词库 {path}：{exc}") from exc
    if not isinstance(data, dict):
        raise RulePackError(f"词库 {path} 应为映射（name、category、severity、words、allow）")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise RulePackError(f"词库 {path} 有未知字段：{'、'.join(sorted(unknown))}")
    name = str(data.get("name") or "").strip()
    if not name or ":" in name:
        raise RulePackError(f"词库 {path} 缺少 name（不能含冒号）")
    category = str(data.get("category") or "custom_lexicon")
    if category not in CATEGORIES:
        raise RulePackError(f"词库 {path} 的 category {category!r} 不是已知类别")
    try:
        severity = Severity(str(data.get("severity") or "medium").lower())
    except ValueError as exc:
        raise RulePackError(f"词库 {path} 的 severity 应为 low、medium 或 high") from exc
    words, allow = _strings(data, "words", path), _strings(data, "allow", path)
    if not words:
        raise RulePackError(f"词库 {path} 没有 words")
    keys = [normalise_phrase(w) for w in words]
    stray = [a for a in allow if not any(k in normalise_phrase(a) for k in keys)]
    if stray:
        raise RulePackError(f"词库 {path} 的 allow 短语不含任何词：{'、'.join(stray)}")
    return Pack(name, category, severity, PhraseSet(words, allow), str(path))


def pack_files(extra: Sequence[Path | str] = (), default_dir: Path | None = DEFAULT_DIR) -> list[Path]:
    """The default directory's ``*.yaml`` files (unless ``default_dir`` is None), then each extra file or directory's."""
    files: list[Path] = []
    for place in [*([default_dir] if default_dir else []), *map(Path, extra)]:
        if place.is_dir():
            files.extend(sorted(p for p in place.iterdir() if p.suffix in (".yaml", ".yml")))
        elif place.is_file():
            files.append(place)
        else:
            raise RulePackError(f"找不到词库路径 {place}")
    return list(dict.fromkeys(files))


def load_packs(extra: Sequence[Path | str] = (), default_dir: Path | None = DEFAULT_DIR) -> list[Pack]:
    """Every pack from the default directory and the extra paths; names must be unique."""
    packs = [load_pack(path) for path in pack_files(extra, default_dir)]
    seen: dict[str, str] = {}
    for pack in packs:
        if pack.name in seen:
            raise RulePackError(f"词库名称 {pack.name!r} 重复：{seen[pack.name]} 与 {pack.source}")
        seen[pack.name] = pack.source
    logger.debug("loaded %d lexicon packs", len(packs))
    return packs


_extra_paths: tuple[Path, ...] = ()
_packs: list[Pack] | None = None
_lock = threading.Lock()


def configure(extra_paths: Sequence[Path | str] = ()) -> None:
    """Set the deployment's extra lexicon paths (files or directories); reloads on next use."""
    global _extra_paths, _packs
    with _lock:
        _extra_paths = tuple(Path(p) for p in extra_paths)
        _packs = None


def active_packs() -> list[Pack]:
    """The packs in force, loaded once."""
    global _packs
    with _lock:
        if _packs is None:
            _packs = load_packs(_extra_paths)
        return _packs


def lexicon_detections(doc: Document, packs: Iterable[Pack], norm: Normalised | None = None) -> list[Detection]:
    """One detection per (pack, word) in ``doc``, at the word's first place in the original text."""
    text = doc.text or ""
    norm = norm or doc.normalised
    found: list[Detection] = []
    for pack in packs:
        first: dict[str, tuple[PhraseHit, int]] = {}
        for hit in pack.phrases.find(norm.text):
            count = first[hit.word][1] + 1 if hit.word in first else 1
            first[hit.word] = (first.get(hit.word, (hit, 0))[0], count)
        for word, (hit, count) in first.items():
            start, end = norm.span(hit.start, hit.end)
            found.append(Detection(
                category=pack.category,
                rule=pack.name,
                severity=pack.severity,
                evidence=snippet(text, start, end),
                start=start,
                end=end,
                key=f"{pack.name}:{word}",
                detail={"pack": pack.name, "word": word, "count": count, "line": line_of(text, start)},
            ))
    return found


@register
class LexiconDetector:
    """Words of the lexicon packs (config/lexicons/*.yaml and configured extra packs), after normalisation."""

    name = "custom_lexicon"
    kind: ClassVar[str] = "custom_lexicon"

    def __init__(self, packs: Sequence[Pack] | None = None) -> None:
        self._packs = packs

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        packs = self._packs if self._packs is not None else active_packs()
        if not doc.text:
            return []
        return lexicon_detections(doc, packs)
