"""The pre-publish check page: pasted text and uploaded files give the CLI's findings; bad input
gets a Chinese message and keeps what was typed; oversized uploads are refused before reading."""
from __future__ import annotations

import pytest

from orgwatch.web.pages import check as check_page
from tests.web.conftest import csrf_from

ROSTER = "2026年助学金发放名单\n王小红 110101200801011230 2000元\n"


def post_check(client, data: dict, files: dict | None = None):
    token = csrf_from(client.get("/check").text)
    return client.post("/check", data={"csrf_token": token, **data}, files=files)


def test_pasted_text_shows_the_findings_masked(make_client) -> None:
    response = post_check(make_client("kangning-staff"), {"text": ROSTER})
    assert response.status_code == 200
    result = response.text[response.text.index('id="result"'):]
    assert "检查结果：粘贴的文字.txt" in result and "发现 1 个问题" in result
    assert "身份证" in result and "110101********1230" in result
    assert "110101200801011230" not in result
    assert ROSTER.strip() in response.text  # the textarea keeps the text


def test_uploaded_file_is_checked_by_name(make_client) -> None:
    response = post_check(make_client("reviewer"), {"org": "zhuxue"},
                          files={"file": ("名单.txt", ROSTER.encode("gb18030"), "text/plain")})
    assert response.status_code == 200
    assert "检查结果：名单.txt" in response.text and "110101********1230" in response.text


def test_clean_text_says_no_problem(make_client) -> None:
    response = post_check(make_client("health-unit"), {"text": "本周六上午在社区开展义诊活动，欢迎居民参加。"})
    assert response.status_code == 200 and "未发现问题" in response.text


def test_nothing_to_check_gets_a_message(make_client) -> None:
    response = post_check(make_client("kangning-staff"), {"text": "  "})
    assert response.status_code == 422
    assert "请上传一个文件" in response.text and "或粘贴要检查的文字" in response.text


def test_unreadable_file_is_explained(make_client) -> None:
    response = post_check(make_client("kangning-staff"), {},
                          files={"file": ("报告.pdf", b"%PDF-1.7 this is not really a pdf", "application/pdf")})
    assert response.status_code == 422
    assert "无法检查这个文件" in response.text


def test_oversized_upload_is_refused_with_a_message(make_client, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client("kangning-staff")
    token = csrf_from(client.get("/check").text)
    monkeypatch.setattr(check_page, "MAX_UPLOAD", 1000)
    monkeypatch.setattr(check_page, "_ENVELOPE", 0)
    response = client.post("/check", data={"csrf_token": token},
                           files={"file": ("big.txt", b"x" * 5000, "text/plain")})
    assert response.status_code == 413
    assert "文件太大" in response.text and "拆成几部分" in response.text


def test_org_user_checks_as_its_own_organisation(make_client) -> None:
    html = make_client("kangning-staff").get("/check").text
    assert '<input type="hidden" name="org" value="kangning">' in html
    assert "云川市康宁社会工作服务中心" in html and "云川市心禾养老服务协会" not in html
