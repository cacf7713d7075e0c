"""Scans spread over Celery workers on a Redis broker: the job API, the app and the task.

``plan_jobs`` and ``enqueue_scans`` are what ``scan --distributed`` and ``schedule`` call;
``models.leases`` keeps two jobs from scanning the same channel at once.
"""
from orgwatch.distributed.exceptions import BrokerUnavailable, DistributedError, JobWaitTimeout, NoWorkerError
from orgwatch.distributed.jobs import JobsOutcome, ScanJobSpec, check_broker, enqueue_scans, plan_jobs, wait_for_jobs

__all__ = ["BrokerUnavailable", "DistributedError", "JobWaitTimeout", "JobsOutcome", "NoWorkerError", "ScanJobSpec",
           "check_broker", "enqueue_scans", "plan_jobs", "wait_for_jobs"]
