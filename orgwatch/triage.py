"""The triage service used by the CLI, the pages and the API: change a finding's status, audit it,
and keep the reviewer's verdict in the model's feedback store."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from models import audit
from models.entities import Finding
from models.feedback import record_feedback
from models.triage import ACTIONS, VERDICT_OF, FindingNotFound, TriageError, change_status
from orgwatch.runtime import Runtime

if TYPE_CHECKING:
    from orgwatch.web.deps import Scope

Action = Literal["acknowledge", "false_positive", "confirm", "resolve", "reopen"]
__all__ = ["ACTIONS", "Action", "FindingNotFound", "TriageError", "TriageResult", "apply"]


@dataclass(frozen=True)
class TriageResult:
    """What a triage action did."""

    finding_id: int
    action: str
    old_status: str
    new_status: str
    actor: str
    reason: str | None
    feedback: str | None  # the verdict recorded for the model, if any


def apply(rt: Runtime, finding_id: int, action: Action, actor: str, reason: str | None,
          scope: Scope | None = None, *, ip: str | None = None, now: dt.datetime | None = None) -> TriageResult:
    """Apply ``action`` to finding ``finding_id`` as ``actor``; a finding outside ``scope`` is not found.

    ``now`` defaults to ``rt.now()``; the web app passes its own clock (a long-running server's
    ``rt.as_of`` is the day it started).
    """
    now = now or rt.now()
    with rt.db.session() as s:
        in_range = 0 < finding_id < 2 ** 63  # a larger id from a URL cannot be in the database
        finding = s.get(Finding, finding_id, with_for_update=True) if in_range else None
        if finding is None or (scope is not None and not scope.allows(finding.org_id)):
            raise FindingNotFound(f"找不到编号为 {finding_id} 的问题，或它不在您可以处理的范围内。")
        change = change_status(s, finding, action=action, actor=actor, reason=reason, now=now)
        verdict = VERDICT_OF.get(action)
        if verdict is not None:
            record_feedback(s, finding=finding, verdict=verdict, author=actor, note=finding.status_note, now=now)
        audit.record(s, actor=actor, action=f"triage.{action}", target_type="finding", target_id=str(finding_id),
                     detail={"from": change.old_status, "to": change.new_status, "reason": finding.status_note},
                     ip=ip, now=now)
        return TriageResult(finding_id, action, change.old_status, change.new_status, actor, finding.status_note,
                            verdict)
