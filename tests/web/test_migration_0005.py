"""Migration 0005 on a database that already holds findings: the finding table keeps its rows (no
rebuild), gains status_by/status_at, and users, tokens and audit entries work with their unique
keys, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from models import audit, users
from models.db import Database, _alembic_config
from models.entities import Finding

NOW = "2026-11-02 08:00:00"


def _seed_at_0004(db: Database) -> None:
    command.upgrade(_alembic_config(db.engine), "0004")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, name, type, charity, uscc, registration_authority, "
                          "public_fundraising_qualified, active, updated_at) VALUES "
                          "('anhe', '安和', 'social_service', false, 'X', '民政局', false, true, :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO finding (id, fingerprint, org_id, url, category, rule, severity, evidence, "
                          "basis, detail, first_seen, last_seen, status, status_note, occurrence, notified_occurrence) "
                          "VALUES "
                          "(7, 'fp', 'anhe', 'u', 'pii_id', 'r', 'high', '证据', '', '{}', :now, :now, "
                          "'false_positive', '示例号码', 1, 1)"), {"now": NOW})


def _check_upgraded(db: Database) -> None:
    import datetime as dt

    command.upgrade(_alembic_config(db.engine), "0005")
    columns = {c["name"] for c in inspect(db.engine).get_columns("finding")}
    assert {"status_by", "status_at"} <= columns
    assert {"web_user", "api_token", "audit_entry"} <= set(inspect(db.engine).get_table_names())
    now = dt.datetime(2026, 11, 3, tzinfo=dt.timezone.utc)
    with db.session() as s:
        kept = s.get(Finding, 7)
        assert (kept.status, kept.status_note, kept.evidence, kept.status_by) == ("false_positive", "示例号码", "证据", None)
        user = users.add_user(s, name="王审核", role="bureau", password="long-enough-pass", now=now)
        _, token = users.create_token(s, user=user, name="脚本", now=now)
        audit.record(s, actor="王审核", action="login", ip="127.0.0.1", now=now)
    with db.session() as s:
        assert users.find_token(s, token, now).user.name == "王审核"
        assert users.authenticate(s, "王审核", "long-enough-pass") is not None
        assert [e.action for e in audit.list_entries(s)[0]] == ["login"]
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO web_user (name, role, password_hash, active, created_at) "
                              "VALUES ('王审核', 'org', 'x', true, :now)"), {"now": NOW})


def test_upgrade_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'o.db'}")
    _seed_at_0004(db)
    _check_upgraded(db)
    db.dispose()


@pytest.mark.services
def test_upgrade_on_postgresql(pg_database):
    db = Database(pg_database)
    try:
        _seed_at_0004(db)
        _check_upgraded(db)
    finally:
        db.dispose()
