"""Distributed scan throughput: N generated organisation sites on 127.0.0.1 (one port each),
scanned by Celery workers (`orgwatch worker`) on the local Redis and PostgreSQL, first by
one worker and then by two, in the same run; prints organisations per minute and the ratio.

    .venv/bin/python benchmarks/distributed_bench.py              # 200 organisations
    .venv/bin/python benchmarks/distributed_bench.py --orgs 40 --no-baseline

Each run gets a fresh PostgreSQL database and its own Redis database number; the timing
starts when the jobs are enqueued (workers already up and answering) and ends when the last
job is recorded as finished. The optional baseline is one `orgwatch scan` process on SQLite.
"""
from __future__ import annotations

import argparse
import json
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config.settings import load_settings  # noqa: E402
from orgwatch.devserver import AlertReceiver, SiteServer  # noqa: E402
from orgwatch.distributed import enqueue_scans, plan_jobs, wait_for_jobs  # noqa: E402
from orgwatch.runtime import Runtime  # noqa: E402
from tests.distributed.orgsites import write_config, write_sites  # noqa: E402
from tests.distributed.procs import Workers  # noqa: E402

PG = os.environ.get("ORGWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"orgwatch_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def free_redis_db() -> int:
    for number in range(1, 16):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.set("orgwatch:test-claim", f"bench:{os.getpid()}", nx=True, ex=7200):
            client.close()
            return number
        client.close()
    raise SystemExit("all Redis databases 1-15 are claimed")


def release_redis_db(number: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=6379, db=number)
    client.flushdb()
    client.close()


def run_workers(work: Path, urls: dict[str, str], sink: AlertReceiver, count: int) -> dict:
    """Scan every organisation with ``count`` workers; return the timing and what was found."""
    folder = work / f"workers-{count}"
    folder.mkdir()
    db_name, db_url = fresh_database(PG)
    number = free_redis_db()
    try:
        config = write_config(folder, urls, sink.url(f"w{count}"), database_url=db_url,
                              distributed={"broker_url": f"redis://127.0.0.1:6379/{number}", "queue": "bench"})
        rt = Runtime(settings=load_settings(config), as_of=dt.date.today())
        workers = Workers(config, folder)
        try:
            for n in range(count):
                workers.start(f"bench{n + 1}")
            specs = plan_jobs(rt)
            start = time.monotonic()
            ids = enqueue_scans(rt, specs)
            outcome = wait_for_jobs(rt, ids, poll=0.5)
            seconds = time.monotonic() - start
        finally:
            workers.stop_all()
        rt.db.dispose()
        return {"label": f"{count} 个工作进程", "seconds": seconds, "orgs": len(urls),
                "findings": outcome.findings_new, "status": outcome.by_status}
    finally:
        drop_database(PG, db_name)
        release_redis_db(number)


def run_baseline(work: Path, urls: dict[str, str], sink: AlertReceiver) -> dict:
    """One ``orgwatch scan`` process (one crawl process for every site), SQLite."""
    folder = work / "baseline"
    folder.mkdir()
    config = write_config(folder, urls, sink.url("baseline"))
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "orgwatch", "scan", "--config", str(config)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    result = subprocess.run([sys.executable, "-m", "orgwatch", "findings", "--config", str(config), "--format", "json"],
                            cwd=ROOT, check=True, capture_output=True, text=True)

    return {"label": "单进程 orgwatch scan（SQLite）", "seconds": seconds, "orgs": len(urls),
            "findings": len(json.loads(result.stdout)), "status": {}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=200, help="number of generated organisation sites")
    parser.add_argument("--no-baseline", action="store_true", help="skip the single-process scan")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orgwatch-dbench-") as tmp:
        work = Path(tmp)
        server = SiteServer(write_sites(work / "sites", args.orgs))
        urls = server.start()
        sink = AlertReceiver(work / "sink").start()
        try:
            rows = [run_workers(work, urls, sink, 1), run_workers(work, urls, sink, 2)]
            if not args.no_baseline:
                rows.append(run_baseline(work, urls, sink))
        finally:
            sink.stop()
            server.stop()
    print(f"机器：{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}；{args.orgs} 个机构，每个 4 页\n")
    print("| 运行 | 机构 | 秒 | 机构/分钟 | 新问题 | 任务 |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['label']} | {r['orgs']} | {r['seconds']:.1f} | {r['orgs'] / r['seconds'] * 60:.1f} | "
              f"{r['findings']} | {r['status']} |")
    one, two = rows[0], rows[1]
    print(f"\n2 个工作进程 / 1 个工作进程：{one['seconds'] / two['seconds']:.2f} 倍")


if __name__ == "__main__":
    main()
