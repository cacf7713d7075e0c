"""Plan, enqueue and wait for distributed scan jobs (used by ``scan --distributed`` and ``schedule``)."""
from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from models import jobs as job_store
from models import schedule as marks
from models.entities import ScanJob
from models.audit import audited_sync as sync_registry  # also writes registry.sync to the audit log
from orgwatch.distributed.exceptions import BrokerUnavailable, JobWaitTimeout, NoWorkerError
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)

#: Seconds wait_for_jobs gives a split organisation's last job to judge it once the jobs have ended.
JUDGE_GRACE = 60.0


@dataclass(frozen=True)
class ScanJobSpec:
    """One job: scan organisation ``org_id``, all its active channels or only ``channel_ids``."""

    org_id: str
    channel_ids: list[int] | None = None


@dataclass
class JobsOutcome:
    """What a set of finished jobs did, summed over their scan runs."""

    jobs: list[ScanJob]
    pages: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    messages_queued: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def plan_jobs(rt: Runtime, org_ids: list[str] | None = None) -> list[ScanJobSpec]:
    """One job per organisation (all in the registry by default); one per channel for an
    organisation whose channels' pages at their last scan add up to more than
    ``distributed.large_site_pages``. Syncs the registry into the database first."""
    registry = rt.registry
    wanted = [registry.get(i).id for i in org_ids] if org_ids else [o.id for o in registry.organizations]
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in registry.organizations], rt.now())
        channels = job_store.channel_pages(s, wanted)
    threshold = rt.settings.distributed.large_site_pages
    specs: list[ScanJobSpec] = []
    for org_id in wanted:
        rows = channels.get(org_id, [])
        if len(rows) > 1 and sum(pages for _, pages in rows) > threshold:
            specs += [ScanJobSpec(org_id, [channel_id]) for channel_id, _ in rows]
        else:
            specs.append(ScanJobSpec(org_id))
    return specs


def _jsonable(value: Any) -> Any:
    """Settings as plain JSON that ``Settings(**...)`` reads back: durations as hours, paths as text."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def job_payload(rt: Runtime, job_id: str, spec: ScanJobSpec, deliver: bool,
                group: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a worker needs to run the job exactly as this process would: the settings (those
    given in the file, environment or command line, with absolute paths, plus the data
    directory in force) and the ``--as-of`` day. Only the given ones are sent, so settings that
    must not be written together (``alerts.routes`` and its shortcut) stay unwritten. ``group``
    (``id`` and ``jobs``): the jobs that split one organisation's channels between them; the
    last to finish judges the organisation's disclosures and channel health."""
    given = rt.settings.model_dump(exclude_unset=True)
    given["data_dir"] = rt.settings.data_dir
    return {"job_id": job_id, "org_id": spec.org_id, "channel_ids": spec.channel_ids, "deliver": deliver,
            "as_of": rt.as_of.isoformat(), "settings": _jsonable(given), "group": group}


def split_groups(ids: list[str], jobs: list[ScanJobSpec]) -> dict[str, dict[str, Any]]:
    """The groups of jobs that split an organisation's channels between them, by organisation.
    A group is named after its first job, so whoever waits for the jobs can find its judgement
    (:func:`split_mark`)."""
    split: dict[str, list[str]] = {}
    for job_id, spec in zip(ids, jobs):
        if spec.channel_ids is not None:
            split.setdefault(spec.org_id, []).append(job_id)
    return {org_id: {"id": job_ids[0], "jobs": job_ids} for org_id, job_ids in split.items() if len(job_ids) > 1}


def split_mark(group_id: str) -> str:
    """The schedule mark the last job of a split group claims to judge the organisation."""
    return f"split-scan:{group_id}"


def channels_read(rows: list[ScanJob], expected: int) -> dict[int, int] | None:
    """For the job rows of a split group (``expected`` jobs): None while one of them is still to
    come; once all have ended, each channel a completed job read -> the scan that read it."""
    if len(rows) < expected or any(r.status not in job_store.FINAL_STATUSES for r in rows):
        return None
    return {cid: r.scan_id for r in rows if r.status == "completed" and r.scan_id is not None
            for cid in (r.channel_ids or [])}


def pending_judgements(rt: Runtime, job_ids: list[str]) -> list[str]:
    """The split groups among ``job_ids`` (in the order they were enqueued) whose jobs have all
    ended, one of them having read a channel, and whose organisation is not judged yet: their
    org ids."""
    with rt.db.session() as s:
        rows = {r.id: r for r in job_store.get_jobs(s, job_ids)}
        known = [job_id for job_id in job_ids if job_id in rows]
        groups = split_groups(known, [ScanJobSpec(rows[j].org_id, rows[j].channel_ids) for j in known])
        pending = []
        for org_id, group in groups.items():
            if not channels_read([rows[j] for j in group["jobs"]], len(group["jobs"])):
                continue  # not over yet, or nothing read: no judgement to wait for
            mark = marks.get_mark(s, split_mark(group["id"]))
            if mark is None or mark.status != "done":
                pending.append(org_id)
    return pending


def wait_for_judgements(rt: Runtime, job_ids: list[str], *, grace: float = JUDGE_GRACE, poll: float = 1.0) -> list[str]:
    """Once every job has ended, give the organisations split between jobs up to ``grace``
    seconds to be judged (their last job does it after it is marked finished), so that the
    totals include those findings; return the org ids still not judged (logged)."""
    deadline = time.monotonic() + grace
    pending = pending_judgements(rt, job_ids)
    while pending and time.monotonic() < deadline:
        time.sleep(poll)
        pending = pending_judgements(rt, job_ids)
    if pending:
        log.warning("机构 %s 按渠道拆分扫描后的信息公开和渠道健康判断在 %.0f 秒内没有写入，下面的汇总不含这部分；"
                    "请查看工作进程的日志，下次扫描会重新判断。", "、".join(pending), grace)
    return pending


def check_broker(rt: Runtime, app=None) -> None:
    """Raise BrokerUnavailable, with what to do, when Redis does not answer."""
    from orgwatch.distributed.app import broker_label, make_app

    app = app or make_app(rt.settings)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:  # kombu raises OperationalError, socket errors and redis errors here
        raise BrokerUnavailable(
            f"无法连接消息队列 {broker_label(rt.settings)}（{exc}）。请启动 Redis（如 systemctl start redis-server），"
            "或在设置中改正 distributed.broker_url；本次没有排入任何任务，数据库中没有留下任何记录。"
        ) from exc


def enqueue_scans(rt: Runtime, jobs: list[ScanJobSpec], *, deliver: bool = True, sync: bool = True) -> list[str]:
    """Mirror the registry into the database (unless ``sync=False``: the caller just did), record
    each job (status ``queued``) and send it to the workers; return the job ids.

    Raises BrokerUnavailable when Redis cannot be reached: then nothing is recorded or sent.
    If Redis goes away part-way, the jobs not sent are marked ``failed`` with the reason.
    """
    from orgwatch.distributed.app import SCAN_TASK, make_app

    app = make_app(rt.settings)
    check_broker(rt, app)
    ids = [uuid.uuid4().hex for _ in jobs]
    now = dt.datetime.now(dt.timezone.utc)
    with rt.db.session() as s:
        if sync:  # workers do not mirror the registry (once per job would not scale): it is done here
            sync_registry(s, [o.model_dump() for o in rt.registry.organizations], rt.now())
        for job_id, spec in zip(ids, jobs):
            job_store.add_job(s, job_id=job_id, org_id=spec.org_id, channel_ids=spec.channel_ids,
                              as_of=rt.as_of, now=now)
    groups = split_groups(ids, jobs)
    for n, (job_id, spec) in enumerate(zip(ids, jobs)):
        group = groups.get(spec.org_id) if spec.channel_ids is not None else None
        try:
            app.send_task(SCAN_TASK, args=[job_payload(rt, job_id, spec, deliver, group)], task_id=job_id,
                          queue=rt.settings.distributed.queue, retry_policy={"max_retries": 2})
        except Exception as exc:
            _unsent(rt, ids[n:], str(exc))
            raise BrokerUnavailable(
                f"向消息队列发送任务时连接中断（{exc}）：已发送 {n} 个，其余 {len(ids) - n} 个标记为失败。"
                "请检查 Redis 后重新运行 orgwatch scan --distributed。"
            ) from exc
    log.info("queued %d scan job(s) on %s", len(ids), rt.settings.distributed.queue)
    return ids


def _unsent(rt: Runtime, ids: list[str], reason: str) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with rt.db.session() as s:
        for job_id in ids:
            job_store.finish_job(s, job_id, status="failed", now=now, note=f"未能送入消息队列：{reason}")


def wait_for_jobs(rt: Runtime, job_ids: list[str], *, timeout: float | None = None, poll: float = 1.0,
                  pickup_timeout: float | None = None,
                  on_change: Callable[[dict[str, int]], None] | None = None) -> JobsOutcome:
    """Poll the database until every job is completed, failed or skipped; sum their scans.

    Failures that workers could not write to the database (they cannot reach it) are taken from
    the broker and recorded here. Raises NoWorkerError when for ``pickup_timeout`` seconds
    (default ``distributed.pickup_timeout``) jobs wait in the queue, none runs, nothing changes
    and no worker listens to the queue; the jobs stay queued.
    """
    from orgwatch.distributed.startup import FailureBox

    pickup = rt.settings.distributed.pickup_timeout if pickup_timeout is None else pickup_timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    box = FailureBox(rt.settings.distributed.broker_url, rt.settings.distributed.queue)
    last: dict[str, int] = {}
    still_since = time.monotonic()
    try:
        while True:
            box.record(rt, job_ids)
            with rt.db.session() as s:
                rows = job_store.get_jobs(s, job_ids)
            counts = _count(rows)
            if counts != last:
                still_since = time.monotonic()
                if on_change:
                    on_change(counts)
            last = counts
            if len(rows) == len(set(job_ids)) and all(r.status in job_store.FINAL_STATUSES for r in rows):
                wait_for_judgements(rt, job_ids, poll=poll)
                with rt.db.session() as s:
                    rows = job_store.get_jobs(s, job_ids)
                return summarise(rt, rows)
            if deadline is not None and time.monotonic() > deadline:
                raise JobWaitTimeout(f"等待 {timeout:g} 秒后仍有任务未完成：{counts}。任务仍在队列或工作进程中，可稍后查看。")
            if counts.get("queued") and not counts.get("running") and time.monotonic() - still_since > pickup:
                _check_listeners(rt, counts["queued"], pickup)
                still_since = time.monotonic()  # workers listen, busy with other jobs: keep waiting
            time.sleep(poll)
    finally:
        box.close()


def _check_listeners(rt: Runtime, queued: int, waited: float) -> None:
    """Raise NoWorkerError unless some worker answers that it consumes ``distributed.queue``."""
    from orgwatch.distributed.app import broker_label, make_app

    conf = rt.settings.distributed
    app = make_app(rt.settings)
    try:
        replies = app.control.inspect(timeout=2.0).active_queues() or {}
    except Exception as exc:  # the broker went away: no worker can take the jobs either
        log.warning("cannot ask the workers which queues they consume: %s", exc)
        replies = {}
    finally:
        app.close()
    listening = [name for name, queues in replies.items() if any(q.get("name") == conf.queue for q in queues or [])]
    if listening:
        log.info("jobs still queued; workers %s consume %s and are busy", ", ".join(listening), conf.queue)
        return
    raise NoWorkerError(
        f"等待 {waited:g} 秒，没有工作进程取走任务：{queued} 个任务仍在队列 {conf.queue}（{broker_label(rt.settings)}）中排队，"
        "也没有工作进程在监听这个队列。请在能连接这个消息队列和数据库的机器上启动工作进程："
        "orgwatch worker --config 设置文件（常驻运行见 docs/deployment.md 的 orgwatch-worker@.service）。"
        "任务没有丢失，工作进程启动后会执行，结果用 orgwatch findings 查看；"
        "工作进程启动较慢时可加大设置 distributed.pickup_timeout。"
    )


def _count(rows: list[ScanJob]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def summarise(rt: Runtime, rows: list[ScanJob]) -> JobsOutcome:
    """Sum the scan runs of finished jobs."""
    with rt.db.session() as s:
        totals = job_store.scan_totals(s, [r.scan_id for r in rows if r.scan_id is not None])
    return JobsOutcome(jobs=rows, by_status=_count(rows), **totals)
