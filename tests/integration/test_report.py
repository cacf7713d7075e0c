"""``orgwatch report`` on a real SQLite database with findings across weeks: HTML, PDF and XLSX
as a person would open them (the PDF rendered to PNG pages with pdftoppm, its text with pdftotext)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from orgwatch.cli import main
from tests.unit.reports.dbdata import AS_OF, EDUCATION_UNIT, HEALTH_UNIT, WEEK, build_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "report"
SHEETS = ["概况", "趋势", "机构", "渠道状况", "本周高风险新问题", "无法访问与长期未更新", "未送达通知", "合规分算法"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return build_database(tmp_path_factory.mktemp("report") / "orgwatch.db")


def report(db_url: str, out: Path, *extra: str):
    result = run("report", "--db", db_url, "--as-of", AS_OF, "--out", str(out), *extra)
    paths = [Path(line) for line in result.output.splitlines() if line.startswith(str(out))]
    return result, paths


def xlsx_data(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_report_in_three_forms_and_the_pdf_as_a_person_sees_it(db_url, tmp_path):
    result, paths = report(db_url, tmp_path, "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert [p.name for p in paths] == [f"weekly-{WEEK}.html", f"weekly-{WEEK}.pdf", f"weekly-{WEEK}.xlsx"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert "新发现 7 个（高风险 3）" in result.output

    html = paths[0].read_text(encoding="utf-8")
    for words in ("社会组织网站合规监测周报 2026-W48", "2026年11月23日—11月29日", "本周概况", "近 12 周趋势",
                  "各机构情况", "合规分 = 100 − 25×高风险问题数", "本周新发现的高风险问题（3 个）",
                  "无法访问和长期未更新的渠道（2 个）", "未送达的通知（2 条）", "<svg", "@media print",
                  'name="viewport"', "<mark>【500199********0213】</mark>", "缺 1 项"):
        assert words in html, words
    assert "<link" not in html and "<script" not in html and 'src="http' not in html, "no external resources"

    pdf = paths[1]
    pages = len(PdfReader(pdf).pages)
    assert pages >= 2
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / "weekly")], check=True)
    pngs = sorted(ARTIFACTS.glob("weekly-*.png"))
    assert len(pngs) == pages and all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
    shutil.copy(paths[0], ARTIFACTS / paths[0].name)
    text = pdf_text(pdf)
    for words in ("社会组织网站合规监测周报", "本周概况", "青溪区康宁养老服务中心", "合规分", "第 1 页，共"):
        assert words in text, words


def test_two_runs_give_identical_html_and_spreadsheet_data(db_url, tmp_path):
    first, a = report(db_url, tmp_path / "a", "--week", WEEK, "--format", "html,xlsx")
    second, b = report(db_url, tmp_path / "b", "--week", WEEK, "--format", "xlsx,html")
    assert first.exit_code == second.exit_code == 0
    assert a[0].read_bytes() == b[0].read_bytes()
    assert xlsx_data(a[1]) == xlsx_data(b[1])


def test_spreadsheet_has_one_sheet_per_table_with_headers(db_url, tmp_path):
    _, paths = report(db_url, tmp_path, "--week", WEEK, "--format", "xlsx")
    data = xlsx_data(paths[0])
    assert list(data) == SHEETS
    orgs = data["机构"]
    assert orgs[0][:5] == ("机构 id", "机构", "业务主管单位", "合规分", "未处理-高") and "身份证号" in orgs[0]
    assert [(row[0], row[3]) for row in orgs[1:]] == [("kangning", 32), ("zhuxue", 65), ("anhe", 75)]
    assert data["趋势"][0] == ("周", "周一", "类别", "类别代码", "新发现", "已消除")
    assert len(data["本周高风险新问题"]) == 1 + 3 and len(data["未送达通知"]) == 1 + 2
    summary = {row[0]: row[1:] for row in data["概况"][1:]}
    assert summary["本周新发现的问题"] == (7, 3, 3, 1) and summary["周"][0] == WEEK


def test_supervisor_variant_covers_only_its_organisations(db_url, tmp_path):
    result, paths = report(db_url, tmp_path, "--week", WEEK, "--supervisor", HEALTH_UNIT, "--format", "html,pdf")
    assert result.exit_code == 0, result.output
    assert [p.name for p in paths] == [f"weekly-{WEEK}-{HEALTH_UNIT}.html", f"weekly-{WEEK}-{HEALTH_UNIT}.pdf"]
    html = paths[0].read_text(encoding="utf-8")
    assert f"社会组织网站合规监测周报（{HEALTH_UNIT}）" in html
    assert "青溪区安和社区服务中心" in html and "青溪区康宁养老服务中心" in html
    assert "青溪区助学促进会" not in html and EDUCATION_UNIT not in html
    assert "青溪区助学促进会" not in pdf_text(paths[1]) and HEALTH_UNIT in pdf_text(paths[1])


def test_default_week_is_the_last_complete_week_on_as_of(db_url, tmp_path):
    result, paths = report(db_url, tmp_path, "--format", "html")
    assert result.exit_code == 0, result.output
    assert paths[0].name == "weekly-2026-W48.html"


@pytest.mark.parametrize("args, message", [
    (("--supervisor", "不存在的单位"), "没有机构的业务主管单位是"),
    (("--week", "2026-W50"), "还没有开始"),
    (("--week", "2026-48"), "ISO 周"),
    (("--format", "docx"), "可选的格式"),
])
def test_clear_errors_exit_2(db_url, tmp_path, args, message):
    result = run("report", "--db", db_url, "--as-of", AS_OF, "--out", str(tmp_path), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not list(tmp_path.glob("weekly-*"))


def test_output_goes_to_the_data_dir_by_default(db_url, tmp_path):
    config = tmp_path / "orgwatch.yaml"
    config.write_text("data_dir: data\n", encoding="utf-8")
    result = run("report", "--config", str(config), "--db", db_url, "--as-of", AS_OF, "--format", "html")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "reports" / "weekly-2026-W48.html").exists()
