"""Real ``orgwatch worker`` processes, and waiting for things by polling with a bound
(used by the distributed tests and by benchmarks/distributed_bench.py)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from config.settings import load_settings
from models import jobs as job_store
from orgwatch.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]


class WaitFailed(AssertionError):
    """Raised by ``wait_until`` when the condition did not come true in time."""


def wait_until(condition: Callable[[], object], *, bound: float, what: str, every: float = 0.25):
    """Poll ``condition`` until it returns something true; fail after ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise WaitFailed(f"gave up after {bound:g} s waiting for {what}")


class Workers:
    """``python -m orgwatch worker`` subprocesses, each in its own process group (so that a
    SIGKILL takes its job processes and crawl process with it, like a machine going down)."""

    def __init__(self, config: Path, logs: Path) -> None:
        self.config, self.logs = config, logs
        self.procs: dict[str, subprocess.Popen] = {}
        self._app = None

    @property
    def app(self):
        if self._app is None:
            from orgwatch.distributed.app import make_app

            self._app = make_app(load_settings(self.config))
        return self._app

    def start(self, name: str, *, concurrency: int = 1, args: tuple[str, ...] = (),
              env: dict[str, str] | None = None) -> None:
        """Start worker ``name`` (with extra command-line ``args`` and environment ``env``) and wait
        until it answers a ping."""
        log = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "orgwatch", "worker", "--config", str(self.config), "--name", name,
             "--concurrency", str(concurrency), "-v", *args],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        log.close()
        node = f"{name}@{socket.gethostname()}"
        wait_until(lambda: self._alive(name) and self.app.control.ping(destination=[node], timeout=1.0),
                   bound=90, what=f"worker {name} to answer a ping")

    def _alive(self, name: str) -> bool:
        proc = self.procs[name]
        if proc.poll() is not None:
            raise WaitFailed(f"worker {name} exited with {proc.returncode}:\n{self.log(name)[-3000:]}")
        return True

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL the worker and every process it started."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in list(self.procs.items()):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        self.procs.clear()


def wait_for_final(rt: Runtime, job_ids: list[str], bound: float) -> list:
    """The job records once every job is completed, failed or skipped (polled, bounded)."""
    def final():
        with rt.db.session() as s:
            rows = job_store.get_jobs(s, job_ids)
        return rows if len(rows) == len(job_ids) and all(r.status in job_store.FINAL_STATUSES for r in rows) else None

    return wait_until(final, bound=bound, what=f"jobs {job_ids} to finish")
