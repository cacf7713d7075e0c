"""Item pipelines, in order: check each event, count it for its channel, hand it to the scan service.

The hand-off is one JSON line per event on the crawl process's event stream (stdout), read by
:func:`crawlers.runner.run_crawl`; the channel's :class:`~crawlers.items.ChannelDone` comes last.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawlers.items import ChannelDone, FetchError, PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CheckEvent:
    """Let through only orgwatch events of the spider's own channel."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CheckEvent:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, (PageItem, FetchError)):
            raise DropItem(f"不是页面或抓取错误事件（{type(item).__name__}），未交给扫描服务")
        channel = getattr(self.crawler.spider, "channel_key", None)
        if channel is not None and item.channel != channel:
            raise DropItem(f"事件属于渠道 {item.channel}，不属于本爬虫的渠道 {channel}")
        return item


class CountEvents:
    """Count the pages and errors handed off, for the channel's ChannelDone."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountEvents:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        tally = getattr(self.crawler.spider, "tally", None)
        if tally is not None:
            if isinstance(item, PageItem):
                tally.pages += 1
            elif isinstance(item, FetchError):
                tally.errors += 1
        return item


class HandOff:
    """Write each event as one JSON line to the event stream and flush it; when the spider
    closes (after its last item), write the channel's ChannelDone (the spider's ``done_event``).

    Setting ``ORGWATCH_EVENT_FD``: the file descriptor of the event stream (``crawlers.run``
    keeps the real stdout there and points fd 1 at stderr, so stray prints cannot corrupt the
    stream); unset, events go to ``sys.stdout``.
    """

    def __init__(self, crawler: Crawler, fd: int | None) -> None:
        self.crawler = crawler
        self.fd = fd

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HandOff:
        fd = crawler.settings.get("ORGWATCH_EVENT_FD")
        pipeline = cls(crawler, int(fd) if fd is not None else None)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        self.write(item)
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        done_event = getattr(spider, "done_event", None)
        if done_event is None:
            return
        done: ChannelDone = done_event(reason)
        self.write(done)
        spider.channel_done_sent = True
        logger.info(
            "Channel %s done: %d pages, %d errors, %d bytes%s", done.channel, done.pages,
            done.errors, done.bytes, f", truncated ({done.truncated_reason})" if done.truncated else "",
        )

    def write(self, event: PageItem | FetchError | ChannelDone) -> None:
        line = event.to_json() + "\n"
        if self.fd is None:
            sys.stdout.write(line)
            sys.stdout.flush()
            return
        data = line.encode("utf-8", errors="replace")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]
