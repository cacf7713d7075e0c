"""The shapes that flow through the classifier: documents in, detections out."""
from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Protocol

if TYPE_CHECKING:  # pragma: no cover - names for annotations only
    from lxml import etree

    from classifier.textnorm import Layout, Normalised


class Severity(str, enum.Enum):
    """How urgent a finding is; ordered low < medium < high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]

    @property
    def label(self) -> str:
        return {"low": "低", "medium": "中", "high": "高"}[self.value]


#: The fixed category ids. Later detectors fill the ones that have none yet.
CATEGORIES: tuple[str, ...] = (
    "pii_id",
    "pii_bank",
    "pii_phone_list",
    "secret_mark",
    "unqualified_fundraising",
    "fundraising_notice_incomplete",
    "illegal_fundraising",
    "spam_injected",
    "hidden_link",
    "custom_lexicon",
    "disclosure_missing",
    "stale_channel",
    "broken_link",
    "unreachable",
    "defacement",
)


@dataclass(frozen=True)
class OrgContext:
    """What a detector may know about the organisation that published a document."""

    org_id: str = ""
    name: str = ""
    uscc: str = ""
    org_type: str = ""
    charity: bool = False
    public_fundraising_qualified: bool = False


@dataclass(frozen=True)
class Document:
    """One unit of published content: a web page, an attachment, a feed item or a draft.

    ``text`` is the full visible text (what a reader sees); ``html`` is the raw markup
    when there is any, for detectors that must look at structure (hidden links).
    """

    text: str
    html: str | None = None
    url: str = ""
    title: str = ""
    kind: str = "page"  # page | attachment | feed_item | wechat_article | weibo_post | draft

    @functools.cached_property
    def tokens(self) -> list[str]:
        """The jieba tokens of ``text``, computed once and shared by every detector and the model."""
        from classifier.tokenize import tokenize

        return tokenize(self.text)

    # --- normalised forms, computed once per document and shared by every detector -------------

    @functools.cached_property
    def narrow(self) -> str:
        """``text`` with full-width ASCII forms as ASCII (１３８ → 138, ：→ :), one character for one:
        offsets in it are offsets in ``text``. For the detectors of numbers and marks."""
        from classifier.textnorm import narrow

        return narrow(self.text or "")

    @functools.cached_property
    def normalised(self) -> "Normalised":
        """``text`` normalised for phrase matching (:func:`classifier.textnorm.normalise`), with
        its map back to the original offsets (``normalised.span``)."""
        from classifier.textnorm import normalise

        return normalise(self.text or "")

    @functools.cached_property
    def layout(self) -> "Layout":
        """Sentence, clause and line boundaries of ``normalised.text``."""
        from classifier.textnorm import Layout

        return Layout(self.normalised.text)

    @functools.cached_property
    def tree(self) -> "etree._Element | None":
        """The lxml tree of ``html`` (None without markup), parsed once; shared: do not modify it."""
        from classifier.locate import parse

        return parse(self.html) if self.html else None


@dataclass(frozen=True)
class Detection:
    """One problem found in one document, with the evidence a person needs to act.

    ``evidence`` is the snippet around the hit with the hit between 【 and 】, already
    masked where it holds personal data. ``key`` is the normalised evidence that makes
    the finding's fingerprint stable across scans (empty for one-per-page findings).
    """

    category: str
    rule: str
    severity: Severity
    evidence: str
    start: int
    end: int
    key: str = ""
    item: str | None = None
    score: float | None = None
    detail: dict = field(default_factory=dict)

    @property
    def basis(self) -> str:
        """The legal basis of this detection, from ``config/basis.yaml``."""
        from classifier.basis import basis_for

        return basis_for(self.category, self.rule).basis


class Detector(Protocol):
    """A detector: a small class with a ``kind`` (its category) and a docstring."""

    kind: ClassVar[str]

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]: ...
