"""Compose messages from Jinja2 templates (Markdown, HTML, text), fitted to each channel's size limit.

Templates live in ``alerts/templates``; a file of the same name in ``alerts.template_dir``
replaces the shipped one. Subjects come from the macros in ``subjects.j2``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import jinja2

from alerts.channels import message_size
from alerts.exceptions import TemplateError

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITY_ORDER = ("high", "medium", "low")
SEVERITY_LABELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
EXTENSIONS = {"markdown": "md", "html": "html", "text": "txt"}
#: evidence longer than this is cut, so that one finding cannot fill a chat message
MAX_EVIDENCE = 300
_BLANKS = re.compile(r"\n\s*\n(\s*\n)+")


@dataclass(frozen=True)
class AlertItem:
    """One finding as a recipient reads it."""

    title: str
    category: str
    rule: str
    severity: str
    url: str
    evidence: str
    basis: str
    action: str
    first_seen: dt.datetime
    reopened: bool = False
    org_name: str = ""
    note: str = ""


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    body_format: str
    shown: int = 0
    more: int = 0


@dataclass
class Composer:
    """Renders every kind of message for one channel format within a byte budget."""

    template_dir: Path | None = None
    max_items: int = 20
    _env: jinja2.Environment | None = field(default=None, init=False, repr=False)

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            dirs = [str(self.template_dir)] if self.template_dir else []
            self._env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(dirs + [str(TEMPLATES)]),
                autoescape=jinja2.select_autoescape(["html", "html.j2"]),
                trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
            )
        return self._env

    def subject(self, kind: str, **context: Any) -> str:
        try:
            macro = getattr(self.env.get_template("subjects.j2").module, kind)
            return " ".join(str(macro(**context)).split())
        except (jinja2.TemplateError, AttributeError, TypeError) as exc:
            raise TemplateError(f"通知标题模板 subjects.j2 中的 {kind} 渲染失败：{exc}") from exc

    def render(self, kind: str, body_format: str, **context: Any) -> str:
        name = f"{kind}.{EXTENSIONS[body_format]}.j2"
        try:
            text = self.env.get_template(name).render(**context)
            return _BLANKS.sub("\n\n", text).strip() + "\n"
        except jinja2.TemplateError as exc:
            raise TemplateError(f"通知模板 {name} 渲染失败：{exc}") from exc

    def items_message(self, kind: str, items: list[AlertItem], *, body_format: str, budget: int,
                      subject_context: dict[str, Any], context: dict[str, Any]) -> Composed:
        """A message listing ``items`` (most severe first), dropping items until it fits ``budget``."""
        ordered = sort_items(items)
        counts = {s: sum(1 for i in items if i.severity == s) for s in SEVERITY_ORDER}
        subject = self.subject(kind, total=len(items), counts=counts, **subject_context)

        def body_for(shown: int) -> str:
            listed = [replace(i, evidence=_cut(i.evidence)) for i in ordered[:shown]]
            return self.render(kind, body_format, subject=subject, groups=group_by_severity(listed),
                               orgs=group_by_org(listed), total=len(items), counts=counts,
                               more=len(items) - shown, **context)

        shown = fit(lambda n: message_size(subject, body_for(n)) <= budget, min(len(ordered), self.max_items))
        body = body_for(shown)
        if message_size(subject, body) > budget:
            body = _truncate_bytes(body, budget - len(subject.encode("utf-8")) - 2)
        return Composed(subject=subject, body=body, body_format=body_format, shown=shown, more=len(items) - shown)

    def simple_message(self, kind: str, *, body_format: str, subject_context: dict[str, Any],
                       context: dict[str, Any], budget: int | None = None) -> Composed:
        """A message without a list of findings (operator notices, test messages)."""
        subject = self.subject(kind, **subject_context)
        body = self.render(kind, body_format, subject=subject, **context)
        if budget is not None and message_size(subject, body) > budget:
            body = _truncate_bytes(body, budget - len(subject.encode("utf-8")) - 2)
        return Composed(subject=subject, body=body, body_format=body_format)


def sort_items(items: list[AlertItem]) -> list[AlertItem]:
    return sorted(items, key=lambda i: (SEVERITY_ORDER.index(i.severity), i.org_name, i.first_seen, i.url))


def group_by_severity(items: list[AlertItem]) -> list[tuple[str, list[AlertItem]]]:
    groups = [(SEVERITY_LABELS[s], [i for i in items if i.severity == s]) for s in SEVERITY_ORDER]
    return [g for g in groups if g[1]]


def group_by_org(items: list[AlertItem]) -> list[tuple[str, list[tuple[str, list[AlertItem]]]]]:
    """Items grouped by organisation (in order of first appearance), then by severity."""
    names = list(dict.fromkeys(i.org_name for i in items))
    return [(name, group_by_severity([i for i in items if i.org_name == name])) for name in names]


def fit(fits: Callable[[int], bool], upper: int) -> int:
    """The largest n in [0, upper] with ``fits(n)`` (``fits`` is monotone: fewer items, smaller message)."""
    if fits(upper):
        return upper
    low, high = 0, upper
    while low < high - 1:
        mid = (low + high) // 2
        if fits(mid):
            low = mid
        else:
            high = mid
    return low


def _cut(text: str, limit: int = MAX_EVIDENCE) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _truncate_bytes(text: str, limit: int) -> str:
    tail = "\n…（消息过长，已截断）\n"
    room = max(0, limit - len(tail.encode("utf-8")))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + tail
