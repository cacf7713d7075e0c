"""Read sitemaps (urlset and sitemap index, XML, gzipped XML or plain text) and the
``Sitemap:`` lines of robots.txt, with Scrapy's sitemap utilities."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

logger = logging.getLogger(__name__)

#: Sitemap files (index and children together) read per channel.
MAX_SITEMAP_FILES = 20
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class SitemapContent:
    """The URLs a sitemap lists; for a sitemap index, the sitemaps it lists."""

    is_index: bool = False
    urls: list[str] = field(default_factory=list)


def read_sitemap(body: bytes, base_url: str, *, max_size: int = 0) -> SitemapContent | None:
    """The sitemap in ``body`` (fetched from ``base_url``); None when it is not a sitemap.

    A gzipped body is unpacked up to ``max_size`` bytes (0: no limit). A plain-text sitemap
    (one absolute URL per line) is accepted too.
    """
    if body.startswith(GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, ValueError, EOFError) as exc:  # includes the size limit being hit
            logger.info("Sitemap %s: cannot unpack (%s)", base_url, exc)
            return None
    stripped = body.lstrip()
    if not stripped.startswith(b"<"):
        lines = [line.strip().decode("utf-8", "replace") for line in stripped.splitlines()]
        urls = [line for line in lines if line.startswith(("http://", "https://"))]
        return SitemapContent(urls=urls) if urls else None
    try:
        sitemap = Sitemap(body)
        if sitemap.type not in ("urlset", "sitemapindex"):
            return None
        urls = [urljoin(base_url, entry["loc"]) for entry in sitemap if entry.get("loc")]
    except (etree.XMLSyntaxError, StopIteration, ValueError) as exc:
        logger.info("Sitemap %s: not readable XML (%s)", base_url, exc)
        return None
    return SitemapContent(is_index=sitemap.type == "sitemapindex", urls=urls)


def sitemaps_in_robots(body: bytes, robots_url: str) -> list[str]:
    """The sitemap URLs named by ``Sitemap:`` lines of a robots.txt, in order, without repeats."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=robots_url)))
