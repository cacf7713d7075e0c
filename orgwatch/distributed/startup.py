"""A job that cannot start on a worker (its settings, registry or database unusable there): the reason
in words that say what to do, recorded on the job, or left on the broker for the enqueuing side to
record when the worker cannot reach the database."""
from __future__ import annotations

import datetime as dt
import logging
import socket
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from config.exceptions import RegistryError
from models import jobs
from models.exceptions import StoreError
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
RERUN = "然后重新运行 orgwatch scan --distributed"


def failures_key(queue: str) -> str:
    """The Redis hash (job id -> note) of the jobs of ``queue`` whose worker could not record their failure."""
    return f"orgwatch:job-failures:{queue}"


def why_not_started(exc: BaseException, payload: dict[str, Any], *, settings_stage: bool = False) -> str:
    """What went wrong before the scan of ``payload``'s job started, and what to do about it."""
    detail = (str(exc) or type(exc).__name__).strip().rstrip("。")[:600]
    if settings_stage:
        action = ("请确认这台机器上有设置中引用的文件（名册、词库、密钥文件、模板目录）并且运行工作进程的用户可以读取，"
                  f"所有机器使用同一份设置（见 docs/deployment.md），{RERUN}")
    elif isinstance(exc, RegistryError):
        action = (f"请把最新的名册分发到每台运行 orgwatch worker 的机器（所有机器使用同一份名册，其中应有机构 "
                  f"{payload.get('org_id')}），{RERUN}")
    elif isinstance(exc, (StoreError, SQLAlchemyError)):
        action = ("请确认这台机器能连接设置中的数据库：多台机器时所有进程共用同一个 PostgreSQL"
                  f"（设置 database_url 或环境变量 ORGWATCH_DATABASE_URL），{RERUN}")
    else:
        action = "请查看这台机器上工作进程的日志（如 journalctl -u 'orgwatch-worker@*'），排除问题后重新运行 orgwatch scan --distributed"
    return f"工作进程 {socket.gethostname()} 无法开始扫描：{detail}。{action}。"


def record_not_started(rt: Runtime | None, payload: dict[str, Any], note: str, *, broker_url: str,
                       queue: str) -> str:
    """Mark the job failed with ``note``; when this worker cannot do that (no usable settings or
    database here), leave ``note`` on the broker, where ``wait_for_jobs`` and the scheduler record it."""
    job_id = payload.get("job_id", "?")
    log.error("job %s (%s) could not start: %s", job_id, payload.get("org_id"), note)
    if rt is not None:
        try:
            with rt.db.session() as s:
                jobs.fail_unfinished(s, job_id, now=dt.datetime.now(dt.timezone.utc), note=note)
            return "failed"
        except Exception as exc:  # the database is what failed: hand the note to the broker instead
            log.warning("job %s: cannot record its failure in the database (%s); leaving it on the broker",
                        job_id, exc)
    box = FailureBox(broker_url, queue)
    try:
        box.put(job_id, note)
    except Exception:  # nothing more this worker can do; the job stays queued in the database
        log.exception("job %s: cannot leave its failure on the broker either", job_id)
    finally:
        box.close()
    return "failed"


class FailureBox:
    """The failures workers left on the Redis broker for one queue: ``put`` by a worker,
    ``record`` (into the database, then removed) by the side that can reach the database."""

    def __init__(self, broker_url: str, queue: str) -> None:
        import redis

        self.client = redis.Redis.from_url(broker_url, socket_connect_timeout=5, socket_timeout=5)
        self.key = failures_key(queue)

    def put(self, job_id: str, note: str) -> None:
        self.client.hset(self.key, job_id, note.encode("utf-8"))

    def record(self, rt: Runtime, job_ids: list[str] | None = None) -> int:
        """Mark the reported jobs (of ``job_ids``, or all) failed in the database; return how many.
        A broker that cannot be read is skipped (logged): the next call tries again."""
        import redis

        try:
            if job_ids is None:
                items = {k.decode(): v for k, v in self.client.hgetall(self.key).items()}
            else:
                items = {k: v for k, v in zip(job_ids, self.client.hmget(self.key, job_ids)) if v is not None}
        except redis.RedisError as exc:
            log.debug("cannot read the failures left on the broker: %s", exc)
            return 0
        if not items:
            return 0
        recorded, handled = 0, []
        now = dt.datetime.now(dt.timezone.utc)
        with rt.db.session() as s:
            for job_id, note in items.items():
                if jobs.get_job(s, job_id) is None:
                    continue  # a job of another deployment sharing this queue name
                recorded += jobs.fail_unfinished(s, job_id, now=now, note=note.decode("utf-8", "replace"))
                handled.append(job_id)
        if handled:
            self.client.hdel(self.key, *handled)
        return recorded

    def close(self) -> None:
        self.client.close()
