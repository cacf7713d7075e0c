"""The CSV list of a message's findings that e-mails carry, readable in Excel (UTF-8 with BOM)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from alerts.compose import SEVERITY_LABELS, AlertItem, sort_items

COLUMNS = ("机构", "风险", "问题", "类别", "位置", "证据", "依据", "怎么办", "首次发现")


def findings_csv(items: list[AlertItem]) -> str:
    """Every item, most severe first, one row each."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for i in sort_items(items):
        writer.writerow((i.org_name, SEVERITY_LABELS.get(i.severity, i.severity), i.title, i.category, i.url,
                         i.evidence, i.basis, i.action, i.first_seen.strftime("%Y-%m-%d %H:%M")))
    return buf.getvalue()


def write_findings_csv(folder: Path, uid: str, items: list[AlertItem]) -> Path:
    path = folder / f"orgwatch-{uid}.csv"
    path.write_text(findings_csv(items), encoding="utf-8-sig")
    return path
