"""The dashboard's HTML pages (Chinese, server-rendered, htmx for partial updates; every page also
works as plain links and forms). Scoping comes from ``deps.get_scope``; data from ``web.queries``."""
from __future__ import annotations

from fastapi import APIRouter

from orgwatch.web.pages import audit, check, findings, organisations, overview, reports

router = APIRouter(include_in_schema=False)
for _module in (overview, findings, organisations, reports, check, audit):
    router.include_router(_module.router)
