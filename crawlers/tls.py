"""Say what is wrong with a site's HTTPS certificate, in words a platform manager understands.

Scrapy verifies certificates itself when ``DOWNLOAD_VERIFY_CERTIFICATES`` is on (the
channel's ``verify_tls``), against the system's CA store, hostname included; its failure only
says "certificate verify failed". :class:`TlsCheck` then asks once per host and port, with a
separate handshake through Python's ``ssl`` module (the same system CA store), what exactly is
wrong: expired, self-signed, issued for another name, an incomplete chain ... When verification
is off, the same check runs once per HTTPS host and its answer is kept on the page
(``PageItem.tls_error``) while the page is read as usual.
"""
from __future__ import annotations

import logging
import socket
import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, succeed
from twisted.internet.threads import deferToThread

from crawlers.refusals import RequestRefused
from crawlers.failures import is_tls_failure
from crawlers.middlewares import check_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: request.meta key where TlsCheck leaves the certificate problem of a page fetched anyway.
TLS_ERROR_META = "orgwatch_tls_error"

#: OpenSSL verification codes -> what they mean for a visitor.
VERIFY_CODES = {
    9: "证书尚未生效",
    10: "证书已过期",
    18: "证书是自签名的，不受浏览器信任",
    19: "证书链中有自签名的根证书，不受浏览器信任",
    20: "证书的签发机构不受信任（或服务器没有提供完整的中间证书）",
    21: "无法验证证书的签发机构（服务器可能没有提供中间证书）",
    23: "证书已被吊销",
    62: "证书上的域名与网站域名不符",
    64: "证书上的 IP 地址与网站地址不符",
}


class TlsFailure(RequestRefused):
    """Raised by :class:`TlsCheck` in place of a failed HTTPS handshake, with reason ``tls``
    and a message naming the certificate problem; not retried."""


def describe_certificate_problem(code: int | None, detail: str) -> str:
    """A Chinese description of a certificate verification failure."""
    known = VERIFY_CODES.get(code or -1)
    if known:
        return known
    return f"证书无法通过校验（{detail}）" if detail else "证书无法通过校验"


def probe_certificate(host: str, port: int, timeout: float, *, allow_private_networks: bool = True) -> str:
    """Connect to ``host:port`` and verify its certificate like a browser would (blocking).

    Returns "" when the certificate is fine or the server cannot be reached (the crawl reports
    that on its own), else a Chinese description of the problem. The host is checked again
    against the private-network guard first: the probe resolves the name itself.
    """
    try:
        check_url(f"https://{host}:{port}/", allow_private_networks=allow_private_networks)
    except RequestRefused:
        return ""
    context = ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return ""
    except ssl.SSLCertVerificationError as exc:
        return describe_certificate_problem(exc.verify_code, exc.verify_message or "")
    except ssl.SSLError as exc:
        return f"加密协议握手失败（{exc.reason or exc}），常见原因是服务器只支持过时的加密协议"
    except (OSError, ValueError, UnicodeError) as exc:
        logger.debug("Certificate probe of %s:%s failed: %s", host, port, exc)
        return ""


class _Shared:
    """One probe's result, handed to everyone who waits for it."""

    _unset = object()

    def __init__(self, deferred: Deferred[str]) -> None:
        self.result: Any = self._unset
        self.waiters: list[Deferred[str]] = []
        deferred.addBoth(self._fire)

    def _fire(self, result: Any) -> None:
        self.result = result if isinstance(result, str) else ""
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            waiter.callback(self.result)

    def wait(self) -> Deferred[str]:
        if self.result is not self._unset:
            return succeed(self.result)
        waiter: Deferred[str] = Deferred()
        self.waiters.append(waiter)
        return waiter


class TlsCheck:
    """Downloader middleware: name the certificate problem of HTTPS sites.

    With verification on (``DOWNLOAD_VERIFY_CERTIFICATES``), a failed handshake becomes a
    :class:`TlsFailure` (reason ``tls``, not retried) whose message names the problem. With it
    off, the first response of each HTTPS host and port triggers one check; a problem is left
    in ``request.meta["orgwatch_tls_error"]`` for the spider to put on the page.
    """

    def __init__(self, verify: bool, timeout: float, allow_private_networks: bool = False) -> None:
        self.verify = verify
        self.timeout = timeout
        self.allow_private_networks = allow_private_networks
        self._probes: dict[tuple[str, int], _Shared] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TlsCheck:
        settings = crawler.settings
        return cls(settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"), settings.getfloat("DOWNLOAD_TIMEOUT", 20.0),
                   settings.getbool("ORGWATCH_ALLOW_PRIVATE_NETWORKS"))

    async def process_response(self, request: Request, response: Response) -> Response:
        if not self.verify and urlsplit(response.url).scheme == "https":
            problem = await self.problem(response.url)
            if problem:
                request.meta[TLS_ERROR_META] = problem
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, RequestRefused) or not is_tls_failure(exception):
            return None
        problem = await self.problem(request.url) if urlsplit(request.url).scheme == "https" else ""
        host = urlsplit(request.url).hostname or request.url
        raise TlsFailure(
            "tls",
            f"{host} 的 HTTPS 证书有问题：{problem or '证书或加密协议无法通过校验'}。"
            "访问者的浏览器会显示安全警告；如确认网站可信，可为该渠道关闭证书校验（verify_tls: false）继续扫描。",
        )

    async def problem(self, url: str) -> str:
        """The certificate problem of ``url``'s host and port ("" when none), checked once."""
        parts = urlsplit(url)
        key = (parts.hostname or "", parts.port or 443)
        shared = self._probes.get(key)
        if shared is None:
            probe = deferToThread(probe_certificate, key[0], key[1], self.timeout,
                                  allow_private_networks=self.allow_private_networks)
            shared = self._probes[key] = _Shared(probe)
        return await maybe_deferred_to_future(shared.wait())
