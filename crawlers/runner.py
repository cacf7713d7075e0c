"""Run a crawl in a child process and stream its events back, for the scan service.

Scrapy's reactor cannot be restarted and spiders must never touch the database, so every
crawl is a fresh ``python -m crawlers.run`` process; this module is the parent's side.
"""
from __future__ import annotations

import collections
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from crawlers.exceptions import CrawlProcessError
from crawlers.items import ChannelDone, CrawlJob, FetchError, PageItem, event_from_json

logger = logging.getLogger(__name__)

#: The project root (the folder holding ``crawlers/``), where the child must import from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: How many lines of the child's log a CrawlProcessError quotes.
TAIL_LINES = 20
#: Seconds a child gets to stop after SIGTERM before it is killed.
STOP_GRACE = 10.0

Event = PageItem | FetchError | ChannelDone


def run_crawl(job: CrawlJob, *, log_path: Path | None = None) -> Iterator[Event]:
    """Crawl ``job`` in a child process, yielding its events as they arrive.

    The child's log (stderr) is appended to ``log_path`` (default: a temporary file removed
    afterwards). Closing the iterator early stops the child. Raises
    :class:`~crawlers.exceptions.CrawlProcessError`, quoting the end of the log, when the
    child exits non-zero or writes a line that is not an event.
    """
    with tempfile.TemporaryDirectory(prefix="orgwatch-crawl-") as tmp:
        job_path = Path(tmp) / "job.json"
        job_path.write_text(json.dumps(job.to_dict(), ensure_ascii=False), encoding="utf-8")
        log = Path(log_path) if log_path is not None else Path(tmp) / "crawl.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "crawlers.run", str(job_path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file,
                cwd=PROJECT_ROOT, env=_child_env(),
            )
        logger.info("Crawl process %d started for %d channel(s)", process.pid, len(job.channels))
        try:
            yield from _events(process, log)
            returncode = process.wait()
        finally:
            _stop(process)
        if returncode != 0:
            tail = _tail(log)
            raise CrawlProcessError(
                f"抓取进程异常退出（退出码 {returncode}），日志末尾：\n{tail}",
                returncode=returncode, stderr_tail=tail, log_path=str(log) if log_path else None,
            )


def _events(process: subprocess.Popen[bytes], log: Path) -> Iterator[Event]:
    assert process.stdout is not None
    for raw in process.stdout:
        if not raw.strip():
            continue
        try:
            event = event_from_json(raw.decode("utf-8"))
        except (ValueError, KeyError, TypeError) as exc:
            _stop(process)
            tail = _tail(log)
            raise CrawlProcessError(
                f"抓取进程输出了无法识别的内容（{exc}）：{raw[:200]!r}\n日志末尾：\n{tail}",
                returncode=process.returncode, stderr_tail=tail,
            ) from exc
        yield event


def _child_env() -> dict[str, str]:
    """The parent's environment, with the project root first on PYTHONPATH."""
    env = dict(os.environ)
    paths = [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Make sure the child is gone and its pipe closed: close the pipe first (a child blocked
    writing to it then fails instead of hanging), terminate, kill after STOP_GRACE."""
    if process.stdout is not None:
        process.stdout.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path, lines: int = TAIL_LINES) -> str:
    try:
        with open(log, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            last = collections.deque(handle.read().decode("utf-8", errors="replace").splitlines(), lines)
    except OSError:
        return ""
    return "\n".join(last)
