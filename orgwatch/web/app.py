"""The FastAPI application: session middleware, static files, login, API and pages, error answers.

HTML requests get Chinese error pages (error.html) and a redirect to /login; requests under
/api get JSON (401 with ``WWW-Authenticate: Bearer``, 404 ``{"detail": ...}``, FastAPI's 422).
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.exceptions import StoreError
from models.triage import FindingNotFound, TriageError
from orgwatch.runtime import Runtime
from orgwatch.web import api, auth_routes, security
from orgwatch.web.exceptions import CsrfError, LoginRequired
from orgwatch.web.templating import render, templates

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"
DEFAULT_MESSAGES = {
    401: "请先登录。",
    403: "您没有权限执行这个操作。",
    404: "找不到该内容，或不在您可以查看的范围内。",
    405: "不支持这种请求方式。",
}


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_page(request: Request, status: int, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    if is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _csrf(request: Request, exc: CsrfError) -> Response:
    return error_page(request, 403, str(exc))


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) and exc.detail and exc.detail != _reason(exc) \
        else DEFAULT_MESSAGES.get(exc.status_code, "请求有误，请检查后重试。")
    response = error_page(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _reason(exc: StarletteHTTPException) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return ""


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    if is_api(request):
        return await request_validation_exception_handler(request, exc)
    fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
    return error_page(request, 422, f"请求参数有误（{fields}），请检查筛选条件或表单内容后重试。")


async def _triage(request: Request, exc: TriageError) -> Response:
    return error_page(request, 404 if isinstance(exc, FindingNotFound) else 409, str(exc))


async def _store(request: Request, exc: StoreError) -> Response:
    log.warning("store error on %s: %s", request.url.path, exc)
    return error_page(request, 503, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    message = "服务器内部错误，已记录日志。请稍后重试；一直出现时请联系管理员。"
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=500)
    return templates.TemplateResponse(request, "error.html", {"status": 500, "message": message, "principal": None,
                                                               "csrf_token": ""}, status_code=500)


def _include_pages(app: FastAPI) -> None:
    try:
        pages = importlib.import_module("orgwatch.web.pages")
    except ModuleNotFoundError as exc:  # the pages are built separately; the API works without them
        if exc.name != "orgwatch.web.pages":
            raise
        log.warning("orgwatch.web.pages is missing: only login and the API are served")
        return
    app.include_router(pages.router, include_in_schema=False)


def create_app(rt: Runtime, *, clock: Callable[[], dt.datetime] | None = None) -> FastAPI:
    """The web app over ``rt``'s database; ``clock`` (UTC-aware datetimes) is for tests."""
    from importlib.metadata import version

    web = rt.settings.web
    app = FastAPI(title="orgwatch API", version=version("orgwatch"), openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  description="社会组织内容合规监测的 JSON 接口。认证：Authorization: Bearer <令牌>（orgwatch tokens create）。")
    app.state.rt = rt
    app.state.clock = clock or utc_clock
    key = security.load_secret_key(web.secret_key_file or rt.data_dir / "web-secret.key")
    app.add_middleware(security.SessionMiddleware, codec=security.SessionCodec(key),
                       secure=web.cookie_secure, max_age=web.session_minutes * 60)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfError, _csrf)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(TriageError, _triage)
    app.add_exception_handler(StoreError, _store)
    app.add_exception_handler(Exception, _server_error)
    app.include_router(auth_routes.router)
    app.include_router(api.router, prefix=API_PREFIX)
    _include_pages(app)
    return app
