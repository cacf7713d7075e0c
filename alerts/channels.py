"""What each notification channel takes: its body format and how large one message may be."""
from __future__ import annotations

from typing import Mapping

#: the body format each transport reads best; anything else gets plain text
TRANSPORT_FORMATS = {
    "wecombot": "markdown", "dingtalk": "markdown", "feishu": "markdown", "lark": "markdown",
    "mailto": "html", "mailtos": "html",
}
#: the largest message (subject + body, UTF-8 bytes) each channel accepts. WeCom group
#: robots take 4096 bytes of markdown, DingTalk about 20000, Feishu 20 KB per request;
#: e-mail is practically unlimited; our own webhooks get a generous 60000.
SIZE_LIMITS = {
    "wecombot": 4096, "dingtalk": 20_000, "feishu": 20_000, "lark": 20_000,
    "mailto": 1_000_000, "mailtos": 1_000_000,
    "json": 60_000, "jsons": 60_000, "form": 60_000, "forms": 60_000, "xml": 60_000, "xmls": 60_000,
}
#: channels not listed above: small enough for any chat service
DEFAULT_SIZE_LIMIT = 4000
EMAIL_TRANSPORTS = ("mailto", "mailtos")


def transport_of(url: str) -> str:
    return url.split("://", 1)[0].lower()


def body_format_for(url: str) -> str:
    return TRANSPORT_FORMATS.get(transport_of(url), "text")


def size_limit(url: str, overrides: Mapping[str, int] | None = None) -> int:
    """The byte budget of one message to ``url``; ``overrides`` (alerts.size_limits) win."""
    transport = transport_of(url)
    if overrides and transport in overrides:
        return overrides[transport]
    return SIZE_LIMITS.get(transport, DEFAULT_SIZE_LIMIT)


def message_size(subject: str, body: str) -> int:
    """Bytes on the wire as chat robots see it: Apprise puts the title and body together."""
    return len(subject.encode("utf-8")) + 2 + len(body.encode("utf-8"))


def is_email(url: str) -> bool:
    return transport_of(url) in EMAIL_TRANSPORTS
