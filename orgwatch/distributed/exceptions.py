"""Errors of the distributed scan (Celery on Redis); the CLI shows them and exits with status 2."""
from __future__ import annotations


class DistributedError(Exception):
    """Root of the errors of ``orgwatch.distributed``."""


class BrokerUnavailable(DistributedError):
    """Raised by ``enqueue_scans`` and ``orgwatch worker`` when the Redis broker cannot be reached."""


class JobWaitTimeout(DistributedError):
    """Raised by ``wait_for_jobs`` when the jobs are not finished within the time allowed."""


class NoWorkerError(JobWaitTimeout):
    """Raised by ``wait_for_jobs`` when the jobs wait ``distributed.pickup_timeout`` seconds in
    the queue and no worker listens to it; the jobs stay queued."""
