"""The scan's live display: one progress line per organisation, then a summary."""
from __future__ import annotations

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from orgwatch.runtime import Runtime
from orgwatch.scan import OrgProgress, ScanSummary, run_scan


def _describe(p: OrgProgress) -> str:
    done = "完成" if p.channels_total and p.channels_done >= p.channels_total else "抓取中"
    errors = f"，[yellow]{p.errors} 个地址无法访问[/]" if p.errors else ""
    found = f"[bold red]{p.new_findings} 个新问题[/]" if p.new_findings else "无新问题"
    return f"{p.name}：{done}，{p.pages} 个页面，{found}{errors}"


def run_scan_with_progress(rt: Runtime, org_ids: list[str] | None, *, deliver: bool,
                           console: Console) -> ScanSummary:
    """Run a scan with a rich progress display, then print what happened and what to do next."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        tasks: dict[str, int] = {}

        def on_progress(p: OrgProgress) -> None:
            if p.org_id not in tasks:
                tasks[p.org_id] = progress.add_task(_describe(p), total=None)
            progress.update(tasks[p.org_id], description=_describe(p))

        summary = run_scan(rt, org_ids, on_progress=on_progress, deliver=deliver)
    print_summary(summary, console)
    return summary


def print_summary(s: ScanSummary, console: Console) -> None:
    console.print(
        f"扫描 #{s.scan_id} {'完成' if s.status == 'completed' else '未完成'}：抓取 {s.pages} 个页面"
        f"（分析 {s.pages_analysed} 个），{s.fetch_errors} 个地址无法访问；"
        f"新问题 {s.findings_new} 个，已消除 {s.findings_resolved} 个；"
        f"通知 {s.messages_queued} 条，已送达 {s.messages_sent} 条。",
        highlight=False,
    )
    for warning in s.warnings:
        console.print(f"[yellow]注意：{warning}[/]", highlight=False)
    for line in s.delivery_errors:
        console.print(f"[red]{line}[/]", highlight=False)
    if s.messages_failed:
        console.print("未送达的通知已保存在待发送队列，下次扫描或运行 orgwatch alerts retry 时重试。")
    if s.error:
        console.print(f"[bold red]扫描中断：{s.error}[/]", highlight=False)
