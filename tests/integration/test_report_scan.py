"""Real scans of a local site in two weeks (``--as-of``), then the weekly reports of those weeks."""
from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from orgwatch.cli import main
from tests.integration.sitegen import IDS, write_config, write_site


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def sheet(path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb[name].iter_rows(values_only=True))
    finally:
        wb.close()


def test_reports_follow_the_scans_week_by_week(tmp_path, serve_sites, alert_sink):
    root = write_site(tmp_path / "sites")
    base = serve_sites(root)["anhe"]
    config = str(write_config(tmp_path, base, alert_sink.url("manager"), alert_sink.url("legal")))
    out = tmp_path / "reports"

    # Wednesday of 2026-W48: whatever the time of day, the scan's timestamps fall in that week
    assert run("scan", "--config", config, "--as-of", "2026-11-25").exit_code == 0
    first = run("report", "--config", config, "--week", "2026-W48", "--as-of", "2026-12-01", "--out", str(out),
                "--format", "html,xlsx")
    assert first.exit_code == 0, first.output
    html = (out / "weekly-2026-W48.html").read_text(encoding="utf-8")
    assert "青溪区安和社区服务中心" in html and base + "/list.html" in html
    assert "公开了未遮盖的居民身份证号码" in html and "公开了带有密级标志的文件" in html
    assert all(full not in html for full in IDS), "only masked evidence"
    high = sheet(out / "weekly-2026-W48.xlsx", "本周高风险新问题")
    assert {row[2] for row in high[1:]} >= {"身份证号", "密级标志"}
    summary = {row[0]: row[1] for row in sheet(out / "weekly-2026-W48.xlsx", "概况")[1:]}
    assert summary["本周扫描的机构"] == 1 and summary["本周扫描次数"] == 1

    # the organisation masks the IDs: the next week's scan resolves the finding
    write_site(root, with_ids=False)
    assert run("scan", "--config", config, "--as-of", "2026-12-02").exit_code == 0
    second = run("report", "--config", config, "--week", "2026-W49", "--as-of", "2026-12-08", "--out", str(out),
                 "--format", "xlsx")
    assert second.exit_code == 0, second.output
    trend = sheet(out / "weekly-2026-W49.xlsx", "趋势")
    resolved = {(row[0], row[3]): row[5] for row in trend[1:]}
    assert resolved[("2026-W49", "pii_id")] == 1 and resolved[("2026-W48", "pii_id")] == 0

    # the week before is unchanged by the later scan's new findings and by re-running
    again = run("report", "--config", config, "--week", "2026-W48", "--as-of", "2026-12-01", "--out",
                str(tmp_path / "again"), "--format", "xlsx")
    assert again.exit_code == 0
    assert sheet(tmp_path / "again" / "weekly-2026-W48.xlsx", "概况") == sheet(out / "weekly-2026-W48.xlsx", "概况")
