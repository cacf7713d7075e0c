"""Downloader middleware that keeps the crawler off private networks and non-web schemes.

A registry entry (or a redirect) pointing at ``localhost``, ``10.x``, ``192.168.x`` or a cloud
metadata address must not make orgwatch read internal services on its host's network.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawlers.refusals import RequestRefused

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet; False for private, loopback, link-local,
    reserved, multicast, unspecified and shared (carrier-grade NAT) addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve_host(host: str, port: int | None) -> list[IPAddress]:
    """Every address ``host`` resolves to (blocking; raises ``socket.gaierror``)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_url(url: str, *, allow_private_networks: bool) -> None:
    """Raise :class:`RequestRefused` if ``url`` must not be fetched (blocking: resolves DNS).

    A host that does not resolve passes: the download then fails and is reported as ``dns``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise RequestRefused("other", f"只抓取 http/https 网址，已跳过 {parts.scheme}: 地址。")
    if allow_private_networks:
        return
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    try:
        addresses = resolve_host(host, port)
    except (socket.gaierror, UnicodeError, ValueError):
        return
    private = [str(a) for a in addresses if not is_public_address(a)]
    if private:
        raise RequestRefused(
            "private_network",
            f"{host} 解析到内网、本机或保留地址（{', '.join(private)}），出于安全考虑未抓取。"
            "如确需抓取，请在设置中打开 allow_private_networks。",
        )


class PrivateNetworkGuard:
    """Refuse requests to non-http(s) schemes and to hosts resolving to non-public addresses.

    Runs before robots.txt is fetched and again for every redirect. Refusals raise
    :class:`crawlers.refusals.RequestRefused` (an ``IgnoreRequest``); the spider's errback
    turns it into a FetchError with reason ``private_network`` (or ``other`` for a scheme).
    Setting: ``ORGWATCH_ALLOW_PRIVATE_NETWORKS`` (``CrawlSettings.allow_private_networks``).
    """

    def __init__(self, allow_private_networks: bool) -> None:
        self.allow_private_networks = allow_private_networks
        self._verdicts: dict[tuple[str, str, int | None], RequestRefused | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkGuard:
        return cls(crawler.settings.getbool("ORGWATCH_ALLOW_PRIVATE_NETWORKS"))

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        try:
            port = parts.port
        except ValueError:
            port = None
        key = (parts.scheme, parts.hostname or "", port)
        if key not in self._verdicts:
            self._verdicts[key] = await maybe_deferred_to_future(deferToThread(self._verdict, request.url))
        refusal = self._verdicts[key]
        if refusal is not None:
            logger.info("Refused %s: %s", request.url, refusal.reason)
            raise RequestRefused(refusal.reason, refusal.message)

    def _verdict(self, url: str) -> RequestRefused | None:
        try:
            check_url(url, allow_private_networks=self.allow_private_networks)
        except RequestRefused as refusal:
            return refusal
        return None
