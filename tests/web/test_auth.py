"""Sign-in, sessions, CSRF, login rate limiting and API tokens, through the real app and database."""
from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from models import users
from orgwatch.web.app import create_app
from tests.web.conftest import PASSWORD, Clock, audit_rows, csrf_from, login

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _status(rt, finding_id: int) -> str:
    from models.entities import Finding

    with rt.db.session() as s:
        return s.get(Finding, finding_id).status


def test_login_sets_a_protected_cookie_and_is_audited(make_client, rt):
    client = make_client()
    response = login(client, "reviewer")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "orgwatch_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # web.cookie_secure is off by default
    assert client.get("/api/v1/me").json()["name"] == "reviewer"
    entry = audit_rows(rt, "login")[-1]
    assert entry.actor == "reviewer" and entry.action == "login" and entry.ip


def test_secure_cookie_when_configured(rt):
    rt.settings.web.cookie_secure = True
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as client:
        assert "Secure" in login(client, "reviewer").headers["set-cookie"]


def test_wrong_password_is_refused_in_chinese_and_audited(make_client, rt):
    client = make_client()
    response = login(client, "reviewer", "not-the-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.text
    assert client.get("/api/v1/me").status_code == 401
    assert [e.actor for e in audit_rows(rt, "login_failed")] == ["reviewer"]


def test_next_only_redirects_within_the_site(make_client):
    client = make_client()
    page = client.get("/login")
    for target, expected in (("/findings?severity=high", "/findings?severity=high"), ("//evil.example/", "/"),
                             ("http://evil.example/", "/")):
        data = {"username": "reviewer", "password": PASSWORD, "next": target, "csrf_token": csrf_from(page.text)}
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.headers["location"] == expected
        client.cookies.clear()
        page = client.get("/login")


def test_pages_redirect_to_login_and_api_answers_401(make_client):
    client = make_client()
    response = client.get("/api/v1/findings")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "登录" in response.json()["detail"]
    page = client.get("/findings?q=x", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Ffindings%3Fq%3Dx"


def test_login_form_without_csrf_token_is_refused(make_client, rt):
    client = make_client()
    client.get("/login")
    response = client.post("/login", data={"username": "reviewer", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "安全令牌" in response.text
    assert audit_rows(rt, "login") == []


def test_logout_needs_the_token_and_ends_the_session(make_client, rt):
    client = make_client("reviewer")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/api/v1/me").status_code == 200
    token = client.get("/api/v1/me").json()["csrf_token"]
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/v1/me").status_code == 401
    assert [e.actor for e in audit_rows(rt, "logout")] == ["reviewer"]


def test_state_changing_api_call_with_cookie_needs_the_csrf_header(make_client, world, rt):
    client = make_client("reviewer")
    finding = world.findings["kangning_id"]
    body = {"action": "false_positive", "reason": "样例号码"}
    refused = client.post(f"/api/v1/findings/{finding}/triage", json=body)
    assert refused.status_code == 403
    wrong = client.post(f"/api/v1/findings/{finding}/triage", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert _status(rt, finding) == "open"
    token = client.get("/api/v1/me").json()["csrf_token"]
    ok = client.post(f"/api/v1/findings/{finding}/triage", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and _status(rt, finding) == "false_positive"


def test_session_expires_after_session_minutes(rt, clocked_client):
    rt.settings.web.session_minutes = 30
    clock = Clock()
    client = clocked_client(clock, "reviewer")
    clock.advance(minutes=29)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_disabled_user_and_changed_password_lose_the_session_at_once(rt, make_client):
    reviewer, staff = make_client("reviewer"), make_client("kangning-staff")
    with rt.db.session() as s:
        users.disable_user(s, "reviewer", rt.now())
        users.set_password(s, "kangning-staff", "a-brand-new-password", rt.now() + dt.timedelta(seconds=1))
    assert reviewer.get("/api/v1/me").status_code == 401
    assert staff.get("/api/v1/me").status_code == 401
    assert login(make_client(), "reviewer").status_code == 400
    assert login(make_client(), "kangning-staff", "a-brand-new-password").status_code == 303


def test_login_rate_limit_survives_a_restart_and_lifts_after_the_window(rt, clocked_client):
    web = rt.settings.web
    clock = Clock()
    client = clocked_client(clock)
    for _ in range(web.login_attempts):
        assert login(client, "reviewer", "wrong-password").status_code == 400
    limited = login(client, "reviewer")  # even the right password
    assert limited.status_code == 429
    assert "登录失败次数过多" in limited.text and "之后再试" in limited.text
    retry_at = (clock.now + dt.timedelta(minutes=web.login_window_minutes)).astimezone(BEIJING)
    assert f"请在 {retry_at:%Y-%m-%d %H:%M}（北京时间）之后再试" in limited.text
    # another process (a new app on the same database) refuses too; another user is not affected
    restarted = clocked_client(clock, app=create_app(rt, clock=clock))
    assert login(restarted, "reviewer").status_code == 429
    assert login(restarted, "health-unit").status_code == 303
    clock.advance(minutes=web.login_window_minutes, seconds=1)
    assert login(clocked_client(clock), "reviewer").status_code == 303
    assert len(audit_rows(rt, "login_failed")) == web.login_attempts


def test_api_token_authenticates_and_is_audited_once_an_hour(rt, make_token, clocked_client):
    token = make_token("health-unit")
    clock = Clock()
    client = clocked_client(clock)
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["name"] == "health-unit" and me["via"] == "token" and me["csrf_token"] is None
    client.get("/api/v1/findings", headers=headers)
    assert len(audit_rows(rt, "token.use")) == 1
    clock.advance(hours=1, seconds=1)
    client.get("/api/v1/findings", headers=headers)
    uses = audit_rows(rt, "token.use")
    assert len(uses) == 2 and all(e.actor == "health-unit" for e in uses)


def test_token_calls_need_no_csrf_token(api_client, world, rt):
    client = api_client("reviewer")
    finding = world.findings["xinhe_fund"]
    response = client.post(f"/api/v1/findings/{finding}/triage", json={"action": "acknowledge"})
    assert response.status_code == 200 and _status(rt, finding) == "acknowledged"


def test_revoked_expired_unknown_and_disabled_tokens_get_401(rt, make_token, make_client, clocked_client):
    revoked, expiring, disabled = make_token("reviewer"), make_token("reviewer", days=1), make_token("zhuxue-staff")
    with rt.db.session() as s:
        row = next(t for t in users.list_tokens(s, "reviewer") if t.token_hash == users.token_hash(revoked))
        users.revoke_token(s, row.id, rt.now())
        users.disable_user(s, "zhuxue-staff", rt.now())
    client = make_client()
    for token in (revoked, disabled, "ow_not-a-token"):
        response = client.get("/api/v1/findings", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert "令牌" in response.json()["detail"]
    assert client.get("/api/v1/findings", headers={"Authorization": "Basic abc"}).status_code == 401
    clock = Clock()
    later = clocked_client(clock)
    assert later.get("/api/v1/me", headers={"Authorization": f"Bearer {expiring}"}).status_code == 200
    clock.advance(days=1, seconds=1)
    assert later.get("/api/v1/me", headers={"Authorization": f"Bearer {expiring}"}).status_code == 401


def test_secret_key_file_is_created_private_and_reused(rt):
    create_app(rt)
    key_file = rt.data_dir / "web-secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = key_file.read_text()
    create_app(rt)
    assert key_file.read_text() == first


def _simultaneous_wrong_passwords(rt, name: str) -> None:
    """As many wrong passwords at once as the limit and seven more: exactly the limit is checked."""
    import threading

    from orgwatch.web.security import attempt_login

    web = rt.settings.web
    tries = web.login_attempts + 7
    start, outcomes = threading.Barrier(tries), []
    now = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)

    def attempt() -> None:
        start.wait()
        outcomes.append(attempt_login(rt, name, "wrong-password", "127.0.0.9", now))

    threads = [threading.Thread(target=attempt) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == tries
    assert sum(o.retry_at is not None for o in outcomes) == tries - web.login_attempts
    assert len([e for e in audit_rows(rt, "login_failed") if e.ip == "127.0.0.9"]) == web.login_attempts


def test_simultaneous_wrong_passwords_never_pass_the_limit(rt):
    _simultaneous_wrong_passwords(rt, "reviewer")


def test_simultaneous_wrong_passwords_never_pass_the_limit_on_postgresql(pg_database, tmp_path):
    from config.settings import Settings
    from orgwatch.runtime import Runtime

    rt = Runtime(settings=Settings(database_url=pg_database, data_dir=tmp_path))
    with rt.db.session() as s:
        users.add_user(s, name="reviewer", role="bureau", password=PASSWORD, now=dt.datetime.now(dt.timezone.utc))
    try:
        _simultaneous_wrong_passwords(rt, "reviewer")
    finally:
        rt.db.dispose()
