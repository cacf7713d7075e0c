"""The long-running ``orgwatch schedule``: SIGTERM during a scan lets the tick finish, releases the
leases and exits cleanly; a failing tick does not end the loop."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from sqlalchemy import select

from models.entities import ChannelLease, ScanRun
from orgwatch.schedule.loop import run_loop
from tests.conftest import ROOT
from tests.distributed.procs import wait_until
from tests.schedule.world import cst, runtime, write_config


def test_sigterm_mid_scan_finishes_the_tick_and_exits(urls, tmp_path):
    config = write_config(tmp_path, urls, schedule={"tick_seconds": 5})
    rt = runtime(config, cst(2026, 11, 30, 9))
    out = (tmp_path / "schedule.out").open("wb")
    env = {**os.environ, "ORGWATCH_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "orgwatch", "schedule", "--mode", "local"],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        def scanning():
            with rt.db.session() as s:
                return s.scalars(select(ChannelLease)).all() and s.scalars(select(ScanRun)).all()

        wait_until(scanning, bound=120, what="the first tick to start scanning")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        out.close()
    text = (tmp_path / "schedule.out").read_text(encoding="utf-8")
    assert "收到停止信号" in text and "调度器已停止" in text
    with rt.db.session() as s:
        assert [r.status for r in s.scalars(select(ScanRun))] == ["completed"]
        assert s.scalars(select(ChannelLease)).all() == []


class _Flaky:
    """A scheduler whose first tick fails (the database is down, say) and whose later ticks work."""

    def __init__(self, stop: threading.Event, ticks: int) -> None:
        self.calls, self.stop, self.ticks = 0, stop, ticks

    def tick(self):
        self.calls += 1
        if self.calls >= self.ticks:
            self.stop.set()
        if self.calls == 1:
            raise RuntimeError("数据库暂时无法连接")
        return None


def test_a_failing_tick_does_not_end_the_loop(caplog):
    stop = threading.Event()
    flaky = _Flaky(stop, ticks=3)
    seen = []
    readings = iter([0.0] + [5.0 * n - 0.01 for n in range(1, 10)])  # each tick ends just before the next beat
    ticks = run_loop(flaky, 5, stop, on_tick=lambda r, e: seen.append(e), clock=lambda: next(readings))
    assert ticks == 3 and flaky.calls == 3
    assert isinstance(seen[0], RuntimeError) and seen[1:] == [None, None]
    assert "本次检查没有完成：数据库暂时无法连接" in caplog.text
