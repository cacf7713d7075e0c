"""The baseline of the crawl benchmark: a bare Scrapy spider that only follows in-site links.

``python benchmarks/crawl_bare.py URL --concurrency 4`` crawls the site and prints one JSON
line ``{"pages": N, "seconds": S}`` (S from engine start to close). With ``--known FILE`` it
saves each page's ETag and links there, and when FILE exists it re-crawls conditionally
(If-None-Match; a 304 page's links come from FILE): Scrapy's own cost of revalidating an
unchanged site, the floor for orgwatch's re-scan. Same politeness settings
as orgwatch's benchmark run: per-domain concurrency (enforced through the global cap, see
below), no delay, no AutoThrottle, robots.txt obeyed, no cookies; everything else is Scrapy's
default.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str, known: dict[str, dict] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.netloc = urlsplit(start_url).netloc
        self.pages = 0
        self.not_modified = 0
        self.known = known or {}
        self.seen: dict[str, dict] = {}

    def request(self, url: str) -> scrapy.Request:
        etag = (self.known.get(url) or {}).get("etag")
        return scrapy.Request(url, headers={"If-None-Match": etag} if etag else None)

    async def start(self):  # type: ignore[override]
        yield self.request(self.start_url)

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        self.pages += 1
        if response.status == 304:
            self.not_modified += 1
            links = self.known[response.url]["links"]
        else:
            links = [response.urljoin(href) for href in response.css("a::attr(href)").getall()]
        etag = response.headers.get("ETag")
        self.seen[response.url] = {"etag": etag.decode() if etag else None, "links": links}
        for url in links:
            if urlsplit(url).netloc == self.netloc:
                yield self.request(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--known", type=Path, help="ETags and links: re-crawl conditionally when it exists, then save")
    args = parser.parse_args()
    known = json.loads(args.known.read_text(encoding="utf-8")) if args.known and args.known.exists() else None
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        # Stock Scrapy 2.19 (asyncio reactor) starts every queued request of a site at once,
        # up to CONCURRENT_REQUESTS (scrapy/scrapy#6982); orgwatch's downloader keeps to the
        # per-domain limit (crawlers.downloader). The global cap is the only limit stock
        # Scrapy keeps, so it is set to the same number for the two crawls to compare.
        "CONCURRENT_REQUESTS": args.concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HTTPERROR_ALLOWED_CODES": [304],  # a 304 reaches the spider, which follows the saved links
    })
    crawler = process.create_crawler(BareSpider)
    times: dict[str, float] = {}

    def started() -> None:
        times["start"] = time.perf_counter()

    def closed() -> None:
        times["end"] = time.perf_counter()

    # Scrapy holds receivers weakly; these locals live until main() returns.
    crawler.signals.connect(started, signal=signals.engine_started)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, start_url=args.url, known=known)
    process.start()
    spider = crawler.spider
    if args.known:
        args.known.write_text(json.dumps(spider.seen), encoding="utf-8")
    json.dump({"pages": getattr(spider, "pages", 0), "not_modified": getattr(spider, "not_modified", 0),
               "seconds": times["end"] - times["start"]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
