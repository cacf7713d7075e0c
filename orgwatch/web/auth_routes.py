"""Sign in and sign out: GET/POST /login (rate limited, audited), POST /logout."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from orgwatch.web import deps, security
from orgwatch.web.templating import format_dt, render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host) may be a redirect target."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if deps.optional_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/login", dependencies=[Depends(deps.csrf_protect)])
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    rt, at = deps.get_rt(request), deps.now(request)
    target = safe_next(next)
    if not username.strip() or not password:
        return render(request, "login.html", {"next": target, "username": username,
                                              "error": "请填写用户名和密码。"}, status_code=400)
    outcome = security.attempt_login(rt, username, password, deps.client_ip(request), at)
    if outcome.identity is None:
        error = outcome.message
        status = 400
        if outcome.retry_at is not None:
            error = f"登录失败次数过多，已暂时锁定。请在 {format_dt(outcome.retry_at)}（北京时间）之后再试，或联系管理员。"
            status = 429
        return render(request, "login.html", {"next": target, "username": username, "error": error},
                      status_code=status)
    deps.start_session(request, outcome.identity.user_id, at)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[Depends(deps.csrf_protect)])
def logout(request: Request) -> Response:
    principal = deps.optional_principal(request)
    if principal is not None and principal.via == "session":
        security.record_logout(deps.get_rt(request), principal.name, deps.client_ip(request), deps.now(request))
    deps.start_session(request, None, deps.now(request))
    return RedirectResponse("/login", status_code=303)
