"""Self-monitoring: orgwatch's own failures (a channel failing scan after scan, a scan that aborted,
a message undelivered for a day) told once each to the operators in ``alerts.operators``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alerts.channels import body_format_for, size_limit, transport_of
from alerts.deliver import redact
from models import outbox
from orgwatch.alerting.common import composer_for
from orgwatch.runtime import Runtime

if TYPE_CHECKING:
    from orgwatch.scan_events import ScanSummary


@dataclass(frozen=True)
class Problem:
    """One failure of orgwatch itself; ``key`` names it so that it is told once."""

    key: str
    title: str
    detail: str
    action: str


def channel_problems(rt: Runtime) -> list[Problem]:
    """Channels whose home page failed ``crawl.unreachable_after`` scans in a row: once per failure streak."""
    threshold = rt.settings.crawl.unreachable_after
    with rt.db.session() as s:
        return [
            Problem(
                key=f"channel:{ch.id}:{ch.last_ok_at.isoformat() if ch.last_ok_at else 'never'}",
                title=f"渠道连续 {ch.consecutive_failures} 次扫描无法访问：{ch.org.name} {ch.url}",
                detail=ch.last_error or "首页无法访问",
                action="确认网站是否关闭或更换了地址（如已更换请更新名册）；若多个渠道同时失败，"
                       "请检查 orgwatch 所在服务器的网络、DNS 和代理。恢复访问后自动解除。",
            )
            for ch in outbox.failing_channels(s, threshold)
        ]


def scan_problems(rt: Runtime, summary: "ScanSummary | None" = None) -> list[Problem]:
    """The scan that just failed, and earlier scans still marked running long after they started."""
    problems = []
    if summary is not None and summary.status != "completed":
        problems.append(Problem(
            key=f"scan:{summary.scan_id}", title=f"扫描 #{summary.scan_id} 中断",
            detail=summary.error or "扫描没有正常完成",
            action=f"查看数据目录中的 logs/crawl-{summary.scan_id}.log，排除问题后重新运行 orgwatch scan",
        ))
    hours = rt.settings.alerts.operator_failing_hours
    with rt.db.session() as s:
        for run in outbox.stale_scans(s, rt.now() - dt.timedelta(hours=hours)):
            if summary is not None and run.id == summary.scan_id:
                continue
            problems.append(Problem(
                key=f"scan:{run.id}", title=f"扫描 #{run.id} 没有正常结束",
                detail=f"开始于 {run.started_at:%Y-%m-%d %H:%M} UTC，超过 {hours} 小时仍标记为运行中，进程可能已被终止",
                action="确认该进程已不在运行；重新运行 orgwatch scan，并检查服务器内存、磁盘和定时任务的日志",
            ))
    return problems


def outbox_problems(rt: Runtime) -> list[Problem]:
    """Messages attempted and still undelivered ``alerts.operator_failing_hours`` after they were created."""
    hours = rt.settings.alerts.operator_failing_hours
    with rt.db.session() as s:
        return [
            Problem(
                key=f"outbox:{m.id}", title=f"通知 #{m.id}（{m.uid}）超过 {hours} 小时未送达",
                detail=f"发给 {m.recipient}（{redact(m.target)}），已尝试 {m.attempts} 次；最近错误：{m.last_error or '无'}",
                action="检查该通知地址和密钥是否有效、通知服务是否可用，修复后运行 orgwatch alerts retry",
            )
            for m in outbox.long_failing_messages(s, rt.now() - dt.timedelta(hours=hours))
        ]


def queue_operator_notices(rt: Runtime, problems: list[Problem]) -> int:
    """Tell the operators about the problems not told before, in one message per operator address.

    Returns the number of new problems. Without ``alerts.operators`` nothing is recorded, so
    problems still open when operators are configured are told then.
    """
    operators = rt.settings.alerts.operators
    if not operators or not problems:
        return 0
    composer, now = composer_for(rt), rt.now()
    with rt.db.session() as s:
        fresh = [p for p in problems if outbox.claim_notice(s, p.key, p.title, now)]
        for target in operators if fresh else []:
            msg = outbox.open_message(s, org_id=None, person=None, recipient="运维人员", target=target,
                                      transport=transport_of(target), scan_id=None, now=now, kind="operator")
            composed = composer.simple_message(
                "operator", body_format=body_format_for(target), budget=size_limit(target, rt.settings.alerts.size_limits),
                subject_context={"count": len(fresh), "first": fresh[0].title},
                context={"uid": msg.uid, "problems": fresh},
            )
            outbox.fill_message(msg, subject=composed.subject, body=composed.body, body_format=composed.body_format)
    return len(fresh)
