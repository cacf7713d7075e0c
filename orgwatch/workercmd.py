"""``orgwatch worker`` and the ``scan --distributed`` side of ``orgwatch scan``."""
from __future__ import annotations

import logging
import sys

import click
from rich.console import Console

from orgwatch.cli import common_options
from orgwatch.runtime import Runtime

console = Console(soft_wrap=True)
STATUS_LABELS = {"queued": "排队中", "running": "扫描中", "completed": "完成", "failed": "失败", "skipped": "跳过"}


@click.command()
@click.option("--concurrency", type=click.IntRange(min=1), help="同时运行的扫描任务数（默认 distributed.concurrency）。")
@click.option("--queues", metavar="Q1,Q2", help="从哪些队列取任务，逗号分隔（默认 distributed.queue）。")
@click.option("--name", metavar="NAME", help="工作进程的名字（同一台机器运行多个时各取一个，默认 orgwatch）。")
@common_options
def worker(rt: Runtime, concurrency: int | None, queues: str | None, name: str | None) -> None:
    """运行扫描工作进程：从 Redis 队列取出 scan --distributed 和 schedule 排入的任务并执行。

    每个任务在新的进程中扫描一个机构（大型网站为一个渠道）；进程意外退出时，任务在
    distributed.visibility_timeout 秒后交给其他工作进程重试，不会产生重复的问题和通知。
    按 Ctrl+C 停止（正在运行的任务完成后退出）。
    """
    from orgwatch.distributed.worker import run_worker

    run_worker(rt, concurrency=concurrency, queues=queues, name=name,
               loglevel=logging.getLogger().getEffectiveLevel())


def scan_distributed(rt: Runtime, org_ids: list[str] | None, *, deliver: bool, wait: bool) -> None:
    """Enqueue one job per organisation (or channel), print the job ids, and with ``wait`` the outcome."""
    from orgwatch.distributed import enqueue_scans, plan_jobs, wait_for_jobs

    specs = plan_jobs(rt, org_ids)
    ids = enqueue_scans(rt, specs, deliver=deliver)
    per_channel = sum(1 for s in specs if s.channel_ids is not None)
    console.print(f"已排入 {len(ids)} 个扫描任务（队列 {rt.settings.distributed.queue}"
                  + (f"，其中 {per_channel} 个按渠道拆分" if per_channel else "") + "）：", highlight=False)
    for job_id, spec in zip(ids, specs):
        channels = f" 渠道 {','.join(map(str, spec.channel_ids))}" if spec.channel_ids else ""
        console.print(f"  {job_id}  {spec.org_id}{channels}", highlight=False, markup=False)
    if not wait:
        console.print("任务由 orgwatch worker 执行；加 --wait 可等待全部完成并查看结果。")
        return

    console.print("正在等待任务结束（需要至少一个 orgwatch worker 在运行；按 Ctrl+C 只停止等待，任务不受影响）。")

    def progress(counts: dict[str, int]) -> None:
        console.print("，".join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in sorted(counts.items())), highlight=False)

    outcome = wait_for_jobs(rt, ids, on_change=progress)
    console.print(f"全部任务已结束：完成 {outcome.by_status.get('completed', 0)} 个，"
                  f"跳过 {outcome.by_status.get('skipped', 0)} 个，失败 {outcome.by_status.get('failed', 0)} 个；"
                  f"抓取 {outcome.pages} 个页面，新问题 {outcome.findings_new} 个，"
                  f"已消除 {outcome.findings_resolved} 个，通知 {outcome.messages_queued} 条。", highlight=False)
    for job in outcome.jobs:
        if job.status != "completed" and job.note:
            console.print(f"  {job.org_id}（{STATUS_LABELS.get(job.status, job.status)}）：{job.note}",
                          highlight=False, markup=False)
    if outcome.by_status.get("failed"):
        sys.exit(1)
