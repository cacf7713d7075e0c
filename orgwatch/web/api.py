"""The JSON API under /api/v1: findings, triage, organisations, scans, reports, snapshots, the
pre-publish check and the audit log. Every route is scoped through ``deps.get_scope``; anything
outside the caller's scope is a 404 with no data."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from orgwatch import triage
from orgwatch.web import checking, deps, queries
from orgwatch.web import api_models as m
from orgwatch.web.deps import Principal, Scope

NOT_FOUND = "找不到该内容，或不在您可以查看的范围内。"
MAX_ID = 2 ** 53
ERRORS = {401: {"model": m.ErrorOut, "description": "未登录，或令牌无效、已撤销、已过期"},
          404: {"model": m.ErrorOut, "description": "不存在，或不在调用者可以查看的范围内"}}
router = APIRouter(tags=["orgwatch"], responses=ERRORS, dependencies=[Depends(deps.current_principal)])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Day = Annotated[dt.date | None, Query(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
ShortText = Annotated[str | None, Query(max_length=200)]
SessionDep = Annotated[Session, Depends(deps.get_session)]
ScopeDep = Annotated[Scope, Depends(deps.get_scope)]
PrincipalDep = Annotated[Principal, Depends(deps.current_principal)]


def _clean(text: str | None) -> str | None:
    """Text from a request without NUL characters (PostgreSQL refuses them); empty -> None."""
    return (text or "").replace("\x00", "").strip() or None


def _found(value):
    if value is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return value


@router.get("/me", response_model=m.Me, summary="当前用户")
def me(request: Request, principal: PrincipalDep) -> m.Me:
    csrf = deps.csrf_token(request) if principal.via == "session" else None
    return m.Me(**dataclasses.asdict(principal), csrf_token=csrf)


@router.get("/findings", response_model=m.FindingListOut, summary="问题列表（可筛选、分页）")
def findings(s: SessionDep, scope: ScopeDep,
             org_id: Annotated[str | None, Query(max_length=64)] = None,
             category: Annotated[str | None, Query(max_length=40)] = None,
             severity: m.Severity | None = None,
             status: m.Status | Literal["active"] | None = None,
             since: Day = None, until: Day = None, q: ShortText = None,
             page: Annotated[int, Query(ge=1, le=100_000)] = 1,
             per_page: Annotated[int, Query(ge=1, le=200)] = 50) -> m.FindingListOut:
    """``status=active`` 表示待处理和已确认；``since``/``until`` 按首次发现的日期（北京时间）；``q`` 在证据、网址、页面标题和机构名中搜索。"""
    f = queries.FindingFilter(org_id=_clean(org_id), category=_clean(category), severity=severity, status=status,
                              since=since, until=until, q=_clean(q))
    result = queries.list_findings(s, scope, f, page=page, per_page=per_page)
    return m.FindingListOut(items=result.rows, total=result.total,
                            page=result.page, pages=result.pages, per_page=result.per_page)


@router.get("/findings/{finding_id}", response_model=queries.FindingDetail, summary="问题详情（含处理记录和通知）")
def finding(finding_id: Id, s: SessionDep, scope: ScopeDep) -> queries.FindingDetail:
    return _found(queries.finding_detail(s, scope, finding_id))


@router.post("/findings/{finding_id}/triage", response_model=triage.TriageResult, summary="处理问题",
             dependencies=[Depends(deps.csrf_protect)],
             responses={409: {"model": m.ErrorOut, "description": "当前状态下不能这样处理，或缺少理由"}})
def triage_finding(finding_id: Id, body: m.TriageIn, request: Request, scope: ScopeDep,
                   principal: PrincipalDep) -> triage.TriageResult:
    """用浏览器会话调用时须带 ``X-CSRF-Token`` 请求头；用令牌调用时不需要。"""
    return triage.apply(deps.get_rt(request), finding_id, body.action, principal.name, _clean(body.reason),
                        scope, ip=deps.client_ip(request), now=deps.now(request))


@router.get("/snapshots/{snapshot_id}", response_model=queries.SnapshotData, summary="发现问题时保存的页面快照")
def snapshot(snapshot_id: Id, s: SessionDep, scope: ScopeDep) -> queries.SnapshotData:
    return _found(queries.snapshot(s, scope, snapshot_id))


@router.get("/organisations", response_model=list[queries.OrgRow], summary="机构列表")
def organisations(s: SessionDep, scope: ScopeDep) -> list[queries.OrgRow]:
    return queries.list_organisations(s, scope)


@router.get("/organisations/{org_id}", response_model=queries.OrgDetail, summary="机构详情")
def organisation(org_id: Annotated[str, Path(max_length=64)], s: SessionDep, scope: ScopeDep) -> queries.OrgDetail:
    """名册信息、人员（不含联系方式）、渠道健康、信息公开检查和最近 20 次扫描。"""
    return _found(queries.organisation_detail(s, scope, org_id))


@router.get("/scans", response_model=list[queries.ScanRow], summary="扫描记录")
def scans(s: SessionDep, scope: ScopeDep, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[queries.ScanRow]:
    return queries.list_scans(s, scope, limit=limit)


@router.get("/reports", response_model=list[queries.ReportWeek], summary="可查看的周报")
def reports(request: Request, s: SessionDep) -> list[queries.ReportWeek]:
    """从第一次扫描所在的周到本周（最多 12 周），新的在前；周报按调用者的范围即时生成。"""
    return queries.list_reports(s, deps.now(request).date())


ReportUnit = Annotated[str | None, Query(max_length=200, description="业务主管单位名称：该单位的周报")]
ReportOrg = Annotated[str | None, Query(max_length=64, description="机构 id：只含这个机构的周报")]


def _report(request: Request, principal: Principal, week: str, unit: str | None, org: str | None):
    parsed = queries.parse_week(week)
    if parsed is None:
        raise HTTPException(status_code=404, detail="周应写成 ISO 周的形式，如 2026-W48（2000 至 2100 年）。")
    return _found(queries.report_for(deps.get_rt(request), principal, parsed, deps.now(request).date(),
                                     unit=_clean(unit), org_id=_clean(org)))


@router.get("/reports/{week}", response_model=m.ReportOut, summary="一周的周报（摘要）")
def report(week: Annotated[str, Path(max_length=10, examples=["2026-W48"])], request: Request,
           principal: PrincipalDep, unit: ReportUnit = None, org: ReportOrg = None) -> m.ReportOut:
    """默认：登记管理机关得到全部机构的周报，业务主管单位用户得到本单位的周报，机构用户得到只含本机构的周报。
    ``unit`` 和 ``org`` 只能指向调用者可以查看的范围，否则 404。"""
    r = _report(request, principal, week, unit, org)
    query = f"?{request.url.query}" if request.url.query else ""
    base = request.url.path.rstrip("/")
    return m.ReportOut(
        week=r.week.label, span=r.week.span, title=r.title, partial=r.partial, cutoff=r.cutoff,
        headline=m.HeadlineOut.model_validate(r.headline), orgs=[m.ReportOrgOut.model_validate(o) for o in r.orgs],
        notes=r.notes, files={fmt: f"{base}/{fmt}{query}" for fmt in ("html", "pdf", "xlsx")},
    )


@router.get("/reports/{week}/{fmt}", summary="下载周报（html、pdf、xlsx）",
            responses={200: {"content": {t: {} for t in queries.MEDIA_TYPES.values()}, "description": "周报文件"}})
def report_download(week: Annotated[str, Path(max_length=10)], fmt: Literal["html", "pdf", "xlsx"],
                    request: Request, principal: PrincipalDep, unit: ReportUnit = None,
                    org: ReportOrg = None) -> Response:
    r = _report(request, principal, week, unit, org)
    name = queries.report_filename(r, fmt, _clean(org) or (principal.org_id if principal.role == "org" else None))
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(queries.report_file(r, fmt), media_type=queries.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


@router.post("/check", response_model=m.CheckOut, summary="发布前自查",
             dependencies=[Depends(deps.csrf_protect)],
             responses={422: {"model": m.ErrorOut, "description": "没有文件也没有文字，或文件太大"}})
def check(request: Request, scope: ScopeDep, principal: PrincipalDep,
          file: Annotated[UploadFile | None, File(description="要检查的文件")] = None,
          text: Annotated[str | None, Form(description="要检查的文字（不上传文件时）")] = None,
          org_id: Annotated[str | None, Form(max_length=64, description="按这个机构的情况检查")] = None) -> m.CheckOut:
    """与 ``orgwatch check`` 相同的检查：上传文件或粘贴文字，二选一。机构用户总是按本机构检查。"""
    rt = deps.get_rt(request)
    try:
        ctx = checking.org_context(rt, scope, _clean(org_id), principal.org_id if principal.role == "org" else None)
        body = file.file.read(checking.MAX_BYTES + 1) if file is not None else None
        result = checking.check_upload(body, file.filename if file is not None else None, text, ctx)
    except checking.CheckInputError as exc:
        status = 404 if isinstance(exc, checking.CheckScopeError) else 422
        raise HTTPException(status_code=status, detail=str(exc)) from None
    return m.CheckOut(name=result.name, format=result.format, truncated=result.truncated, error=result.error,
                      findings=[m.CheckFindingOut.model_validate(r) for r in checking.records(result, ctx)])


@router.get("/audit", response_model=m.AuditPageOut, summary="审计日志（仅登记管理机关）",
            dependencies=[Depends(deps.require_bureau)],
            responses={403: {"model": m.ErrorOut, "description": "不是登记管理机关的用户"}})
def audit_log(s: SessionDep, page: Annotated[int, Query(ge=1, le=100_000)] = 1,
              per_page: Annotated[int, Query(ge=1, le=200)] = 50,
              actor: Annotated[str | None, Query(max_length=100)] = None,
              action: Annotated[str | None, Query(max_length=40)] = None) -> m.AuditPageOut:
    result = queries.list_audit(s, page, per_page, actor=_clean(actor), action=_clean(action))
    return m.AuditPageOut(items=[m.AuditOut.model_validate(e) for e in result.rows], total=result.total,
                          page=result.page, pages=result.pages)
