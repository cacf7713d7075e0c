"""The findings pages: the filtered list (htmx swaps only the table), one finding with its evidence
inside the stored snapshot, its history and alerts, the triage form, and the snapshot on its own."""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from models.triage import ACTION_LABELS, TRANSITIONS, FindingNotFound, TriageError
from orgwatch import triage
from orgwatch.reports.labels import CATEGORY_LABELS, SEVERITY_LABELS
from orgwatch.reports.render import marked as marked_evidence
from orgwatch.web import deps, queries
from orgwatch.web.deps import Principal, Scope
from orgwatch.web.highlight import highlight, snapshot_text
from orgwatch.web.pages.common import blank_to_none, is_htmx, parse_day, parse_page, parse_per_page
from orgwatch.web.templating import STATUS_LABELS, render

router = APIRouter()
#: characters of snapshot text shown either side of the evidence on the detail page
AROUND = 400
#: what the stored snapshot route answers with: no script, no fetch, nothing but inline style
SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
STATUS_CHOICES = {"active": "待处理和已确认", **STATUS_LABELS}


def _filter(request: Request) -> queries.FindingFilter:
    params = request.query_params
    return queries.FindingFilter(
        org_id=blank_to_none(params.get("org")), category=blank_to_none(params.get("category")),
        severity=blank_to_none(params.get("severity")), status=blank_to_none(params.get("status")),
        since=parse_day(params.get("since"), "起始日期"), until=parse_day(params.get("until"), "截止日期"),
        q=blank_to_none(params.get("q")),
    )


def _query_string(f: queries.FindingFilter, **extra) -> str:
    """The filter as URL query text (page links keep the filters)."""
    values = {"org": f.org_id, "category": f.category, "severity": f.severity, "status": f.status,
              "since": f.since.isoformat() if f.since else None, "until": f.until.isoformat() if f.until else None,
              "q": f.q, **extra}
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@router.get("/findings", response_class=HTMLResponse)
def findings_list(request: Request, scope: Scope = Depends(deps.get_scope),
                  s: Session = Depends(deps.get_session)) -> Response:
    f = _filter(request)
    per_page = parse_per_page(request.query_params.get("per_page"))
    result = queries.list_findings(s, scope, f, page=parse_page(request.query_params.get("page")),
                                   per_page=per_page)
    extra = {"per_page": per_page if per_page != 50 else None}
    context = {
        "f": f, "result": result, "orgs": queries.org_choices(s, scope),
        "categories": CATEGORY_LABELS, "severities": SEVERITY_LABELS, "statuses": STATUS_CHOICES,
        "per_page": per_page, "page_link": lambda n: "/findings?" + _query_string(f, page=n, **extra),
        "filtered": any(v is not None for v in asdict(f).values()),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "findings-table":
        response = render(request, "findings_table.html", context)
        # the address bar shows the filters in force, without the empty fields of the form
        query = _query_string(f, page=result.page if result.page > 1 else None, **extra)
        response.headers["HX-Push-Url"] = "/findings" + (f"?{query}" if query else "")
        return response
    return render(request, "findings.html", context)


def _detail_or_404(s: Session, scope: Scope, finding_id: int):
    detail = queries.finding_detail(s, scope, finding_id)
    if detail is None:
        raise HTTPException(404, "找不到这个问题，或它不在您可以查看的范围内。")
    return detail


def _snapshot_view(s: Session, scope: Scope, detail, around: int | None):
    """(snapshot data, highlighted text) of the finding's stored page, or (None, None)."""
    if detail.snapshot_id is None:
        return None, None
    snap = queries.snapshot(s, scope, detail.snapshot_id)
    if snap is None:
        return None, None
    text = snapshot_text(snap.text, snap.content_type)
    if text is None:  # a PDF, Word or Excel attachment: its bytes are not shown
        return snap, None
    marked = highlight(text, detail.finding.evidence, around=around)
    if not marked.found and around is not None and len(text) > 2 * around:
        marked = highlight(text[:2 * around] + "…", "")  # not located: show the beginning only
    return snap, marked


def _actions(status: str) -> dict[str, str]:
    """The triage actions allowed from ``status``, with their Chinese names."""
    return {a: ACTION_LABELS[a] for a, (sources, _) in TRANSITIONS.items() if status in sources}


def _render_detail(request: Request, s: Session, scope: Scope, finding_id: int, *, error: str | None = None,
                   reason: str = "", done: str | None = None, status_code: int = 200) -> Response:
    detail = _detail_or_404(s, scope, finding_id)
    snap, marked = _snapshot_view(s, scope, detail, AROUND)
    return render(request, "finding.html", {
        "d": detail, "f": detail.finding, "evidence": marked_evidence(detail.finding.evidence), "snap": snap, "marked": marked, "actions": _actions(detail.finding.status),
        "error": error, "reason": reason, "done": ACTION_LABELS.get(done or ""),
    }, status_code=status_code)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: int, scope: Scope = Depends(deps.get_scope),
                 s: Session = Depends(deps.get_session)) -> Response:
    return _render_detail(request, s, scope, finding_id, done=request.query_params.get("done"))


@router.get("/findings/{finding_id}/snapshot", response_class=HTMLResponse)
def finding_snapshot(request: Request, finding_id: int, scope: Scope = Depends(deps.get_scope),
                     s: Session = Depends(deps.get_session)) -> Response:
    """The stored page as text with the evidence marked, under a CSP that forbids scripts and fetches."""
    detail = _detail_or_404(s, scope, finding_id)
    snap, marked = _snapshot_view(s, scope, detail, None)
    if snap is None:
        raise HTTPException(404, "这个问题没有保存页面快照（只有发现问题的网页和附件会保存快照）。")
    response = render(request, "snapshot.html", {"f": detail.finding, "snap": snap, "marked": marked})
    response.headers["Content-Security-Policy"] = SNAPSHOT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/findings/{finding_id}/triage", response_class=HTMLResponse,
             dependencies=[Depends(deps.csrf_protect)])
def finding_triage(request: Request, finding_id: int, action: str = Form(""), reason: str = Form(""),
                   principal: Principal = Depends(deps.current_principal),
                   scope: Scope = Depends(deps.get_scope)) -> Response:
    """Apply a triage action; then show the finding again (303, so a reload does not post twice)."""
    rt = deps.get_rt(request)
    try:
        triage.apply(rt, finding_id, action, principal.name, reason or None, scope,
                     ip=deps.client_ip(request), now=deps.now(request))
    except FindingNotFound:
        raise
    except TriageError as exc:
        # htmx only swaps 2xx answers; a plain form post gets the honest status
        with rt.db.session() as s:
            return _render_detail(request, s, scope, finding_id, error=str(exc), reason=reason,
                                  status_code=200 if is_htmx(request) else 409)
    return RedirectResponse(f"/findings/{finding_id}?done={action}", status_code=303)
