"""Holding channel leases around a scan run in the scheduler's own process, renewed by a
heartbeat thread so that a long local scan keeps them (models/leases.py is the store)."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from typing import Iterator

from models import leases
from orgwatch.distributed.tasks import Heartbeat
from orgwatch.distributed.tasks import wall_now as real_now
from orgwatch.runtime import Runtime


def holder_name() -> str:
    """How this scheduler names itself in leases and marks: schedule@host:pid."""
    return f"schedule@{socket.gethostname()}:{os.getpid()}"


def lease_ttl(rt: Runtime) -> dt.timedelta:
    return dt.timedelta(minutes=rt.settings.distributed.lease_minutes)


def held_by_others(rt: Runtime, channel_ids: list[int], holder: str) -> dict[int, str]:
    """channel id -> holder for the channels under someone else's unexpired lease."""
    if not channel_ids:
        return {}
    with rt.db.session() as s:
        return {c: h for c, h in leases.held(s, channel_ids, real_now()).items() if h != holder}


def try_acquire(rt: Runtime, channel_ids: list[int], holder: str) -> bool:
    with rt.db.session() as s:
        return leases.acquire(s, channel_ids, holder, real_now(), lease_ttl(rt))


@contextlib.contextmanager
def heartbeat(rt: Runtime, channel_ids: list[int], holder: str) -> Iterator[None]:
    """Keep ``holder``'s (already acquired) leases renewed while the block runs; release them after."""
    try:
        with Heartbeat(rt, channel_ids, holder, lease_ttl(rt)):
            yield
    finally:
        with rt.db.session() as s:
            leases.release(s, channel_ids, holder)
