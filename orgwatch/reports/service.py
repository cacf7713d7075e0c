"""Report services for the CLI and the scheduler: build a week's report, write its files, queue it
for the recipients in the outbox and deliver it."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from models import reports as queries
from orgwatch.reports.data import WeeklyReport, build_report
from orgwatch.reports.exceptions import QueueError, RecipientsError, RenderError, ReportScopeError
from orgwatch.reports.week import Week
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
FORMATS = ("html", "pdf", "xlsx")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
TEMPLATES = Path(__file__).resolve().parent / "templates"


def weekly_report(rt: Runtime, week: Week | None = None, supervisor: str | None = None) -> WeeklyReport:
    """The figures of ``week`` (default: the last complete week on ``--as-of``) from the database."""
    from orgwatch.status import org_status

    week = week or Week.default_for(rt.as_of)
    with rt.db.session() as s:
        if supervisor is not None and supervisor not in queries.supervisors(s):
            known = "、".join(queries.supervisors(s)) or "（名册中的机构都没有填写 supervisor）"
            raise ReportScopeError(f"没有机构的业务主管单位是 {supervisor!r}；已知的业务主管单位：{known}")
        org_ids = [o.id for o in queries.organizations(s, supervisor)]
    current = {st.org: st for st in org_status(rt, org_ids)} if org_ids else {}
    with rt.db.session() as s:
        return build_report(s, week, rt.as_of, supervisor, current)


def out_dir_for(rt: Runtime, override: Path | None = None) -> Path:
    """``--out``, else ``reports.out_dir`` (relative to the data dir), else ``<data dir>/reports``."""
    if override is not None:
        return override
    configured = rt.settings.reports.out_dir
    if configured is None:
        return rt.data_dir / "reports"
    return configured if configured.is_absolute() else rt.data_dir / configured


def base_name(report: WeeklyReport) -> str:
    """weekly-2026-W48, or weekly-2026-W48-<supervising unit> for a unit's variant."""
    name = f"weekly-{report.week.label}"
    if report.supervisor:
        name += "-" + _UNSAFE.sub("_", report.supervisor).strip("_.")
    return name


def write_report(report: WeeklyReport, formats: list[str], out_dir: Path) -> dict[str, Path]:
    """Write the report in ``formats`` into ``out_dir``; return format -> path, in ``FORMATS`` order."""
    from orgwatch.reports.render import render_html, write_pdf
    from orgwatch.reports.xlsx import write_xlsx

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"无法创建输出目录 {out_dir}：{exc.strerror}") from exc
    stem = out_dir / base_name(report)
    paths: dict[str, Path] = {}
    html = render_html(report) if {"html", "pdf"} & set(formats) else ""
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        path = stem.with_name(f"{stem.name}.{fmt}")
        if fmt == "html":
            _write_text(path, html)
        elif fmt == "pdf":
            write_pdf(html, path)
        else:
            write_xlsx(report, path)
        paths[fmt] = path
    return paths


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"无法写入 {path}：{exc.strerror}") from exc


@dataclass
class SendResult:
    """The report's messages in the outbox (one per recipient address) after a delivery run."""

    messages: list = field(default_factory=list)  # orgwatch.alerting.reports.ReportMessage

    @property
    def sent(self) -> list[str]:
        return [m.target for m in self.messages if m.status == "sent"]

    @property
    def errors(self) -> list[str]:
        return [f"周报未能发给 {m.target}（消息 #{m.id}）：{m.error or '正由其他进程发送'}"
                for m in self.messages if m.status != "sent"]


def recipients(rt: Runtime) -> list[str]:
    """The bureau's report recipients; raises when none is configured."""
    urls = rt.settings.reports.recipients
    if not urls:
        raise RecipientsError(
            "没有设置周报接收人：请在设置文件的 reports.recipients 中填写 Apprise 地址，"
            "如 mailto://user:${SMTP_PASSWORD}@smtp.example.org?to=reviewer@example.org"
        )
    return list(urls)


def summary(report: WeeklyReport, body_format: str, pdf_name: str, uid: str | None = None) -> tuple[str, str]:
    """Subject and a short body for the e-mail that carries the PDF (``uid``: the message id in its footer)."""
    h = report.headline
    subject = f"【orgwatch 周报】{report.title}：新发现 {h.new.get('total')} 个问题，其中高风险 {h.new.get('high')} 个"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True, lstrip_blocks=True,
                             autoescape=jinja2.select_autoescape(["html.j2"]), undefined=jinja2.StrictUndefined)
    lowest = [o for o in report.orgs if o.score is not None and o.score < 100][:5]
    name = "summary.html.j2" if body_format == "html" else "summary.txt.j2"
    body = env.get_template(name).render(r=report, h=h, lowest=lowest, pdf_name=pdf_name, uid=uid)
    return subject, body.strip() + "\n"


def send_report(rt: Runtime, report: WeeklyReport, pdf: Path, *, manual: bool = False) -> SendResult:
    """Queue the summary with the PDF attached for every recipient in the outbox (once per week,
    scope and address: a report queued before is not queued again), then deliver the weekly
    reports due, ``manual``ly (every undelivered one, now) for ``orgwatch report --send``.

    A recipient that cannot be reached leaves its message pending with the error; the outbox
    retries it (next scan, scheduler tick, ``orgwatch alerts retry``).
    """
    from alerts.channels import body_format_for
    from orgwatch.alerting.reports import deliver_report, queue_report

    name = attachment_name(pdf, report)

    def compose(target: str, uid: str) -> tuple[str, str, str]:
        body_format = "html" if body_format_for(target) == "html" else "text"
        subject, body = summary(report, body_format, name, uid)
        return subject, body, body_format

    try:
        queued = queue_report(rt, week=report.week.label, scope=report.supervisor or "", targets=recipients(rt),
                              pdf=pdf, attachment_name=name, compose=compose)
    except OSError as exc:
        raise QueueError(f"无法把周报放入待发送队列（复制 {pdf.name} 到数据目录 {rt.data_dir} 失败：{exc.strerror}）："
                         "请检查数据目录的磁盘空间和权限") from exc
    deliver_report(rt, queued, manual=manual)
    return SendResult(queued.messages)


def attachment_name(pdf: Path, report: WeeklyReport) -> str:
    """The PDF's name as attached: Apprise's e-mail plugin garbles the attachment header of a
    non-ASCII name, so a unit's variant is attached as weekly-2026-W48-supervisor.pdf."""
    return pdf.name if pdf.name.isascii() else f"weekly-{report.week.label}-supervisor.pdf"
