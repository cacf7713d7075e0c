"""The pre-publish check page: upload a draft (Word, PDF, Excel, text, HTML) or paste text and see
the same findings as ``orgwatch check`` (through ``web.checking``), judged for an organisation."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from orgwatch.check import FORMAT_NAMES
from orgwatch.reports.render import marked as marked_evidence
from orgwatch.web import checking, deps, queries
from orgwatch.web.deps import Principal, Scope
from orgwatch.web.pages.common import blank_to_none
from orgwatch.web.templating import render

router = APIRouter()
MAX_UPLOAD = checking.MAX_BYTES
MAX_UPLOAD_MB = MAX_UPLOAD // 1_000_000
#: room for the other form fields and multipart boundaries on top of the file itself
_ENVELOPE = 64 * 1024
ACCEPT = ".docx,.pdf,.xlsx,.txt,.md,.html,.htm"
TOO_BIG = (f"文件太大：网页上最多检查 {MAX_UPLOAD_MB} MB 的文件。请把文件拆成几部分分别检查，"
           "或在服务器上用命令 orgwatch check 文件名 检查。")


async def limit_upload(request: Request) -> None:
    """Refuse an oversized upload (413) before reading it, and read the form with the same cap."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD + _ENVELOPE:
        raise HTTPException(413, TOO_BIG)
    try:
        await request.form(max_part_size=MAX_UPLOAD)
    except HTTPException as exc:  # Starlette's own (English) answer to a malformed or oversized form
        too_big = "size" in str(exc.detail).lower()
        raise HTTPException(413 if too_big else 400,
                            TOO_BIG if too_big else "上传的表单无法读取，请刷新页面后重新选择文件提交。") from exc


def _contexts(s: Session, scope: Scope, principal: Principal) -> list[tuple[str, str]]:
    """(id, name) of the organisations the user may check for (an org user: only its own)."""
    return [(i, name) for i, name in queries.org_choices(s, scope) if principal.role != "org" or i == principal.org_id]


def _page(request: Request, orgs: list, **values) -> Response:
    status = values.pop("status_code", 200)
    context = {"orgs": orgs, "org_id": None, "text": "", "result": None, "error": None, "accept": ACCEPT,
               "max_mb": MAX_UPLOAD_MB, "formats": FORMAT_NAMES, "marked": marked_evidence, **values}
    return render(request, "check.html", context, status_code=status)


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request, principal: Principal = Depends(deps.current_principal),
               scope: Scope = Depends(deps.get_scope), s: Session = Depends(deps.get_session)) -> Response:
    orgs = _contexts(s, scope, principal)
    return _page(request, orgs, org_id=orgs[0][0] if principal.role == "org" and orgs else None)


@router.post("/check", response_class=HTMLResponse,
             dependencies=[Depends(limit_upload), Depends(deps.csrf_protect)])
async def check_submit(request: Request, principal: Principal = Depends(deps.current_principal),
                       scope: Scope = Depends(deps.get_scope)) -> Response:
    form = await request.form()
    text = str(form.get("text") or "")
    upload = form.get("file")
    org_id = None if principal.role == "org" else blank_to_none(str(form.get("org") or ""))
    rt = deps.get_rt(request)
    with rt.db.session() as s:
        orgs = _contexts(s, scope, principal)
    keep = {"org_id": org_id or principal.org_id, "text": text}
    try:
        ctx = checking.org_context(rt, scope, org_id, principal.org_id)
    except checking.CheckScopeError as exc:
        raise HTTPException(404, str(exc)) from exc
    body, name = None, None
    if isinstance(upload, UploadFile) and upload.filename:
        body, name = await upload.read(), upload.filename
        if not body:
            return _page(request, orgs, error=f"上传的文件 {name} 是空的，请检查后重新选择。", status_code=400, **keep)
    try:
        result = await run_in_threadpool(checking.check_upload, body, name, text, ctx)
    except checking.CheckInputError as exc:
        return _page(request, orgs, error=str(exc), status_code=422, **keep)
    return _page(request, orgs, result=result, status_code=422 if result.error else 200, **keep)
