"""Several writers store the same findings of one organisation at once and queue its alerts, on
SQLite and on the real PostgreSQL: unique keys and upserts keep every count exact."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from config.settings import load_settings
from models import findings as store
from models import scans
from models.entities import Alert, Finding, OutboxMessage
from models.sync import sync_registry
from orgwatch.alerting import queue_alerts
from orgwatch.runtime import Runtime
from tests.distributed.orgsites import write_config

WRITERS = 6
EVIDENCE = ["【500199********0123】", "【500101********0456】", "【500199********0789】"]


@pytest.fixture(params=["sqlite", "postgresql"])
def rt(request, tmp_path):
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_database")
    config = write_config(tmp_path, {"org003": "http://127.0.0.1:9"}, "json://127.0.0.1:9/pm", database_url=url)
    runtime = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 29))
    yield runtime
    runtime.db.dispose()


def count(rt: Runtime, table) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(table))


def test_same_findings_from_many_writers_are_stored_and_alerted_once(rt):
    now = rt.now()
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], now)
        channel_id = scans.active_channels(s, ["org003"])[0].id
    scan_ids = []
    for _ in range(WRITERS):  # each writer is its own scan, as each worker job is
        with rt.db.session() as s:
            scan_ids.append(scans.start_scan(s, scope="org003", as_of=rt.as_of, now=now))
    url = "http://127.0.0.1:9/list.html"
    values = [dict(fingerprint=store.fingerprint("org003", url, "pii_id", "unmasked_id", None, e), org_id="org003",
                   channel_id=channel_id, url=url, category="pii_id", rule="unmasked_id", severity="high",
                   evidence=e) for e in EVIDENCE]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(scan_id: int) -> None:
        try:
            barrier.wait()
            with rt.db.session() as s:
                outcomes.extend(store.upsert_finding(s, dict(v), scan_id=scan_id, now=now)[1] for v in values)
            queue_alerts(rt, ["org003"], scan_id=scan_id)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(scan_id,)) for scan_id in scan_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes).count("new") == len(EVIDENCE)
    assert count(rt, Finding) == len(EVIDENCE)
    assert count(rt, Alert) == len(EVIDENCE)  # one recipient address, one alert per finding
    assert count(rt, OutboxMessage) == 1
    with rt.db.session() as s:
        [message] = s.scalars(select(OutboxMessage)).all()
        assert len(message.finding_ids) == len(EVIDENCE)
