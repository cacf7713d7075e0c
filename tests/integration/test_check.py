"""``orgwatch check`` on real .docx, .pdf, .xlsx, .html, .md and .txt files and on standard input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orgwatch.cli import main
from orgwatch.output import FINDING_KEYS
from tests.crawlers.docfactory import encrypt_pdf, make_docx, make_pdf, make_xlsx
from tests.integration.sitegen import IDS

MASKED = [i[:6] + "********" + i[-4:] for i in IDS]
#: an all-digit code that passes both the USCC and the resident-ID checks
ORG_USCC = "500199198001010190"


def check(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, ["check", *args], input=input, catch_exceptions=False)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "list.docx": make_docx(header="青溪区安和社区服务中心", first_page=["2026年高龄津贴发放名单公示", "以下人员符合条件："],
                               later=["公示期七天。"], table=[["姓名", "身份证号"], ["张桂兰", IDS[0]], ["李德明", IDS[1]]]),
        "notice.pdf": make_pdf([["关于做好冬季安全工作的通知", "机密★5年"], ["各服务站：现将有关事项通知如下。"]]),
        "list.xlsx": make_xlsx({"说明": [["本表为公示名单"]], "名单": [["姓名", "身份证号"], ["王秀英", IDS[2]]]}),
        "clean.docx": make_docx(first_page=["中心简介", "本中心成立于2010年，提供居家养老服务。"]),
        "scan.pdf": make_pdf([[]]),
        "locked.pdf": encrypt_pdf(make_pdf([["年度工作报告"]]), "secret"),
        "broken.docx": b"PK\x03\x04 this is not really a Word file",
    }
    made["page.html"] = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>公示</title></head>\n<body>\n'
        f"<h1>名单公示</h1>\n<table>\n<tr><td>张桂兰</td>\n<td>{IDS[0]}</td></tr>\n</table>\n"
        '<div style="display:none"><a href="http://casino.example.com/">娱乐城</a></div>\n</body></html>\n'
    ).encode("utf-8")
    made["draft.md"] = f"# 通知\n\n内部资料 注意保存\n\n联系人 张桂兰 {IDS[2]}\n".encode("utf-8")
    made["gbk.txt"] = f"关于发放津贴的说明\n\n领取人：李德明 {IDS[1]}\n".encode("gbk")
    made["internal.md"] = "# 工作要点\n\n内部资料 注意保存\n".encode("utf-8")
    for name, body in made.items():
        (tmp_path / name).write_bytes(body)
    return {name: tmp_path / name for name in made}


def test_docx_findings_name_the_paragraph_and_say_how_to_fix(files):
    result = check(str(files["list.docx"]))
    assert result.exit_code == 1
    out = result.output
    assert "公开了未遮盖的居民身份证号码（pii_id/unmasked_id）" in out
    # 1 header, 2-3 first page, 4 公示期 (the page break paragraph is empty), 5 table header, 6-7 rows
    assert "位置：第 6 段（本文件共 2 处，在第 6、7 段）" in out
    assert f"【{MASKED[0]}】" in out and all(full not in out for full in IDS)
    assert "依据：《个人信息保护法》" in out
    assert f"建议：遮盖后应为 {MASKED[0]} 这样的形式" in out and "500114********1234" in out


@pytest.mark.parametrize("name, category, location", [
    ("notice.pdf", "secret_mark", "第 2 行"),
    ("list.xlsx", "pii_id", "工作表“名单”第 2 行（不计空行）"),
    ("page.html", "pii_id", "第 7 行"),
    ("page.html", "hidden_link", "第 9 行"),
    ("draft.md", "secret_mark", "第 3 行"),
    ("draft.md", "pii_id", "第 5 行"),
    ("gbk.txt", "pii_id", "第 3 行"),
])
def test_each_format_places_its_findings(files, name, category, location):
    result = check(str(files[name]), "--format", "json")
    assert result.exit_code == 1, result.output
    records = json.loads(result.output)
    assert any(r["category"] == category and r["location"] == location for r in records), records


def test_json_follows_the_findings_contract_with_path_and_line(files):
    result = check(str(files["list.docx"]), str(files["notice.pdf"]), "--format", "json")
    records = json.loads(result.output)
    expected = [k for k in FINDING_KEYS if k != "url"]
    expected.insert(FINDING_KEYS.index("url"), "path")
    expected.insert(FINDING_KEYS.index("url") + 1, "line")
    for record in records:
        assert list(record)[:len(expected)] == expected
        assert list(record)[len(expected):] == ["location", "lines", "count", "title", "action", "format"]
        assert all(record[k] is None for k in ("id", "channel", "first_seen", "last_seen", "resolved_at", "status",
                                                "occurrence"))
    pii = next(r for r in records if r["category"] == "pii_id")
    assert pii["path"] == str(files["list.docx"]) and pii["line"] == 6 and pii["lines"] == [6, 7]
    assert pii["count"] == 2 and pii["severity"] == "high" and pii["evidence"].count("【") == 1
    secret = next(r for r in records if r["category"] == "secret_mark")
    assert secret["path"] == str(files["notice.pdf"]) and secret["line"] == 2 and secret["format"] == "pdf"


def test_standard_input(files):
    result = check("-", input=files["draft.md"].read_bytes())
    assert result.exit_code == 1
    assert "标准输入（文本）" in result.output and "第 5 行" in result.output
    pdf = check("-", "--format", "json", input=files["notice.pdf"].read_bytes())
    assert pdf.exit_code == 1 and json.loads(pdf.stdout)[0]["path"] == "标准输入"
    assert check("-", input=b"").exit_code == 2


def test_clean_file_exits_0(files):
    result = check(str(files["clean.docx"]))
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.output


@pytest.mark.parametrize("name, reason", [
    ("scan.pdf", "扫描件，没有文字层，无法检查；请提供可复制文字的版本"),
    ("locked.pdf", "PDF 已加密，需要密码才能打开"),
    ("broken.docx", "Word 文件已损坏"),
    ("missing.docx", "文件不存在"),
])
def test_unreadable_files_exit_2_with_the_reason(files, tmp_path, name, reason):
    path = files.get(name, tmp_path / name)
    result = check(str(path))
    assert result.exit_code == 2
    assert reason in result.output


def test_an_unreadable_file_does_not_stop_the_others(files):
    result = check(str(files["scan.pdf"]), str(files["list.docx"]), "--format", "json")
    assert result.exit_code == 2
    assert "扫描件" in result.stderr
    assert [r["category"] for r in json.loads(result.stdout)] == ["pii_id"]


@pytest.mark.parametrize("name, fail_on, code", [
    ("internal.md", "low", 1),      # an internal-circulation mark is low severity
    ("internal.md", "medium", 0),
    ("internal.md", "high", 0),
    ("list.docx", "high", 1),
    ("clean.docx", "low", 0),
])
def test_fail_on_threshold(files, name, fail_on, code):
    result = check(str(files[name]), "--fail-on", fail_on)
    assert result.exit_code == code, result.output


def test_org_context_spares_the_organisation_own_code(tmp_path):
    registry = {"organizations": [{
        "id": "anhe", "name": "青溪区安和社区服务中心", "type": "social_service", "charity": False, "uscc": ORG_USCC,
        "registration_authority": "云川市青溪区民政局", "channels": [{"kind": "website", "url": "http://anhe.example.org/"}],
        "people": [],
    }]}
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    config = tmp_path / "orgwatch.yaml"
    config.write_text("registry: registry.yaml\ndata_dir: data\n", encoding="utf-8")
    draft = tmp_path / "intro.txt"
    draft.write_text(f"本中心（{ORG_USCC}）成立于2010年。\n", encoding="utf-8")

    anyone = check(str(draft), "--config", str(config), "--format", "json")
    assert anyone.exit_code == 1 and json.loads(anyone.output)[0]["category"] == "pii_id"
    own = check(str(draft), "--config", str(config), "--org", "anhe", "--format", "json")
    assert own.exit_code == 0, own.output
    assert json.loads(own.output) == []
    unknown = check(str(draft), "--config", str(config), "--org", "nobody")
    assert unknown.exit_code == 2 and "名册中没有" in unknown.output
