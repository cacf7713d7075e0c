"""The ``orgwatch`` command line. Commands are thin: they call services and print results."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from alerts.deliver import redact
from alerts.exceptions import AlertError
from classifier.exceptions import ClassifierError
from config.exceptions import ConfigError
from config.settings import load_settings
from crawlers.exceptions import CrawlError
from models import findings as findings_store
from models import outbox
from models.exceptions import StoreError
from orgwatch import output
from orgwatch.runtime import Runtime

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
USER_ERRORS = (ConfigError, StoreError, CrawlError, AlertError, ClassifierError)
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD 格式，收到 {value!r}") from None


def common_options(func):
    """--config, --db, --as-of and -v, taken by every command; builds the Runtime."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                  envvar="ORGWATCH_CONFIG", help="设置文件（YAML）；也可用环境变量 ORGWATCH_CONFIG 指定。")
    @click.option("--db", "db_url", help="数据库地址，如 sqlite:///orgwatch.db 或 postgresql+psycopg://…")
    @click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
                  help="把这一天当作“今天”（默认今天），用于重现与日期有关的规则。")
    @click.option("-v", "--verbose", count=True, help="输出更多日志（-vv 更详细）。")
    @functools.wraps(func)
    def wrapper(config_path, db_url, as_of, verbose, **kwargs):
        logging.basicConfig(level={0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG),
                            format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        try:
            settings = load_settings(config_path, database_url=db_url)
            rt = Runtime(settings=settings, as_of=as_of or dt.date.today())
            return func(rt, **kwargs)
        except USER_ERRORS as exc:
            err_console.print(f"[bold red]错误：[/]{exc}", highlight=False)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orgwatch")
def main() -> None:
    """orgwatch：社会组织网站与公众号内容合规监测。

    抓取各社会组织的网站和公众号，发现个人信息泄露、涉密标志、违规募捐等问题，
    并一次性通知指定的平台管理员和法定代表人。
    """


@main.command()
@common_options
def init(rt: Runtime) -> None:
    """创建或升级数据库，并检查设置和名册。"""
    db = rt.db
    console.print(f"数据库已就绪：{db.url if db.dialect == 'sqlite' else db.dialect}")
    if rt.settings.registry:
        console.print(f"名册有效：{len(rt.registry.organizations)} 个机构（{rt.settings.registry}）")
    else:
        console.print("尚未设置名册：请在设置文件中填写 registry，示例见 config/example/。")


@main.command()
@click.option("--org", "org_ids", multiple=True, metavar="ID", help="只扫描这些机构（可重复）。")
@click.option("--no-deliver", is_flag=True, help="只把通知放入待发送队列，不立即投递。")
@common_options
def scan(rt: Runtime, org_ids: tuple[str, ...], no_deliver: bool) -> None:
    """扫描机构的网站和公众号，保存发现的问题并通知相关人员。"""
    from orgwatch.progress import run_scan_with_progress

    summary = run_scan_with_progress(rt, list(org_ids) or None, deliver=not no_deliver, console=console)
    if summary.status != "completed":
        sys.exit(1)


@main.command("findings")
@click.option("--org", "org_id", metavar="ID", help="只看这个机构。")
@click.option("--status", type=click.Choice(["open", "acknowledged", "false_positive", "resolved", "active"]),
              help="按状态筛选（active = open 和 acknowledged）。")
@click.option("--category", help="按类别筛选，如 pii_id。")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@common_options
def findings_cmd(rt: Runtime, org_id: str | None, status: str | None, category: str | None, fmt: str) -> None:
    """列出发现的问题（JSON 格式是稳定的接口，见 docs/findings-json.md）。"""
    with rt.db.session() as s:
        rows = findings_store.list_findings(s, org_id=org_id, status=status, category=category)
        records = [output.finding_record(f) for f in rows]
    if fmt == "json":
        click.echo(output.to_json(records))
    elif fmt == "csv":
        click.echo(output.to_csv(records), nl=False)
    else:
        _findings_table(records)


def _findings_table(records: list[dict]) -> None:
    if not records:
        console.print("没有符合条件的问题。")
        return
    table = Table(show_lines=False)
    for col in ("编号", "机构", "风险", "类别/规则", "状态", "位置", "证据"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(str(r["id"]), r["org"], f"[{SEVERITY_STYLE[r['severity']]}]{r['severity']}[/]",
                      f"{r['category']}/{r['rule']}", r["status"], r["url"] or "", r["evidence"])
    console.print(table)


@main.group()
def alerts() -> None:
    """查看和重试通知投递。"""


@alerts.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "failed"]), help="按投递状态筛选。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options
def alerts_list(rt: Runtime, status: str | None, fmt: str) -> None:
    """列出通知消息及其投递状态（通知地址中的密钥已隐藏）。"""
    with rt.db.session() as s:
        records = [output.message_record(m, redact(m.target)) for m in outbox.list_messages(s, status=status)]
    if fmt == "json":
        click.echo(output.to_json(records))
        return
    if not records:
        console.print("没有通知消息。")
        return
    table = Table()
    for col in ("编号", "机构", "接收人", "地址", "问题数", "状态", "尝试", "最近错误"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(str(r["id"]), r["org"] or "", r["recipient"], r["target"], str(r["findings"]),
                      r["status"], str(r["attempts"]), r["last_error"] or "")
    console.print(table)


@alerts.command("retry")
@common_options
def alerts_retry(rt: Runtime) -> None:
    """立即重试所有未送达的通知（不等待退避时间）。"""
    from orgwatch.alerting import deliver_outbox, queue_alerts

    queue_alerts(rt)
    result = deliver_outbox(rt, manual=True)
    console.print(f"已送达 {result.sent} 条，失败 {result.failed} 条。")
    for line in result.errors:
        err_console.print(f"[red]{line}[/]", highlight=False)
    if result.failed:
        err_console.print("失败的消息仍保留在待发送队列中，下次扫描或再次运行 orgwatch alerts retry 时会重试。")
        sys.exit(1)


@main.command()
@click.option("--dir", "demo_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("orgwatch-demo"),
              show_default=True, help="演示数据（数据库、收到的通知）存放的目录。")
@click.option("--serve/--no-serve", default=False, help="扫描后继续提供示例网站，直到按 Ctrl+C。")
def demo(demo_dir: Path, serve: bool) -> None:
    """在本机启动三个虚构机构的示例网站，扫描它们，并把通知投递到本地收件箱。"""
    from orgwatch.demo import run_demo

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        run_demo(demo_dir.resolve(), console=console, keep_serving=serve)
    except USER_ERRORS as exc:
        err_console.print(f"[bold red]错误：[/]{exc}", highlight=False)
        sys.exit(2)


@main.command()
def detectors() -> None:
    """列出所有检测器及其说明。"""
    from classifier.registry import iter_kinds

    for name, kind, doc in iter_kinds():
        console.print(f"[bold]{name}[/]（类别 {kind}）：{doc}", highlight=False)


if __name__ == "__main__":
    main()
