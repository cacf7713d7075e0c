"""FastAPI dependencies: who is asking (session or token), what they may see (Scope), CSRF checks.

Every route, page or API, gets its ``Scope`` from here; no view checks roles itself.
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Iterator, Literal

from fastapi import Depends, HTTPException, Request
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from models.entities import Organization
from orgwatch.runtime import Runtime
from orgwatch.web import security
from orgwatch.web.exceptions import CsrfError, LoginRequired

Role = Literal["bureau", "supervisor", "org"]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one request and how they authenticated."""

    user_id: int
    name: str
    role: Role
    org_id: str | None
    supervisor: str | None
    via: Literal["session", "token"]


@dataclass(frozen=True)
class Scope:
    """The organisations a principal may see; ``org_ids is None`` means every organisation."""

    org_ids: frozenset[str] | None

    def allows(self, org_id: str | None) -> bool:
        return self.org_ids is None or (org_id is not None and org_id in self.org_ids)

    def require(self, org_id: str | None) -> None:
        """Raise 404 (never 403: do not reveal that the object exists) when ``org_id`` is outside."""
        if not self.allows(org_id):
            raise HTTPException(status_code=404, detail="找不到该内容，或不在您可以查看的范围内。")

    def where(self, column) -> ColumnElement[bool]:
        """A clause restricting ``column`` (holding org ids) to this scope."""
        if self.org_ids is None:
            return true()
        if not self.org_ids:
            return false()
        return column.in_(sorted(self.org_ids))


EVERYTHING = Scope(None)


def get_rt(request: Request) -> Runtime:
    return request.app.state.rt


def now(request: Request) -> dt.datetime:
    """The current time as the app sees it (tests pass a clock to ``create_app``)."""
    return request.app.state.clock()


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_session(rt: Runtime = Depends(get_rt)) -> Iterator[Session]:
    """A read session for one request."""
    with rt.db.session() as s:
        yield s


def _session_data(request: Request) -> dict:
    return request.scope.setdefault("state", {}).setdefault("session", {})


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def current_principal(request: Request) -> Principal:
    """The principal of this request, from ``Authorization: Bearer`` or the session cookie."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    rt, at = get_rt(request), now(request)
    token = _bearer(request)
    if request.headers.get("authorization") is not None:
        identity = security.token_user(rt, token, at, client_ip(request)) if token else None
        via = "token"
        if identity is None:
            raise LoginRequired("API 令牌无效、已撤销或已过期；请用 orgwatch tokens create 创建新令牌。")
    else:
        session = _session_data(request)
        identity = security.session_user(rt, session.get("uid"), session.get("iat"), at,
                                         rt.settings.web.session_minutes)
        via = "session"
        if identity is None:
            if session.get("uid") is not None:
                start_session(request, None, at)
            raise LoginRequired("请先登录。")
    principal = Principal(identity.user_id, identity.name, identity.role, identity.org_id,  # type: ignore[arg-type]
                          identity.supervisor, via)  # type: ignore[arg-type]
    request.state.principal = principal
    return principal


def optional_principal(request: Request) -> Principal | None:
    """The principal, or None when nobody is signed in (for pages that show either)."""
    try:
        return current_principal(request)
    except LoginRequired:
        return None


def scope_for(s: Session, principal: Principal) -> Scope:
    """The scope of ``principal``: bureau everything, supervisor its unit's organisations
    (from the registry as synced into the database), org its own organisation."""
    if principal.role == "bureau":
        return EVERYTHING
    if principal.role == "supervisor":
        ids = s.scalars(select(Organization.id).where(Organization.supervisor == principal.supervisor)).all()
        return Scope(frozenset(ids))
    return Scope(frozenset([principal.org_id]) if principal.org_id else frozenset())


def get_scope(principal: Principal = Depends(current_principal), rt: Runtime = Depends(get_rt)) -> Scope:
    with rt.db.session() as s:
        return scope_for(s, principal)


def require_bureau(principal: Principal = Depends(current_principal)) -> Principal:
    if principal.role != "bureau":
        raise HTTPException(status_code=403, detail="只有登记管理机关的用户可以查看这一页。")
    return principal


def csrf_token(request: Request) -> str:
    """The CSRF token bound to this browser's session (created, and the cookie set, when missing)."""
    session = _session_data(request)
    if not session.get("csrf"):
        session["csrf"] = secrets.token_urlsafe(32)
        request.scope["state"]["session_dirty"] = True
    return session["csrf"]


def start_session(request: Request, user_id: int | None, at: dt.datetime) -> None:
    """Replace the session: signed in as ``user_id`` from ``at`` (None: signed out); new CSRF token."""
    state = request.scope.setdefault("state", {})
    state["session"] = {"uid": user_id, "iat": at.timestamp(), "csrf": secrets.token_urlsafe(32)} \
        if user_id is not None else {}
    state["session_dirty"] = True
    state.pop("principal", None)


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request whose ``csrf_token`` field or ``X-CSRF-Token`` header
    does not match the session's; requests authenticated with a bearer token are exempt."""
    if request.method in SAFE_METHODS or request.headers.get("authorization") is not None:
        return
    expected = _session_data(request).get("csrf")
    supplied = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "")
    if not supplied and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(str(expected), supplied):
        raise CsrfError("表单已失效或缺少安全令牌，请刷新页面后重新提交。")
