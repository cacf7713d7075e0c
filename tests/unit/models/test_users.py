"""Web users, API tokens, the audit log's login counts and the triage transitions, on a real SQLite file."""
from __future__ import annotations

import datetime as dt

import pytest

from models import audit, users
from models.entities import Finding
from models.triage import TRANSITIONS, TriageError, change_status

from tests.unit.models.conftest import NOW

PASSWORD = "long-enough-pass"


def test_password_is_stored_as_argon2_and_checked(db):
    with db.session() as s:
        user = users.add_user(s, name="王审核", role="bureau", password=PASSWORD, now=NOW)
        assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    with db.session() as s:
        assert users.authenticate(s, "王审核", PASSWORD).name == "王审核"
        assert users.authenticate(s, "王审核", "wrong-password") is None
        assert users.authenticate(s, "无此人", PASSWORD) is None
        users.disable_user(s, "王审核", NOW)
        assert users.authenticate(s, "王审核", PASSWORD) is None


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="a", role="admin"), "未知的角色"),
    (dict(name="a", role="org"), "--org"),
    (dict(name="a", role="supervisor"), "--supervisor"),
    (dict(name=" ", role="bureau"), "不能为空"),
    (dict(name="a", role="bureau", password="short"), "密码太短"),
])
def test_bad_users_are_refused_with_a_chinese_message(db, kwargs, words):
    with db.session() as s, pytest.raises(users.UserError, match=words):
        users.add_user(s, **{"password": PASSWORD, **kwargs}, now=NOW)


def test_role_fields_are_kept_only_for_their_role(db):
    with db.session() as s:
        staff = users.add_user(s, name="机构甲", role="org", org_id="org1", supervisor="卫健委", password=PASSWORD,
                               now=NOW)
        assert (staff.org_id, staff.supervisor) == ("org1", None)
        with pytest.raises(users.UserError, match="已存在"):
            users.add_user(s, name="机构甲", role="bureau", password=PASSWORD, now=NOW)


def test_token_is_stored_only_as_its_hash_and_expires_or_is_revoked(db):
    with db.session() as s:
        user = users.add_user(s, name="脚本用户", role="bureau", password=PASSWORD, now=NOW)
        row, token = users.create_token(s, user=user, name="周报", now=NOW, days=7)
        assert row.token_hash == users.token_hash(token) and token not in (row.token_hash, row.prefix)
        assert token.startswith(row.prefix)
    with db.session() as s:
        assert users.find_token(s, token, NOW + dt.timedelta(days=6)).user.name == "脚本用户"
        assert users.find_token(s, token, NOW + dt.timedelta(days=7)) is None
        assert users.find_token(s, token + "x", NOW) is None
        users.revoke_token(s, row.id, NOW)
        assert users.find_token(s, token, NOW) is None
        with pytest.raises(users.UserError, match="有效天数"):
            users.create_token(s, user=users.require_user(s, "脚本用户"), name="", now=NOW, days=0)


def test_login_failures_count_per_name_and_address_since_the_last_success(db):
    minute = dt.timedelta(minutes=1)
    with db.session() as s:
        for n, (actor, ip) in enumerate([("甲", "10.0.0.1"), ("甲", "10.0.0.1"), ("甲", "10.0.0.2"), ("乙", "10.0.0.1")]):
            audit.record(s, actor=actor, action="login_failed", ip=ip, now=NOW + n * minute)
    with db.session() as s:
        assert len(audit.failures_since(s, actor="甲", ip="10.0.0.1", since=NOW - minute)) == 2
        assert len(audit.failures_since(s, actor="甲", ip="10.0.0.1", since=NOW)) == 1  # the window moved on
        audit.record(s, actor="甲", action="login", ip="10.0.0.1", now=NOW + 10 * minute)
        assert audit.failures_since(s, actor="甲", ip="10.0.0.1", since=NOW - minute) == []
        assert len(audit.failures_since(s, actor="甲", ip="10.0.0.2", since=NOW - minute)) == 1


def _finding(session, status: str) -> Finding:
    f = Finding(fingerprint=f"fp-{status}", org_id="org1", url="http://127.0.0.1/p", category="pii_id", rule="r",
                severity="high", first_seen=NOW, last_seen=NOW, status=status)
    session.add(f)
    session.flush()
    return f


@pytest.mark.parametrize("status, action, expected", [
    ("open", "acknowledge", "acknowledged"),
    ("open", "confirm", "acknowledged"),
    ("acknowledged", "confirm", "acknowledged"),
    ("open", "false_positive", "false_positive"),
    ("acknowledged", "false_positive", "false_positive"),
    ("open", "resolve", "resolved"),
    ("acknowledged", "resolve", "resolved"),
    ("false_positive", "reopen", "open"),
    ("resolved", "reopen", "open"),
    ("acknowledged", "acknowledge", None),
    ("open", "reopen", None),
    ("resolved", "false_positive", None),
    ("false_positive", "resolve", None),
    ("resolved", "resolve", None),
])
def test_triage_transitions(db, status, action, expected):
    with db.session() as s:
        f = _finding(s, status)
        if expected is None:
            with pytest.raises(TriageError, match="不能"):
                change_status(s, f, action=action, actor="王审核", reason="理由", now=NOW)
            assert f.status == status
            return
        change = change_status(s, f, action=action, actor="王审核", reason="理由", now=NOW)
        assert (change.old_status, change.new_status, f.status) == (status, expected, expected)
        assert (f.status_by, f.status_at, f.status_note) == ("王审核", NOW, "理由")
        assert (f.resolved_at is not None) == (expected == "resolved")


def test_every_action_is_in_the_transition_table():
    assert set(TRANSITIONS) == {"acknowledge", "confirm", "false_positive", "resolve", "reopen"}


def test_false_positive_needs_a_reason(db):
    with db.session() as s:
        f = _finding(s, "open")
        with pytest.raises(TriageError, match="必须填写理由"):
            change_status(s, f, action="false_positive", actor="王审核", reason="  ", now=NOW)
        with pytest.raises(TriageError, match="未知的处理动作"):
            change_status(s, f, action="delete", actor="王审核", reason=None, now=NOW)
