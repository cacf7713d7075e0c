"""Alert services: queue one message per recipient address for an organisation's new findings,
and deliver the outbox, recording every attempt."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from alerts.compose import AlertItem, compose_findings
from alerts.deliver import body_format_for, redact, send, transport_of
from alerts.exceptions import AlertError
from classifier.basis import basis_for
from config.registry import ROLE_LABELS
from models import outbox
from models.entities import Finding, Organization, Person
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)


def recipients_for(people: list[Person], finding: Finding, high_to_legal: bool) -> list[Person]:
    """Who is told of one finding: platform managers always; legal representatives for high severity."""
    chosen = [p for p in people if p.role == "platform_manager"]
    if high_to_legal and finding.severity == "high":
        chosen += [p for p in people if p.role == "legal_representative"]
    return chosen


def _item(f: Finding) -> AlertItem:
    b = basis_for(f.category, f.rule)
    count = (f.detail or {}).get("count", 1)
    evidence = f.evidence + (f"（本页共 {count} 处）" if count > 1 else "")
    return AlertItem(title=b.title, category=f.category, rule=f.rule, severity=f.severity, url=f.url or "（整个渠道）",
                     evidence=evidence, basis=f.basis or b.basis, action=b.action, first_seen=f.first_seen,
                     reopened=f.occurrence > 1)


@dataclass
class QueueResult:
    messages: int = 0
    warnings: list[str] = field(default_factory=list)


def queue_alerts(rt: Runtime, org_ids: list[str] | None = None, scan_id: int | None = None) -> QueueResult:
    """Queue the alerts owed for new and reopened findings: one message per organisation and recipient address."""
    result = QueueResult()
    now = rt.now()
    with rt.db.session() as s:
        owed = outbox.findings_owing_alerts(s, org_ids)
        by_org: dict[str, list[Finding]] = {}
        for f in owed:
            by_org.setdefault(f.org_id, []).append(f)
        for org_id, findings in by_org.items():
            org = s.get(Organization, org_id)
            people = outbox.active_people(s, org_id)
            told = _queue_org(s, org, people, findings, rt, scan_id, now, result)
            if not told:
                result.warnings.append(
                    f"{org.name}（{org_id}）有 {len(findings)} 个新问题，但名册中没有可接收通知的平台管理员；"
                    "请在名册 people 中为 platform_manager 填写 notify 地址"
                )
            outbox.mark_notified(findings)
    for warning in result.warnings:
        log.warning("%s", warning)
    return result


def _queue_org(s, org: Organization, people: list[Person], findings: list[Finding], rt: Runtime,
               scan_id: int | None, now: dt.datetime, result: QueueResult) -> bool:
    high_to_legal = rt.settings.alerts.high_to_legal_representative
    told = False
    for person in people:
        mine = [f for f in findings if person in recipients_for(people, f, high_to_legal)]
        if not mine:
            continue
        for target in person.notify:
            msg = outbox.open_message(s, org_id=org.id, person=person, recipient=person.name, target=target,
                                      transport=transport_of(target), scan_id=scan_id, now=now)
            claimed = outbox.claim_alerts(s, msg, mine, person, now)
            if not claimed:
                s.delete(msg)
                continue
            composed = compose_findings(
                org_name=org.name, recipient=person.name, role_label=ROLE_LABELS.get(person.role, person.role),
                items=[_item(f) for f in claimed], uid=msg.uid, body_format=body_format_for(target),
            )
            outbox.fill_message(msg, subject=composed.subject, body=composed.body, body_format=composed.body_format)
            result.messages += 1
            told = told or person.role == "platform_manager"
    return told


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_outbox(rt: Runtime, *, manual: bool = False) -> DeliveryResult:
    """Send every due message once; a failure is recorded with its error and retried later, never dropped.

    Automatic runs respect the backoff and ``alerts.max_attempts``; a manual retry
    (``orgwatch alerts retry``) sends every undelivered message now.
    """
    result = DeliveryResult()
    settings = rt.settings.alerts
    with rt.db.session() as s:
        pending = outbox.due_messages(s, rt.now(), include_not_yet_due=manual,
                                      max_attempts=None if manual else settings.max_attempts)
        due = [(m.id, m.target, m.subject, m.body, m.body_format, m.recipient) for m in pending]
    for msg_id, target, subject, body, body_format, recipient in due:
        error = None
        try:
            send(target, subject=subject, body=body, body_format=body_format, timeout=settings.timeout)
        except AlertError as exc:
            error = str(exc)
        with rt.db.session() as s:
            outbox.record_delivery(s, msg_id, error=error, now=rt.now(),
                                   retry_after=dt.timedelta(minutes=settings.retry_after_minutes))
        if error is None:
            result.sent += 1
        else:
            result.failed += 1
            result.errors.append(f"发给 {recipient}（{redact(target)}）的消息 #{msg_id} 未送达：{error}")
            log.warning("delivery of message %s failed: %s", msg_id, error)
    return result
