"""Mirror the registry YAML into the database; organisations removed from it become inactive."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.entities import Channel, Organization, Person

SYNC_CHUNK = 500
ORG_FIELDS = (
    "name", "type", "charity", "uscc", "registration_authority", "supervisor",
    "public_fundraising_qualified", "fundraising_certificate",
)


def sync_registry(session: Session, orgs: list[dict[str, Any]], now: dt.datetime) -> None:
    """Upsert organisations, their channels and people from plain dicts (``Organization.model_dump()``).

    Everything stored is read in three queries and written in one flush, so a registry of tens of
    thousands of organisations syncs in seconds (one query per organisation took minutes).
    """
    existing = {o.id: o for o in session.scalars(select(Organization))}
    channels: dict[str, dict[str, Channel]] = defaultdict(dict)
    for ch in session.scalars(select(Channel)):
        channels[ch.org_id][ch.url] = ch
    people: dict[str, dict[tuple[str, str], Person]] = defaultdict(dict)
    for person in session.scalars(select(Person)):
        people[person.org_id][(person.name, person.role)] = person
    synced: list[str] = []
    for data in orgs:
        org = existing.pop(data["id"], None)
        if org is None:
            org = Organization(id=data["id"], updated_at=now)
            session.add(org)
        else:
            synced.append(org.id)
        _assign(org, active=True, **{field: data.get(field) for field in ORG_FIELDS})
        _sync_channels(session, org.id, channels.pop(org.id, {}), data.get("channels", []))
        _sync_people(session, org.id, people.pop(org.id, {}), data.get("people", []))
    for gone in existing.values():
        _assign(gone, active=False)
    session.flush()
    synced += list(existing)
    for start in range(0, len(synced), SYNC_CHUNK):  # the sync time, one statement per chunk
        session.execute(update(Organization).where(Organization.id.in_(synced[start:start + SYNC_CHUNK]))
                        .values(updated_at=now))


def _assign(row: Any, **values: Any) -> None:
    """Set only what differs, so that unchanged rows stay clean and the flush has nothing to check."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _sync_channels(session: Session, org_id: str, current: dict[str, Channel], channels: list[dict]) -> None:
    for data in channels:
        ch = current.pop(data["url"], None)
        if ch is None:
            ch = Channel(org_id=org_id, url=data["url"])
            session.add(ch)
        _assign(ch, kind=data["kind"], name=data.get("name"), active=True)
    for gone in current.values():
        _assign(gone, active=False)


def _sync_people(session: Session, org_id: str, current: dict[tuple[str, str], Person], people: list[dict]) -> None:
    for data in people:
        person = current.pop((data["name"], data["role"]), None)
        if person is None:
            person = Person(org_id=org_id, name=data["name"], role=data["role"])
            session.add(person)
        _assign(person, notify=list(data.get("notify", [])), active=True)
    for gone in current.values():
        _assign(gone, active=False)
