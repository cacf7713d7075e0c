"""Celery workers on the real Redis and PostgreSQL on 127.0.0.1 scan what one process would scan,
exactly once: two workers side by side, a worker killed mid-job, the same organisation twice."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.settings import load_settings
from orgwatch.cli import main
from orgwatch.distributed import ScanJobSpec, enqueue_scans
from orgwatch.runtime import Runtime
from tests.distributed.procs import wait_for_final, wait_until
from tests.distributed.orgsites import SlowSite, leaks_ids, org_id, write_config, write_sites

# real worker processes on a 2-core machine shared with other work: more than the default 300 s per test
pytestmark = [pytest.mark.services, pytest.mark.timeout(900)]
ORGS = 6


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(config: Path) -> list[tuple]:
    result = cli("findings", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted((f["org"], f["url"], f["category"], f["rule"], f["evidence"], f["status"])
                  for f in json.loads(result.output))


def messages(config: Path) -> list[tuple]:
    result = cli("alerts", "list", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted((m["org"], m["recipient"], m["status"]) for m in json.loads(result.output))


def distributed_world(folder: Path, urls: dict[str, str], notify: str, pg: str, redis_url: str, **options) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    queue = f"orgwatch-test-{uuid.uuid4().hex[:8]}"
    return write_config(folder, urls, notify, database_url=pg,
                        distributed={"broker_url": redis_url, "queue": queue, **options})


def runtime(config: Path) -> Runtime:
    return Runtime(settings=load_settings(config), as_of=dt.date.today())


def test_two_workers_find_exactly_what_one_process_finds(tmp_path, serve_sites, alert_sink, pg_database,
                                                         redis_url, start_workers):
    urls = serve_sites(write_sites(tmp_path / "sites", ORGS))
    local = tmp_path / "local"
    local.mkdir()
    reference = write_config(local, urls, alert_sink.url("local"))
    assert cli("scan", "--config", str(reference)).exit_code == 0

    config = distributed_world(tmp_path / "dist", urls, alert_sink.url("dist"), pg_database, redis_url)
    workers = start_workers(config)
    workers.start("w1")
    workers.start("w2")
    result = cli("scan", "--distributed", "--wait", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert f"已排入 {ORGS} 个扫描任务" in result.output
    assert f"完成 {ORGS} 个，跳过 0 个，失败 0 个" in result.output

    expected = findings(reference)
    assert {f[0] for f in expected} == {org_id(n) for n in range(1, ORGS + 1) if leaks_ids(n)}
    assert findings(config) == expected
    assert messages(config) == messages(reference)
    paths = sorted(m["path"] for m in alert_sink.received)
    assert paths.count("/dist") == paths.count("/local") == len({f[0] for f in expected})


def test_worker_killed_mid_job_is_retried_without_duplicates(tmp_path, alert_sink, pg_database, redis_url,
                                                             start_workers):
    slow = SlowSite(tmp_path / "slow", delay=0.8)
    try:
        url = slow.start()
        config = distributed_world(tmp_path / "dist", {"org003": url}, alert_sink.url("dist"), pg_database,
                                   redis_url, visibility_timeout=3, lease_minutes=0.1)
        rt = runtime(config)
        workers = start_workers(config)
        workers.start("doomed")
        [job_id] = enqueue_scans(rt, [ScanJobSpec("org003")])
        wait_until(lambda: slow.requests >= 1, bound=60, what="the crawl to reach the slow site")
        workers.kill("doomed")
        served_before_kill = slow.requests
        workers.start("survivor")
        [job] = wait_for_final(rt, [job_id], bound=180)
    finally:
        slow.stop()
    assert job.status == "completed" and job.attempts == 2
    assert slow.requests > served_before_kill  # the survivor crawled the site again
    found = findings(config)
    assert [(f[0], f[2], f[5]) for f in found] == [("org003", "pii_id", "open")]
    assert messages(config) == [("org003", "管理员3", "sent")]
    assert [m["path"] for m in alert_sink.received] == ["/dist"]
    rt.db.dispose()


def test_same_organisation_enqueued_twice_scans_once(tmp_path, alert_sink, pg_database, redis_url, start_workers):
    slow = SlowSite(tmp_path / "slow", delay=0.8)
    try:
        url = slow.start()
        config = distributed_world(tmp_path / "dist", {"org003": url}, alert_sink.url("dist"), pg_database,
                                   redis_url)
        rt = runtime(config)
        workers = start_workers(config)
        workers.start("w1")
        workers.start("w2")
        ids = enqueue_scans(rt, [ScanJobSpec("org003"), ScanJobSpec("org003")])
        jobs = wait_for_final(rt, ids, bound=180)
    finally:
        slow.stop()
    assert sorted(j.status for j in jobs) == ["completed", "skipped"], [(j.status, j.note) for j in jobs]
    [skipped] = [j for j in jobs if j.status == "skipped"]
    [done] = [j for j in jobs if j.status == "completed"]
    assert done.holder and done.holder in skipped.note
    logs = workers.log("w1") + workers.log("w2")
    assert f"跳过机构 青溪区第3社区服务中心（org003）的扫描：渠道正由 {done.holder} 扫描" in logs
    assert [(f[0], f[2]) for f in findings(config)] == [("org003", "pii_id")]
    assert messages(config) == [("org003", "管理员3", "sent")]
    rt.db.dispose()
