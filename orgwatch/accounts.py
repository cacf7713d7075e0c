"""Account services for the CLI: web users and API tokens, each change written to the audit log."""
from __future__ import annotations

from dataclasses import dataclass

from config.exceptions import RegistryError
from models import audit, users
from models.entities import ApiToken, Organization, WebUser
from models.users import UserError
from orgwatch.reports.week import local
from orgwatch.runtime import Runtime

CLI_ACTOR = "cli"


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    org_id: str | None
    supervisor: str | None
    active: bool
    created_at: str


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    revoked: bool
    last_used_at: str | None


def _known_units(rt: Runtime) -> list[str]:
    if rt.settings.registry is not None:
        reg = rt.registry
        return sorted({s.name for s in reg.supervisors} | {o.supervisor for o in reg.organizations if o.supervisor})
    from models.reports import supervisors

    with rt.db.session() as s:
        return supervisors(s)


def _check_org(rt: Runtime, org_id: str) -> None:
    if rt.settings.registry is not None:
        rt.registry.get(org_id)  # raises RegistryError listing the known ids
        return
    with rt.db.session() as s:
        if s.get(Organization, org_id) is None:
            raise RegistryError(f"没有设置名册，数据库中也没有 id 为 {org_id!r} 的机构；请用 --config 指定设置文件。")


def add_user(rt: Runtime, *, name: str, role: str, password: str, org_id: str | None = None,
             supervisor: str | None = None) -> UserInfo:
    """Create a user after checking its organisation or supervising unit against the registry."""
    if role == "org" and org_id:
        _check_org(rt, org_id)
    if role == "supervisor" and supervisor:
        units = _known_units(rt)
        if supervisor not in units:
            raise UserError(f"名册中没有业务主管单位 {supervisor!r}；已知的单位：{'、'.join(units) or '（无）'}。")
    if role != "org" and org_id or role != "supervisor" and supervisor:
        raise UserError("--org 只用于 org（机构）角色，--supervisor 只用于 supervisor（业务主管单位）角色。")
    now = rt.now()
    with rt.db.session() as s:
        user = users.add_user(s, name=name, role=role, password=password, org_id=org_id, supervisor=supervisor,
                              now=now)
        audit.record(s, actor=CLI_ACTOR, action="user.add", target_type="user", target_id=user.name,
                     detail={"role": role, "org_id": org_id, "supervisor": supervisor}, now=now)
        return _user_info(user)


def _user_info(u: WebUser) -> UserInfo:
    return UserInfo(u.name, u.role, u.org_id, u.supervisor, u.active, local(u.created_at))


def list_users(rt: Runtime) -> list[UserInfo]:
    with rt.db.session() as s:
        return [_user_info(u) for u in users.list_users(s)]


def set_password(rt: Runtime, name: str, password: str) -> None:
    now = rt.now()
    with rt.db.session() as s:
        user = users.set_password(s, name, password, now)
        audit.record(s, actor=CLI_ACTOR, action="user.passwd", target_type="user", target_id=user.name, now=now)


def disable_user(rt: Runtime, name: str) -> None:
    now = rt.now()
    with rt.db.session() as s:
        user = users.disable_user(s, name, now)
        audit.record(s, actor=CLI_ACTOR, action="user.disable", target_type="user", target_id=user.name, now=now)


def count_users(rt: Runtime) -> int:
    with rt.db.session() as s:
        return users.count_users(s)


def create_token(rt: Runtime, user_name: str, label: str, days: int | None) -> tuple[TokenInfo, str]:
    """A new token for ``user_name``; returns its description and the token (shown once)."""
    now = rt.now()
    with rt.db.session() as s:
        user = users.require_user(s, user_name)
        if not user.active:
            raise UserError(f"用户 {user_name!r} 已停用，不能为其创建令牌。")
        row, token = users.create_token(s, user=user, name=label, now=now, days=days)
        audit.record(s, actor=CLI_ACTOR, action="token.create", target_type="token", target_id=str(row.id),
                     detail={"user": user.name, "name": label, "days": days}, now=now)
        return _token_info(row), token


def _token_info(t: ApiToken) -> TokenInfo:
    return TokenInfo(t.id, t.user.name, t.name, t.prefix, local(t.created_at),
                     local(t.expires_at) if t.expires_at else None, t.revoked_at is not None,
                     local(t.last_used_at) if t.last_used_at else None)


def list_tokens(rt: Runtime, user_name: str | None = None) -> list[TokenInfo]:
    with rt.db.session() as s:
        return [_token_info(t) for t in users.list_tokens(s, user_name)]


def revoke_token(rt: Runtime, token_id: int) -> TokenInfo:
    now = rt.now()
    with rt.db.session() as s:
        row = users.revoke_token(s, token_id, now)
        audit.record(s, actor=CLI_ACTOR, action="token.revoke", target_type="token", target_id=str(row.id),
                     detail={"user": row.user.name, "name": row.name}, now=now)
        return _token_info(row)


def scope_of(rt: Runtime, name: str):
    """The ``Scope`` of active user ``name`` (what the CLI's ``triage --as NAME`` may touch)."""
    from orgwatch.web.deps import Principal, scope_for

    with rt.db.session() as s:
        user = users.require_user(s, name)
        if not user.active:
            raise UserError(f"用户 {name!r} 已停用。")
        principal = Principal(user.id, user.name, user.role, user.org_id, user.supervisor, "session")
        return scope_for(s, principal)
