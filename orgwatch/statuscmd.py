"""``orgwatch status``: per organisation, the disclosure checklist and each channel's health."""
from __future__ import annotations

import click
from rich.console import Console

from orgwatch.cli import common_options
from orgwatch.output import to_json
from orgwatch.runtime import Runtime
from orgwatch.status import ChannelStatus, ItemStatus, OrgStatus, org_status

console = Console(soft_wrap=True)
MARKS = {"present": "[green]✓[/]", "missing": "[bold red]✗[/]", "outdated": "[red]✗[/]", "not_applicable": "[dim]–[/]",
         "not_due": "[dim]○[/]", "unverified": "[yellow]?[/]"}
CHANNEL_STYLE = {"ok": "green", "stale": "red", "failed": "yellow", "no_dates": "yellow"}


@click.command()
@click.option("--org", "org_ids", multiple=True, metavar="ID", help="只看这些机构（可重复）；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_options
def status(rt: Runtime, org_ids: tuple[str, ...], fmt: str) -> None:
    """各机构的信息公开清单（已公开/缺失/不适用）和各渠道的最新发布与健康状况。

    结果来自最近一次扫描后的检查；天数按 --as-of 指定的日期（默认今天）计算。
    """
    found = org_status(rt, list(org_ids) or None)
    if fmt == "json":
        click.echo(to_json(s.record() for s in found))
        return
    if not found:
        console.print("还没有扫描过任何机构：请先运行 orgwatch scan。")
    for st in found:
        _print_org(st)


def _print_org(st: OrgStatus) -> None:
    kinds = [st.type_label, "慈善组织" if st.charity else "非慈善组织"]
    if st.public_fundraising:
        kinds.append("具有公开募捐资格")
    console.print(f"\n[bold]{st.name}[/]（{st.org}）· {' · '.join(kinds)}", highlight=False)
    if st.checked_at is None:
        console.print("  尚未检查：请先运行 orgwatch scan。")
        return
    console.print(f"  检查于 {st.checked_at}", highlight=False)
    if st.incomplete:
        console.print(f"  [yellow]本次抓取不完整，未报告缺失项：{st.incomplete}[/]", highlight=False)
    console.print("  [bold]信息公开[/]" + ("" if st.items else "：未做信息公开检查（health.disclosure_checks 已关闭）"))
    for item in st.items:
        console.print(f"    {MARKS.get(item.status, ' ')} {item.title}：{_item_text(item)}", highlight=False)
    for m in st.mismatches:
        label = "统一社会信用代码" if m["field"] == "uscc" else "机构名称"
        console.print(f"    [bold red]≠[/] {label}与名册不一致：页面显示 {m['shown']}，名册为 {m['expected']}"
                      f"（{m['url']}）", highlight=False)
    console.print("  [bold]渠道[/]")
    for ch in st.channels:
        console.print(f"    {_channel_text(ch)}", highlight=False)
        for col in ch.columns:
            console.print(f"      栏目“{col['name']}”：{_column_text(col)}", highlight=False)


def _item_text(item: ItemStatus) -> str:
    if item.status == "present":
        return f"{item.label} {item.url or ''}".rstrip()
    if item.status in ("missing", "outdated"):
        found = f"，{item.found_on} 起发现" if item.found_on else ""
        note = f"；{item.note}" if item.note else ""
        older = f"：{item.url}" if item.status == "outdated" and item.url else ""
        return f"[red]{item.label}[/]（{item.due}{found}）{note}{older}"
    return f"{item.label}（{item.note or item.due}）" if (item.note or item.due) else item.label


def _channel_text(ch: ChannelStatus) -> str:
    head = f"{ch.kind_label} {ch.name + ' ' if ch.name else ''}{ch.url}"
    if ch.newest_on:
        limit = f"，超过 {ch.threshold_days} 天算长期未更新" if ch.threshold_days else ""
        newest = f"最新发布 {ch.newest_on}（{ch.age_days} 天前{limit}）"
    else:
        newest = "未发现带日期的内容" if ch.state == "no_dates" else ""
    style = "red" if ch.defaced else CHANNEL_STYLE.get(ch.state, "dim")
    note = f"：{ch.note}" if ch.note and ch.state in ("failed", "not_checked") else ""
    return f"{head}  {newest}  [{style}]{ch.label}[/]{note}".replace("    ", "  ")


def _column_text(col: dict) -> str:
    if col.get("state") == "blank":
        return f"[red]{col['label']}[/]（{col.get('blank_reason')}）"
    newest = f"最新 {col['newest_on']}" if col.get("newest_on") else "无带日期的条目"
    style = "red" if col.get("state") == "stale" else "green"
    return f"{newest}，{col.get('items', 0)} 条  [{style}]{col['label']}[/]"
