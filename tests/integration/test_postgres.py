"""The same schema and upserts on the real PostgreSQL on 127.0.0.1 (skipped where it is absent)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from models import findings as store
from models import scans
from models.db import Database
from models.entities import Finding
from models.sync import sync_registry

pytestmark = pytest.mark.services


@pytest.fixture()
def pg_db(pg_database):
    db = Database(pg_database)
    yield db
    db.dispose()


ORG = {"id": "pg-org", "name": "测试协会", "type": "social_group", "charity": False, "uscc": "51500199MJP823451N",
       "registration_authority": "民政局", "supervisor": None, "public_fundraising_qualified": False,
       "fundraising_certificate": None, "channels": [{"kind": "website", "url": "http://127.0.0.1:1/"}],
       "people": []}


def test_migrations_and_concurrent_upserts_never_duplicate(pg_db):
    pg_db.migrate()
    assert not pg_db.needs_migration()
    now = dt.datetime.now(dt.timezone.utc)
    with pg_db.session() as s:
        sync_registry(s, [ORG], now)
        scan_id = scans.start_scan(s, scope="all", as_of=now.date(), now=now)
        channel_id = scans.active_channels(s)[0].id
    values = dict(fingerprint=store.fingerprint("pg-org", "http://x/1", "pii_id", "unmasked_id", None, ""),
                  org_id="pg-org", channel_id=channel_id, url="http://x/1", category="pii_id",
                  rule="unmasked_id", severity="high", evidence="【500199********1234】")
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def writer() -> None:
        barrier.wait()
        with pg_db.session() as s:
            outcomes.append(store.upsert_finding(s, dict(values), scan_id=scan_id, now=now)[1])

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pg_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Finding)) == 1
    assert sorted(outcomes) == ["new", "seen", "seen", "seen"]
