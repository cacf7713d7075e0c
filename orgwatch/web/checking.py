"""The pre-publish check for the web: an uploaded file or pasted text through the same service as
``orgwatch check`` (orgwatch/check.py), in the context of an organisation the viewer may see."""
from __future__ import annotations

import tempfile
from pathlib import Path

from classifier.base import OrgContext
from models.entities import Organization
from orgwatch.check import FileResult, check_path, check_record
from orgwatch.runtime import Runtime

MAX_BYTES = 20_000_000
PASTE_NAME = "粘贴的文字.txt"


class CheckInputError(ValueError):
    """Raised by ``check_upload`` for input that cannot be checked (nothing given, too large)."""


class CheckScopeError(CheckInputError):
    """Raised by ``org_context`` for an organisation that does not exist or is outside the scope (404)."""


def org_context(rt: Runtime, scope, org_id: str | None, own_org: str | None) -> OrgContext:
    """The context to check in: ``org_id`` (must be in scope), else an org user's own organisation."""
    org_id = org_id or own_org
    if not org_id:
        return OrgContext()
    with rt.db.session() as s:
        row = s.get(Organization, org_id) if scope.allows(org_id) else None
        if row is None:
            raise CheckScopeError(f"找不到机构 {org_id!r}，或它不在您可以查看的范围内。")
        return OrgContext(org_id=row.id, name=row.name, uscc=row.uscc, org_type=row.type, charity=row.charity,
                          public_fundraising_qualified=row.public_fundraising_qualified)


def check_upload(body: bytes | None, name: str | None, text: str | None, ctx: OrgContext) -> FileResult:
    """Check an uploaded file (``body`` named ``name``) or, without one, the pasted ``text``."""
    if body:
        data, filename = body, _safe_name(name)
    elif text and text.strip():
        data, filename = text.encode("utf-8"), PASTE_NAME
    else:
        raise CheckInputError("请上传一个文件（.docx、.pdf、.xlsx、.html、.md、.txt）或粘贴要检查的文字。")
    if len(data) > MAX_BYTES:
        raise CheckInputError(f"文件太大（{len(data) // 1_000_000} MB），最多 {MAX_BYTES // 1_000_000} MB；请拆分后分别检查。")
    with tempfile.TemporaryDirectory(prefix="orgwatch-check-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        result = check_path(str(path), ctx)
    result.name = filename
    return result


def _safe_name(name: str | None) -> str:
    """A file name safe to write: no folders, control characters or NUL, at most 60 characters (255 bytes in UTF-8)."""
    base = "".join(ch for ch in Path((name or "").replace("\\", "/")).name if ch.isprintable() and ch not in "/\0")
    base = base.strip(". ") or "上传的文件"
    stem, dot, ext = base.rpartition(".")
    return (stem[:50] + dot + ext[:10]) if dot and stem else base[:60]


def records(result: FileResult, ctx: OrgContext) -> list[dict]:
    """The findings as ``orgwatch check --format json`` prints them."""
    return [check_record(result, f, ctx) for f in result.findings]
