"""``orgwatch schedule`` in local mode against sites on 127.0.0.1: only due channels are scanned,
a channel another scan holds is skipped and logged, and the loop stops on SIGTERM."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from models import leases
from models.entities import Channel, ScanRun
from models.sync import sync_registry
from orgwatch.cli import main
from orgwatch.schedule import Scheduler
from tests.schedule.world import cst, runtime, write_config


def schedule_once(config: Path, as_of: str):
    result = CliRunner().invoke(main, ["schedule", "--once", "--mode", "local", "--config", str(config),
                                       "--as-of", as_of], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def last_scans(rt) -> dict[str, dt.datetime | None]:
    with rt.db.session() as s:
        return {ch.url.rsplit("/", 1)[-1] or ch.org_id: ch.last_scan_at for ch in s.scalars(select(Channel))}


def test_once_scans_due_channels_and_then_nothing(urls, tmp_path):
    config = write_config(tmp_path, urls)
    first = schedule_once(config, "2026-11-30")
    assert "到期渠道 3 个（从未扫描 3 个）：扫描 3 个渠道" in first
    rt = runtime(config, cst(2026, 11, 30, 12))
    scanned = last_scans(rt)
    assert all(at is not None for at in scanned.values()), scanned

    second = schedule_once(config, "2026-11-30")
    assert "没有到期的渠道" in second
    assert last_scans(rt) == scanned

    # two days later only the feed (daily) is due; the websites (weekly) are not
    third = schedule_once(config, "2026-12-02")
    assert "到期渠道 1 个（间隔已到 1 个）：扫描 1 个渠道" in third
    after = last_scans(rt)
    assert after["feed.xml"] > scanned["feed.xml"]
    assert {k: v for k, v in after.items() if k != "feed.xml"} == {k: v for k, v in scanned.items() if k != "feed.xml"}
    with rt.db.session() as s:
        assert len(s.scalars(select(ScanRun)).all()) == 2


def test_website_due_brings_the_rest_of_its_organisation(urls, tmp_path):
    config = write_config(tmp_path, urls)
    rt = runtime(config, cst(2026, 11, 30, 9))
    Scheduler(rt, "local").tick()
    # eight days on, the feed was scanned an hour ago by itself, but anhe's website is due:
    # the whole organisation is scanned together, so its disclosures can be judged
    rt.at(cst(2026, 12, 8, 9))
    with rt.db.session() as s:
        s.scalars(select(Channel).where(Channel.kind == "feed")).one().last_scan_at = cst(2026, 12, 8, 8)
    result = Scheduler(rt, "local").tick()
    assert {d.channel.kind for d in result.due} == {"website"}
    assert len(result.started) == 3
    assert last_scans(rt)["feed.xml"] == cst(2026, 12, 8, 9)


def test_channel_held_by_a_running_scan_is_skipped_and_logged(urls, tmp_path, caplog):
    config = write_config(tmp_path, urls)
    rt = runtime(config, cst(2026, 11, 30, 9))
    scheduler = Scheduler(rt, "local")
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], rt.now())  # channels get ids
        qinghe = s.scalars(select(Channel).where(Channel.org_id == "qinghe")).one()
        now = dt.datetime.now(dt.timezone.utc)
        assert leases.acquire(s, [qinghe.id], "job:7f3a@worker-2:4411", now, dt.timedelta(minutes=10))

    with caplog.at_level(logging.WARNING, logger="orgwatch.schedule"):
        result = scheduler.tick()
    assert [(k.org_id, k.holder) for k in result.skipped] == [("qinghe", "job:7f3a@worker-2:4411")]
    assert "跳过机构 青溪区青禾青少年发展促进会（qinghe）的渠道" in caplog.text
    assert "上一次扫描仍在进行（job:7f3a@worker-2:4411）" in caplog.text
    assert qinghe.id not in result.started and len(result.started) == 2
    assert last_scans(rt)["qinghe"] is None

    with rt.db.session() as s:
        leases.release(s, [qinghe.id], "job:7f3a@worker-2:4411")
        assert leases.held(s, [c.id for c in s.scalars(select(Channel))], dt.datetime.now(dt.timezone.utc)) == {}
    result = scheduler.tick()
    assert result.started == [qinghe.id] and not result.skipped
    assert last_scans(rt)["qinghe"] == cst(2026, 11, 30, 9)
