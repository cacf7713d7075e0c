"""The scheduler's loop: tick on a fixed beat (no drift, no busy-waiting) until told to stop;
SIGTERM or Ctrl+C stops it between ticks."""
from __future__ import annotations

import contextlib
import logging
import math
import signal
import threading
import time
from typing import Callable, Iterator

from orgwatch.schedule.service import Scheduler, TickResult

log = logging.getLogger(__name__)


def seconds_until_next(start: float, now: float, period: float) -> float:
    """Wait until the next beat of the grid ``start + k * period`` after ``now``.

    Beats are counted from ``start``, so the loop does not drift by the time each tick takes;
    beats missed during a long tick are skipped, not caught up one after another.
    """
    beats = math.floor((now - start) / period) + 1
    return max(0.0, start + beats * period - now)


def run_loop(scheduler: Scheduler, period: float, stop: threading.Event,
             on_tick: Callable[[TickResult | None, Exception | None], None] | None = None,
             clock: Callable[[], float] = time.monotonic) -> int:
    """Tick every ``period`` seconds until ``stop`` is set; return how many ticks ran.

    A tick that fails (database or broker down, registry broken) is logged and the loop goes
    on: the next tick tries again.
    """
    start, ticks = clock(), 0
    while not stop.is_set():
        result, error = None, None
        try:
            result = scheduler.tick()
        except Exception as exc:  # keep scheduling; the next tick retries
            error = exc
            log.error("本次检查没有完成：%s；%g 秒后再试", exc, period)
        ticks += 1
        if on_tick is not None:
            on_tick(result, error)
        stop.wait(seconds_until_next(start, clock(), period))
    return ticks


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM or a first Ctrl+C sets ``stop`` (the loop ends after the running tick); a second
    Ctrl+C interrupts at once."""

    def request_stop(signum, _frame) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log.warning("收到停止信号：本次检查结束后退出（再按一次 Ctrl+C 立即中断正在进行的扫描）")

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
