"""The baseline of the crawl benchmark: a bare Scrapy spider that only follows in-site links.

``python benchmarks/crawl_bare.py URL --concurrency 4`` crawls the site and prints one JSON
line ``{"pages": N, "seconds": S}`` (S from engine start to close). Same politeness settings
as orgwatch's benchmark run: per-domain concurrency (enforced through the global cap, see
below), no delay, no AutoThrottle, robots.txt obeyed, no cookies; everything else is Scrapy's
default.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.netloc = urlsplit(start_url).netloc
        self.pages = 0

    async def start(self):  # type: ignore[override]
        yield scrapy.Request(self.start_url)

    def parse(self, response: scrapy.http.Response):  # type: ignore[override]
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.netloc:
                yield scrapy.Request(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
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
    process.crawl(crawler, start_url=args.url)
    process.start()
    spider = crawler.spider
    json.dump({"pages": getattr(spider, "pages", 0), "seconds": times["end"] - times["start"]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
