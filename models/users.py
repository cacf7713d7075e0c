"""Web users and API tokens: Argon2 password hashes (pwdlib), SHA-256 token hashes, lookups."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.entities import ApiToken, WebUser
from models.exceptions import StoreError

ROLES = ("bureau", "supervisor", "org")
TOKEN_PREFIX = "ow_"
MIN_PASSWORD = 8
_hasher = PasswordHash.recommended()
#: verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("orgwatch-no-such-user")


class UserError(StoreError):
    """Raised by user and token operations (unknown user, duplicate name, weak password, bad role)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码太短：至少需要 {MIN_PASSWORD} 个字符，请换一个更长的密码。")


def authenticate(session: Session, name: str, password: str) -> WebUser | None:
    """The active user ``name`` if ``password`` is right, else None (same cost either way)."""
    user = get_user(session, name)
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    if not _hasher.verify(password, user.password_hash) or not user.active:
        return None
    return user


def get_user(session: Session, name: str) -> WebUser | None:
    return session.scalars(select(WebUser).where(WebUser.name == name)).first()


def require_user(session: Session, name: str) -> WebUser:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"没有名为 {name!r} 的用户；用 orgwatch users list 查看已有用户。")
    return user


def add_user(session: Session, *, name: str, role: str, password: str, now: dt.datetime,
             org_id: str | None = None, supervisor: str | None = None) -> WebUser:
    """Create a user; the caller has checked ``org_id``/``supervisor`` against the registry."""
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("用户名不能为空，且最长 100 个字符。")
    if role not in ROLES:
        raise UserError(f"未知的角色 {role!r}：只能是 bureau（登记管理机关）、supervisor（业务主管单位）或 org（机构）。")
    if role == "org" and not org_id:
        raise UserError("机构用户需要用 --org ID 指定所属机构。")
    if role == "supervisor" and not supervisor:
        raise UserError("业务主管单位用户需要用 --supervisor 名称 指定单位。")
    check_password_strength(password)
    if get_user(session, name) is not None:
        raise UserError(f"用户 {name!r} 已存在；要改密码请用 orgwatch users passwd {name}。")
    user = WebUser(name=name, role=role, org_id=org_id if role == "org" else None,
                   supervisor=supervisor if role == "supervisor" else None,
                   password_hash=hash_password(password), active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, name: str, password: str, now: dt.datetime) -> WebUser:
    """Change a password; sessions issued before ``now`` stop working."""
    check_password_strength(password)
    user = require_user(session, name)
    user.password_hash, user.password_changed_at = hash_password(password), now
    return user


def disable_user(session: Session, name: str, now: dt.datetime) -> WebUser:
    """Disable a user: sessions and tokens stop working on the next request."""
    user = require_user(session, name)
    user.active, user.disabled_at = False, now
    return user


def list_users(session: Session) -> list[WebUser]:
    return list(session.scalars(select(WebUser).order_by(WebUser.name)))


def count_users(session: Session) -> int:
    return len(session.scalars(select(WebUser.id)).all())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, user: WebUser, name: str, now: dt.datetime,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the row and the token itself (shown once, never stored)."""
    if days is not None and days < 1:
        raise UserError("有效天数至少为 1；不写 --days 表示长期有效（直到撤销）。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=token_hash(token), prefix=token[:10],
                   created_at=now, expires_at=now + dt.timedelta(days=days) if days else None)
    session.add(row)
    session.flush()
    return row, token


def find_token(session: Session, token: str, now: dt.datetime) -> ApiToken | None:
    """The usable token row for ``token``: not revoked, not expired, its user active; else None."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    return row


def list_tokens(session: Session, user_name: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(WebUser).order_by(ApiToken.id)
    if user_name:
        query = query.where(WebUser.name == user_name)
    return list(session.scalars(query))


def revoke_token(session: Session, token_id: int, now: dt.datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise UserError(f"没有编号为 {token_id} 的令牌；用 orgwatch tokens list 查看。")
    if row.revoked_at is None:
        row.revoked_at = now
    return row
