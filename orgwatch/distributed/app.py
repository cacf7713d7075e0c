"""The Celery application, built from the ``distributed:`` settings.

Jobs are acknowledged only when they finish (``acks_late``), so the job of a worker that
dies is redelivered by Redis after ``visibility_timeout``; each worker process runs one job
and is then replaced (``worker_max_tasks_per_child=1``), and the crawl itself runs in a
child process of that (``crawlers.runner.run_crawl``), because Scrapy's reactor cannot restart.
"""
from __future__ import annotations

from celery import Celery

from config.settings import Settings
from kombu.utils.url import maybe_sanitize_url

#: the name the scan job is sent under and registered with
SCAN_TASK = "orgwatch.scan_job"


def transport_options(settings: Settings) -> dict:
    """Redis transport options: redelivery after ``visibility_timeout``, swept often enough to notice."""
    timeout = settings.distributed.visibility_timeout
    return {
        "visibility_timeout": timeout,
        "unacked_restore_interval": max(1, min(10, timeout // 4)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 5,
    }


def make_app(settings: Settings) -> Celery:
    """A Celery app on ``distributed.broker_url`` with the scan job registered."""
    from orgwatch.distributed.tasks import scan_job

    conf = settings.distributed
    app = Celery("orgwatch", broker=conf.broker_url, set_as_current=False)
    app.conf.update(
        broker_transport_options=transport_options(settings),
        broker_connection_retry_on_startup=True,
        task_default_queue=conf.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=1,
        worker_concurrency=conf.concurrency,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    app.task(name=SCAN_TASK, bind=True, max_retries=None)(scan_job)
    return app


def broker_label(settings: Settings) -> str:
    """The broker URL with its password hidden, for messages."""
    return maybe_sanitize_url(settings.distributed.broker_url)
