"""The refusal the crawl process's middlewares raise for a request that must not go out."""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from crawlers.exceptions import CrawlError


class RequestRefused(CrawlError, IgnoreRequest):
    """Raised by :class:`crawlers.middlewares.PrivateNetworkGuard` for a request that must not
    go out; ``reason`` is a :class:`crawlers.items.FetchError` reason and ``message`` says why
    in words a platform manager understands. The spider's errback turns it into a FetchError."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
