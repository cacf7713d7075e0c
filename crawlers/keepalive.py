"""Scrapy's HTTP/1.1 download handler, keeping enough idle connections to reuse them.

Scrapy sizes its connection pool at ``CONCURRENT_REQUESTS_PER_DOMAIN`` idle connections per
host, but (Scrapy 2.19, asyncio reactor) a slot starts every queued request before counting
any of them as in flight, so up to ``CONCURRENT_REQUESTS`` requests to one site can be under
way at once. Each connection returning to a full pool was closed and the next request opened
a new one: about every second request paid a TCP handshake (and a TLS one on HTTPS sites),
which on a re-scan answered by 304s was a large share of the work on both ends.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class KeepAliveHandler(HTTP11DownloadHandler):
    """The HTTP/1.1 handler with room for ``CONCURRENT_REQUESTS`` idle connections per host.

    It never opens more connections than Scrapy would; it only stops closing the ones it has.
    Registered for http and https in ``crawlers.settings.DOWNLOAD_HANDLERS``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        pool = self._pool
        pool.maxPersistentPerHost = max(pool.maxPersistentPerHost, crawler.settings.getint("CONCURRENT_REQUESTS"))
