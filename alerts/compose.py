"""Compose one message per recipient from an organisation's new findings (Jinja2 templates)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2

from alerts.exceptions import TemplateError

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITY_ORDER = ("high", "medium", "low")
SEVERITY_LABELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
EXTENSIONS = {"markdown": "md", "html": "html", "text": "txt"}
#: at most this many findings are written out in one message; the rest are counted
MAX_ITEMS = 20


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


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    body_format: str


def _env(extra_dir: Path | None) -> jinja2.Environment:
    dirs = [str(extra_dir)] if extra_dir else []
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs + [str(TEMPLATES)]),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def compose_findings(*, org_name: str, recipient: str, role_label: str, items: list[AlertItem], uid: str,
                     body_format: str, template_dir: Path | None = None) -> Composed:
    """Subject and body for one recipient: findings grouped by severity, capped at ``MAX_ITEMS``."""
    ordered = sorted(items, key=lambda i: (SEVERITY_ORDER.index(i.severity), i.first_seen, i.url))
    shown, more = ordered[:MAX_ITEMS], max(0, len(ordered) - MAX_ITEMS)
    groups = [(SEVERITY_LABELS[s], [i for i in shown if i.severity == s]) for s in SEVERITY_ORDER]
    counts = {s: sum(1 for i in items if i.severity == s) for s in SEVERITY_ORDER}
    high = f"，其中高风险 {counts['high']} 个" if counts["high"] else ""
    subject = f"【orgwatch 合规提醒】{org_name}：发现 {len(items)} 个新问题{high}"
    name = f"findings.{EXTENSIONS[body_format]}.j2"
    try:
        body = _env(template_dir).get_template(name).render(
            org_name=org_name, recipient=recipient, role_label=role_label, groups=[g for g in groups if g[1]],
            total=len(items), more=more, uid=uid, subject=subject,
        )
    except jinja2.TemplateError as exc:
        raise TemplateError(f"通知模板 {name} 渲染失败：{exc}") from exc
    return Composed(subject=subject, body=body.strip() + "\n", body_format=body_format)
