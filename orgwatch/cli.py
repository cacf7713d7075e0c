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
from orgwatch.distributed.exceptions import DistributedError
from orgwatch.runtime import Runtime

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
USER_ERRORS = (ConfigError, StoreError, CrawlError, AlertError, ClassifierError, DistributedError)
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
@click.option("--distributed", is_flag=True, help="不在本机扫描：每个机构排一个任务，交给 orgwatch worker 执行。")
@click.option("--wait", is_flag=True, help="与 --distributed 一起使用：等待全部任务结束并显示结果。")
@common_options
def scan(rt: Runtime, org_ids: tuple[str, ...], no_deliver: bool, distributed: bool, wait: bool) -> None:
    """扫描机构的网站和公众号，保存发现的问题并通知相关人员。"""
    from orgwatch.progress import run_scan_with_progress

    if wait and not distributed:
        raise click.UsageError("--wait 只能与 --distributed 一起使用。")
    if distributed:
        from orgwatch.workercmd import scan_distributed

        return scan_distributed(rt, list(org_ids) or None, deliver=not no_deliver, wait=wait)

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
    """查看、测试和重试通知；发送每日汇总和催办提醒。"""


def _message_record(m) -> dict:
    return output.message_record(m, redact(m.target))


@alerts.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed"]), help="按投递状态筛选。")
@click.option("--kind", type=click.Choice(["findings", "reminder", "digest", "operator", "weekly_report"]),
              help="按消息类型筛选。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options
def alerts_list(rt: Runtime, status: str | None, kind: str | None, fmt: str) -> None:
    """列出通知消息及其投递状态（通知地址中的密钥已隐藏）。"""
    with rt.db.session() as s:
        records = [_message_record(m) for m in outbox.list_messages(s, status=status, kind=kind)]
    if fmt == "json":
        click.echo(output.to_json(records))
        return
    if not records:
        console.print("没有通知消息。")
        return
    table = Table()
    for col in ("编号", "类型", "机构", "接收人", "地址", "问题数", "状态", "尝试", "最近错误"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(str(r["id"]), KIND_LABELS.get(r["kind"], r["kind"]), r["org"] or "", r["recipient"],
                      r["target"], str(r["findings"]), r["status"], str(r["attempts"]), r["last_error"] or "")
    console.print(table, markup=False)


KIND_LABELS = {"findings": "新问题", "reminder": "催办", "digest": "每日汇总", "operator": "运行告警",
               "weekly_report": "周报"}


def _report_delivery(result) -> None:
    console.print(f"已送达 {result.sent} 条，失败 {result.failed} 条。")
    for line in result.errors:
        err_console.print(line, style="red", highlight=False, markup=False)
    if result.failed:
        err_console.print("失败的消息仍保留在待发送队列中，下次扫描或再次运行 orgwatch alerts retry 时会重试。")
        sys.exit(1)


@alerts.command("retry")
@common_options
def alerts_retry(rt: Runtime) -> None:
    """立即重试所有未送达的通知（不等待退避时间）。

    进程在“已发出”和“已记录”之间被终止的消息也会再发一次：收件人会看到消息编号相同的两条，可忽略第二条。
    """
    from orgwatch.alerting import deliver_outbox, queue_alerts

    queue_alerts(rt)
    _report_delivery(deliver_outbox(rt, manual=True))


@alerts.command("digest")
@click.option("--date", "day", callback=_parse_date, metavar="YYYY-MM-DD",
              help="汇总哪一天（默认是 --as-of 那天，即今天）。")
@click.option("--no-deliver", is_flag=True, help="只放入待发送队列，不立即投递。")
@common_options
def alerts_digest(rt: Runtime, day: dt.date | None, no_deliver: bool) -> None:
    """给每个业务主管单位发送当天的每日汇总（每个单位每天一条；没有新问题不发）。

    建议每天最后一次扫描之后运行一次。汇总列出该单位所主管机构当天新发现、按通知规则应告知
    业务主管单位的问题（默认是高风险问题）；当天汇总发出后才发现的问题列入次日汇总。
    """
    from orgwatch.alerting import deliver_outbox, queue_digest

    result = queue_digest(rt, day)
    console.print(f"{result.day} 的每日汇总：{result.units} 个业务主管单位，{result.findings} 个问题，"
                  f"放入待发送队列 {result.messages} 条。", highlight=False)
    for unit in result.already_sent:
        console.print(f"{unit} 的 {result.day} 汇总已经发过，新问题将列入下一次汇总。", highlight=False)
    for warning in result.warnings:
        err_console.print(f"注意：{warning}", style="yellow", highlight=False, markup=False)
    if not no_deliver:
        _report_delivery(deliver_outbox(rt))


@alerts.command("remind")
@click.option("--no-deliver", is_flag=True, help="只放入待发送队列，不立即投递。")
@common_options
def alerts_remind(rt: Runtime, no_deliver: bool) -> None:
    """提醒法定代表人：通知后超过 alerts.remind_after_days 天仍未处理的高风险问题（每个问题只提醒一次）。

    每次扫描结束时也会自动检查；用 --as-of 可以指定“今天”。
    """
    from orgwatch.alerting import deliver_outbox, queue_reminders

    if not rt.settings.alerts.remind_after_days:
        console.print("没有启用催办提醒：请在设置中填写 alerts.remind_after_days（天数）。")
        return
    console.print(f"放入待发送队列的催办提醒 {queue_reminders(rt)} 条。")
    if not no_deliver:
        _report_delivery(deliver_outbox(rt))


@alerts.command("test")
@click.option("--person", metavar="NAME", help="名册中的人名（机构人员或业务主管单位联系人）。")
@click.option("--org", "org_id", metavar="ID", help="只找这个机构的人。")
@click.option("--operators", is_flag=True, help="测试设置 alerts.operators 中的运维地址。")
@common_options
def alerts_test(rt: Runtime, person: str | None, org_id: str | None, operators: bool) -> None:
    """立即向一个人的每个通知地址发送一条测试消息，并逐个报告是否成功（密钥已隐藏）。"""
    from orgwatch.alerting import addresses_of, send_test_messages

    if operators:
        addresses = [("运维人员", "orgwatch 运维", url) for url in rt.settings.alerts.operators]
        if not addresses:
            raise click.UsageError("设置中没有 alerts.operators。")
    elif person:
        addresses = addresses_of(rt, person, org_id)
    else:
        raise click.UsageError("请用 --person NAME 指定一个人，或用 --operators 测试运维地址。")
    outcomes = send_test_messages(rt, addresses)
    for o in outcomes:
        if o.ok:
            console.print(f"[green]成功[/] {o.who} {o.target}", highlight=False)
        else:
            console.print(f"[red]失败[/] {o.who} {o.target}：", highlight=False, end="")
            console.print(o.error, highlight=False, markup=False)
    if not all(o.ok for o in outcomes):
        sys.exit(1)


def _all_or(value: list[str] | str) -> str:
    return "全部" if value == "all" else ", ".join(value)


@alerts.command("routes")
@common_options
def alerts_routes(rt: Runtime) -> None:
    """显示生效的通知规则，以及每个机构按规则会通知到的人。"""
    from config.registry import ROLE_LABELS

    settings = rt.settings.alerts
    table = Table(title="通知规则" + ("（默认）" if settings.routes is None else ""))
    for col in ("序号", "类别", "风险等级", "机构", "通知"):
        table.add_column(col, overflow="fold")
    for n, r in enumerate(settings.effective_routes(), 1):
        table.add_row(str(n), _all_or(r.categories), _all_or(r.severities), _all_or(r.orgs),
                      "、".join(ROLE_LABELS.get(x, x) for x in r.roles))
    console.print(table, markup=False)
    for org in rt.registry.organizations:
        people = "；".join(f"{ROLE_LABELS.get(p.role, p.role)} {p.name}（{len(p.notify)} 个地址）" for p in org.people)
        unit = rt.registry.supervisor(org.supervisor) if org.supervisor else None
        contacts = f"；业务主管单位 {org.supervisor}（每日汇总，{len(unit.people) if unit else 0} 个联系人）" \
            if org.supervisor else ""
        console.print(f"{org.name}（{org.id}）：{people or '名册中没有人员'}{contacts}", highlight=False, markup=False)


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


from orgwatch.reportcmd import check, report  # noqa: E402 - the commands import this module's helpers
main.add_command(report)
main.add_command(check)
from orgwatch.statuscmd import status  # noqa: E402 - uses common_options from this module
main.add_command(status)
from orgwatch.modelcmd import model  # noqa: E402 - uses common_options from this module
main.add_command(model)
from orgwatch.usercmd import serve, tokens, triage, users  # noqa: E402 - uses common_options from this module
main.add_command(users)
main.add_command(tokens)
main.add_command(serve)
main.add_command(triage)
from orgwatch.workercmd import worker  # noqa: E402 - uses common_options from this module
main.add_command(worker)
from orgwatch.schedulecmd import schedule  # noqa: E402 - uses common_options from this module
main.add_command(schedule)

if __name__ == "__main__":
    main()
