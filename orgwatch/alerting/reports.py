"""The weekly report in the outbox: one message per recipient address with the PDF waiting beside it
until delivery, queued once per week, scope and address, and delivered like every other message."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from alerts.channels import transport_of
from alerts.deliver import redact
from models import outbox
from orgwatch.alerting.common import attachment_dir
from orgwatch.alerting.delivery import DeliveryResult, deliver_outbox
from orgwatch.runtime import Runtime

#: the outbox kind of a weekly report message
REPORT_KIND = "weekly_report"
#: the recipient's name in the outbox (report recipients are addresses, not people of the registry)
REPORT_RECIPIENT = "周报接收人"

#: (target, message uid) -> (subject, body, body format)
Composer = Callable[[str, str], tuple[str, str, str]]


@dataclass
class ReportMessage:
    """One recipient's message: ``earlier`` when an earlier run queued it (``was_sent``: and it was delivered)."""

    id: int
    uid: str
    target: str
    earlier: bool = False
    was_sent: bool = False
    status: str = "pending"
    error: str | None = None


@dataclass
class QueuedReport:
    messages: list[ReportMessage] = field(default_factory=list)


def report_key(week: str, scope: str, target: str) -> str:
    """``weekly_report:<week>:<scope hash>:<target hash>``: the report of ``week`` for ``scope``
    (a supervising unit, or "" for all) goes to ``target`` once."""
    scope_hash = hashlib.sha256(scope.encode("utf-8")).hexdigest()[:16]
    target_hash = hashlib.sha256(target.encode("utf-8")).hexdigest()[:32]
    return f"{REPORT_KIND}:{week}:{scope_hash}:{target_hash}"


def queue_report(rt: Runtime, *, week: str, scope: str, targets: list[str], pdf: Path, attachment_name: str,
                 compose: Composer) -> QueuedReport:
    """Queue the report for each address unless queued before (then its PDF is put back beside it
    if it is still undelivered and the file is missing here). Raises OSError when the PDF cannot
    be copied; nothing is queued then."""
    queued, made = QueuedReport(), []
    now = rt.now()
    try:
        with rt.db.session() as s:
            for target in dict.fromkeys(targets):
                key = report_key(week, scope, target)
                msg = outbox.open_message(s, org_id=None, person=None, recipient=REPORT_RECIPIENT, target=target,
                                          transport=transport_of(target), scan_id=None, now=now, kind=REPORT_KIND,
                                          dedupe_key=key)
                if msg is None:
                    earlier = outbox.message_by_key(s, key)
                    if earlier.status != "sent" and not attachment_dir(rt, earlier.uid).is_dir():
                        made.append(_spool(rt, earlier.uid, pdf, attachment_name))
                    queued.messages.append(ReportMessage(earlier.id, earlier.uid, redact(target), earlier=True,
                                                         was_sent=earlier.status == "sent"))
                    continue
                made.append(_spool(rt, msg.uid, pdf, attachment_name))
                subject, body, body_format = compose(target, msg.uid)
                outbox.fill_message(msg, subject=subject, body=body, body_format=body_format)
                s.flush()
                queued.messages.append(ReportMessage(msg.id, msg.uid, redact(target)))
    except BaseException:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return queued


def _spool(rt: Runtime, uid: str, pdf: Path, name: str) -> Path:
    folder = attachment_dir(rt, uid)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, folder / name)
    return folder


def deliver_report(rt: Runtime, queued: QueuedReport, *, manual: bool) -> DeliveryResult:
    """Deliver the weekly reports due (a manual run: every undelivered one, now), then record each
    of ``queued``'s messages' status and last error on it."""
    result = deliver_outbox(rt, manual=manual, kinds=(REPORT_KIND,))
    with rt.db.session() as s:
        rows = {m.id: m for m in outbox.messages_by_ids(s, [q.id for q in queued.messages])}
        for q in queued.messages:
            row = rows.get(q.id)
            if row is not None:
                q.status, q.error = row.status, row.last_error
    return result


def deliver_pending_reports(rt: Runtime) -> DeliveryResult | None:
    """Deliver the weekly reports whose retry is due, if any (a scheduler's tick); None when none is."""
    with rt.db.session() as s:
        due = outbox.due_messages(s, rt.now(), kinds=(REPORT_KIND,), max_attempts=rt.settings.alerts.max_attempts)
        waiting_here = any(attachment_dir(rt, m.uid).is_dir() for m in due)
    return deliver_outbox(rt, kinds=(REPORT_KIND,)) if waiting_here else None
