"""classify_failure: every kind of failure gets its reason and a Chinese message."""
from __future__ import annotations

import socket

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawlers.refusals import RequestRefused
from crawlers.failures import classify_failure, http_error

URL = "https://www.example.org.cn/index.html"


def wrapped(outer: Exception, inner: Exception) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "reason", "words"),
    [
        (CannotResolveHostError("www.example.org.cn"), "dns", "无法解析域名 www.example.org.cn"),
        (tx_error.DNSLookupError("x"), "dns", "域名"),
        (socket.gaierror(-2, "Name or service not known"), "dns", "域名"),
        (DownloadConnectionRefusedError("refused"), "connection", "无法连接"),
        (tx_error.ConnectionLost(), "connection", "连接中断"),
        (DownloadFailedError("lost"), "connection", "无法连接"),
        (DownloadTimeoutError("Getting https://www.example.org.cn took longer than 20 seconds."), "timeout", "20 秒内"),
        (tx_error.TCPTimedOutError(), "timeout", "没有响应"),
        (ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "certificate verify failed")]))]), "tls", "HTTPS"),
        (wrapped(DownloadFailedError("x"), SSL.Error("handshake failure")), "tls", "证书"),
        (DownloadCancelledError("Received 5000 bytes which is larger than download max size (2048)"), "too_large", "2048 字节"),
        (IgnoreRequest("Forbidden by robots.txt"), "blocked_robots", "robots.txt"),
        (IgnoreRequest("max redirections reached"), "redirect", "重定向次数超过上限"),
        (IgnoreRequest("Ignored response <200 http://x/> because its body (51000 B compressed, 2100 B decompressed "
                       "so far) exceeded DOWNLOAD_MAXSIZE (2048 B) during decompression."), "too_large", "解压后超过"),
        (DownloadFailedError("[<Failure service_identity.exceptions.VerificationError: VerificationError(errors=[])>]"), "tls", "HTTPS"),
        (RequestRefused("private_network", "解析到内网地址"), "private_network", "内网"),
        (ValueError("something odd"), "other", "something odd"),
    ],
)
def test_classify_failure(exc: Exception, reason: str, words: str) -> None:
    got_reason, message = classify_failure(Failure(exc), URL, timeout=20.0, max_page_bytes=2048)
    assert got_reason == reason
    assert words in message


def test_redirect_loop_is_named() -> None:
    chain = ["http://x.cn/a", "http://x.cn/b", "http://x.cn/a", "http://x.cn/b"]
    reason, message = classify_failure(IgnoreRequest("max redirections reached"), "http://x.cn/a", redirects=chain)
    assert reason == "redirect" and "循环" in message and "http://x.cn/a → http://x.cn/b" in message


def test_attachment_too_large_names_the_attachment() -> None:
    exc = DownloadCancelledError("Expected to receive 300000 bytes which is larger than download max size (100000)")
    reason, message = classify_failure(exc, URL, max_page_bytes=100_000, what="附件")
    assert reason == "too_large" and message.startswith("附件超过大小上限（100000 字节）")


def test_timeout_in_a_url_is_not_tls() -> None:
    exc = DownloadTimeoutError("Getting https://ssl-tls.example.org/ took longer than 5 seconds.")
    assert classify_failure(exc, "https://ssl-tls.example.org/", timeout=5)[0] == "timeout"


@pytest.mark.parametrize(("status", "words"), [(404, "页面不存在"), (500, "服务器内部错误"), (418, "I'm a Teapot"), (599, "未知状态")])
def test_http_error_messages(status: int, words: str) -> None:
    reason, message = http_error(status)
    assert reason == "http" and str(status) in message and words in message
