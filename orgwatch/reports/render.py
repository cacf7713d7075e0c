"""The report as HTML (Jinja2, inline CSS and SVG, no external resources) and as PDF (WeasyPrint)."""
from __future__ import annotations

import logging
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from orgwatch.reports.chart import trend_svg
from orgwatch.reports.data import WeeklyReport
from orgwatch.reports.exceptions import RenderError
from orgwatch.reports.labels import category_label
from orgwatch.reports.score import FORMULA, FORMULA_NOTES

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


def marked(evidence: str) -> Markup:
    """Evidence with the hit between 【】 highlighted; everything else escaped."""
    out = str(escape(evidence))
    return Markup(out.replace("【", "<mark>【").replace("】", "】</mark>"))


def link(url: str) -> Markup:
    """A link for http(s) URLs only; anything else is shown as text."""
    if url.startswith(("http://", "https://")):
        return Markup('<a class="url" href="{0}">{0}</a>').format(url)
    return Markup('<span class="url">{0}</span>').format(url or "—")


def score_class(score: int) -> str:
    return "score-good" if score >= 90 else ("score-warn" if score >= 60 else "score-bad")


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["marked"] = marked
    env.globals.update(label=category_label, link=link, score_class=score_class)
    return env


def chart_for(report: WeeklyReport) -> str:
    categories = sorted({c for t in report.trend for c in (*t.new, *t.resolved)})
    new = {c: [t.new.get(c, 0) for t in report.trend] for c in categories}
    resolved = {c: [t.resolved.get(c, 0) for t in report.trend] for c in categories}
    return trend_svg([t.week.short for t in report.trend], new, resolved)


def render_html(report: WeeklyReport) -> str:
    """The whole report as one self-contained HTML page."""
    try:
        return _env().get_template("weekly.html.j2").render(
            r=report, chart=Markup(chart_for(report)), formula=FORMULA, formula_notes=FORMULA_NOTES,
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"周报模板渲染失败：{exc}") from exc


def _no_fetch(url: str, *args, **kwargs):
    """The report is self-contained: WeasyPrint is never allowed to fetch anything."""
    raise ValueError(f"周报不加载外部资源：{url}")


def write_pdf(html: str, path: Path) -> Path:
    """Lay the HTML out on A4 pages with WeasyPrint; fonts come from fontconfig (Noto Sans CJK)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise RenderError(
            f"无法加载 WeasyPrint（生成 PDF 需要它和 Pango 库）：{exc}。"
            "Debian/Ubuntu：apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
        ) from exc
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    try:
        HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_no_fetch).write_pdf(path)
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many kinds; the user needs one message
        raise RenderError(f"生成 PDF {path} 失败：{type(exc).__name__}: {exc}") from exc
    return path
