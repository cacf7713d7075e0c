"""Secrets for ${NAME} in notify URLs: environment first, then the secrets file; never shown anywhere."""
from __future__ import annotations

import logging
import os
import socket

import pytest

from alerts.deliver import redact, send
from alerts.exceptions import DeliveryError, SecretsError
from alerts.secrets import Secrets, scrub

TOKEN = "tok-9f8e7d6c5b4a"
PASSWORD = "pa55/word+中文"


@pytest.fixture()
def secrets_file(tmp_path):
    path = tmp_path / "secrets.yaml"
    path.write_text(f"WEBHOOK_TOKEN: {TOKEN}\nSMTP_PASSWORD: '{PASSWORD}'\nPORT_NUMBER: 8080\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def test_file_values_fill_placeholders(secrets_file):
    url, used = Secrets(secrets_file, environ={}).expand("json://127.0.0.1:${PORT_NUMBER}/${WEBHOOK_TOKEN}")
    assert url == f"json://127.0.0.1:8080/{TOKEN}" and used == ["8080", TOKEN]


def test_environment_wins_over_the_file(secrets_file):
    url, _ = Secrets(secrets_file, environ={"WEBHOOK_TOKEN": "from-env"}).expand("wecombot://${WEBHOOK_TOKEN}")
    assert url == "wecombot://from-env"


def test_missing_name_is_named_with_where_to_set_it(secrets_file):
    with pytest.raises(SecretsError) as err:
        Secrets(secrets_file, environ={}).expand("wecombot://${WECOM_KEY}")
    assert "WECOM_KEY" in str(err.value) and str(secrets_file) in str(err.value)


def test_missing_file_and_bad_yaml_never_echo_the_content(tmp_path):
    with pytest.raises(SecretsError, match="找不到密钥文件"):
        Secrets(tmp_path / "none.yaml", environ={}).value("X")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"GOOD: 1\nTOKEN: [{TOKEN}\n", encoding="utf-8")
    with pytest.raises(SecretsError) as err:
        Secrets(bad, environ={}).value("TOKEN")
    assert TOKEN not in str(err.value) and "不是有效的 YAML" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_a_readable_secrets_file_is_warned_about(secrets_file, caplog):
    secrets_file.chmod(0o644)
    Secrets(secrets_file, environ={}).value("WEBHOOK_TOKEN")
    assert "chmod 600" in caplog.text


def test_scrub_removes_plain_and_url_encoded_values():
    text = f"POST http://u:{PASSWORD}@h/ and pa55%2Fword%2B%E4%B8%AD%E6%96%87 and {TOKEN}"
    cleaned = scrub(text, [PASSWORD, TOKEN])
    assert PASSWORD not in cleaned and TOKEN not in cleaned and "%2Fword" not in cleaned


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_failed_delivery_reports_apprise_log_without_secrets(secrets_file, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"json://orgwatch:${{SMTP_PASSWORD}}@127.0.0.1:{_closed_port()}/hook/${{WEBHOOK_TOKEN}}"
    with pytest.raises(DeliveryError) as err:
        send(url, subject="测试", body="正文", timeout=2, secrets=Secrets(secrets_file, environ={}))
    message = str(err.value)
    assert "投递到 json://orgwatch:${SMTP_PASSWORD}@127.0.0.1" in message and "失败" in message
    for secret in (TOKEN, PASSWORD, "pa55"):
        assert secret not in message
        assert secret not in caplog.text, "Apprise's own log must not carry the secret either"


def test_redact_hides_literal_tokens():
    shown = redact(f"wecombot://{TOKEN}")
    assert TOKEN not in shown and shown.startswith("wecombot://")
    assert os.environ.get("WEBHOOK_TOKEN") is None
