"""Pydantic models of the JSON API's requests and of the responses that are not already a
dataclass of orgwatch.web.queries or orgwatch.triage (those serve as response models as they are,
so the OpenAPI document is typed from one definition). Times are UTC (ISO 8601 with offset).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orgwatch.web.queries import FindingRow

Severity = Literal["high", "medium", "low"]
Status = Literal["open", "acknowledged", "false_positive", "resolved"]
Action = Literal["acknowledge", "confirm", "false_positive", "resolve", "reopen"]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    detail: str = Field(description="中文说明：出了什么问题、该怎么办")


class Me(Out):
    user_id: int
    name: str
    role: Literal["bureau", "supervisor", "org"]
    org_id: str | None
    supervisor: str | None
    via: Literal["session", "token"]
    csrf_token: str | None = Field(None, description="浏览器会话的 CSRF 令牌（POST 时放在 X-CSRF-Token 请求头）；令牌调用时为 null")


class FindingListOut(Out):
    items: list[FindingRow]
    total: int
    page: int
    pages: int
    per_page: int


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action = Field(description="acknowledge 确认收到；confirm 确认属实；false_positive 标记误报（须填理由）；"
                                       "resolve 标记已解决；reopen 重新打开")
    reason: str | None = Field(None, max_length=2000, description="理由；标记误报时必填")


class CountsOut(BaseModel):
    high: int
    medium: int
    low: int
    total: int


class HeadlineOut(Out):
    orgs_total: int
    orgs_scanned: int
    channels: int
    scans: int
    pages: int | None
    new: CountsOut
    resolved: CountsOut
    open: CountsOut


class ReportOrgOut(Out):
    org_id: str
    name: str
    supervisor: str
    scanned: bool
    score: int | None
    open_by_severity: CountsOut
    open_by_category: dict[str, int]


class ReportOut(BaseModel):
    week: str
    span: str
    title: str
    partial: bool
    cutoff: dt.datetime
    headline: HeadlineOut
    orgs: list[ReportOrgOut]
    notes: list[str]
    files: dict[str, str] = Field(description="下载地址：html、pdf、xlsx")


class CheckFindingOut(BaseModel):
    category: str
    rule: str
    item: str | None
    severity: str
    line: int
    location: str
    lines: list[int]
    count: int
    title: str
    evidence: str
    basis: str
    action: str


class CheckOut(BaseModel):
    name: str
    format: str
    truncated: bool
    error: str | None = Field(description="文件无法检查时的原因（如加密或扫描件 PDF）")
    findings: list[CheckFindingOut]


class AuditOut(Out):
    id: int
    at: dt.datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: dict[str, Any]
    ip: str | None


class AuditPageOut(Out):
    items: list[AuditOut]
    total: int
    page: int
    pages: int
