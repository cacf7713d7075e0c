"""The overview page: open findings by severity and category, a 12-week trend, channel problems."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from orgwatch.reports.labels import CATEGORY_LABELS, SEVERITY_LABELS
from orgwatch.web import deps, queries
from orgwatch.web.deps import Scope
from orgwatch.web.pages.common import today
from orgwatch.web.templating import render

router = APIRouter()
#: the trend chart's drawing box (SVG user units)
CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM = 960, 200, 16, 24


def trend_bars(points: list) -> dict:
    """Bar geometry for the weekly new/resolved chart, computed here so the template only draws."""
    peak = max([1, *(p.new for p in points), *(p.resolved for p in points)])
    slot = CHART_W / max(1, len(points))
    bar = slot * 0.36
    usable = CHART_H - CHART_TOP - CHART_BOTTOM
    bars = []
    for i, p in enumerate(points):
        x = i * slot + slot * 0.12
        for kind, n, offset in (("new", p.new, 0), ("resolved", p.resolved, bar)):
            height = usable * n / peak
            bars.append({"kind": kind, "n": n, "x": round(x + offset, 1), "w": round(bar, 1),
                         "y": round(CHART_TOP + usable - height, 1), "h": round(height, 1), "week": p.week})
    labels = [{"x": round(i * slot + slot / 2, 1), "text": f"{p.monday.month}/{p.monday.day}"}
              for i, p in enumerate(points)]
    return {"bars": bars, "labels": labels, "peak": peak, "width": CHART_W, "height": CHART_H,
            "base": CHART_H - CHART_BOTTOM}


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, scope: Scope = Depends(deps.get_scope),
                  s: Session = Depends(deps.get_session)) -> Response:
    data = queries.overview(s, scope, today(deps.now(request)))
    categories = {c: CATEGORY_LABELS.get(c, c) for c in data.open_by_category}
    return render(request, "overview.html", {
        "o": data, "chart": trend_bars(data.trend), "severities": SEVERITY_LABELS, "categories": categories,
        "open_total": sum(data.open_by_severity.values()),
    })
