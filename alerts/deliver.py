"""Deliver one message to one Apprise URL, with Apprise's log kept as the error."""
from __future__ import annotations

import logging
import os
import re

import apprise

from alerts.exceptions import DeliveryError

log = logging.getLogger(__name__)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
FORMATS = {"markdown": apprise.NotifyFormat.MARKDOWN, "html": apprise.NotifyFormat.HTML,
           "text": apprise.NotifyFormat.TEXT}
#: the body format each transport reads best; anything else gets plain text
TRANSPORT_FORMATS = {
    "wecombot": "markdown", "dingtalk": "markdown", "feishu": "markdown", "lark": "markdown",
    "mailto": "html", "mailtos": "html",
}


def transport_of(url: str) -> str:
    return url.split("://", 1)[0].lower()


def body_format_for(url: str) -> str:
    return TRANSPORT_FORMATS.get(transport_of(url), "text")


def expand_secrets(url: str) -> tuple[str, list[str]]:
    """Replace ``${VAR}`` with the environment's value; return the URL and the secret values used."""
    secrets: list[str] = []

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise DeliveryError(f"通知地址引用的环境变量 {name} 未设置；请在运行 orgwatch 的环境中设置它")
        secrets.append(os.environ[name])
        return os.environ[name]

    return _VAR.sub(sub, url), secrets


def redact(url: str) -> str:
    """The URL as Apprise shows it with privacy on (passwords and tokens starred)."""
    if _VAR.search(url):
        return url.split("?", 1)[0]
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return transport_of(url) + "://…"
    return plugin.url(privacy=True).split("?", 1)[0]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    return text


def send(url: str, *, subject: str, body: str, body_format: str = "text", timeout: float = 15.0,
         attach: list[str] | None = None) -> None:
    """Deliver or raise :class:`DeliveryError` with Apprise's log of what went wrong."""
    real_url, secrets = expand_secrets(url)
    app = apprise.Apprise()
    if not app.add(real_url):
        raise DeliveryError(f"无法识别的通知地址 {redact(url)}：请检查 Apprise URL 的写法")
    for server in app:
        server.socket_connect_timeout = timeout
        server.socket_read_timeout = timeout
    with apprise.LogCapture(level=logging.WARNING) as logs:
        ok = app.notify(body=body, title=subject, body_format=FORMATS.get(body_format), attach=attach)
        captured = logs.getvalue().strip()
    if not ok:
        detail = _scrub(captured, secrets) or "通知服务没有接受消息"
        raise DeliveryError(f"投递到 {redact(url)} 失败：{detail}")
    if captured:
        log.debug("apprise warnings for %s: %s", redact(url), _scrub(captured, secrets))
