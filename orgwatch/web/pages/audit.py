"""The audit log page (bureau users only): logins, triage, tokens and registry changes, newest first."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from orgwatch.web import deps, queries
from orgwatch.web.pages.common import blank_to_none, parse_page
from orgwatch.web.templating import render

router = APIRouter()
ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "token.create": "创建令牌",
    "token.revoke": "撤销令牌", "token.use": "使用令牌", "user.add": "添加用户", "user.disable": "停用用户",
    "user.passwd": "修改密码", "registry.sync": "名册变更", "triage.acknowledge": "确认收到",
    "triage.confirm": "确认属实", "triage.false_positive": "标记误报", "triage.resolve": "标记已解决",
    "triage.reopen": "重新打开",
}
TARGET_LABELS = {"finding": "问题", "user": "用户", "token": "令牌", "registry": "名册", "organisation": "机构",
                 "organization": "机构"}
DETAIL_LABELS = {"from": "原状态", "to": "新状态", "reason": "理由", "name": "名称", "role": "角色", "org": "机构",
                 "supervisor": "业务主管单位", "user": "用户"}


@router.get("/audit", response_class=HTMLResponse, dependencies=[Depends(deps.require_bureau)])
def audit_page(request: Request, s: Session = Depends(deps.get_session)) -> Response:
    params = request.query_params
    actor, action = blank_to_none(params.get("actor")), blank_to_none(params.get("action"))
    result = queries.list_audit(s, parse_page(params.get("page")), actor=actor, action=action)

    def page_link(n: int) -> str:
        return "/audit?" + urlencode({k: v for k, v in (("actor", actor), ("action", action), ("page", n)) if v})

    return render(request, "audit.html", {"result": result, "actor": actor or "", "action": action or "",
                                          "actions": ACTION_LABELS, "targets": TARGET_LABELS,
                                          "details": DETAIL_LABELS, "page_link": page_link})
