"""Mirror the registry YAML into the database; organisations removed from it become inactive."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.entities import Channel, Organization, Person

ORG_FIELDS = (
    "name", "type", "charity", "uscc", "registration_authority", "supervisor",
    "public_fundraising_qualified", "fundraising_certificate",
)


def sync_registry(session: Session, orgs: list[dict[str, Any]], now: dt.datetime) -> None:
    """Upsert organisations, their channels and people from plain dicts (``Organization.model_dump()``)."""
    existing = {o.id: o for o in session.scalars(select(Organization))}
    for data in orgs:
        org = existing.pop(data["id"], None)
        if org is None:
            org = Organization(id=data["id"])
            session.add(org)
        for field in ORG_FIELDS:
            setattr(org, field, data.get(field))
        org.active, org.updated_at = True, now
        session.flush()
        _sync_channels(session, org, data.get("channels", []))
        _sync_people(session, org, data.get("people", []))
    for gone in existing.values():
        gone.active = False
        gone.updated_at = now


def _sync_channels(session: Session, org: Organization, channels: list[dict]) -> None:
    current = {c.url: c for c in session.scalars(select(Channel).where(Channel.org_id == org.id))}
    for data in channels:
        ch = current.pop(data["url"], None)
        if ch is None:
            ch = Channel(org_id=org.id, url=data["url"])
            session.add(ch)
        ch.kind, ch.name, ch.active = data["kind"], data.get("name"), True
    for gone in current.values():
        gone.active = False


def _sync_people(session: Session, org: Organization, people: list[dict]) -> None:
    current = {(p.name, p.role): p for p in session.scalars(select(Person).where(Person.org_id == org.id))}
    for data in people:
        person = current.pop((data["name"], data["role"]), None)
        if person is None:
            person = Person(org_id=org.id, name=data["name"], role=data["role"])
            session.add(person)
        person.notify, person.active = list(data.get("notify", [])), True
    for gone in current.values():
        gone.active = False
