"""Jinja2 rendering for the HTML pages: autoescaped templates, the signed-in user, CSRF token, filters."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from orgwatch.reports.labels import SEVERITY_LABELS, category_label
from orgwatch.web import deps

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
STATUS_LABELS = {
    "open": "待处理",
    "acknowledged": "已确认",
    "false_positive": "误报",
    "resolved": "已解决",
}


def format_dt(value: dt.datetime | dt.date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in Beijing time (2026-11-28 08:30); a date as 2026-11-28; None as empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone(LOCAL_TZ).strftime(fmt)
    return value.strftime("%Y-%m-%d")


def severity_label(value: str | None) -> str:
    return SEVERITY_LABELS.get(value or "", value or "")


def status_label(value: str | None) -> str:
    return STATUS_LABELS.get(value or "", value or "")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=False, lstrip_blocks=False)
    env.filters.update(dt=format_dt, severity_label=severity_label, category_label=category_label,
                       status_label=status_label)
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with ``context`` plus ``principal`` (or None), ``csrf_token`` and ``request``."""
    full = {"principal": deps.optional_principal(request), "csrf_token": deps.csrf_token(request), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)
