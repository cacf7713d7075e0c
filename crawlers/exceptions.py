"""Errors raised by the crawl package; :class:`CrawlError` is the root of them all."""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CrawlError(Exception):
    """Root of every error raised inside ``crawlers``."""


class CrawlProcessError(CrawlError):
    """Raised by :func:`crawlers.runner.run_crawl` when the crawl process exits non-zero or
    writes something that is not an event; carries the exit code and the end of its log."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr_tail: str = "",
                 log_path: str | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        self.log_path = log_path


class RequestRefused(CrawlError, IgnoreRequest):
    """Raised by :class:`crawlers.middlewares.PrivateNetworkGuard` for a request that must not
    go out; ``reason`` is a :class:`crawlers.items.FetchError` reason and ``message`` says why
    in words a platform manager understands. The spider's errback turns it into a FetchError."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
