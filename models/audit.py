"""The audit log: who did what, to what, when and from where; also the source of login rate limits."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session

from models.entities import AuditEntry

_TEXT_MAX = {"actor": 100, "action": 40, "target_type": 40, "target_id": 100, "ip": 64}


def record(session: Session, *, actor: str, action: str, target_type: str | None = None,
           target_id: str | None = None, detail: dict[str, Any] | None = None, ip: str | None = None,
           now: dt.datetime) -> AuditEntry:
    """Add one audit entry (not committed: it joins the caller's unit of work)."""
    values = {"actor": actor or "?", "action": action, "target_type": target_type,
              "target_id": None if target_id is None else str(target_id), "ip": ip}
    values = {k: (v[:_TEXT_MAX[k]] if isinstance(v, str) else v) for k, v in values.items()}
    entry = AuditEntry(at=now, detail=detail or {}, **values)
    session.add(entry)
    return entry


def lock_logins(session: Session, *, actor: str, ip: str | None) -> None:
    """Hold the login attempts of (actor, ip) until this transaction ends, so that simultaneous
    attempts are counted one after another and none slips past the limit: a transaction-scoped
    advisory lock on PostgreSQL; on SQLite, the database's write lock, taken by a write that
    changes nothing (other writers wait for the commit; SQLite has one writer at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"login\x1f{actor}\x1f{ip}".encode("utf-8")).digest()[:8], "big",
                             signed=True)
        session.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        session.execute(update(AuditEntry).where(false()).values(actor=AuditEntry.actor))


def failures_since(session: Session, *, actor: str, ip: str | None, since: dt.datetime) -> list[dt.datetime]:
    """Times of ``login_failed`` entries for (actor, ip) after ``since`` and after the last successful
    login from that address, oldest first."""
    last_ok = session.scalar(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == "login", AuditEntry.actor == actor,
                                              AuditEntry.ip == ip)
    )
    start = max(since, last_ok) if last_ok else since
    return list(session.scalars(
        select(AuditEntry.at).where(AuditEntry.action == "login_failed", AuditEntry.actor == actor,
                                    AuditEntry.ip == ip, AuditEntry.at > start).order_by(AuditEntry.at)
    ))


def list_entries(session: Session, *, page: int = 1, per_page: int = 50, actor: str | None = None,
                 action: str | None = None) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the total count; ``action`` matches a prefix (``triage``).
    A page past the last one gives the last page."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, min(page, -(-total // per_page)))  # past the last page: the last page
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def entries_for(session: Session, target_type: str, target_id: str) -> list[AuditEntry]:
    """Every entry about one target (a finding's triage history), oldest first."""
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == target_type, AuditEntry.target_id == str(target_id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ))


def _registry_state(session: Session) -> dict[str, dict]:
    """What a registry sync may change, keyed so two states can be compared (no contact addresses)."""
    from models.entities import Channel, Organization, Person
    from models.sync import ORG_FIELDS

    org_columns = [getattr(Organization, f) for f in ORG_FIELDS]
    return {  # plain column reads: tens of thousands of rows, no objects built
        "organisations": {oid: tuple(rest) for oid, *rest in
                          session.execute(select(Organization.id, Organization.active, *org_columns))},
        "channels": {f"{org_id} {url}": (active, kind, name) for org_id, url, active, kind, name in
                     session.execute(select(Channel.org_id, Channel.url, Channel.active, Channel.kind, Channel.name))},
        "people": {f"{org_id} {name}（{role}）": (active, tuple(notify or ())) for org_id, name, role, active, notify in
                   session.execute(select(Person.org_id, Person.name, Person.role, Person.active, Person.notify))},
    }


def _diff(before: dict[str, tuple], after: dict[str, tuple]) -> dict[str, list[str]]:
    """added / removed (became inactive) / changed keys between two states of one kind of row."""
    out = {
        "added": sorted(k for k, v in after.items() if v[0] and (k not in before or not before[k][0])),
        "removed": sorted(k for k, v in after.items() if not v[0] and k in before and before[k][0]),
        "changed": sorted(k for k, v in after.items() if v[0] and k in before and before[k][0] and before[k] != v),
    }
    return {name: keys for name, keys in out.items() if keys}


def audited_sync(session: Session, orgs: list[dict[str, Any]], now: dt.datetime, *,
                 actor: str = "orgwatch") -> dict[str, dict[str, list[str]]]:
    """``models.sync.sync_registry`` plus a ``registry.sync`` audit entry summarising what changed
    (organisations, channels, people added, removed or changed); no entry when nothing changed."""
    from models.sync import sync_registry

    before = _registry_state(session)
    sync_registry(session, orgs, now)
    session.flush()
    after = _registry_state(session)
    summary = {kind: d for kind in after if (d := _diff(before[kind], after[kind]))}
    if summary:
        record(session, actor=actor, action="registry.sync", target_type="registry", detail=summary, now=now)
    return summary
