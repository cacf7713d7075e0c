"""Deliver one message to one Apprise URL, with Apprise's log kept as the error and secrets scrubbed."""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator

import apprise

from alerts.channels import transport_of
from alerts.exceptions import DeliveryError
from alerts.secrets import PLACEHOLDER, Secrets, scrub

log = logging.getLogger(__name__)
FORMATS = {"markdown": apprise.NotifyFormat.MARKDOWN, "html": apprise.NotifyFormat.HTML,
           "text": apprise.NotifyFormat.TEXT}
#: webhooks that take custom headers: each request carries the message id, so a receiver can drop a duplicate
MESSAGE_ID_HEADER = "X-Orgwatch-Message-Id"
HEADER_TRANSPORTS = ("json", "jsons", "form", "forms", "xml", "xmls")


def redact(url: str) -> str:
    """The URL as Apprise shows it with privacy on (passwords and tokens starred), without its query."""
    if PLACEHOLDER.search(url):
        return url.split("?", 1)[0]
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return transport_of(url) + "://…"
    return plugin.url(privacy=True).split("?", 1)[0]


class _ScrubFilter(logging.Filter):
    """Rewrites Apprise's log records so that no secret value reaches any handler."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg, record.args = scrub(record.getMessage(), self.secrets), None
        return True


#: loggers that may write a notify URL (with its tokens) while Apprise sends
SCRUBBED_LOGGERS = ("apprise", "urllib3.connectionpool")


@contextlib.contextmanager
def _scrubbed_apprise_log(secrets: list[str]) -> Iterator[None]:
    flt = _ScrubFilter(secrets)
    loggers = [logging.getLogger(name) for name in SCRUBBED_LOGGERS]
    for logger in loggers:
        logger.addFilter(flt)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(flt)


def with_message_id(url: str, message_id: str | None) -> str:
    """For json/form/xml webhooks, the URL with Apprise's ``+Header=value`` carrying the message id."""
    if not message_id or transport_of(url) not in HEADER_TRANSPORTS:
        return url
    return f"{url}{'&' if '?' in url else '?'}+{MESSAGE_ID_HEADER}={message_id}"


def send(url: str, *, subject: str, body: str, body_format: str = "text", timeout: float = 15.0,
         attach: list[str] | None = None, secrets: Secrets | None = None, message_id: str | None = None) -> None:
    """Deliver or raise :class:`DeliveryError` with Apprise's log of what went wrong (secrets removed).

    ``message_id`` goes into an ``X-Orgwatch-Message-Id`` header where the channel allows headers.
    """
    secrets = secrets or Secrets()
    real_url, used = secrets.expand(with_message_id(url, message_id))
    hidden = used + secrets.known_values()
    app = apprise.Apprise()
    with _scrubbed_apprise_log(hidden):
        if not app.add(real_url):
            raise DeliveryError(f"无法识别的通知地址 {redact(url)}：请检查 Apprise URL 的写法")
        for server in app:
            server.socket_connect_timeout = timeout
            server.socket_read_timeout = timeout
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as logs:
            ok = app.notify(body=body, title=subject, body_format=FORMATS.get(body_format), attach=attach)
            captured = logs.getvalue().strip()
    if not ok:
        detail = scrub(captured, hidden) or "通知服务没有接受消息"
        raise DeliveryError(f"投递到 {redact(url)} 失败：{detail}")
    if captured:
        log.debug("apprise warnings for %s: %s", redact(url), scrub(captured, hidden))
