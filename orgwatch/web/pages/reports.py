"""The weekly reports pages: the weeks available, one week's report as HTML, PDF or XLSX, produced
on demand for the viewer's scope (see ``web.queries.reports``): the whole registry, one supervising
unit (``?unit=``) or one organisation (``?org=``)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from orgwatch.reports.exceptions import ReportError
from orgwatch.web import deps, queries
from orgwatch.web.deps import Principal, Scope
from orgwatch.web.pages.common import blank_to_none, today
from orgwatch.web.templating import render

router = APIRouter()
FORMATS = ("html", "pdf", "xlsx")


def _choice(request: Request) -> tuple[str | None, str | None]:
    params = request.query_params
    return blank_to_none(params.get("unit")), blank_to_none(params.get("org"))


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, principal: Principal = Depends(deps.current_principal),
                 scope: Scope = Depends(deps.get_scope), s: Session = Depends(deps.get_session)) -> Response:
    unit, org_id = _choice(request)
    orgs = queries.list_organisations(s, scope) if principal.role != "org" else []
    units = sorted({o.supervisor for o in orgs if o.supervisor}) if principal.role == "bureau" else []
    suffix = urlencode({k: v for k, v in (("unit", unit), ("org", org_id)) if v})
    return render(request, "reports.html", {
        "weeks": queries.list_reports(s, today(deps.now(request))), "units": units, "orgs": orgs,
        "unit": unit, "org_id": org_id, "suffix": f"?{suffix}" if suffix else "",
    })


def _report(request: Request, principal: Principal, week_label: str):
    unit, org_id = _choice(request)
    week = queries.parse_week(week_label)
    report = None
    if week is not None:
        report = queries.report_for(deps.get_rt(request), principal, week, today(deps.now(request)), unit, org_id)
    if report is None:
        raise HTTPException(404, f"没有 {week_label} 的这份周报，或它不在您可以查看的范围内。"
                                 "请从周报列表中选择一周（写法如 2026-W48）。")
    return report, org_id or (principal.org_id if principal.role == "org" else None)


@router.get("/reports/{week_label}", response_class=HTMLResponse)
def report_page(request: Request, week_label: str,
                principal: Principal = Depends(deps.current_principal)) -> Response:
    """One week's report: the same self-contained HTML the CLI writes, for the viewer's scope."""
    report, _ = _report(request, principal, week_label)
    return HTMLResponse(queries.report_file(report, "html"))


@router.get("/reports/{week_label}/{fmt}")
def report_download(request: Request, week_label: str, fmt: str,
                    principal: Principal = Depends(deps.current_principal)) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404, f"周报只能下载为 {'、'.join(FORMATS)} 格式。")
    report, org_id = _report(request, principal, week_label)
    try:
        body = queries.report_file(report, fmt)
    except ReportError as exc:
        raise HTTPException(503, str(exc)) from exc
    name = queries.report_filename(report, fmt, org_id)
    return Response(body, media_type=queries.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
