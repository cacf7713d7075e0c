"""Say why a fetch failed: a FetchError reason and a Chinese message a platform manager can act on.

Reasons: dns | connection | tls | timeout | http | redirect | blocked_robots | private_network |
too_large | other.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawlers.refusals import RequestRefused

try:  # pyOpenSSL and service_identity come with Scrapy; guarded so classification never fails to import
    from OpenSSL.SSL import Error as OpenSSLError
    from service_identity.exceptions import CertificateError, VerificationError
    _TLS_ERRORS: tuple[type[BaseException], ...] = (OpenSSLError, VerificationError, CertificateError)
except ImportError:  # pragma: no cover
    _TLS_ERRORS = ()

HTTP_PHRASES = {
    400: "请求无效",
    401: "需要登录",
    403: "禁止访问",
    404: "页面不存在",
    410: "页面已删除",
    429: "请求过于频繁",
    500: "服务器内部错误",
    502: "网关错误",
    503: "服务暂不可用",
    504: "网关超时",
}

_TIMEOUTS = (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError, TimeoutError)
_DNS = (CannotResolveHostError, tx_error.DNSLookupError, socket.gaierror)
_CONNECTION = (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
    tx_error.ConnectError,
    tx_error.ConnectionLost,
    tx_error.ConnectionDone,
    ConnectionError,
)
#: Words in an exception's type name, then phrases in its message, that mean TLS went wrong.
_TLS_TYPE_WORDS = ("ssl", "tls")
_TLS_PHRASES = ("ssl routines", "certificate verify", "handshake failure", "wrong version number",
                "verificationerror", "certificateerror")


def http_error(status: int) -> tuple[str, str]:
    """The reason and message for an HTTP error status (>= 400)."""
    phrase = HTTP_PHRASES.get(status)
    if phrase is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "未知状态"
    return "http", f"服务器返回 HTTP {status}（{phrase}），访问者打开该页面会看到错误。"


def classify_failure(
    failure: Failure | BaseException, url: str, *, timeout: float | None = None,
    max_page_bytes: int | None = None, redirects: list[str] | None = None, what: str = "页面",
) -> tuple[str, str]:
    """``(reason, message)`` for a failed request to ``url``.

    ``max_page_bytes`` is the size limit the request had, ``redirects`` the URLs it was
    redirected through (Scrapy's ``redirect_urls``), ``what`` names the thing fetched
    ("页面" or "附件") in the message.
    """
    exc = failure.value if isinstance(failure, Failure) else failure
    host = urlsplit(url).hostname or url
    chain = list(_causes(exc))
    if isinstance(exc, RequestRefused):
        return exc.reason, exc.message
    if isinstance(exc, IgnoreRequest):
        return _ignored(exc, what, max_page_bytes, redirects)
    if isinstance(exc, DownloadCancelledError) and "max size" in str(exc):
        limit = f"{max_page_bytes} 字节" if max_page_bytes else "上限"
        return "too_large", f"{what}超过大小上限（{limit}），未下载。"
    if is_tls_failure(exc):
        return "tls", f"与 {host} 建立 HTTPS 安全连接失败（证书或加密协议问题），访问者可能看到安全警告或无法打开。"
    if any(isinstance(e, _TIMEOUTS) for e in chain):
        within = f"在 {timeout:g} 秒内" if timeout else "在规定时间内"
        return "timeout", f"服务器{within}没有响应，网站可能过慢或暂时无法访问。"
    if any(isinstance(e, _DNS) for e in chain):
        return "dns", f"无法解析域名 {host}，请检查网址是否正确、域名是否过期或已停止解析。"
    if any(isinstance(e, _CONNECTION) for e in chain):
        return "connection", f"无法连接到 {host} 或连接中断，网站可能已关闭或暂时无法访问。"
    return "other", f"抓取失败：{type(exc).__name__}: {exc}"


def _ignored(exc: IgnoreRequest, what: str, max_page_bytes: int | None,
             redirects: list[str] | None) -> tuple[str, str]:
    text = str(exc)
    if "robots.txt" in text:
        return "blocked_robots", "网站的 robots.txt 不允许抓取此页面，已按设置跳过。"
    if "redirect" in text:
        chain = list(redirects or [])
        if len(set(chain)) < len(chain):
            loop = " → ".join(dict.fromkeys(chain))
            return "redirect", f"{what}的重定向形成循环（{loop} → …），访问者的浏览器会报“重定向次数过多”而无法打开。"
        return "redirect", f"{what}的重定向次数超过上限（{len(chain)} 次），访问者可能无法打开。"
    if "DOWNLOAD_MAXSIZE" in text and "decompress" in text:
        limit = f"{max_page_bytes} 字节" if max_page_bytes else "上限"
        return "too_large", f"{what}解压后超过大小上限（{limit}），疑似压缩炸弹，未读取。"
    return "other", f"请求被跳过：{exc}"


def is_tls_failure(exc: BaseException) -> bool:
    """True when ``exc`` (or anything it wraps) is an HTTPS handshake or certificate failure."""
    chain = list(_causes(exc))
    return any(isinstance(e, _TLS_ERRORS) for e in chain) or _mentions_tls(chain)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the reasons Twisted wraps inside it."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        for reason in getattr(current, "reasons", None) or ():
            todo.append(reason.value if isinstance(reason, Failure) else reason)


def _mentions_tls(chain: list[BaseException]) -> bool:
    for e in chain:
        name, message = type(e).__name__.lower(), str(e).lower()
        if any(w in name for w in _TLS_TYPE_WORDS) or any(p in message for p in _TLS_PHRASES):
            return True
    return False
