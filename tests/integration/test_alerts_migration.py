"""Migration 0003 on a database with alerts already sent: old alerts become first-time alerts, and
the new unique keys (alert kind, digest entry, operator notice, digest dedupe key) hold, on SQLite
and on PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from models.db import Database, _alembic_config

NOW = "2026-11-02 08:00:00"


def _seed_at_0002(db: Database) -> None:
    command.upgrade(_alembic_config(db.engine), "0002")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, name, type, charity, uscc, registration_authority, "
                          "public_fundraising_qualified, active, updated_at) VALUES "
                          "('anhe', '安和', 'social_service', false, 'X', '民政局', false, true, :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO person (id, org_id, name, role, notify, active) VALUES "
                          "(1, 'anhe', '周敏', 'platform_manager', '[]', true)"))
        conn.execute(text("INSERT INTO finding (id, fingerprint, org_id, url, category, rule, severity, evidence, basis, "
                          "detail, first_seen, last_seen, status, occurrence, notified_occurrence) VALUES "
                          "(1, 'fp', 'anhe', 'u', 'pii_id', 'r', 'high', '', '', '{}', :now, :now, 'open', 1, 1)"),
                     {"now": NOW})
        conn.execute(text("INSERT INTO outbox_message (id, uid, org_id, person_id, recipient, target, transport, kind, "
                          "subject, body, body_format, status, attempts, created_at, next_attempt_at) VALUES "
                          "(1000, 'OW-1', 'anhe', 1, '周敏', 'json://h/x', 'json', 'findings', 's', 'b', 'text', 'sent', 1, "
                          ":now, :now)"), {"now": NOW})
        conn.execute(text("INSERT INTO alert (finding_id, person_id, target, occurrence, message_id, created_at) "
                          "VALUES (1, 1, 'json://h/x', 1, 1000, :now)"), {"now": NOW})


def _check_upgraded(db: Database) -> None:
    command.upgrade(_alembic_config(db.engine), "head")
    assert not db.needs_migration()
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT kind FROM alert")).scalar() == "findings"
        assert conn.execute(text("SELECT finding_ids FROM outbox_message")).scalar() in ("[]", [])
        conn.execute(text("INSERT INTO alert (finding_id, person_id, target, occurrence, kind, message_id, created_at) "
                          "VALUES (1, 1, 'json://h/x', 1, 'reminder', 1000, :now)"), {"now": NOW})
    duplicates = [
        "INSERT INTO alert (finding_id, person_id, target, occurrence, kind, message_id, created_at) "
        "VALUES (1, 1, 'json://h/x', 1, 'reminder', 1000, :now)",
        "INSERT INTO digest_entry (unit, org_id, finding_id, occurrence, day, created_at) "
        "VALUES ('民政局', 'anhe', 1, 1, '2026-11-02', :now)",
        "INSERT INTO operator_notice (key, summary, created_at) VALUES ('scan:1', 's', :now)",
        "INSERT INTO outbox_message (uid, recipient, target, transport, kind, subject, body, body_format, status, "
        "attempts, created_at, next_attempt_at, dedupe_key, finding_ids) VALUES "
        "(:uid, 'r', 't', 'json', 'digest', 's', 'b', 'text', 'pending', 0, :now, :now, 'digest:k', '[]')",
    ]
    for statement in duplicates[1:]:
        with db.engine.begin() as conn:
            conn.execute(text(statement), {"now": NOW, "uid": uuid.uuid4().hex})
    for statement in duplicates:
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text(statement), {"now": NOW, "uid": uuid.uuid4().hex})


def test_upgrade_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'o.db'}")
    _seed_at_0002(db)
    _check_upgraded(db)
    db.dispose()


@pytest.mark.services
def test_upgrade_on_postgresql(postgres_url):
    name = f"orgwatch_alerts_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    try:
        _seed_at_0002(db)
        _check_upgraded(db)
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
