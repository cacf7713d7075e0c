"""One scheduler tick: find the channels that are due, skip those still being scanned, and scan
the rest in this process (local mode) or hand them to the Celery workers (distributed mode);
produce the weekly report when its time has come."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from config.registry import Registry, load_registry
from config.settings import Settings
from models import schedule as store
from models.audit import audited_sync as sync_registry  # also writes registry.sync to the audit log
from orgwatch.runtime import Runtime
from orgwatch.schedule import leasing
from orgwatch.schedule.due import ChannelState, Due, Policy, due_channels, next_due_at
from orgwatch.schedule.operators import tell_operators
from orgwatch.schedule.weekly import ReportOutcome, WeeklyReportJob

if TYPE_CHECKING:
    from orgwatch.scan_events import ScanSummary

log = logging.getLogger(__name__)

#: the holder of a skipped channel whose scan job is waiting in the queue
QUEUED = "queued"
#: queued jobs older than this are taken as lost by the broker and no longer hold their channels back
PENDING_JOB_WINDOW = dt.timedelta(days=1)


@dataclass(frozen=True)
class Skip:
    """A due channel left alone this tick: ``holder`` is still scanning it (or its job is queued)."""

    org_id: str
    org_name: str
    channel_id: int
    url: str
    holder: str


@dataclass
class TickResult:
    """What one tick did."""

    at: dt.datetime
    mode: str
    due: list[Due] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    scan: "ScanSummary | None" = None
    report: ReportOutcome | None = None
    next_due_at: dt.datetime | None = None


def resolve_mode(settings: Settings, override: str | None = None) -> str:
    """local or distributed: ``--mode``, else ``schedule.mode``; ``auto`` is distributed exactly
    when ``distributed.broker_url`` is written in the settings (file or environment)."""
    mode = override or settings.schedule.mode
    if mode == "auto":
        mode = "distributed" if "broker_url" in settings.distributed.model_fields_set else "local"
    return mode


class Scheduler:
    """Ticks on demand; keeps the registry fresh (re-read when its file changes) between ticks.

    ``follow_today``: move ``rt.as_of`` to today before every tick (a long-running scheduler);
    off when ``--as-of`` fixes the day or a test drives the clock through ``rt.now()``.
    """

    def __init__(self, rt: Runtime, mode: str | None = None, *, follow_today: bool = False,
                 holder: str | None = None) -> None:
        self.rt, self.follow_today = rt, follow_today
        self.mode = resolve_mode(rt.settings, mode)
        self.holder = holder or leasing.holder_name()
        self.policy = Policy.from_settings(rt.settings.schedule)
        self.report_job = WeeklyReportJob(rt, self.holder)
        self._registry_stamp: int | None = None

    def tick(self) -> TickResult:
        """Produce the weekly report if due, then scan or enqueue the channels that are due."""
        if self.follow_today:
            self.rt.as_of = dt.date.today()  # a scheduler running for weeks: "today" moves on
        now = self.rt.now()
        result = TickResult(at=now, mode=self.mode)
        result.report = self.report_job.run(now)
        registry, states, result.due, chosen = self.plan(now)
        if chosen:
            if self.mode == "local":
                self._run_local(chosen, registry, result)
            else:
                self._enqueue(chosen, registry, result)
        result.next_due_at = next_due_at(states, self.policy)
        return result

    def plan(self, now: dt.datetime) -> tuple[Registry, list[ChannelState], list[Due], list[ChannelState]]:
        """The registry, every channel's state, the due channels, and the channels to scan now."""
        registry = self._refresh_registry()
        states = self._states(registry)
        due = due_channels(states, now, self.policy)
        return registry, states, due, with_whole_orgs(due, states)

    def _refresh_registry(self) -> Registry:
        """The registry, re-read and synced into the database when its file changed since the last tick."""
        path = self.rt.settings.registry
        stamp = Path(path).stat().st_mtime_ns if path is not None and Path(path).exists() else None
        if stamp is not None and stamp == self._registry_stamp:
            return self.rt.registry
        registry = load_registry(path) if path is not None else self.rt.registry
        self.rt.__dict__["registry"] = registry  # replaces the cached_property's value
        with self.rt.db.session() as s:
            sync_registry(s, [o.model_dump() for o in registry.organizations], self.rt.now())
        self._registry_stamp = stamp
        return registry

    def _states(self, registry: Registry) -> list[ChannelState]:
        overrides = {(o.id, c.url): c.scan_interval for o in registry.organizations for c in o.channels}
        with self.rt.db.session() as s:
            rows = store.channel_states(s)
        return [ChannelState(channel_id=cid, org_id=org, kind=kind, url=url, last_scan_at=last,
                             failures=failures or 0, interval=overrides.get((org, url)), last_pages=pages or 0)
                for cid, org, kind, url, last, failures, pages in rows]

    def _skip(self, channels: list[ChannelState], holders: dict[int, str], registry: Registry,
              result: TickResult) -> list[ChannelState]:
        """Log and drop the channels in ``holders`` (channel id -> who is scanning it, or
        :data:`QUEUED`); return the others."""
        names = {o.id: o.name for o in registry.organizations}
        kept = []
        for ch in channels:
            holder = holders.get(ch.channel_id)
            if holder is None:
                kept.append(ch)
                continue
            skip = Skip(ch.org_id, names.get(ch.org_id, ch.org_id), ch.channel_id, ch.url, holder)
            result.skipped.append(skip)
            if holder == QUEUED:
                log.info("跳过机构 %s（%s）的渠道 %s：已有排队中的扫描任务，等工作进程完成",
                         skip.org_name, skip.org_id, skip.url)
            else:
                log.warning("跳过机构 %s（%s）的渠道 %s：上一次扫描仍在进行（%s），下一次检查时再看",
                            skip.org_name, skip.org_id, skip.url, holder)
        return kept

    def _run_local(self, chosen: list[ChannelState], registry: Registry, result: TickResult) -> None:
        """Scan the chosen channels here, under their leases, in one scan run."""
        from orgwatch.scan import run_scan

        rt = self.rt
        for _attempt in range(2):  # a second look if another scan took a channel between the two steps
            chosen = self._skip(chosen, leasing.held_by_others(rt, [c.channel_id for c in chosen], self.holder),
                                registry, result)
            ids = [c.channel_id for c in chosen]
            if not ids or leasing.try_acquire(rt, ids, self.holder):
                break
        else:
            log.warning("渠道正被其他扫描占用，本次检查不扫描，下一次检查时再试")
            return
        if not ids:
            return
        orgs = sorted({c.org_id for c in chosen})
        log.info("scanning %d due channels of %d organisations here", len(ids), len(orgs))
        with leasing.heartbeat(rt, ids, self.holder):
            result.started = ids
            # the registry was synced by _refresh_registry when its file last changed
            result.scan = run_scan(rt, org_ids=orgs, channel_ids=ids, deliver=True, sync=False)

    def _enqueue(self, chosen: list[ChannelState], registry: Registry, result: TickResult) -> None:
        """Hand the chosen channels to the workers, one job per organisation (per channel for a large site)."""
        from orgwatch.distributed import DistributedError, ScanJobSpec, enqueue_scans

        rt = self.rt
        _record_worker_failures(rt)  # jobs a worker could not start nor record: not pending any more
        with rt.db.session() as s:
            pending_orgs, pending_channels = store.pending_jobs(s, leasing.real_now() - PENDING_JOB_WINDOW)
        queued = {c.channel_id: QUEUED for c in chosen
                  if c.org_id in pending_orgs or c.channel_id in pending_channels}
        chosen = self._skip(chosen, queued, registry, result)
        chosen = self._skip(chosen, leasing.held_by_others(rt, [c.channel_id for c in chosen], self.holder),
                            registry, result)
        large = rt.settings.distributed.large_site_pages
        specs = []
        for org_id, channels in _by_org(chosen).items():
            if sum(c.last_pages for c in channels) > large and len(channels) > 1:
                specs += [ScanJobSpec(org_id, [c.channel_id]) for c in channels]
            else:
                specs.append(ScanJobSpec(org_id, [c.channel_id for c in channels]))
        if not specs:
            return
        try:
            result.jobs = list(enqueue_scans(rt, specs, deliver=True, sync=False))  # synced on change
        except DistributedError as exc:
            tell_operators(rt, f"schedule:queue:{leasing.real_now():%Y-%m-%d}", "定时扫描无法把任务放入队列", str(exc),
                           "启动 Redis 或改正 distributed.broker_url；调度器每次检查都会重试，恢复后自动继续")
            raise
        result.started = [c.channel_id for c in chosen]


def _record_worker_failures(rt: Runtime) -> None:
    """Mark failed the jobs whose worker left its failure on the broker (it could not reach the database)."""
    from orgwatch.distributed.startup import FailureBox

    box = FailureBox(rt.settings.distributed.broker_url, rt.settings.distributed.queue)
    try:
        recorded = box.record(rt)
    finally:
        box.close()
    if recorded:
        log.warning("%d 个扫描任务未能在工作进程上开始（原因见任务记录），已记为失败，到期的渠道会重新排队", recorded)


def _by_org(channels: list[ChannelState]) -> dict[str, list[ChannelState]]:
    groups: dict[str, list[ChannelState]] = {}
    for ch in channels:
        groups.setdefault(ch.org_id, []).append(ch)
    return groups


def with_whole_orgs(due: list[Due], states: list[ChannelState]) -> list[ChannelState]:
    """The due channels, plus every other channel of an organisation whose website is due: a scan
    that sees all of an organisation's channels is the one that judges its disclosures."""
    chosen = {d.channel.channel_id: d.channel for d in due}
    whole = {d.channel.org_id for d in due if d.channel.kind == "website"}
    for ch in states:
        if ch.org_id in whole:
            chosen.setdefault(ch.channel_id, ch)
    return sorted(chosen.values(), key=lambda c: (c.org_id, c.channel_id))
