"""The scan job a Celery worker runs: lease the channels, scan one organisation, record the outcome.

A job whose channels are leased by another running job is skipped (and logged); a job
redelivered after its worker died waits, by Celery retries, until the dead worker's lease
expires, then scans again: findings and alerts are upserts on unique keys, so nothing is doubled.
A job that cannot start here (settings, registry or database unusable) fails with the reason
and what to do (:mod:`orgwatch.distributed.startup`), never stays queued.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

from config.registry import Registry, load_registry
from config.settings import Settings
from models import jobs, leases, pages, scans
from models import schedule as marks
from orgwatch.distributed.jobs import channels_read, split_mark
from orgwatch.distributed.startup import record_not_started, why_not_started
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
#: the longest a redelivered job waits before looking at a lease again, in seconds
MAX_RETRY_WAIT = 60.0
#: a claim to judge a split scan older than this was abandoned (its worker died) and is taken over
JUDGE_STALE = dt.timedelta(minutes=30)


def wall_now() -> dt.datetime:
    """Leases and job records use the real time, whatever ``--as-of`` says."""
    return dt.datetime.now(dt.timezone.utc)


#: registries read by this process (or the worker it was forked from), by path, mtime and size
_REGISTRIES: dict[tuple[str, int, int], Registry] = {}


def cached_registry(path: Path) -> Registry:
    """The registry at ``path``, read once per version of the file: the worker reads it before
    forking its job processes, so a job does not parse a province-sized registry again."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _REGISTRIES:
        _REGISTRIES.clear()
        _REGISTRIES[key] = load_registry(path)
    return _REGISTRIES[key]


def runtime_for(payload: dict[str, Any]) -> Runtime:
    """The Runtime the enqueuing command had: the same settings and the same ``--as-of`` day."""
    rt = Runtime(settings=Settings(**payload["settings"]), as_of=dt.date.fromisoformat(payload["as_of"]))
    if rt.settings.registry is not None and Path(rt.settings.registry).is_file():
        rt.__dict__["registry"] = cached_registry(Path(rt.settings.registry))  # fills the cached_property
    return rt


def scan_job(task, payload: dict[str, Any]) -> str:
    """Celery task body (bound): run the job described by ``payload`` (``orgwatch.distributed.jobs.job_payload``)."""
    broker = {"broker_url": task.app.conf.broker_url, "queue": task.app.conf.task_default_queue}
    try:
        rt = runtime_for(payload)
    except Exception as exc:  # the settings the job carries are unusable on this machine
        return record_not_started(None, payload, why_not_started(exc, payload, settings_stage=True), **broker)
    try:
        outcome = JobRun(rt, payload).run()
    except Exception as exc:  # before the scan (or in recording it): the job must not stay queued
        outcome = record_not_started(rt, payload, why_not_started(exc, payload), **broker)
    finally:
        if "db" in rt.__dict__:  # opened (not when opening it is what failed)
            rt.db.dispose()
    if isinstance(outcome, float):
        raise task.retry(countdown=outcome, max_retries=None)
    return outcome


class JobRun:
    """One delivery of a scan job to this worker process."""

    def __init__(self, rt: Runtime, payload: dict[str, Any]) -> None:
        self.rt, self.payload = rt, payload
        self.job_id, self.org_id = payload["job_id"], payload["org_id"]
        self.holder = f"job:{self.job_id}@{socket.gethostname()}:{os.getpid()}"
        self.ttl = dt.timedelta(minutes=rt.settings.distributed.lease_minutes)
        self.org_name = self.org_id

    def run(self) -> str | float:
        """``completed``/``failed``/``skipped``/``dropped``, or seconds to wait before a retry.

        Raises when the job cannot start here (database unreachable, organisation not in this
        machine's registry): ``scan_job`` records why.
        """
        self.rt.registry.get(self.org_id)  # the scan needs it; missing here, the job fails now with the reason
        with self.rt.db.session() as s:
            job = jobs.get_job(s, self.job_id)
            if job is None or job.status in jobs.FINAL_STATUSES:
                log.info("job %s is %s; nothing to do", self.job_id, job.status if job else "unknown")
                return "dropped"
            org = pages.get_org(s, self.org_id)
            self.org_name = org.name if org else self.org_id
            ids = self.payload.get("channel_ids")
            channels = ids if ids is not None else [c.id for c in scans.active_channels(s, [self.org_id])]
        with self.rt.db.session() as s:
            won = leases.acquire(s, channels, self.holder, wall_now(), self.ttl)
        if not won:
            outcome = self._not_leased(channels)
        else:
            try:
                outcome = self._scan(channels)
            finally:
                with self.rt.db.session() as s:
                    leases.release(s, channels, self.holder)
        if isinstance(outcome, str) and self.payload.get("group"):
            self._judge_group(self.payload["group"])
        return outcome

    def _judge_group(self, group: dict[str, Any]) -> None:
        """When this is the last of the jobs that split the organisation's channels, judge its
        disclosures and channel health over what they read (once: the first to claim it)."""
        from orgwatch.scan import judge_split_scan

        key = split_mark(group["id"])
        with self.rt.db.session() as s:
            read = channels_read(jobs.get_jobs(s, group["jobs"]), len(group["jobs"]))
            if read is None:
                return  # another job of the group is still to come; the last one judges
            if not read or not marks.claim_mark(s, key, self.holder, wall_now(), JUDGE_STALE):
                return
        try:
            judge_split_scan(self.rt, self.org_id, read, deliver=self.payload.get("deliver", True))
        except Exception:  # the scans are recorded; the next split scan of the organisation judges again
            log.exception("organisation %s: disclosure and channel health after its split scan failed", self.org_id)
            with self.rt.db.session() as s:
                marks.drop_mark(s, key, self.holder)
            return
        with self.rt.db.session() as s:
            marks.finish_mark(s, key, wall_now(), {"org_id": self.org_id, "channels": len(read)})

    def _not_leased(self, channels: list[int]) -> str | float:
        with self.rt.db.session() as s:
            holders = leases.held(s, channels, wall_now())
        if not holders or any(h.startswith(f"job:{self.job_id}@") for h in holders.values()):
            # an earlier delivery of this very job holds them: still running, or its worker died
            # and the lease has yet to expire; look again later rather than skip the job
            wait = min(MAX_RETRY_WAIT, self.ttl.total_seconds() / 3, self.rt.settings.distributed.visibility_timeout / 2)
            log.info("job %s: channels still leased by an earlier delivery (%s); retrying in %.0f s",
                     self.job_id, ", ".join(sorted(set(holders.values()))), wait)
            return max(1.0, wait)
        who = "、".join(sorted(set(holders.values())))
        log.warning("跳过机构 %s（%s）的扫描：渠道正由 %s 扫描，两次扫描不能重叠（任务 %s）",
                    self.org_name, self.org_id, who, self.job_id)
        with self.rt.db.session() as s:
            jobs.finish_job(s, self.job_id, status="skipped", now=wall_now(), note=f"渠道正由 {who} 扫描，本次跳过")
        return "skipped"

    def _scan(self, channels: list[int]) -> str:
        from orgwatch.scan import run_scan

        with self.rt.db.session() as s:
            if jobs.begin_attempt(s, self.job_id, holder=self.holder, now=wall_now()) is None:
                return "dropped"  # finished by an earlier delivery just before this one got the lease
        status, note, scan_id = "failed", None, None
        try:
            with Heartbeat(self.rt, channels, self.holder, self.ttl):
                summary = run_scan(self.rt, [self.org_id], deliver=self.payload.get("deliver", True),
                                   channel_ids=self.payload.get("channel_ids"), sync=False)
            status, note, scan_id = summary.status, summary.error, summary.scan_id
        except Exception as exc:  # recorded on the job; the worker carries on with the next one
            log.exception("job %s (%s) failed", self.job_id, self.org_id)
            note = str(exc) or type(exc).__name__
        with self.rt.db.session() as s:
            if scan_id is not None:
                jobs.set_scan(s, self.job_id, scan_id)
            jobs.finish_job(s, self.job_id, status=status, now=wall_now(), note=note)
        return status


class Heartbeat:
    """Renews a job's channel leases every third of their lifetime while the scan runs."""

    def __init__(self, rt: Runtime, channels: list[int], holder: str, ttl: dt.timedelta) -> None:
        self.rt, self.channels, self.holder, self.ttl = rt, channels, holder, ttl
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _beat(self) -> None:
        while not self.stop.wait(self.ttl.total_seconds() / 3):
            try:
                with self.rt.db.session() as s:
                    kept = leases.renew(s, self.channels, self.holder, wall_now(), self.ttl)
            except Exception:  # a missed beat is survivable; the next one tries again
                log.warning("could not renew the leases of %s", self.holder, exc_info=True)
                continue
            if not kept:
                log.warning("%s lost its channel leases (expired); another job may scan the same channels",
                            self.holder)
