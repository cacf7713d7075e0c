"""Telling the operators (``alerts.operators``) when scheduled work fails: once per problem key."""
from __future__ import annotations

import logging

from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)


def tell_operators(rt: Runtime, key: str, title: str, detail: str, action: str) -> None:
    """Queue and deliver one operator notice for ``key`` unless it was told before; never raises,
    so that a notifier problem does not stop the scheduler."""
    from orgwatch.alerting import Problem, deliver_outbox
    from orgwatch.alerting.operators import queue_operator_notices

    try:
        if queue_operator_notices(rt, [Problem(key=key, title=title, detail=detail, action=action)]):
            deliver_outbox(rt)
    except Exception as exc:  # the scheduler goes on; the failure is in its log
        log.error("无法通知运维人员：%s", exc)
