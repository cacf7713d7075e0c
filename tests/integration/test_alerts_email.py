"""E-mail alerts end to end: a real scan, a real SMTP server (aiosmtpd) with a password from the
secrets file; the Chinese subject decodes, the body is HTML, the CSV list is attached."""
from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import socket
from email.header import decode_header
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.integration.alerts_world import cli, messages, org, person, seed, write_world
from tests.integration.sitegen import IDS, write_config, write_site

SMTP_USER, SMTP_PASSWORD = "orgwatch", "Pa:ss/w0rd@2026"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.raw.append(envelope.content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_inbox():
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_authenticate,
                            auth_require_tls=False)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def _config_with_mail(tmp_path: Path, base: str, port: int) -> Path:
    url = (f"mailto://{SMTP_USER}:${{SMTP_PASSWORD}}@127.0.0.1:{port}"
           "?to=zhoumin@example.org&from=orgwatch@example.org&name=orgwatch")
    config = write_config(tmp_path, base, url, legal_notify=url.replace("zhoumin@", "chenguohua@"))
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({"SMTP_PASSWORD": SMTP_PASSWORD}, allow_unicode=True), encoding="utf-8")
    secrets.chmod(0o600)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["alerts"] = {"secrets_file": str(secrets)}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return config


def test_scan_mails_html_with_chinese_subject_and_csv_attachment(tmp_path, serve_sites, smtp_inbox):
    root = write_site(tmp_path / "sites")
    config = _config_with_mail(tmp_path, serve_sites(root)["anhe"], smtp_inbox.port)

    scan = cli("scan", "--config", str(config))
    assert scan.exit_code == 0, scan.output
    assert "已送达 2 条" in scan.output
    assert SMTP_PASSWORD not in scan.output

    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp_inbox.messages}
    assert sorted(by_to) == ["chenguohua@example.org", "zhoumin@example.org"]
    mail = by_to["zhoumin@example.org"]
    subject = "【orgwatch 合规提醒】青溪区安和社区服务中心：发现 2 个新问题，其中高风险 2 个"
    assert mail["Subject"] == subject
    raw_subject = email.message_from_bytes(smtp_inbox.raw[0])["Subject"]
    assert raw_subject.isascii(), "the header is RFC 2047-encoded on the wire"
    decoded = "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part
                      for part, charset in decode_header(raw_subject))
    assert decoded.startswith("【orgwatch 合规提醒】青溪区安和社区服务中心")

    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<h3>高风险（2）</h3>" in html and "/list.html" in html and "机密★5年" in html
    assert "怎么办" in html and all(full not in html for full in IDS), "evidence is masked"
    [uid] = {m["uid"] for m in messages(config) if m["recipient"] == "周敏"}
    assert uid in html

    [attachment] = [p for p in mail.iter_attachments()]
    assert attachment.get_filename() == f"orgwatch-{uid}.csv"
    assert attachment.get_content_type() == "text/csv"
    rows = list(csv.reader(io.StringIO(attachment.get_payload(decode=True).decode("utf-8-sig"))))
    assert rows[0][0] == "机构" and len(rows) == 3
    assert {r[4].rsplit("/", 1)[-1] for r in rows[1:]} == {"list.html", "notice.html"}
    assert all(full not in "".join(map(str, rows)) for full in IDS)

    listed = cli("alerts", "list", "--config", str(config))
    assert SMTP_PASSWORD not in listed.output and "Pa:ss" not in listed.output


def test_wrong_smtp_password_is_recorded_without_the_password(tmp_path, smtp_inbox, monkeypatch):
    url = f"mailto://{SMTP_USER}:${{SMTP_PASSWORD}}@127.0.0.1:{smtp_inbox.port}?to=a@example.org&from=o@example.org"
    config = write_world(tmp_path, [org("anhe", "安和中心", 1, [person("周敏", "platform_manager", url)])])
    seed(config, dt.date(2026, 11, 2), [("anhe", "pii_id", "high", "http://anhe.example.org/list.html")])
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-secret-value")
    result = cli("alerts", "retry", "--config", str(config))
    assert result.exit_code == 1 and smtp_inbox.messages == []
    [failed] = messages(config, "--status", "failed")
    assert failed["last_error"] and "wrong-secret-value" not in failed["last_error"]
    assert "wrong-secret-value" not in result.output
