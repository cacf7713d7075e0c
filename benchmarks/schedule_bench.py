"""Benchmark: one ``orgwatch schedule`` tick's decision over a large registry (no crawling).

    .venv/bin/python benchmarks/schedule_bench.py [--orgs 2000] [--channels-per-org 5] [--rounds 3] [--db URL]

Writes a registry of ``--orgs`` organisations (one website and the rest feeds each, 10,000
channels by default), syncs it into a fresh SQLite file (or ``--db``, e.g. an empty PostgreSQL
database), gives every channel a last scan spread over the past eight days (a fixed seed, a
twentieth of them failed), and times what a tick does before it scans anything:

- reading and validating the registry YAML, and the first sync into the database;
- a steady tick (registry unchanged): the channel states query and the due computation;
- the lease check over the due channels;
- a tick after the registry file changed (read, validate, sync, plan).

Prints a Markdown table (medians of ``--rounds``; wall time and this process's CPU time, which
depends less on a busy machine) with the machine it ran on.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402
from sqlalchemy import select  # noqa: E402

from classifier.codes import uscc_check_char  # noqa: E402
from config.registry import load_registry  # noqa: E402
from config.settings import load_settings  # noqa: E402
from models.entities import Channel  # noqa: E402
from orgwatch.runtime import Runtime  # noqa: E402
from orgwatch.schedule import Scheduler  # noqa: E402
from orgwatch.schedule.leasing import held_by_others  # noqa: E402


def write_registry(path: Path, orgs: int, per_org: int) -> None:
    entries = []
    for n in range(1, orgs + 1):
        body = f"52500199MJ{n:07d}"
        channels = [{"kind": "website", "url": f"https://org{n}.example.org/"}]
        channels += [{"kind": "feed", "url": f"https://org{n}.example.org/feed{k}.xml"} for k in range(1, per_org)]
        entries.append({"id": f"org{n}", "name": f"测试社会组织{n}", "type": "social_group",
                        "uscc": body + uscc_check_char(body), "registration_authority": "云川市民政局",
                        "channels": channels})
    path.write_text(yaml.safe_dump({"organizations": entries}, allow_unicode=True), encoding="utf-8")


def age_channels(rt: Runtime, now: dt.datetime) -> None:
    rng = random.Random(20261129)
    with rt.db.session() as s:
        for ch in s.scalars(select(Channel)):
            ch.last_scan_at = now - dt.timedelta(minutes=rng.randrange(8 * 24 * 60))
            ch.consecutive_failures = 1 if rng.random() < 0.05 else 0


def timed(fn) -> tuple[tuple[float, float], object]:
    """(wall seconds, this process's CPU seconds) and the result of ``fn()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - wall, time.process_time() - cpu), value


def measure(folder: Path, db_url: str | None) -> dict[str, tuple[float, float] | int]:
    config = folder / "orgwatch.yaml"
    config.write_text(yaml.safe_dump({"data_dir": "data", "registry": "registry.yaml",
                                      **({"database_url": db_url} if db_url else {})}), encoding="utf-8")
    rt = Runtime(settings=load_settings(config))
    rt.db  # noqa: B018 - migrate before timing
    row: dict[str, tuple[float, float] | int] = {}
    row["load"], _ = timed(lambda: load_registry(folder / "registry.yaml"))
    scheduler = Scheduler(rt, "local")
    row["first_sync"], _ = timed(lambda: scheduler.plan(rt.now()))
    age_channels(rt, rt.now())
    row["steady"], (_, states, due, chosen) = timed(lambda: scheduler.plan(rt.now()))
    row["channels"], row["due"], row["chosen"] = len(states), len(due), len(chosen)
    row["leases"], _ = timed(lambda: held_by_others(rt, [c.channel_id for c in chosen], scheduler.holder))
    os.utime(folder / "registry.yaml")  # the file changed: the next tick re-reads and syncs it
    row["changed"], _ = timed(lambda: scheduler.plan(rt.now()))
    rt.db.dispose()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--channels-per-org", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", help="an empty database URL instead of a fresh SQLite file per round")
    args = parser.parse_args()
    rows = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="orgwatch-schedule-bench-") as tmp:
            folder = Path(tmp)
            write_registry(folder / "registry.yaml", args.orgs, args.channels_per_org)
            rows.append(measure(folder, args.db))
            if args.db:
                break  # the database is no longer empty
    med = {k: statistics.median(r[k] for r in rows) if isinstance(rows[0][k], int) else
           tuple(statistics.median(r[k][i] for r in rows) for i in (0, 1)) for k in rows[0]}
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}; database {args.db or 'SQLite'}; "
          f"{len(rows)} round(s), medians")
    print(f"\n{int(med['channels'])} channels of {args.orgs} organisations; due {int(med['due'])}, "
          f"to scan with their organisations {int(med['chosen'])}\n")
    print("| step | wall seconds | CPU seconds (this process) |\n|---|---:|---:|")
    for key, label in (("load", "read and validate the registry YAML"), ("first_sync", "first tick: sync + plan"),
                       ("steady", "steady tick: states query + due computation"),
                       ("leases", "lease check over the channels to scan"),
                       ("changed", "tick after the registry changed: read + sync + plan")):
        print(f"| {label} | {med[key][0]:.2f} | {med[key][1]:.2f} |")


if __name__ == "__main__":
    main()
