"""``orgwatch schedule --mode distributed`` on the real Redis: due channels become scan jobs in
the queue (one per organisation), a channel whose job is still queued is not queued again, and
real ``orgwatch worker`` processes scan them."""
from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from config.settings import load_settings
from models.entities import Channel, ScanJob
from models.sync import sync_registry
from orgwatch.cli import main
from orgwatch.distributed.app import make_app
from tests.distributed.conftest import start_workers  # noqa: F401 - a fixture, used by name
from tests.distributed.procs import wait_for_final
from tests.schedule.world import cst, runtime, write_config


def distributed_config(folder: Path, urls: dict[str, str], redis_url: str, database_url: str | None = None) -> Path:
    extra = {"distributed": {"broker_url": redis_url, "queue": f"orgwatch-sched-{uuid.uuid4().hex[:8]}"}}
    if database_url:
        extra["database_url"] = database_url
    return write_config(folder, urls, extra=extra)


def schedule_once(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def queued_jobs(config: Path) -> list[dict]:
    """The scan jobs waiting in the Celery queue, read (and consumed) through kombu."""
    settings = load_settings(config)
    app = make_app(settings)
    payloads = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(settings.distributed.queue, no_ack=True)
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            args, _kwargs, _embed = message.decode()
            payloads.append(args[0])
        queue.close()
    return payloads


@pytest.mark.services
def test_due_channels_are_queued_once_per_organisation(urls, tmp_path, redis_url):
    config = distributed_config(tmp_path, urls, redis_url)
    first = schedule_once(config)  # auto mode: distributed.broker_url is set
    assert "到期渠道 3 个（从未扫描 3 个）：放入队列 2 个任务（3 个渠道）" in first

    second = schedule_once(config)  # the jobs have not run yet: nothing is queued twice
    assert "放入队列 0 个任务" in second and "跳过 3 个" in second

    jobs = queued_jobs(config)
    rt = runtime(config, cst(2026, 11, 30, 9))
    with rt.db.session() as s:
        ids = {ch.org_id: sorted(c.id for c in s.scalars(select(Channel).where(Channel.org_id == ch.org_id)))
               for ch in s.scalars(select(Channel))}
    assert sorted((j["org_id"], sorted(j["channel_ids"])) for j in jobs) == sorted(ids.items())
    assert all(j["deliver"] for j in jobs)


@pytest.mark.services
def test_workers_scan_what_the_scheduler_queued(urls, tmp_path, redis_url, pg_database, start_workers):
    config = distributed_config(tmp_path, urls, redis_url, pg_database)
    workers = start_workers(config)
    workers.start("s1")
    schedule_once(config, "--mode", "distributed")
    rt = runtime(config, cst(2026, 11, 30, 9))
    with rt.db.session() as s:
        job_ids = [j.id for j in s.scalars(select(ScanJob))]
    assert len(job_ids) == 2
    rows = wait_for_final(rt, job_ids, bound=300)
    assert sorted(r.status for r in rows) == ["completed", "completed"]
    with rt.db.session() as s:
        assert all(ch.last_scan_at is not None for ch in s.scalars(select(Channel)))
    assert "没有到期的渠道" in schedule_once(config, "--mode", "distributed")


def test_queue_down_is_a_clear_error_and_records_nothing(urls, tmp_path, alert_sink):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port on this machine where nothing listens
    port = closed.getsockname()[1]
    config = write_config(tmp_path, urls, extra={
        "distributed": {"broker_url": f"redis://127.0.0.1:{port}/0"},
        "alerts": {"operators": [alert_sink.url("ops")]},
    })
    result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(config)], catch_exceptions=False)
    closed.close()
    assert result.exit_code == 2
    assert "无法连接消息队列" in result.output and "distributed.broker_url" in result.output
    rt = runtime(config, cst(2026, 11, 30, 9))
    with rt.db.session() as s:
        assert s.scalars(select(ScanJob)).all() == []
        assert all(ch.last_scan_at is None for ch in s.scalars(select(Channel)))
    told = [m.get("title", "") + m.get("message", "") for m in alert_sink.received if m["path"] == "/ops"]
    assert len(told) == 1 and "定时扫描无法把任务放入队列" in told[0]


@pytest.mark.services
def test_large_site_is_queued_one_channel_per_job(urls, tmp_path, redis_url):
    config = distributed_config(tmp_path, urls, redis_url)
    rt = runtime(config, cst(2026, 11, 30, 9))
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], rt.now())
        s.flush()
        for ch in s.scalars(select(Channel).where(Channel.org_id == "anhe")):
            ch.last_pages = 800  # 1,600 pages in all: more than distributed.large_site_pages (1,000)
    assert "放入队列 3 个任务（3 个渠道）" in schedule_once(config)
    jobs = sorted((j["org_id"], len(j["channel_ids"])) for j in queued_jobs(config))
    assert jobs == [("anhe", 1), ("anhe", 1), ("qinghe", 1)]
