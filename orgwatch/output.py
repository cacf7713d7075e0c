"""Findings and outbox messages as records: the stable JSON/CSV contract (docs/findings-json.md)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from models.entities import Finding, OutboxMessage

#: the documented keys of one finding record, in order; add keys at the end, never rename
FINDING_KEYS = (
    "id", "org", "org_name", "channel", "url", "category", "rule", "item", "severity", "evidence",
    "basis", "first_seen", "last_seen", "resolved_at", "status", "occurrence",
)


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "org": f.org_id,
        "org_name": f.org.name if f.org else None,
        "channel": f.channel.url if f.channel else None,
        "url": f.url or None,
        "category": f.category,
        "rule": f.rule,
        "item": f.item,
        "severity": f.severity,
        "evidence": f.evidence,
        "basis": f.basis,
        "first_seen": _iso(f.first_seen),
        "last_seen": _iso(f.last_seen),
        "resolved_at": _iso(f.resolved_at),
        "status": f.status,
        "occurrence": f.occurrence,
    }


def to_json(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2)


def to_csv(records: Iterable[dict[str, Any]], keys: tuple[str, ...] = FINDING_KEYS) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(keys), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(record)
    return buf.getvalue()


def message_record(m: OutboxMessage, target_shown: str) -> dict[str, Any]:
    return {
        "id": m.id, "uid": m.uid, "kind": m.kind, "org": m.org_id, "recipient": m.recipient,
        "target": target_shown, "transport": m.transport, "subject": m.subject, "status": m.status,
        "attempts": m.attempts, "findings": len(m.finding_ids or []) or len(m.alerts), "last_error": m.last_error, "created_at": _iso(m.created_at),
        "sent_at": _iso(m.sent_at),
    }
