"""Channel leases on SQLite and on the real PostgreSQL: all or nothing, expiry, and one winner
when many acquire the same channels at once."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from models import leases, scans
from models.db import Database
from models.sync import sync_registry
from tests.distributed.orgsites import registry_entry

MINUTE = dt.timedelta(minutes=1)
T0 = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'leases.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    database = Database(url)
    database.migrate()
    org = registry_entry(1, "http://127.0.0.1:9", "json://127.0.0.1:9/x")
    org["channels"] += [{"kind": "website", "url": "http://127.0.0.1:10/"}]
    with database.session() as s:
        sync_registry(s, [org], T0)
    yield database
    database.dispose()


def channel_ids(db: Database) -> list[int]:
    with db.session() as s:
        return [c.id for c in scans.active_channels(s)]


def acquire(db: Database, ids: list[int], holder: str, now: dt.datetime = T0) -> bool:
    with db.session() as s:
        return leases.acquire(s, ids, holder, now, MINUTE)


def held(db: Database, ids: list[int], now: dt.datetime = T0) -> dict[int, str]:
    with db.session() as s:
        return leases.held(s, ids, now)


def test_all_or_nothing_expiry_renewal_and_release(db):
    first, second = channel_ids(db)
    assert acquire(db, [first], "job:a")
    assert not acquire(db, [first, second], "job:b")
    assert held(db, [first, second]) == {first: "job:a"}  # the refused acquire took nothing
    assert acquire(db, [first, second], "job:a")  # one's own lease is renewed, the free one taken
    with db.session() as s:
        assert leases.renew(s, [first, second], "job:a", T0 + MINUTE / 2, MINUTE)
        assert not leases.renew(s, [first], "job:b", T0, MINUTE)
    later = T0 + MINUTE * 1.4
    assert not acquire(db, [second], "job:b", later)  # renewed at 0.5 min: held until 1.5 min
    expired = T0 + MINUTE * 2
    assert held(db, [first, second], expired) == {}
    assert acquire(db, [second], "job:b", expired)  # a dead holder's lease is taken over
    with db.session() as s:
        leases.release(s, [first, second], "job:b")
    assert held(db, [first, second], T0) == {first: "job:a"}  # only job:b's lease was given up


def test_one_winner_among_concurrent_acquirers(db):
    ids = channel_ids(db)
    wins: list[str] = []
    barrier = threading.Barrier(6)

    def contender(n: int) -> None:
        barrier.wait()
        # half ask in the opposite order: the sorted acquisition must not deadlock
        if acquire(db, ids if n % 2 else ids[::-1], f"job:{n}"):
            wins.append(f"job:{n}")

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert held(db, ids) == {i: wins[0] for i in ids}
