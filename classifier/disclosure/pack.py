"""The disclosure pack: which items an organisation must publish, how evidence is recognised,
when each is due. Read from YAML (``config/disclosure/default.yaml``) and validated on load."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from classifier.base import Severity
from classifier.exceptions import RulePackError

DEFAULT_PACK = Path(__file__).resolve().parents[2] / "config" / "disclosure" / "default.yaml"
ORG_TYPES = ("social_group", "foundation", "social_service")
DOC_KINDS = ("page", "attachment", "feed_item", "wechat_article", "weibo_post", "link")
#: placeholders that markers and patterns may use: the organisation's registry facts
PLACEHOLDERS = ("uscc", "name", "registration_authority", "certificate")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceSpec(_Strict):
    """One way an item can be recognised in a document; every field given must hold.

    ``names`` (title, heading lines, attachment file name) or ``urls`` (regular expressions
    on the address) must match when either is given; every group of ``markers`` (plain
    words) and ``patterns`` (regular expressions) must have one alternative in the text;
    ``year: covered`` asks for the covered year (or a later one) on the same name line.
    """

    kinds: list[str] | None = None
    names: list[str] = Field(default_factory=list)
    names_exclude: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    markers: list[list[str]] = Field(default_factory=list)
    patterns: list[list[str]] = Field(default_factory=list)
    year: Literal["covered"] | None = None

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str] | None) -> list[str] | None:
        unknown = [k for k in kinds or () if k not in DOC_KINDS]
        if unknown:
            raise ValueError(f"未知的文档类型 {unknown}；可用：{', '.join(DOC_KINDS)}")
        return kinds

    @field_validator("urls")
    @classmethod
    def _urls_compile(cls, urls: list[str]) -> list[str]:
        for pattern in urls:
            _compile(pattern)
        return urls

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            for pattern in group:
                _compile(_fill(pattern, {k: "X" for k in PLACEHOLDERS}))
        return groups

    @model_validator(mode="after")
    def _not_empty(self) -> "EvidenceSpec":
        if not (self.names or self.urls or self.markers or self.patterns):
            raise ValueError("证据规则至少要写 names、urls、markers、patterns 之一")
        if self.year and not self.names:
            raise ValueError("year 要与 names 一起使用（年份须与名称出现在同一行）")
        return self


class AppliesTo(_Strict):
    """Which organisations an item applies to; an omitted condition matches every organisation."""

    types: list[Literal["social_group", "foundation", "social_service"]] | None = None
    charity: bool | None = None
    public_fundraising: bool | None = None
    #: only when the organisation's documents show a public fundraising campaign
    campaign: bool | None = None
    #: only when that campaign has run for more than this many months
    campaign_months: int | None = Field(None, ge=1)


class Due(_Strict):
    """When an item is due: ``registration`` (``days`` after registration), ``annual`` (the
    previous year's item by ``deadline`` MM-DD), ``periodic`` (every ``months``, plus
    ``grace_days``), ``campaign`` (before a public fundraising campaign starts)."""

    kind: Literal["registration", "annual", "periodic", "campaign"]
    days: int = Field(30, ge=0)
    deadline: str = "05-31"
    months: int = Field(3, ge=1)
    grace_days: int = Field(0, ge=0)

    @field_validator("deadline")
    @classmethod
    def _month_day(cls, value: str) -> str:
        if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
            raise ValueError(f"deadline 应为 MM-DD，如 05-31，收到 {value!r}")
        return value

    @property
    def month_day(self) -> tuple[int, int]:
        month, day = self.deadline.split("-")
        return int(month), int(day)


class Override(_Strict):
    """Different evidence (and title) for the organisations ``when`` matches."""

    when: AppliesTo
    title: str | None = None
    evidence: list[EvidenceSpec] = Field(min_length=1)


class Mismatch(_Strict):
    """The finding when the site shows registration facts that differ from the registry."""

    severity: Severity = Severity.MEDIUM
    basis: str = Field(min_length=1)


class Item(_Strict):
    """One mandated disclosure item."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    title: str = Field(min_length=1)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    evidence: list[EvidenceSpec] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)
    due: Due
    basis: str = Field(min_length=1)
    severity: Severity = Severity.MEDIUM
    platform_substitutes: bool = False
    mismatch: Mismatch | None = None


class Platform(_Strict):
    name: str = "慈善中国"
    markers: list[str] = Field(default_factory=lambda: ["慈善中国", "全国慈善信息公开平台"])


class Campaign(_Strict):
    within_days: int = Field(365, ge=1)
    evidence: list[EvidenceSpec] = Field(default_factory=list)


class Pack(_Strict):
    """A whole pack: the items in order, the platform that may stand in, the campaign signs."""

    version: Literal[1] = 1
    name: str = ""
    platform: Platform = Field(default_factory=Platform)
    campaign: Campaign = Field(default_factory=Campaign)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Pack":
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"事项 id {item.id!r} 重复")
            seen.add(item.id)
        return self

    def get(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"正则表达式 {pattern!r} 无效：{exc}") from None


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{uscc}`` and the other placeholders; other braces (``{2,4}``) stay as written."""
    for key in PLACEHOLDERS:
        template = template.replace("{" + key + "}", values.get(key, ""))
    return template


def _where(loc: tuple, raw: dict) -> str:
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = raw.get("items") or []
        item = items[loc[1]] if loc[1] < len(items) and isinstance(items[loc[1]], dict) else {}
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
        return f"第 {loc[1] + 1} 个事项（id: {item.get('id', '?')}）的 {rest or '(整体)'}"
    return "字段 " + (".".join(str(p) for p in loc) or "(顶层)")


def parse_pack(raw: object, source: str) -> Pack:
    """Validate an already-parsed pack; errors name the file, the item and the field."""
    if not isinstance(raw, dict):
        raise RulePackError(f"信息公开检查包 {source}：顶层应为映射，包含 items 列表")
    try:
        return Pack(**raw)
    except ValidationError as exc:
        lines = [f"信息公开检查包 {source} 有 {exc.error_count()} 处错误："]
        for err in exc.errors():
            lines.append(f"  - {_where(tuple(err['loc']), raw)}：{err['msg'].removeprefix('Value error, ')}")
        raise RulePackError("\n".join(lines)) from exc


@functools.cache
def load_pack(path: Path | str | None = None) -> Pack:
    """Read and validate the pack at ``path`` (the built-in default pack when None)."""
    path = Path(path) if path else DEFAULT_PACK
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulePackError(f"无法读取信息公开检查包 {path}：{exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise RulePackError(f"信息公开检查包 {path} 不是有效的 YAML：{exc}") from exc
    return parse_pack(raw, str(path))
