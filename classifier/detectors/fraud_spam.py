"""Injected spam (gambling, porn, black market, loans) and illegal-fundraising solicitation, by phrase rules.

Both run on normalised text (:mod:`classifier.textnorm`), so 賭*博 and 百家樂 match too, and
both leave alone texts that warn against the schemes they look for (打击赌博, 防范非法集资).
The signs of illegal fundraising are in :mod:`classifier.fundraising.illegal`.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Iterable

import yaml

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.detectors.lexicon import PhraseSet
from classifier.evidence import line_of, snippet
from classifier.exceptions import RulePackError
from classifier.fundraising.illegal import fraud_signs
from classifier.registry import register
from classifier.textnorm import Layout, Normalised, normalise

SPAM_RULES = Path(__file__).resolve().parents[2] / "config" / "lexicons" / "rules" / "spam_injected.yaml"

#: Words of warnings and case reports (打击赌博, 警方, 诱饵): a spam word in such a sentence is not counted.
_SPAM_WARN = re.compile(
    "打击|整治|查处|取缔|抓获|破获|侦破|警方|公安|民警|派出所|法院|检察|判处|判决|被告|嫌疑人|犯罪|违法|非法|涉赌|"
    "涉黄|参赌|禁赌|拒赌|戒赌|远离|警惕|谨防|防范|提醒|切勿|危害|陷阱|骗局|诈骗|诱饵|诱骗|举报|扫黄|打非|净网|"
    "严禁|沉迷|倾家荡产|血本无归"
)
#: A page whose title or first lines say it warns: its spam words need a call and a higher score.
_SPAM_TITLE = re.compile("打击|整治|禁赌|反赌|拒赌|远离|警惕|谨防|防范|扫黄|打非|净网|诈骗|普法|以案说法|典型案例")
#: Calls that are patterns rather than words: addresses, phone and QQ numbers, bonuses.
_CALL_PATTERNS = re.compile(
    r"(?:https?://|www\.)[a-z0-9\-._~/?#=&%]+"
    r"|(?<![a-z0-9\-.@])[a-z0-9][a-z0-9\-]*\."
    r"(?:com|net|cc|vip|top|xyz|me|tv|app|co|io|info|biz|club|site|live|bet|example)(?![a-z0-9])"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)|(?:qq|vx|wx|微信|薇信|v信)[:\s]*[a-z0-9_\-]{5,}|送\d+(?:元|%)"
)
_GAP = 60  # hits further apart than this (normalised characters) are separate clusters
_WEIGHT = {"strong": 2, "weak": 1}
_MAX_CALLS = 2
_MIN_SCORE, _MIN_SCORE_WARNED = 3, 5
_EVIDENCE_SPAN = 60


@dataclass(frozen=True)
class SpamVocabulary:
    """The spam_injected word lists: terms by family and strength, calls, allowed phrases."""

    phrases: PhraseSet
    role: dict[str, tuple[str, int]]  # word -> (family, weight); calls have family ""


@functools.cache
def spam_vocabulary(path: Path = SPAM_RULES) -> SpamVocabulary:
    """Load the word lists once; raises RulePackError if the file is missing or malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        role: dict[str, tuple[str, int]] = {}
        for family, tiers in data["families"].items():
            for tier, words in tiers.items():
                for word in words.split():
                    if word in role:
                        raise RulePackError(f"{path}：词 {word!r} 重复出现")
                    role[word] = (family, _WEIGHT[tier])
        for word in data["calls"].split():
            role.setdefault(word, ("", 1))
        allow = data.get("allow", "").split()
    except (OSError, yaml.YAMLError, KeyError, AttributeError, TypeError) as exc:
        raise RulePackError(f"无法读取垃圾信息词表 {path}：{exc}") from exc
    return SpamVocabulary(PhraseSet(role, allow), role)


@dataclass
class _Cluster:
    hits: list[tuple[int, int, str, str, int]] = field(default_factory=list)  # start, end, word, family, weight

    def best(self) -> tuple[int, str, int, int]:
        """(score, family, distinct items, calls) of the family that scores highest here."""
        calls = {w for _, _, w, f, _ in self.hits if not f}
        results = []
        for family in {f for _, _, _, f, _ in self.hits if f}:
            terms = {w: wt for _, _, w, f, wt in self.hits if f == family}
            score = sum(terms.values()) + min(len(calls), _MAX_CALLS)
            results.append((score, family, len(terms) + len(calls), len(calls)))
        return max(results, default=(0, "", 0, 0))


def _spam_hits(norm: str, layout: Layout) -> list[tuple[int, int, str, str, int]]:
    """Spam words and calls outside warning sentences; none at all when no spam term is there."""
    vocab = spam_vocabulary()
    hits = [(h.start, h.end, h.word, *vocab.role[h.word]) for h in vocab.phrases.find(norm)]
    if not any(h[3] for h in hits):
        return []
    hits += [(m.start(), m.end(), m.group(), "", 1) for m in _CALL_PATTERNS.finditer(norm)]
    return sorted(h for h in hits if not _SPAM_WARN.search(norm, *layout.sentence(h[0])))


def spam_clusters(norm: str, title: str = "", layout: Layout | None = None) -> list[tuple[int, str, _Cluster]]:
    """(score, family, cluster) for each dense run of spam words that passes the rules; ``layout``
    is ``norm``'s (:attr:`Document.layout`), made here when not given."""
    layout = layout or Layout(norm)
    clusters: list[_Cluster] = []
    for hit in _spam_hits(norm, layout):
        if not clusters or hit[0] - clusters[-1].hits[-1][1] > _GAP:
            clusters.append(_Cluster())
        clusters[-1].hits.append(hit)
    passed: list[tuple[int, str, _Cluster]] = []
    if not clusters:
        return passed
    head_warned = bool(_SPAM_TITLE.search(normalise(title).text + "\n" + layout.head()))
    for cluster in clusters:
        score, family, items, calls = cluster.best()
        first, last = cluster.hits[0][0], cluster.hits[-1][0]
        warned = head_warned or any(
            _SPAM_WARN.search(norm, *layout.paragraph(p)) for p in (first, last))
        if items >= 2 and (score >= _MIN_SCORE_WARNED and calls if warned else score >= _MIN_SCORE):
            passed.append((score, family, cluster))
    return passed


@register
class SpamInjectedDetector:
    """Injected gambling, porn, forged-document and loan spam: several spam words together, or one with a call (注册送, 网址)."""

    name = "spam_injected"
    kind: ClassVar[str] = "spam_injected"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        norm = doc.normalised
        passed = spam_clusters(norm.text, doc.title, doc.layout)
        if not passed:
            return []
        score, family, cluster = max(passed, key=lambda p: p[0])
        start, end = _evidence_span(norm, cluster)
        families = sorted({f for _, f, _ in passed})
        return [Detection(
            category=self.kind, rule=family, severity=Severity.HIGH,
            evidence=snippet(text, start, end), start=start, end=end, key="",
            detail={"rules": families, "terms": list(dict.fromkeys(h[2] for _, _, c in passed for h in c.hits)),
                    "score": score, "clusters": len(passed), "line": line_of(text, start)},
        )]


def _evidence_span(norm: Normalised, cluster: _Cluster) -> tuple[int, int]:
    """The original span from the cluster's first hit to its last within _EVIDENCE_SPAN characters."""
    first = cluster.hits[0]
    last_end = max(h[1] for h in cluster.hits if h[1] - first[0] <= _EVIDENCE_SPAN or h is first)
    return norm.span(first[0], last_end)


# ---------------------------------------------------------------- illegal fundraising


@register
class IllegalFundraisingDetector:
    """Promised returns (保本付息, 年化18%, money in for a monthly payout), downlines, elderly and charity-dressed schemes; not warnings."""

    name = "illegal_fundraising"
    kind: ClassVar[str] = "illegal_fundraising"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        text = doc.text or ""
        norm, layout = doc.normalised, doc.layout
        signs = fraud_signs(norm.text, doc.title, layout)
        if signs:  # a gambling ad's 稳赚不赔 is spam, reported as such
            spam = {layout.paragraph(h[0]) for _, _, c in spam_clusters(norm.text, doc.title, layout) for h in c.hits}
            signs = [s for s in signs if layout.paragraph(s.start) not in spam]
        if not signs:
            return []
        first = signs[0]
        start, end = norm.span(first.start, first.end)
        return [Detection(
            category=self.kind, rule=first.rule, severity=Severity.HIGH,
            evidence=snippet(text, start, end), start=start, end=end, key="",
            detail={"rules": sorted({s.rule for s in signs}), "phrases": list(dict.fromkeys(s.phrase for s in signs)),
                    "count": len(signs), "line": line_of(text, start)},
        )]
