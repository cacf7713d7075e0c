"""Alert services: queue first-time alerts, reminders, daily digests and operator notices into the
outbox, and deliver it, recording every attempt. The CLI and the scan call only these."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from alerts.exceptions import AlertError
from orgwatch.alerting.delivery import DeliveryResult, deliver_outbox
from orgwatch.alerting.digest import DigestResult, queue_digest
from orgwatch.alerting.operators import Problem, channel_problems, queue_operator_notices, scan_problems
from orgwatch.alerting.queue import QueueResult, queue_first_alerts
from orgwatch.alerting.reminders import queue_reminders
from orgwatch.alerting.testsend import AddressCheck, addresses_of, send_test_messages
from orgwatch.runtime import Runtime

if TYPE_CHECKING:
    from orgwatch.scan_events import ScanSummary

log = logging.getLogger(__name__)
__all__ = [
    "DeliveryResult", "DigestResult", "Problem", "QueueResult", "AddressCheck", "addresses_of", "deliver_outbox",
    "notify_operators_after_scan", "queue_alerts", "queue_digest", "queue_reminders", "send_test_messages",
]


def queue_alerts(rt: Runtime, org_ids: list[str] | None = None, scan_id: int | None = None) -> QueueResult:
    """Queue every alert owed: first-time alerts for new and reopened findings (one message per
    organisation and recipient address), reminders due on the ``--as-of`` day, and operator
    notices for channels failing scan after scan."""
    result = QueueResult()
    queue_first_alerts(rt, org_ids, scan_id, result)
    result.reminders = queue_reminders(rt, org_ids)
    result.messages += result.reminders
    result.operator_notices = queue_operator_notices(rt, channel_problems(rt))
    for warning in result.warnings:
        log.warning("%s", warning)
    return result


def notify_operators_after_scan(rt: Runtime, summary: "ScanSummary") -> int:
    """Tell the operators what went wrong in this scan (aborted, channels failing, stale scans)
    and deliver those notices now. Idempotent: each problem is told once. Returns new problems.

    Meant for the end of a scan, also a failed one: an alert error (a broken operator template)
    is logged, not raised, so that it never hides the scan's own error.
    """
    try:
        told = queue_operator_notices(rt, scan_problems(rt, summary) + channel_problems(rt))
        if told:
            deliver_outbox(rt, kinds=("operator",))
    except AlertError as exc:
        log.error("could not notify the operators after scan %s: %s", summary.scan_id, exc)
        return 0
    return told
