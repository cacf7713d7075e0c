"""``orgwatch report --send``: a real SMTP server (aiosmtpd) on 127.0.0.1 receives the e-mail with the PDF."""
from __future__ import annotations

import email
import socket
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from orgwatch.cli import main
from tests.unit.reports.dbdata import AS_OF, HEALTH_UNIT, WEEK, build_database


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _config(folder: Path, recipients: list[str]) -> Path:
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", "reports": {"recipients": recipients}}), encoding="utf-8")
    return path


def run(config: Path, db_url: str, *args: str):
    return CliRunner().invoke(main, ["report", "--config", str(config), "--db", db_url, "--as-of", AS_OF,
                                     "--week", WEEK, *args], catch_exceptions=False)


@pytest.fixture()
def db_url(tmp_path) -> str:
    return build_database(tmp_path / "orgwatch.db")


def test_send_emails_a_summary_with_the_pdf_attached(tmp_path, db_url, smtp):
    url = f"mailto://127.0.0.1:{smtp.port}?from=orgwatch@example.org&to=reviewer@example.gov.cn"
    result = run(_config(tmp_path, [url]), db_url, "--format", "html", "--send")
    assert result.exit_code == 0, result.output
    assert "已发送给" in result.output
    pdf = tmp_path / "data" / "reports" / f"weekly-{WEEK}.pdf"
    assert pdf.exists(), "--send adds the PDF even when only html was asked for"

    [message] = smtp.messages
    assert smtp.recipients == [["reviewer@example.gov.cn"]]
    subject = str(make_header(decode_header(message["Subject"])))
    assert WEEK in subject and "新发现 7 个问题，其中高风险 3 个" in subject
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/html"].get_payload(decode=True).decode("utf-8")
    assert "本周新发现问题 <strong>7</strong> 个" in body and "青溪区康宁养老服务中心：32 分" in body
    attachment = parts["application/pdf"]
    assert attachment.get_filename() == pdf.name
    assert attachment.get_payload(decode=True) == pdf.read_bytes()


def test_supervisor_variant_is_sent_with_its_own_pdf(tmp_path, db_url, smtp):
    url = f"mailto://127.0.0.1:{smtp.port}?from=orgwatch@example.org&to=reviewer@example.gov.cn"
    result = run(_config(tmp_path, [url]), db_url, "--supervisor", HEALTH_UNIT, "--format", "pdf", "--send")
    assert result.exit_code == 0, result.output
    [message] = smtp.messages
    assert HEALTH_UNIT in str(make_header(decode_header(message["Subject"])))
    [attachment] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    # Apprise garbles a non-ASCII attachment name, so the unit's variant goes under an ASCII one
    assert attachment.get_filename() == f"weekly-{WEEK}-supervisor.pdf"
    pdf = tmp_path / "data" / "reports" / f"weekly-{WEEK}-{HEALTH_UNIT}.pdf"
    assert attachment.get_payload(decode=True) == pdf.read_bytes()


def test_send_without_recipients_is_refused_before_anything_is_written(tmp_path, db_url):
    result = run(_config(tmp_path, []), db_url, "--send")
    assert result.exit_code == 2
    assert "reports.recipients" in result.output
    assert not (tmp_path / "data" / "reports").exists()


def test_a_failed_delivery_is_reported_and_exits_1(tmp_path, db_url, smtp):
    down = f"mailto://127.0.0.1:{_free_port()}?from=orgwatch@example.org&to=other@example.gov.cn"
    good = f"mailto://127.0.0.1:{smtp.port}?from=orgwatch@example.org&to=reviewer@example.gov.cn"
    result = run(_config(tmp_path, [down, good]), db_url, "--format", "pdf", "--send")
    assert result.exit_code == 1
    assert "周报未能发给" in result.output
    assert len(smtp.messages) == 1, "the other recipient still gets it"
    assert (tmp_path / "data" / "reports" / f"weekly-{WEEK}.pdf").exists()
