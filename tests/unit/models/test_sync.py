"""Registry sync: organisations, channels and people added, changed and removed, in one pass."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models.audit import audited_sync
from models.entities import Channel, Organization, Person
from tests.unit.models.conftest import NOW

LATER = NOW + dt.timedelta(days=1)


def org(org_id: str, name: str, urls: list[str], people: list[tuple[str, str, list[str]]]) -> dict:
    return {"id": org_id, "name": name, "type": "social_group", "charity": False, "uscc": "51330000MJ0000001X",
            "registration_authority": "澄江市民政局", "supervisor": None, "public_fundraising_qualified": False,
            "fundraising_certificate": None, "channels": [{"kind": "website", "url": u, "name": None} for u in urls],
            "people": [{"name": n, "role": r, "notify": notify} for n, r, notify in people]}


def state(db) -> tuple[dict, dict, dict]:
    with db.session() as s:
        orgs = {o.id: (o.name, o.active, o.updated_at) for o in s.scalars(select(Organization))}
        channels = {(c.org_id, c.url): c.active for c in s.scalars(select(Channel))}
        people = {(p.org_id, p.name): (p.active, p.notify) for p in s.scalars(select(Person))}
    return orgs, channels, people


def test_sync_adds_changes_and_deactivates_and_audits_only_changes(db):
    first = [org("org1", "澄江市春晖助老协会", ["http://a.example/", "http://b.example/"],
                 [("周敏", "platform_manager", ["mailto://z@a.example"])]),
             org("org2", "澄江市书画协会", ["http://c.example/"], [("李明", "legal_representative", [])])]
    with db.session() as s:
        summary = audited_sync(s, first, NOW)
    orgs, channels, people = state(db)
    assert {k: v[:2] for k, v in orgs.items()} == {"org1": ("澄江市春晖助老协会", True), "org2": ("澄江市书画协会", True)}
    assert all(updated == NOW for _, _, updated in orgs.values())
    assert set(channels) == {("org1", "http://a.example/"), ("org1", "http://b.example/"), ("org2", "http://c.example/")}
    assert summary["organisations"] == {"added": ["org2"]}

    with db.session() as s:
        assert audited_sync(s, first, LATER) == {}  # nothing changed: no audit entry
    assert all(updated == LATER for _, _, updated in state(db)[0].values())  # the sync time is still kept

    second = [org("org1", "澄江市春晖助老服务协会", ["http://a.example/"], [("周敏", "platform_manager", ["mailto://m@a.example"])])]
    with db.session() as s:
        summary = audited_sync(s, second, LATER)
    orgs, channels, people = state(db)
    assert orgs["org1"][:2] == ("澄江市春晖助老服务协会", True) and orgs["org2"][1] is False
    assert channels == {("org1", "http://a.example/"): True, ("org1", "http://b.example/"): False,
                        ("org2", "http://c.example/"): True}  # a removed organisation keeps its channels as they were
    assert people[("org1", "周敏")] == (True, ["mailto://m@a.example"])
    assert summary["organisations"] == {"removed": ["org2"], "changed": ["org1"]}
    assert summary["channels"] == {"removed": ["org1 http://b.example/"]}
    assert summary["people"] == {"changed": ["org1 周敏（platform_manager）"]}

    with db.session() as s:
        audited_sync(s, first, LATER)  # back again
    orgs, channels, _ = state(db)
    assert orgs["org2"][1] is True and channels[("org1", "http://b.example/")] is True
