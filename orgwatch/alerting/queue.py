"""First-time alerts: route each new or reopened finding by the rules in ``alerts.routes``, and queue
one message per organisation and recipient address, plus the supervising unit's digest entries."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.routing import roles_for, unknown_orgs
from models import outbox
from models.entities import Finding, Organization, Person
from orgwatch.alerting.common import composer_for, queue_to_addresses
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class QueueResult:
    """What :func:`queue_alerts` queued: messages for people (first-time alerts and reminders, of
    which ``reminders`` are reminders), findings owed to digests, and new operator notices."""

    messages: int = 0
    reminders: int = 0
    digest_entries: int = 0
    operator_notices: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """Who is told of an organisation's new findings: people (with their findings) and the digest."""

    people: dict[int, list[Finding]] = field(default_factory=dict)
    digest: list[Finding] = field(default_factory=list)
    untold: list[Finding] = field(default_factory=list)


def plan_org(rules, org: Organization, people: list[Person], findings: list[Finding]) -> _Plan:
    """Apply the routing rules to one organisation's findings (people without addresses are skipped)."""
    plan = _Plan()
    for f in findings:
        roles = roles_for(rules, category=f.category, severity=f.severity, org_id=org.id)
        told = False
        for person in people:
            if person.role in roles and person.notify:
                plan.people.setdefault(person.id, []).append(f)
                told = True
        if "supervisor" in roles and org.supervisor:
            plan.digest.append(f)
            told = True
        if not told:
            plan.untold.append(f)
    return plan


def queue_first_alerts(rt: Runtime, org_ids: list[str] | None, scan_id: int | None, result: QueueResult) -> None:
    rules = rt.settings.alerts.effective_routes()
    composer, now = composer_for(rt), rt.now()
    with rt.db.session() as s:
        _warn_unknown_orgs(s, rules, result)
        by_org: dict[str, list[Finding]] = {}
        for f in outbox.findings_owing_alerts(s, org_ids):
            by_org.setdefault(f.org_id, []).append(f)
        for org_id, findings in by_org.items():
            org = s.get(Organization, org_id)
            people = outbox.active_people(s, org_id)
            plan = plan_org(rules, org, people, findings)
            owed = [(p, plan.people[p.id]) for p in people if p.id in plan.people]
            result.messages += queue_to_addresses(
                s, rt, composer, org, owed, kind="findings", scan_id=scan_id, now=now,
                subject_context={"org_name": org.name}, context={"org_name": org.name},
            )
            for f in plan.digest:
                result.digest_entries += outbox.add_digest_entry(s, unit=org.supervisor, finding=f, day=rt.as_of, now=now)
            if plan.untold:
                result.warnings.append(
                    f"{org.name}（{org_id}）有 {len(plan.untold)} 个新问题没有通知到任何人：按通知规则应接收的人"
                    "在名册中没有 notify 地址；请在名册 people 中为平台管理员（platform_manager）等填写 notify 地址，"
                    "或检查设置 alerts.routes"
                )
            outbox.mark_notified(findings)


def _warn_unknown_orgs(s: Session, rules, result: QueueResult) -> None:
    known = set(s.scalars(select(Organization.id)))
    missing = unknown_orgs(rules, known)
    if missing:
        result.warnings.append(f"通知规则 alerts.routes 中的机构 id {', '.join(missing)} 不在名册中，这些规则不会生效")
