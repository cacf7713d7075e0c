"""Jobs that cannot start on a worker fail with the reason and what to do, and ``scan --distributed
--wait`` ends: a worker whose registry lacks the organisation, one that cannot reach the database,
one that cannot read the job's settings; and no worker at all (the jobs stay queued)."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from config.settings import load_settings
from models import jobs as job_store
from models.entities import ScanJob
from orgwatch.cli import main
from orgwatch.distributed import wait_for_jobs
from orgwatch.distributed.app import SCAN_TASK, make_app
from orgwatch.distributed.jobs import ScanJobSpec, job_payload
from orgwatch.runtime import Runtime
from tests.distributed.orgsites import write_config
from tests.distributed.procs import ROOT, wait_until

pytestmark = [pytest.mark.services, pytest.mark.timeout(900)]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def world(folder: Path, redis_url: str, database_url: str | None = None, **distributed) -> Path:
    """Two organisations whose sites are never fetched (every job here fails before its scan)."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = {f"org00{n}": f"http://127.0.0.1:{closed_port()}" for n in (1, 2)}
    queue = f"orgwatch-test-{uuid.uuid4().hex[:8]}"
    return write_config(folder, urls, "json://127.0.0.1:9/pm", database_url=database_url,
                        distributed={"broker_url": redis_url, "queue": queue, **distributed})


def jobs_of(config: Path) -> list[ScanJob]:
    rt = Runtime(settings=load_settings(config))
    with rt.db.session() as s:
        rows = list(s.scalars(select(ScanJob)))
        s.expunge_all()
    rt.db.dispose()
    return rows


class Scan:
    """``orgwatch scan --distributed --wait`` in a subprocess, its output read as it comes."""

    def __init__(self, config: Path, *org_ids: str) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "orgwatch", "scan", *org_ids, "--distributed", "--wait", "--config", str(config)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def finish(self, bound: float) -> int:
        code = self.proc.wait(timeout=bound)
        self.reader.join(timeout=30)
        return code


def test_org_missing_from_the_workers_registry_fails_the_job_and_wait_ends(tmp_path, pg_database, redis_url,
                                                                         start_workers):
    config = world(tmp_path, redis_url, pg_database, pickup_timeout=600)
    scan = Scan(config, "--org", "org002")
    try:
        wait_until(lambda: "正在等待任务结束" in scan.output, bound=120, what="the job to be queued")
        # the worker's machine has an older registry, without org002
        registry = tmp_path / "registry.yaml"
        data = yaml.safe_load(registry.read_text(encoding="utf-8"))
        data["organizations"] = [o for o in data["organizations"] if o["id"] != "org002"]
        registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        start_workers(config).start("w1")
        code = scan.finish(bound=300)
    finally:
        if scan.proc.poll() is None:
            scan.proc.kill()
    assert code == 1, scan.output
    assert "完成 0 个，跳过 0 个，失败 1 个" in scan.output
    assert "无法开始扫描" in scan.output and "名册中没有 id 为 'org002' 的机构" in scan.output
    assert "请把最新的名册分发到每台运行 orgwatch worker 的机器" in scan.output
    [job] = jobs_of(config)
    assert (job.org_id, job.status, job.scan_id) == ("org002", "failed", None)


def test_worker_that_cannot_reach_the_database_fails_the_job_through_the_broker(tmp_path, redis_url, start_workers,
                                                                              monkeypatch):
    monkeypatch.delenv("ORGWATCH_DATABASE_URL", raising=False)
    config = world(tmp_path, redis_url, pickup_timeout=600)  # the default SQLite file in the data directory
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--config", str(config)]).exit_code == 0
    # this worker's environment points its jobs at a database that is not there
    nowhere = f"postgresql+psycopg://orgwatch:secret@127.0.0.1:{closed_port()}/orgwatch"
    start_workers(config).start("w1", args=("--db", f"sqlite:///{tmp_path / 'worker-own.db'}"),
                                env={"ORGWATCH_DATABASE_URL": nowhere})

    result = runner.invoke(main, ["scan", "--org", "org001", "--distributed", "--wait", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "失败 1 个" in result.output
    assert "无法开始扫描" in result.output and "无法访问数据库" in result.output
    assert "ORGWATCH_DATABASE_URL" in result.output and "secret" not in result.output
    [job] = jobs_of(config)
    assert (job.org_id, job.status) == ("org001", "failed")
    rt = Runtime(settings=load_settings(config))
    assert redis.Redis.from_url(redis_url).hlen(f"orgwatch:job-failures:{rt.settings.distributed.queue}") == 0


def test_settings_the_worker_cannot_read_fail_the_job(tmp_path, pg_database, redis_url, start_workers):
    config = world(tmp_path, redis_url, pg_database)
    start_workers(config).start("w1")
    rt = Runtime(settings=load_settings(config), as_of=dt.date.today())
    job_id = uuid.uuid4().hex
    with rt.db.session() as s:
        job_store.add_job(s, job_id=job_id, org_id="org001", channel_ids=None, as_of=rt.as_of,
                          now=dt.datetime.now(dt.timezone.utc))
    payload = job_payload(rt, job_id, ScanJobSpec("org001"), deliver=True)
    payload["settings"]["future_setting"] = True  # a setting of a newer orgwatch than the worker's
    app = make_app(rt.settings)
    app.send_task(SCAN_TASK, args=[payload], task_id=job_id, queue=rt.settings.distributed.queue)
    app.close()

    outcome = wait_for_jobs(rt, [job_id], timeout=300, poll=0.5)
    [job] = outcome.jobs
    assert job.status == "failed"
    assert "无法开始扫描" in job.note and "future_setting" in job.note
    assert "所有机器使用同一份设置" in job.note
    rt.db.dispose()


def test_wait_without_any_worker_stops_and_leaves_the_jobs_queued(tmp_path, redis_url):
    config = world(tmp_path, redis_url, pickup_timeout=1)
    result = CliRunner().invoke(main, ["scan", "--distributed", "--wait", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "已排入 2 个扫描任务" in result.output
    assert "没有工作进程取走任务：2 个任务仍在队列" in result.output
    assert "orgwatch worker --config" in result.output and "distributed.pickup_timeout" in result.output
    assert sorted(j.status for j in jobs_of(config)) == ["queued", "queued"]
    queue = load_settings(config).distributed.queue
    assert redis.Redis.from_url(redis_url).llen(queue) == 2, "the jobs are still in the queue"
