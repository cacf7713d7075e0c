"""Errors raised by the crawl package; :class:`CrawlError` is the root of them all.

Free of Scrapy, so that the scan service and the CLI can catch them without importing it
(about half a second); :class:`crawlers.refusals.RequestRefused`, which Scrapy must see as an
``IgnoreRequest``, lives on the crawl process's side.
"""
from __future__ import annotations


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
