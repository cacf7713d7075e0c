"""The ``orgwatch report`` and ``orgwatch check`` commands (registered in :mod:`orgwatch.cli`).

Thin: they parse options, call :mod:`orgwatch.reports.service` and :mod:`orgwatch.check`, and
print. Heavy libraries (WeasyPrint, matplotlib, python-docx) load only when used, so that
``check`` starts fast.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape

from classifier.base import OrgContext, Severity
from orgwatch.cli import common_options, console, err_console
from orgwatch.runtime import Runtime

SEVERITY_WORDS = {"high": "高风险", "medium": "中风险", "low": "低风险"}


def _formats(ctx, param, value: str) -> list[str]:
    from orgwatch.reports.service import FORMATS

    chosen = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"可选的格式：{', '.join(FORMATS)}（用逗号分隔），收到 {value!r}")
    return chosen


def _week(ctx, param, value: str | None):
    from orgwatch.reports.week import Week, WeekError

    if value is None:
        return None
    try:
        return Week.parse(value)
    except WeekError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--week", callback=_week, metavar="YYYY-Www",
              help="ISO 周，如 2026-W48（北京时间周一 0:00 至下周一 0:00）；默认是 --as-of 之前最近一个完整的周。")
@click.option("--supervisor", metavar="NAME", help="只含这个业务主管单位主管的机构；文件名和标题会注明。")
@click.option("--format", "formats", callback=_formats, default="html,pdf,xlsx", show_default=True,
              help="输出格式，逗号分隔：html、pdf、xlsx。")
@click.option("--send", is_flag=True, help="把周报（附 PDF）放入待发送队列并立即发给设置 reports.recipients 中的接收人；"
              "同一周同一地址只发一次，未送达的留在队列中重试。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="输出目录（默认：设置 reports.out_dir，或数据目录下的 reports/）。")
@common_options
def report(rt: Runtime, week, supervisor: str | None, formats: list[str], send: bool, out_dir: Path | None) -> None:
    """生成一周的合规监测周报（HTML、PDF、Excel），可发送给登记管理机关的接收人。

    数字只由数据库中保存的时间算出，同一周重新生成得到相同的数字。读法见 docs/weekly-report.md。
    """
    from orgwatch.reports.exceptions import ReportError
    from orgwatch.reports.service import out_dir_for, recipients, send_report, weekly_report, write_report

    try:
        if send:
            recipients(rt)
            formats = formats if "pdf" in formats else [*formats, "pdf"]
        data = weekly_report(rt, week, supervisor)
        paths = write_report(data, formats, out_dir_for(rt, out_dir))
    except ReportError as exc:
        err_console.print(f"[bold red]错误：[/]{escape(str(exc))}", highlight=False)
        sys.exit(2)
    h = data.headline
    console.print(f"{data.title}（{data.week.span}，数据截至 {data.cutoff_text}）", highlight=False)
    console.print(f"新发现 {h.new['total']} 个（高风险 {h.new['high']}），已消除 {h.resolved['total']} 个，"
                  f"周末未处理 {h.open['total']} 个。", highlight=False)
    for path in paths.values():
        click.echo(str(path))
    if send:
        _send(rt, data, paths["pdf"], send_report)


def _send(rt: Runtime, data, pdf: Path, send_report) -> None:
    """Queue the report for every recipient (once per week and address), deliver it now, say what happened."""
    from orgwatch.reports.exceptions import ReportError

    try:
        result = send_report(rt, data, pdf, manual=True)
    except ReportError as exc:
        err_console.print(f"[bold red]错误：[/]{escape(str(exc))}", highlight=False)
        sys.exit(2)
    week = data.week.label
    for m in result.messages:
        where = f"{m.target}（消息 #{m.id}）"
        if m.was_sent:
            line = f"{week} 的周报此前已发送给 {where}，不再重复发送。"
        elif m.earlier:
            line = f"{week} 的周报此前已排入待发送队列（不再重复排入），" + \
                (f"现已发送给 {where}。" if m.status == "sent" else f"仍未送达 {where}。")
        else:
            line = f"已排入待发送队列并已发送给 {where}。" if m.status == "sent" else \
                f"已排入待发送队列，尚未送达 {where}。"
        console.print(line, highlight=False, markup=False)
    for line in result.errors:
        err_console.print(line, style="red", highlight=False, markup=False)
    if result.errors:
        err_console.print("未送达的周报保留在待发送队列中（orgwatch alerts list --kind weekly_report），"
                          "下次扫描或调度器检查时自动重试；排除问题后也可以运行 orgwatch alerts retry 立即重试。",
                          highlight=False, markup=False)
        sys.exit(1)


def _org_context(rt: Runtime, org_id: str) -> OrgContext:
    """The organisation's context from the registry, or from the database when no registry is set."""
    if rt.settings.registry is not None:
        org = rt.registry.get(org_id)
        return OrgContext(org_id=org.id, name=org.name, uscc=org.uscc, org_type=org.type, charity=org.charity,
                          public_fundraising_qualified=org.public_fundraising_qualified)
    from models.entities import Organization

    with rt.db.session() as s:
        row = s.get(Organization, org_id)
        if row is None:
            err_console.print(f"[bold red]错误：[/]没有设置名册，数据库中也没有 id 为 {org_id!r} 的机构", highlight=False)
            sys.exit(2)
        return OrgContext(org_id=row.id, name=row.name, uscc=row.uscc, org_type=row.type, charity=row.charity,
                          public_fundraising_qualified=row.public_fundraising_qualified)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--org", "org_id", metavar="ID", help="按这个机构的情况检查（公开募捐资格、本机构的统一社会信用代码）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["low", "medium", "high"]), default="low", show_default=True,
              help="有这个等级及以上的问题时退出码为 1。")
@common_options
def check(rt: Runtime, files: tuple[str, ...], org_id: str | None, fmt: str, fail_on: str) -> None:
    """发布前检查文件：.docx、.pdf、.xlsx、.html、.md、.txt，或用 - 读标准输入。

    运行全部内容检测器和模型（信息公开、渠道类检查不适用）。退出码：0 没有达到 --fail-on
    等级的问题；1 有；2 有文件无法读取（如加密或扫描件 PDF、损坏的 Word 文件）。
    """
    from orgwatch.check import check_path, check_record

    ctx = _org_context(rt, org_id) if org_id else OrgContext()
    results = [check_path(f, ctx) for f in files]
    threshold = Severity(fail_on)
    if fmt == "json":
        records = [check_record(r, f, ctx) for r in results for f in r.findings]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(result)
    for result in results:
        if result.error:
            err_console.print(f"[bold red]无法检查[/] {escape(result.name)}：{escape(result.error)}", highlight=False)
        elif result.truncated:
            err_console.print(f"[yellow]注意：[/]{escape(result.name)} 太长，只检查了前面的部分", highlight=False)
    if any(r.error for r in results):
        sys.exit(2)
    if any(r.at_or_above(threshold) for r in results):
        sys.exit(1)


def _print_result(result) -> None:
    if result.error:
        return
    from orgwatch.check import FORMAT_NAMES

    console.print(f"[bold]{escape(result.name)}[/]（{FORMAT_NAMES.get(result.format, result.format)}）", highlight=False)
    if not result.findings:
        console.print("  未发现问题。")
        return
    for n, f in enumerate(result.findings, start=1):
        det = f.detection
        style = {"high": "bold red", "medium": "yellow", "low": "cyan"}[det.severity.value]
        more = ""
        if len(f.lines) > 1:
            unit = "段" if result.format == "docx" else "行"
            more = f"（本文件共 {(det.detail or {}).get('count', len(f.lines))} 处，在第 {'、'.join(map(str, f.lines))} {unit}）"
        words = SEVERITY_WORDS[det.severity.value]
        console.print(f"  {n}. [{style}]{words}[/] {escape(f.title)}（{det.category}/{det.rule}）", highlight=False)
        console.print(f"     位置：{f.location}{more}", highlight=False, markup=False)
        console.print(f"     原文：{f.evidence}", highlight=False, markup=False)
        console.print(f"     依据：{f.basis}", highlight=False, markup=False)
        console.print(f"     建议：{f.action}", highlight=False, markup=False)
    counts = {s: sum(1 for f in result.findings if f.detection.severity.value == s) for s in SEVERITY_WORDS}
    detail = "，".join(f"{SEVERITY_WORDS[s]} {n} 个" for s, n in counts.items() if n)
    console.print(f"  共 {len(result.findings)} 个问题：{detail}。", highlight=False)
