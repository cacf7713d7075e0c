"""Reminders: an open high-severity finding still unacknowledged ``alerts.remind_after_days`` days
after its first alert is told once more, to the organisation's legal representatives."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from models import outbox
from models.entities import Finding, Organization
from orgwatch.alerting.common import composer_for, queue_to_addresses
from orgwatch.runtime import Runtime

REMINDED_ROLE = "legal_representative"


def reminders_due(session: Session, as_of: dt.date, days: int,
                  org_ids: list[str] | None = None) -> list[tuple[Finding, dt.datetime]]:
    """Findings owed a reminder on ``as_of``, with when they were first alerted (or first seen)."""
    candidates = outbox.reminder_candidates(session, org_ids)
    alerted = outbox.first_alerted(session, candidates)
    due = []
    for f in candidates:
        since = alerted.get(f.id, f.first_seen)
        if since.date() + dt.timedelta(days=days) <= as_of:
            due.append((f, since))
    return due


def queue_reminders(rt: Runtime, org_ids: list[str] | None = None) -> int:
    """Queue the reminders due on the ``--as-of`` day: one message per organisation and address.

    Each finding is reminded once per occurrence and address (unique alert of kind ``reminder``).
    Returns the number of messages queued.
    """
    days = rt.settings.alerts.remind_after_days
    if not days:
        return 0
    composer, now, queued = composer_for(rt), rt.now(), 0
    with rt.db.session() as s:
        by_org: dict[str, list[tuple[Finding, dt.datetime]]] = {}
        for f, since in reminders_due(s, rt.as_of, days, org_ids):
            by_org.setdefault(f.org_id, []).append((f, since))
        for org_id, due in by_org.items():
            org = s.get(Organization, org_id)
            findings = [f for f, _ in due]
            owed = [(p, findings) for p in outbox.active_people(s, org_id) if p.role == REMINDED_ROLE]
            queued += queue_to_addresses(
                s, rt, composer, org, owed, kind="reminder", scan_id=None, now=now,
                notes={f.id: f"{since:%Y-%m-%d} 首次通知，至今未处理" for f, since in due},
                subject_context={"org_name": org.name, "days": days}, context={"org_name": org.name, "days": days},
            )
    return queued
