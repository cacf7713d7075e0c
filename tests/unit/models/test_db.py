"""The database says clearly what to do when it is locked or unreachable, and loses nothing."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from models import scans
from models.db import Database
from models.exceptions import DatabaseLockedError, StoreError


def test_locked_sqlite_gives_a_clear_message_and_keeps_earlier_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    db = Database(url, busy_ms=200)
    db.migrate()
    now = dt.datetime.now(dt.timezone.utc)
    with db.session() as s:
        first = scans.start_scan(s, scope="all", as_of=now.date(), now=now)

    holder = sqlite3.connect(tmp_path / "o.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLockedError) as err:
            with db.session() as s:
                scans.start_scan(s, scope="all", as_of=now.date(), now=now)
    finally:
        holder.rollback()
        holder.close()
    assert "被另一个进程锁定" in str(err.value) and "PostgreSQL" in str(err.value)

    with db.session() as s:
        assert scans.latest_scan(s).id == first


def test_unreachable_database_names_the_url_without_password():
    db = Database("postgresql+psycopg://orgwatch:s3cret@127.0.0.1:1/none")
    with pytest.raises(StoreError) as err:
        db.migrate()
    assert "127.0.0.1:1" in str(err.value) and "s3cret" not in str(err.value)
