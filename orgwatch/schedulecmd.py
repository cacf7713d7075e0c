"""The ``orgwatch schedule`` command (registered in :mod:`orgwatch.cli`): thin, it builds a
:class:`orgwatch.schedule.Scheduler`, runs one tick or the loop, and prints what each tick did."""
from __future__ import annotations

import datetime as dt
import threading

import click

from orgwatch.cli import common_options, console
from orgwatch.reports.week import local
from orgwatch.runtime import Runtime

REASONS = {"never": "从未扫描", "interval": "间隔已到", "retry": "上次失败后重试"}


@click.command()
@click.option("--once", is_flag=True, help="只检查一次（扫描或排队到期的渠道）然后退出，适合 cron。")
@click.option("--mode", type=click.Choice(["local", "distributed"]),
              help="local：在本进程扫描；distributed：放入队列由 orgwatch worker 扫描。默认按设置 schedule.mode。")
@common_options
def schedule(rt: Runtime, once: bool, mode: str | None) -> None:
    """按扫描间隔定时扫描各渠道，并每周自动生成（和发送）周报。

    每隔 schedule.tick_seconds 秒检查一次：扫描间隔已到的渠道（网站默认每 7 天，公众号、订阅源、
    微博每天；名册中可按渠道设置 scan_interval）在本进程扫描，或放入队列交给 orgwatch worker。
    仍在扫描中的渠道本次跳过并记入日志。用 Ctrl+C 或 SIGTERM 停止；--once 只检查一次。
    """
    from orgwatch.schedule import Scheduler
    from orgwatch.schedule.loop import run_loop, stop_on_signals

    scheduler = Scheduler(rt, mode, follow_today=rt.as_of == dt.date.today())
    if once:  # errors (queue down, registry invalid) end the command with status 2 and the reason
        _print_tick(scheduler.tick(), None)
        return
    period = rt.settings.schedule.tick_seconds
    console.print(f"调度器已启动（{'本进程扫描' if scheduler.mode == 'local' else '分布式，交给工作进程'}），"
                  f"每 {period} 秒检查一次；按 Ctrl+C 停止。", highlight=False)
    stop = threading.Event()
    with stop_on_signals(stop):
        run_loop(scheduler, period, stop, on_tick=_print_tick)
    console.print("调度器已停止。")


def _print_tick(result, error: Exception | None) -> None:
    if result is None:
        return
    stamp = local(result.at)
    if result.report is not None:
        r = result.report
        if r.failed:
            state = "未能生成：" + "；".join(r.errors)
        else:
            state = f"已生成{'并发送给 ' + '、'.join(r.sent) if r.sent else ''}"
            if r.errors:
                state += "；未能发送：" + "；".join(r.errors)
        console.print(f"{stamp} {r.week} 周报{state}", highlight=False, markup=False)
    if not result.due and not result.skipped:
        following = f"，下一个渠道到期：{local(result.next_due_at)}" if result.next_due_at else ""
        console.print(f"{stamp} 没有到期的渠道{following}", highlight=False)
        return
    reasons = {}
    for d in result.due:
        reasons[REASONS[d.reason]] = reasons.get(REASONS[d.reason], 0) + 1
    detail = "，".join(f"{k} {v} 个" for k, v in reasons.items())
    done = f"放入队列 {len(result.jobs)} 个任务（{len(result.started)} 个渠道）" if result.mode == "distributed" \
        else f"扫描 {len(result.started)} 个渠道"
    console.print(f"{stamp} 到期渠道 {len(result.due)} 个（{detail}）：{done}，"
                  f"跳过 {len(result.skipped)} 个（仍在扫描中或已在队列中）", highlight=False)
    scan = result.scan
    if scan is not None:
        console.print(f"  扫描 #{scan.scan_id} {'完成' if scan.status == 'completed' else '未完成'}："
                      f"{scan.pages} 个页面，新问题 {scan.findings_new} 个，已消除 {scan.findings_resolved} 个",
                      highlight=False)
