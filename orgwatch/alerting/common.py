"""Shared by the alert services: the composer for a run, findings as message items, filling a message,
and where a message's attachments wait for its delivery."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from alerts.channels import body_format_for, is_email, size_limit, transport_of
from alerts.compose import AlertItem, Composer
from classifier.basis import basis_for
from config.registry import ROLE_LABELS
from models import outbox
from models.entities import Finding, Organization, OutboxMessage, Person
from orgwatch.runtime import Runtime


def composer_for(rt: Runtime) -> Composer:
    settings = rt.settings.alerts
    return Composer(template_dir=settings.template_dir, max_items=settings.max_items)


def item_for(f: Finding, note: str = "") -> AlertItem:
    """One finding as a recipient reads it: title, masked evidence, basis and what to do."""
    b = basis_for(f.category, f.rule)
    count = (f.detail or {}).get("count", 1)
    evidence = f.evidence + (f"（本页共 {count} 处）" if count > 1 else "")
    return AlertItem(title=b.title, category=f.category, rule=f.rule, severity=f.severity, url=f.url or "（整个渠道）",
                     evidence=evidence, basis=f.basis or b.basis, action=b.action, first_seen=f.first_seen,
                     reopened=f.occurrence > 1, org_name=f.org.name if f.org else f.org_id, note=note)


#: message kinds whose attachments wait in :func:`attachment_dir` until the message is delivered
SPOOLED_KINDS = ("weekly_report",)


def attachment_dir(rt: Runtime, uid: str) -> Path:
    """Where the files attached to message ``uid`` wait for its delivery: ``<data dir>/outbox-attachments/<uid>``.

    Local to the machine that queued the message; removed once the message is sent.
    """
    return rt.data_dir / "outbox-attachments" / uid


def link_for(rt: Runtime, org_id: str = "") -> str | None:
    template = rt.settings.alerts.findings_link
    return template.replace("{org}", org_id) if template else None


def attaches_csv(rt: Runtime, target: str) -> bool:
    return rt.settings.alerts.attach_csv and is_email(target)


def fill_with_items(session: Session, rt: Runtime, composer: Composer, msg: OutboxMessage, kind: str,
                    findings: list[Finding], *, subject_context: dict[str, Any], context: dict[str, Any],
                    notes: dict[int, str] | None = None) -> None:
    """Compose ``msg`` listing ``findings`` within its channel's size limit, and store the result."""
    notes = notes or {}
    items = [item_for(f, notes.get(f.id, "")) for f in findings]
    composed = composer.items_message(
        kind, items, body_format=body_format_for(msg.target),
        budget=size_limit(msg.target, rt.settings.alerts.size_limits), subject_context=subject_context,
        context={**context, "uid": msg.uid, "attachment": attaches_csv(rt, msg.target)},
    )
    outbox.fill_message(msg, subject=composed.subject, body=composed.body, body_format=composed.body_format,
                        finding_ids=[f.id for f in findings])
    session.flush()


def by_address(owed: list[tuple[Person, list[Finding]]]) -> dict[tuple[str, str], list[tuple[Person, list[Finding]]]]:
    """Group what each person is owed by (address, name): one person listed with two roles at the
    same address gets one message there, not two. Different people are always addressed separately."""
    grouped: dict[tuple[str, str], list[tuple[Person, list[Finding]]]] = {}
    for person, findings in owed:
        for target in dict.fromkeys(person.notify):
            grouped.setdefault((target, person.name), []).append((person, findings))
    return grouped


def queue_to_addresses(s: Session, rt: Runtime, composer: Composer, org: Organization,
                       owed: list[tuple[Person, list[Finding]]], *, kind: str, scan_id: int | None, now: dt.datetime,
                       subject_context: dict[str, Any], context: dict[str, Any],
                       notes: dict[int, str] | None = None) -> int:
    """One message per address listing the findings not yet told there (claimed per person, finding
    and occurrence); returns the number of messages queued."""
    queued = 0
    for (target, name), readers in by_address(owed).items():
        roles = "、".join(dict.fromkeys(ROLE_LABELS.get(p.role, p.role) for p, _ in readers))
        msg = outbox.open_message(s, org_id=org.id, person=readers[0][0], recipient=name, target=target,
                                  transport=transport_of(target), scan_id=scan_id, now=now, kind=kind)
        claimed: dict[int, Finding] = {}
        for person, findings in readers:
            claimed.update((f.id, f) for f in outbox.claim_alerts(s, msg, findings, person, now, kind=kind))
        if not claimed:
            s.delete(msg)
            continue
        fill_with_items(s, rt, composer, msg, kind, list(claimed.values()), notes=notes,
                        subject_context=subject_context,
                        context={**context, "recipient": name, "role_label": roles, "link": link_for(rt, org.id)})
        queued += 1
    return queued
