"""Reviewers' status changes on a finding: which transitions are allowed and what each one writes.

A finding marked ``false_positive`` stays so when later scans see it again (``upsert_finding``
only reopens ``resolved`` findings, and alerts are only queued for open ones); a finding a
reviewer ``resolve``d that reappears is reopened by the scan as a new occurrence and alerted again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.entities import Feedback, Finding
from models.exceptions import StoreError

ACTIONS = ("acknowledge", "confirm", "false_positive", "resolve", "reopen")
#: action -> (statuses it applies to, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": (("open",), "acknowledged"),
    "confirm": (("open", "acknowledged"), "acknowledged"),
    "false_positive": (("open", "acknowledged"), "false_positive"),
    "resolve": (("open", "acknowledged"), "resolved"),
    "reopen": (("false_positive", "resolved"), "open"),
}
ACTION_LABELS = {"acknowledge": "确认收到", "confirm": "确认属实", "false_positive": "标记误报",
                 "resolve": "标记已解决", "reopen": "重新打开"}
STATUS_NAMES = {"open": "待处理", "acknowledged": "已确认", "false_positive": "误报", "resolved": "已解决"}
#: the feedback verdict each action records (None: none)
VERDICT_OF = {"acknowledge": "confirmed", "confirm": "confirmed", "false_positive": "false_positive"}
REASON_MAX = 2000


class TriageError(StoreError):
    """Raised by ``change_status`` for an unknown action, a missing reason or a transition not allowed."""


class FindingNotFound(TriageError):
    """Raised when the finding does not exist or is outside the caller's scope (answered as 404)."""


@dataclass(frozen=True)
class StatusChange:
    """One applied transition."""

    finding_id: int
    action: str
    old_status: str
    new_status: str


def change_status(session: Session, finding: Finding, *, action: str, actor: str, reason: str | None,
                  now: dt.datetime) -> StatusChange:
    """Apply ``action`` to ``finding`` (not committed); raises TriageError with a Chinese message."""
    if action not in TRANSITIONS:
        raise TriageError(f"未知的处理动作 {action!r}：可用的有 {', '.join(ACTIONS)}。")
    reason = (reason or "").replace("\x00", "").strip()[:REASON_MAX] or None
    if action == "false_positive" and not reason:
        raise TriageError("标记误报时必须填写理由（例如：号码是示例、不是真实身份证号），以便复核和改进规则。")
    allowed, target = TRANSITIONS[action]
    if finding.status not in allowed:
        now_name = STATUS_NAMES.get(finding.status, finding.status)
        need = "、".join(STATUS_NAMES[s] for s in allowed)
        raise TriageError(f"问题 #{finding.id} 当前状态是“{now_name}”，不能{ACTION_LABELS[action]}"
                          f"（只能对“{need}”的问题这样做）。")
    old = finding.status
    finding.status, finding.status_note, finding.status_by, finding.status_at = target, reason, actor, now
    if target == "resolved":
        finding.resolved_at = now
    elif target == "open":
        finding.resolved_at = None
    if action == "reopen" and old == "false_positive":
        session.execute(delete(Feedback).where(Feedback.finding_id == finding.id,
                                               Feedback.verdict == "false_positive"))
    return StatusChange(finding.id, action, old, target)
