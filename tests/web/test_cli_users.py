"""``orgwatch users``, ``tokens``, ``triage`` and ``serve`` as an administrator runs them."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
from click.testing import CliRunner
from fastapi.testclient import TestClient

from orgwatch.cli import main
from orgwatch.web.app import create_app
from tests.web.conftest import audit_rows, login


def run(world, *args: str, input: str | None = None):
    return CliRunner().invoke(main, [*args, "--config", str(world.config)], input=input, catch_exceptions=False)


def test_users_add_list_passwd_disable(world, rt):
    added = run(world, "users", "add", "wang", "--role", "org", "--org", "xinhe", input="xinhe-pass-1\nxinhe-pass-1\n")
    assert added.exit_code == 0, added.output
    assert "已创建用户 wang：机构（xinhe）" in added.output
    listed = run(world, "users", "list")
    assert re.search(r"wang\s*│\s*机构\s*│\s*xinhe\s*│\s*正常", listed.output), listed.output
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as client:
        assert login(client, "wang", "xinhe-pass-1").status_code == 303
        assert {o["id"] for o in client.get("/api/v1/organisations").json()} == {"xinhe"}
        changed = run(world, "users", "passwd", "wang", "--password-stdin", input="xinhe-pass-2\n")
        assert changed.exit_code == 0 and "需要重新登录" in changed.output
        assert client.get("/api/v1/me").status_code == 401
        assert login(client, "wang", "xinhe-pass-2").status_code == 303
        assert run(world, "users", "disable", "wang").exit_code == 0
        assert client.get("/api/v1/me").status_code == 401
    assert "已停用" in run(world, "users", "list").output
    assert [(e.action, e.target_id) for e in audit_rows(rt) if e.action.startswith("user.")] == [
        ("user.add", "wang"), ("user.passwd", "wang"), ("user.disable", "wang")]


def test_users_add_refuses_bad_input_in_chinese(world):
    cases = [
        (("wang", "--role", "org", "--org", "nosuch"), "nosuch"),
        (("wang", "--role", "org"), "--org"),
        (("wang", "--role", "supervisor", "--supervisor", "不存在的局"), "已知的单位"),
        (("reviewer", "--role", "bureau"), "已存在"),
        (("wang", "--role", "bureau", "--org", "xinhe"), "只用于"),
    ]
    for args, words in cases:
        result = run(world, "users", "add", *args, "--password-stdin", input="long-enough-pass\n")
        assert result.exit_code == 2 and words in result.output, (args, result.output)
    short = run(world, "users", "add", "li", "--role", "bureau", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "密码太短" in short.output


def test_tokens_create_list_revoke(world, rt):
    created = run(world, "tokens", "create", "--user", "health-unit", "--name", "周报脚本", "--days", "30")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert token.startswith("ow_") and "只显示这一次" in created.output
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=headers).json()["name"] == "health-unit"
        listed = run(world, "tokens", "list", "--user", "health-unit")
        assert "周报脚本" in listed.output and token not in listed.output
        token_id = re.search(r"^│\s*(\d+)\s*│", listed.output, re.M).group(1)
        revoked = run(world, "tokens", "revoke", token_id)
        assert revoked.exit_code == 0 and "已撤销" in revoked.output
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert "已撤销" in run(world, "tokens", "list").output
    assert [e.action for e in audit_rows(rt) if e.action.startswith("token.")] == ["token.create", "token.use",
                                                                                  "token.revoke"]
    assert run(world, "tokens", "create", "--user", "nobody").exit_code == 2


def test_triage_command_scoped_by_the_named_user(world, rt):
    own, other = world.findings["kangning_id"], world.findings["zhuxue_fund"]
    result = run(world, "triage", str(own), "--action", "false_positive", "--reason", "示例号码", "--as", "kangning-staff")
    assert result.exit_code == 0, result.output
    assert "待处理 → 误报" in result.output and "模型反馈" in result.output
    refused = run(world, "triage", str(other), "--action", "resolve", "--as", "kangning-staff")
    assert refused.exit_code == 2 and "找不到编号" in refused.output
    again = run(world, "triage", str(own), "--action", "resolve", "--as", "reviewer")
    assert again.exit_code == 2 and "不能标记已解决" in again.output
    no_reason = run(world, "triage", str(other), "--action", "false_positive", "--as", "reviewer")
    assert no_reason.exit_code == 2 and "必须填写理由" in no_reason.output


def test_serve_warns_without_users_and_answers_on_its_port(tmp_path):
    config = tmp_path / "orgwatch.yaml"
    config.write_text("data_dir: data\n", encoding="utf-8")
    env = {**os.environ, "ORGWATCH_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "orgwatch", "serve", "--port", "0"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        seen, url = [], None
        for line in proc.stderr:  # bounded: the server prints its address or exits
            seen.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
                break
        assert url, "".join(seen)
        assert "先用 orgwatch users add 创建用户" in "".join(seen)
        assert "登录" in httpx.get(url + "/login", timeout=10).text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
