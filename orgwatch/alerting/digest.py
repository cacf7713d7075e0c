"""The daily digest: each supervising unit gets one message a day listing its organisations' findings
routed to ``supervisor`` (by default the high-severity ones) that no earlier digest listed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from alerts.channels import transport_of
from config.registry import Registry
from models import outbox
from models.entities import DigestEntry
from orgwatch.alerting.common import composer_for, fill_with_items, link_for
from orgwatch.runtime import Runtime


@dataclass
class DigestResult:
    """What :func:`queue_digest` did for one day."""

    day: dt.date
    units: int = 0
    messages: int = 0
    findings: int = 0
    already_sent: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def queue_digest(rt: Runtime, day: dt.date | None = None) -> DigestResult:
    """Queue the digest of ``day`` (default: the ``--as-of`` day) for every supervising unit.

    A unit's digest lists its entries queued on or before ``day`` and not yet listed (so a
    finding found after the day's digest goes into the next one); no entries, no message. The
    dedupe key (unit, day, address) makes it once per unit, day and address, also under a race.
    """
    day = day or rt.as_of
    result = DigestResult(day=day)
    registry = rt.registry  # read (and validated) every time, also on days with nothing to send
    with rt.db.session() as s:
        by_unit: dict[str, list[DigestEntry]] = {}
        for entry in outbox.pending_digest_entries(s, day):
            by_unit.setdefault(entry.unit, []).append(entry)
        for unit, entries in by_unit.items():
            if outbox.digest_exists(s, unit, day):
                result.already_sent.append(unit)
                continue
            _queue_unit(s, rt, registry, unit, entries, day, result)
            outbox.mark_digested(entries, day)
    return result


def _queue_unit(s, rt: Runtime, registry: Registry, unit: str, entries: list[DigestEntry], day: dt.date,
                result: DigestResult) -> None:
    findings = [e.finding for e in entries if e.finding.status != "false_positive"]
    supervisor = registry.supervisor(unit)
    targets = [(c.name, url) for c in (supervisor.people if supervisor else []) for url in c.notify]
    if not findings:
        return
    if not targets:
        result.warnings.append(f"业务主管单位 {unit} 有 {len(findings)} 个问题应列入每日汇总，但名册 supervisors 中没有它的联系人"
                               "或联系人没有 notify 地址，未发送")
        return
    composer, now = composer_for(rt), rt.now()
    org_count = len({f.org_id for f in findings})
    result.units += 1
    result.findings += len(findings)
    for name, target in targets:
        msg = outbox.open_message(s, org_id=None, person=None, recipient=f"{unit} {name}", target=target,
                                  transport=transport_of(target), scan_id=None, now=now, kind="digest",
                                  dedupe_key=outbox.digest_key(unit, day, target))
        if msg is None:
            continue
        fill_with_items(s, rt, composer, msg, "digest", findings,
                        subject_context={"unit": unit, "day": day.isoformat(), "org_count": org_count},
                        context={"unit": unit, "recipient": name, "day": day.isoformat(), "org_count": org_count,
                                 "link": link_for(rt)})
        result.messages += 1
