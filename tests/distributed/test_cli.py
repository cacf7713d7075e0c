"""``scan --distributed`` and ``worker`` without a reachable Redis, and how jobs are planned:
these need no services (a closed port on 127.0.0.1 stands for a Redis that is down)."""
from __future__ import annotations

import datetime as dt
import json
import socket

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from config.settings import load_settings
from models.entities import Channel, ScanJob
from orgwatch.cli import main
from orgwatch.distributed import ScanJobSpec, plan_jobs
from orgwatch.distributed.jobs import job_payload
from orgwatch.distributed.tasks import runtime_for
from orgwatch.runtime import Runtime
from tests.distributed.orgsites import write_config


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def world(tmp_path, **distributed):
    urls = {f"org00{n}": f"http://127.0.0.1:{closed_port()}" for n in (1, 2, 3)}
    return write_config(tmp_path, urls, "json://127.0.0.1:9/pm",
                        distributed={"broker_url": f"redis://127.0.0.1:{closed_port()}/0", **distributed})


def test_scan_distributed_without_redis_says_what_to_do_and_records_nothing(tmp_path):
    config = world(tmp_path)
    result = CliRunner().invoke(main, ["scan", "--distributed", "--config", str(config)])
    assert result.exit_code == 2
    assert "无法连接消息队列" in result.output and "请启动 Redis" in result.output
    assert "distributed.broker_url" in result.output
    rt = Runtime(settings=load_settings(config))
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ScanJob)) == 0
    rt.db.dispose()


def test_worker_without_redis_exits_with_the_same_advice(tmp_path):
    result = CliRunner().invoke(main, ["worker", "--config", str(world(tmp_path))])
    assert result.exit_code == 2
    assert "无法连接消息队列" in result.output and "distributed.broker_url" in result.output


def test_wait_needs_distributed(tmp_path):
    result = CliRunner().invoke(main, ["scan", "--wait", "--config", str(world(tmp_path))])
    assert result.exit_code == 2
    assert "--wait 只能与 --distributed 一起使用" in result.output


def test_plan_one_job_per_org_and_per_channel_for_large_sites(tmp_path):
    config = world(tmp_path, large_site_pages=100)
    registry = tmp_path / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["organizations"][2]["channels"].append({"kind": "website", "url": f"http://127.0.0.1:{closed_port()}/"})
    registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rt = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 29))
    assert plan_jobs(rt) == [ScanJobSpec("org001"), ScanJobSpec("org002"), ScanJobSpec("org003")]
    with rt.db.session() as s:
        for ch in s.scalars(select(Channel).where(Channel.org_id.in_(["org002", "org003"]))):
            ch.last_pages = 150 if ch.org_id == "org002" else 60
        big = sorted(ch.id for ch in s.scalars(select(Channel).where(Channel.org_id == "org003")))
    # org003's two channels add up to 120 pages: one job each; org002's one channel is one job
    assert plan_jobs(rt) == [ScanJobSpec("org001"), ScanJobSpec("org002"),
                             ScanJobSpec("org003", [big[0]]), ScanJobSpec("org003", [big[1]])]
    rt.db.dispose()


def test_a_job_carries_settings_the_worker_reads_back_identically(tmp_path):
    config = world(tmp_path, lease_minutes=0.5)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["alerts"] = {"routes": [{"categories": ["pii_id"], "roles": ["platform_manager"]}]}
    settings["schedule"] = {"website_interval": "3d"}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    rt = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 2))
    payload = json.loads(json.dumps(job_payload(rt, "job-1", ScanJobSpec("org002", [7]), deliver=False)))
    worker_rt = runtime_for(payload)
    assert worker_rt.settings == rt.settings
    assert worker_rt.as_of == dt.date(2026, 11, 2)
    assert (payload["org_id"], payload["channel_ids"], payload["deliver"]) == ("org002", [7], False)
    assert [o.id for o in worker_rt.registry.organizations] == ["org001", "org002", "org003"]
