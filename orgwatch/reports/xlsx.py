"""The report as an Excel workbook: one sheet per table, header row frozen and filterable."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from classifier.base import CATEGORIES
from orgwatch.reports.data import WeeklyReport
from orgwatch.reports.exceptions import RenderError
from orgwatch.reports.labels import SEVERITIES, SEVERITY_LABELS, category_label
from orgwatch.reports.score import FORMULA, FORMULA_NOTES

HEADLINE_NAMES = {"new": "本周新发现的问题", "resolved": "本周已消除的问题", "open": "周末仍未处理的问题"}


def _sheet(wb, title: str, header: Sequence[str], rows: list[Sequence[Any]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8ECF1")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest * 1.6 + 2))


def _summary(r: WeeklyReport) -> tuple[list[str], list[list]]:
    h = r.headline
    rows: list[list] = [
        ["周", r.week.label, None, None, None], ["日期（北京时间）", r.week.span, None, None, None],
        ["业务主管单位", r.supervisor or "（全部机构）", None, None, None],
        ["数据截至（北京时间）", r.cutoff_text, None, None, None], ["统计日", r.as_of.isoformat(), None, None, None],
        ["范围内的机构", h.orgs_total, None, None, None], ["本周扫描的机构", h.orgs_scanned, None, None, None],
        ["本周扫描的渠道", h.channels, None, None, None], ["本周扫描次数", h.scans, None, None, None],
        ["抓取的页面", h.pages if h.pages is not None else "—", None, None, None],
    ]
    for key, name in HEADLINE_NAMES.items():
        counts = getattr(h, key)
        rows.append([name, counts["total"], *(counts[s] for s in SEVERITIES)])
    return ["指标", "数值", *(f"{SEVERITY_LABELS[s]}风险" for s in SEVERITIES)], rows


def _trend(r: WeeklyReport) -> tuple[list[str], list[list]]:
    categories = [c for c in CATEGORIES if any(c in t.new or c in t.resolved for t in r.trend)]
    rows = [
        [t.week.label, t.week.monday.isoformat(), category_label(c), c, t.new.get(c, 0), t.resolved.get(c, 0)]
        for t in r.trend for c in categories
    ]
    return ["周", "周一", "类别", "类别代码", "新发现", "已消除"], rows


def _orgs(r: WeeklyReport) -> tuple[list[str], list[list]]:
    header = ["机构 id", "机构", "业务主管单位", "合规分", "未处理-高", "未处理-中", "未处理-低", "未处理-合计",
              *(category_label(c) for c in CATEGORIES), "信息公开", "信息公开缺项数", "无法访问的渠道",
              "长期未更新的渠道", "渠道状况"]
    rows = [
        [o.org_id, o.name, o.supervisor, o.score if o.score is not None else "未扫描",
         *(o.open_by_severity[s] for s in SEVERITIES), o.open_by_severity["total"],
         *(o.open_by_category.get(c, 0) for c in CATEGORIES), o.status.disclosure, o.status.missing_items,
         o.status.unreachable, o.status.stale, o.status.health_text]
        for o in r.orgs
    ]
    return header, rows


def _channels(r: WeeklyReport) -> tuple[list[str], list[list]]:
    rows = [[o.org_id, o.name, c.kind_label, c.url, c.name, c.label, c.newest_on]
            for o in r.orgs for c in o.status.channels]
    return ["机构 id", "机构", "渠道类型", "地址", "名称", "状况", "最近发布"], rows


def _listed(findings, problem: bool) -> tuple[list[str], list[list]]:
    if problem:
        return (["机构", "问题", "渠道", "自何时起", "说明"],
                [[f.org_name, category_label(f.category), f.channel or f.url, f.first_seen, f.evidence]
                 for f in findings])
    return (["问题编号", "机构", "类别", "问题", "页面", "证据（已遮盖）", "首次发现", "周末状态"],
            [[f.id, f.org_name, category_label(f.category), f.title, f.url or f.channel, f.evidence, f.first_seen,
              "未处理" if f.open_at_end else "已消除"] for f in findings])


def _failed(r: WeeklyReport) -> tuple[list[str], list[list]]:
    rows = [[m.id, m.org_name, m.recipient, m.target, m.findings, m.attempts, m.created_at, m.status, m.last_error]
            for m in r.failed_messages]
    return ["消息编号", "机构", "接收人", "地址", "问题数", "尝试次数", "创建时间", "状态", "最近错误"], rows


def workbook_tables(report: WeeklyReport) -> dict[str, tuple[list[str], list[list]]]:
    """Sheet name -> (header, rows), in workbook order."""
    return {
        "概况": _summary(report),
        "趋势": _trend(report),
        "机构": _orgs(report),
        "渠道状况": _channels(report),
        "本周高风险新问题": _listed(report.high_new, problem=False),
        "无法访问与长期未更新": _listed(report.channel_problems, problem=True),
        "未送达通知": _failed(report),
        "合规分算法": (["说明"], [[FORMULA], *([n] for n in FORMULA_NOTES)]),
    }


def write_xlsx(report: WeeklyReport, path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in workbook_tables(report).items():
        _sheet(wb, title, header, rows)
    wb.properties.title = report.title
    wb.properties.creator = "orgwatch"
    try:
        wb.save(path)
    except OSError as exc:
        raise RenderError(f"无法写入 {path}：{exc.strerror}") from exc
    return path
