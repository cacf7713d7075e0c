"""``orgwatch report --send``: the report goes through the outbox, and a real SMTP server (aiosmtpd)
on 127.0.0.1 receives the e-mail with the PDF, once per week and address."""
from __future__ import annotations

import email
import json
import socket
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import delete

from models.db import Database
from models.entities import OutboxMessage
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


@pytest.fixture()
def smtp_later():
    """``start(port)`` -> an inbox on that port: an SMTP server that comes up during the test."""
    controllers = []

    def start(port: int) -> _Inbox:
        inbox = _Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def _config(folder: Path, recipients: list[str]) -> Path:
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", "reports": {"recipients": recipients}}), encoding="utf-8")
    return path


def run(config: Path, db_url: str, *args: str):
    return CliRunner().invoke(main, ["report", "--config", str(config), "--db", db_url, "--as-of", AS_OF,
                                     "--week", WEEK, *args], catch_exceptions=False)


def cli(config: Path, db_url: str, *args: str):
    return CliRunner().invoke(main, [*args, "--config", str(config), "--db", db_url, "--as-of", AS_OF],
                              catch_exceptions=False)


def report_messages(config: Path, db_url: str) -> list[dict]:
    result = cli(config, db_url, "alerts", "list", "--kind", "weekly_report", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def mail_to(port: int, to: str = "reviewer@example.gov.cn") -> str:
    return f"mailto://127.0.0.1:{port}?from=orgwatch@example.org&to={to}"


@pytest.fixture()
def db_url(tmp_path) -> str:
    return build_database(tmp_path / "orgwatch.db")


def test_send_emails_a_summary_with_the_pdf_attached(tmp_path, db_url, smtp):
    url = f"mailto://127.0.0.1:{smtp.port}?from=orgwatch@example.org&to=reviewer@example.gov.cn"
    config = _config(tmp_path, [url])
    result = run(config, db_url, "--format", "html", "--send")
    assert result.exit_code == 0, result.output
    assert "已排入待发送队列并已发送给 mailto://127.0.0.1" in result.output
    [queued] = report_messages(config, db_url)
    assert (queued["status"], queued["attempts"], queued["recipient"]) == ("sent", 1, "周报接收人")
    assert not (tmp_path / "data" / "outbox-attachments" / queued["uid"]).exists(), "the spooled copy is gone"
    pdf = tmp_path / "data" / "reports" / f"weekly-{WEEK}.pdf"
    assert pdf.exists(), "--send adds the PDF even when only html was asked for"

    [message] = smtp.messages
    assert smtp.recipients == [["reviewer@example.gov.cn"]]
    subject = str(make_header(decode_header(message["Subject"])))
    assert WEEK in subject and "新发现 7 个问题，其中高风险 3 个" in subject
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/html"].get_payload(decode=True).decode("utf-8")
    assert "本周新发现问题 <strong>7</strong> 个" in body and "青溪区康宁养老服务中心：32 分" in body
    assert f"消息编号 {queued['uid']}" in body
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
    config = _config(tmp_path, [down, good])
    result = run(config, db_url, "--format", "pdf", "--send")
    assert result.exit_code == 1
    assert "周报未能发给" in result.output and "保留在待发送队列中" in result.output
    assert len(smtp.messages) == 1, "the other recipient still gets it"
    assert (tmp_path / "data" / "reports" / f"weekly-{WEEK}.pdf").exists()
    statuses = sorted((m["status"], bool(m["last_error"])) for m in report_messages(config, db_url))
    assert statuses == [("failed", True), ("sent", False)]


def _only_the_report_in_the_outbox(db_url: str) -> None:
    """Drop the fixture's old alert messages (one of them undeliverable), so that a retry run
    delivers the report alone and its exit status speaks of the report."""
    db = Database(db_url)
    with db.session() as s:
        s.execute(delete(OutboxMessage))
    db.dispose()


def test_notifier_down_leaves_the_report_pending_then_the_retry_delivers_it_once(tmp_path, db_url, smtp_later):
    _only_the_report_in_the_outbox(db_url)
    port = _free_port()  # nothing listens there yet: the mail server is down
    config = _config(tmp_path, [mail_to(port)])

    down = run(config, db_url, "--format", "pdf", "--send")
    assert down.exit_code == 1
    assert "已排入待发送队列，尚未送达 mailto://127.0.0.1" in down.output
    assert "周报未能发给" in down.output and "orgwatch alerts retry" in down.output
    [msg] = report_messages(config, db_url)
    assert (msg["kind"], msg["status"], msg["attempts"]) == ("weekly_report", "failed", 1)
    assert msg["last_error"] and WEEK in msg["subject"]

    again = run(config, db_url, "--format", "pdf", "--send")  # the same week again while still down
    assert again.exit_code == 1
    assert f"{WEEK} 的周报此前已排入待发送队列（不再重复排入），仍未送达" in again.output
    assert len(report_messages(config, db_url)) == 1

    inbox = smtp_later(port)  # the mail server is back
    retry = cli(config, db_url, "alerts", "retry")
    assert retry.exit_code == 0, retry.output
    assert "已送达 1 条，失败 0 条" in retry.output
    [msg] = report_messages(config, db_url)
    assert msg["status"] == "sent" and msg["last_error"] is None
    [message] = inbox.messages
    [attachment] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_payload(decode=True) == (tmp_path / "data" / "reports" / f"weekly-{WEEK}.pdf").read_bytes()

    assert "已送达 0 条" in cli(config, db_url, "alerts", "retry").output
    last = run(config, db_url, "--format", "pdf", "--send")
    assert last.exit_code == 0, last.output
    assert f"{WEEK} 的周报此前已发送给 mailto://127.0.0.1" in last.output and "不再重复发送" in last.output
    assert len(inbox.messages) == 1, "delivered exactly once"


def test_a_report_whose_pdf_is_not_on_this_machine_waits_for_it(tmp_path, db_url, smtp_later):
    _only_the_report_in_the_outbox(db_url)
    port = _free_port()
    config = _config(tmp_path, [mail_to(port)])
    assert run(config, db_url, "--format", "pdf", "--send").exit_code == 1
    [msg] = report_messages(config, db_url)
    spooled = tmp_path / "data" / "outbox-attachments" / msg["uid"]
    assert [f.name for f in spooled.iterdir()] == [f"weekly-{WEEK}.pdf"]
    for f in spooled.iterdir():  # as on a worker machine: the PDF waits on the machine that made it
        f.unlink()
    spooled.rmdir()

    inbox = smtp_later(port)
    retry = cli(config, db_url, "alerts", "retry")
    assert retry.exit_code == 1
    assert "附件不在本机" in retry.output and "orgwatch report --week" in retry.output
    assert inbox.messages == []

    regenerated = run(config, db_url, "--format", "pdf", "--send")  # puts the PDF back, queues nothing new
    assert regenerated.exit_code == 0, regenerated.output
    assert "现已发送给" in regenerated.output
    assert len(report_messages(config, db_url)) == 1 and len(inbox.messages) == 1
