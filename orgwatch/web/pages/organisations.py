"""The organisation pages: the registry in scope, and one organisation's channels, disclosure
checklist and scan history."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from orgwatch.reports.labels import CHANNEL_KINDS
from orgwatch.web import deps, queries
from orgwatch.web.deps import Scope
from orgwatch.web.templating import render

router = APIRouter()
DISCLOSURE_STATES = {"present": "已公开", "missing": "缺失", "outdated": "已过期", "not_applicable": "不适用",
                     "not_due": "未到期限", "unverified": "无法核实"}
CHANNEL_STATES = {"ok": "正常", "stale": "长期未更新", "no_dates": "无法判断更新日期", "failed": "无法访问",
                  "not_scanned": "尚未扫描", "not_checked": "尚未检查"}
SCAN_STATES = {"running": "进行中", "completed": "已完成", "failed": "失败"}


@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, scope: Scope = Depends(deps.get_scope),
                       s: Session = Depends(deps.get_session)) -> Response:
    return render(request, "organisations.html", {"orgs": queries.list_organisations(s, scope)})


@router.get("/organisations/{org_id}", response_class=HTMLResponse)
def organisation_page(request: Request, org_id: str, scope: Scope = Depends(deps.get_scope),
                      s: Session = Depends(deps.get_session)) -> Response:
    detail = queries.organisation_detail(s, scope, org_id)
    if detail is None:
        raise HTTPException(404, "找不到这个机构，或它不在您可以查看的范围内。")
    return render(request, "organisation.html", {
        "d": detail, "o": detail.org, "kinds": CHANNEL_KINDS, "disclosure_states": DISCLOSURE_STATES,
        "channel_states": CHANNEL_STATES, "scan_states": SCAN_STATES,
    })
