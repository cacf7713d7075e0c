"""Secrets and sessions: the signing key file, the signed session cookie, login and token checks.

The session cookie holds ``{"uid", "iat", "csrf"}`` signed with itsdangerous; ``iat`` (issue
time, epoch seconds) is compared with ``web.session_minutes`` on every request, and the user
row is read each time so a disabled user loses access at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser

from models import audit, users
from models.entities import WebUser

log = logging.getLogger(__name__)
SESSION_COOKIE = "orgwatch_session"
TOKEN_USE_EVERY = dt.timedelta(hours=1)


def load_secret_key(path: Path) -> str:
    """The key in ``path``; created (0600, random) when the file does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise OSError(f"会话密钥文件 {path} 内容太短（至少 32 个字符）；删除它后重启会自动生成新密钥。") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    log.info("created session key %s", path)
    return key


class SessionCodec:
    """Signs and reads the session cookie's value."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="orgwatch-session")

    def dumps(self, data: dict[str, Any]) -> str:
        return self._serializer.dumps(data)

    def loads(self, raw: str) -> dict[str, Any] | None:
        try:
            data = self._serializer.loads(raw)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None


class SessionMiddleware:
    """Puts the decoded session in ``scope["state"]["session"]`` and writes the cookie back when
    ``session_dirty`` is set (empty session: the cookie is deleted)."""

    def __init__(self, app, codec: SessionCodec, *, secure: bool, max_age: int) -> None:
        self.app, self.codec, self.secure, self.max_age = app, codec, secure, max_age

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        cookies = {}
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        raw = cookies.get(SESSION_COOKIE)
        state["session"] = (self.codec.loads(raw) if raw else None) or {}
        state["session_dirty"] = False

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start" and state.get("session_dirty"):
                MutableHeaders(scope=message).append("set-cookie", self._cookie(state["session"]))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, session: dict[str, Any]) -> str:
        value, max_age = (self.codec.dumps(session), self.max_age) if session else ("", 0)
        cookie = f"{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
        return cookie + ("; Secure" if self.secure else "")


@dataclass(frozen=True)
class Identity:
    """The user behind a request, read from the database (see deps.Principal)."""

    user_id: int
    name: str
    role: str
    org_id: str | None
    supervisor: str | None


def _identity(user: WebUser) -> Identity:
    return Identity(user.id, user.name, user.role, user.org_id, user.supervisor)


def session_user(rt, uid: Any, issued: Any, now: dt.datetime, session_minutes: int) -> Identity | None:
    """The active user of a session issued at ``issued`` (epoch seconds), or None when expired,
    disabled, or the password changed since."""
    if not isinstance(uid, int) or not isinstance(issued, (int, float)):
        return None
    issued_at = dt.datetime.fromtimestamp(issued, dt.timezone.utc)
    if now - issued_at > dt.timedelta(minutes=session_minutes) or issued_at > now + dt.timedelta(minutes=5):
        return None
    with rt.db.session() as s:
        user = s.get(WebUser, uid)
        if user is None or not user.active:
            return None
        if user.password_changed_at is not None and user.password_changed_at > issued_at:
            return None
        return _identity(user)


def token_user(rt, token: str, now: dt.datetime, ip: str | None) -> Identity | None:
    """The user of a usable API token, or None; token use is audited at most once an hour per token."""
    with rt.db.session() as s:
        row = users.find_token(s, token, now)
        if row is None:
            return None
        if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_EVERY:
            row.last_used_at = now
            audit.record(s, actor=row.user.name, action="token.use", target_type="token",
                         target_id=str(row.id), detail={"name": row.name}, ip=ip, now=now)
        return _identity(row.user)


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt: the user, or a Chinese message (``retry_at`` when limited)."""

    identity: Identity | None
    message: str = ""
    retry_at: dt.datetime | None = None


def attempt_login(rt, name: str, password: str, ip: str | None, now: dt.datetime) -> LoginOutcome:
    """Check a password under the login rate limit; every outcome is audited (login / login_failed)."""
    web = rt.settings.web
    window = dt.timedelta(minutes=web.login_window_minutes)
    name = name.strip()[:100]
    with rt.db.session() as s:
        audit.lock_logins(s, actor=name, ip=ip)  # simultaneous attempts are counted one at a time
        failures = audit.failures_since(s, actor=name, ip=ip, since=now - window)
        if len(failures) >= web.login_attempts:
            retry_at = failures[-web.login_attempts] + window
            return LoginOutcome(None, "", retry_at)
        user = users.authenticate(s, name, password)
        if user is None:
            audit.record(s, actor=name or "?", action="login_failed", ip=ip, now=now)
            left = web.login_attempts - len(failures) - 1
            hint = f"再失败 {left} 次后需要等待 {web.login_window_minutes} 分钟。" if left else ""
            return LoginOutcome(None, f"用户名或密码不正确，或该用户已停用。{hint}")
        audit.record(s, actor=user.name, action="login", target_type="user", target_id=str(user.id),
                     ip=ip, now=now)
        return LoginOutcome(_identity(user))


def record_logout(rt, name: str, ip: str | None, now: dt.datetime) -> None:
    with rt.db.session() as s:
        audit.record(s, actor=name, action="logout", ip=ip, now=now)
