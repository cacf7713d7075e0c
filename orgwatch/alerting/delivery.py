"""Deliver the outbox: claim each due message, send it through Apprise, record the outcome.

Exactly once where it can be had: a message is claimed (one worker) and recorded after the
send. A process that dies between the send and the record leaves the message ``sending``; it
is sent again later (at least once), with the same message id in its body.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from alerts.attachments import write_findings_csv
from alerts.deliver import redact, send
from alerts.exceptions import AlertError, DeliveryError
from alerts.secrets import Secrets
from models import outbox
from orgwatch.alerting.common import SPOOLED_KINDS, attachment_dir, attaches_csv, item_for
from orgwatch.alerting.operators import outbox_problems, queue_operator_notices
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
#: how long a claimed message is left to its worker before another run may send it again
LEASE = dt.timedelta(minutes=10)
#: ORGWATCH_FAULT=crash_after_send makes the process exit right after a send, before recording it (tests)
FAULT_VARIABLE = "ORGWATCH_FAULT"
FAULT_EXIT_CODE = 70


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    id: int
    uid: str
    kind: str
    attempts: int
    target: str
    recipient: str
    subject: str
    body: str
    body_format: str
    finding_ids: tuple[int, ...]


def deliver_outbox(rt: Runtime, *, manual: bool = False, kinds: tuple[str, ...] | None = None) -> DeliveryResult:
    """Send every due message once; a failure is recorded with its error and retried later, never dropped.

    Automatic runs respect the backoff and ``alerts.max_attempts``; a manual retry
    (``orgwatch alerts retry``) sends every undelivered message now. A weekly report whose PDF
    waits on another machine (the one that produced it) is left to that machine, except by a
    manual retry, which records the missing file as the error. Messages still failing
    ``alerts.operator_failing_hours`` after creation are then told to the operators.
    """
    result = DeliveryResult()
    _deliver_pass(rt, manual, kinds, result)
    if queue_operator_notices(rt, outbox_problems(rt)):
        _deliver_pass(rt, False, ("operator",), result)
    return result


def _deliver_pass(rt: Runtime, manual: bool, kinds: tuple[str, ...] | None, result: DeliveryResult) -> None:
    settings = rt.settings.alerts
    with rt.db.session() as s:
        due = [
            _Due(m.id, m.uid, m.kind, m.attempts, m.target, m.recipient, m.subject, m.body, m.body_format,
                 tuple(m.finding_ids or ()))
            for m in outbox.due_messages(s, rt.now(), include_not_yet_due=manual, kinds=kinds,
                                         max_attempts=None if manual else settings.max_attempts)
        ]
    if not manual:
        due = [m for m in due if m.kind not in SPOOLED_KINDS or _spool_here(rt, m)]
    secrets = Secrets(settings.secrets_file)
    for msg in due:
        _deliver_one(rt, msg, secrets, result)


def _deliver_one(rt: Runtime, msg: _Due, secrets: Secrets, result: DeliveryResult) -> None:
    settings = rt.settings.alerts
    with rt.db.session() as s:
        if not outbox.claim_for_delivery(s, msg.id, msg.attempts, now=rt.now(), lease=LEASE):
            log.info("message %s was claimed by another worker", msg.uid)
            return
    error = None
    try:
        with _attachments(rt, msg) as attach:
            send(msg.target, subject=msg.subject, body=msg.body, body_format=msg.body_format,
                 timeout=settings.timeout, attach=attach, secrets=secrets, message_id=msg.uid)
    except AlertError as exc:
        error = str(exc)
    if error is None:
        fault_point("after_send", msg.uid)
    with rt.db.session() as s:
        outbox.record_delivery(s, msg.id, error=error, now=rt.now(),
                               retry_after=dt.timedelta(minutes=settings.retry_after_minutes))
    if error is None:
        result.sent += 1
        if msg.kind in SPOOLED_KINDS:
            shutil.rmtree(attachment_dir(rt, msg.uid), ignore_errors=True)
    else:
        result.failed += 1
        result.errors.append(f"发给 {msg.recipient}（{redact(msg.target)}）的消息 #{msg.id}（{msg.uid}）未送达：{error}")
        log.warning("delivery of message %s failed: %s", msg.uid, error)


def _spool_here(rt: Runtime, msg: _Due) -> bool:
    if attachment_dir(rt, msg.uid).is_dir():
        return True
    log.info("message %s: its attachment is not on this machine; left to the machine that queued it", msg.uid)
    return False


@contextlib.contextmanager
def _attachments(rt: Runtime, msg: _Due) -> Iterator[list[str] | None]:
    """The files waiting with a spooled message (the weekly report's PDF), or the CSV list of the
    message's findings for e-mail; ``None`` for other channels."""
    if msg.kind in SPOOLED_KINDS:
        folder = attachment_dir(rt, msg.uid)
        files = sorted(str(f) for f in folder.iterdir() if f.is_file()) if folder.is_dir() else []
        if not files:
            raise DeliveryError(
                f"附件不在本机（{folder}）：周报的 PDF 保存在生成它的机器上，请在那台机器上运行 orgwatch alerts retry；"
                "文件已丢失时，运行 orgwatch report --week 该周 --send 重新生成，会补上附件而不会重复发送"
            )
        yield files
        return
    if not msg.finding_ids or not attaches_csv(rt, msg.target):
        yield None
        return
    with rt.db.session() as s:
        items = [item_for(f) for f in outbox.findings_by_ids(s, list(msg.finding_ids))]
    with tempfile.TemporaryDirectory(prefix="orgwatch-attach-") as folder:
        yield [str(write_findings_csv(Path(folder), msg.uid, items))]


def fault_point(name: str, uid: str) -> None:
    """Exit at once (no cleanup, no record) when ``ORGWATCH_FAULT=crash_<name>``: a crash for the tests."""
    if os.environ.get(FAULT_VARIABLE) == f"crash_{name}":
        sys.stderr.write(f"{FAULT_VARIABLE}=crash_{name}: exiting after sending {uid}, before recording it\n")
        sys.stderr.flush()
        os._exit(FAULT_EXIT_CODE)
