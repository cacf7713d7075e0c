"""The crawl process: ``python -m crawlers.run JOB.json`` crawls a job's channels and writes
one JSON event per line on stdout (logs on stderr), ending each channel with a ChannelDone.

Exit status: 0 when the crawl ran, however many sites failed (those are FetchError events);
1 when the crawl machinery broke (a spider raised, a channel did not finish); 2 for an
unreadable job file. Run it through :func:`crawlers.runner.run_crawl`.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawlers.items import ChannelDone, ChannelJob, CrawlJob, FetchError
from crawlers.settings import scrapy_settings

logger = logging.getLogger(__name__)


def read_job(path: Path) -> CrawlJob:
    """The CrawlJob in the JSON file at ``path``."""
    return CrawlJob.from_dict(json.loads(path.read_text(encoding="utf-8")))


def take_stdout() -> int:
    """Keep the real stdout as the event stream and point fd 1 and ``sys.stdout`` at stderr,
    so that nothing but events can reach the stream; return the stream's fd."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return events_fd


def write_line(fd: int, line: str) -> None:
    data = (line + "\n").encode("utf-8", errors="replace")
    while data:
        data = data[os.write(fd, data):]


def unknown_channel(channel: ChannelJob, fd: int) -> None:
    """Report a channel of a kind no spider reads, so the stream still closes it."""
    logger.error("Channel %s has unknown kind %r", channel.key, channel.kind)
    error = FetchError(channel=channel.key, url=channel.url, reason="other", is_home=True,
                       message=f"不支持的渠道类型 {channel.kind!r}，未抓取。")
    write_line(fd, error.to_json())
    write_line(fd, ChannelDone(channel=channel.key, errors=1).to_json())


def crawl(job: CrawlJob, settings: dict[str, Any], events_fd: int) -> int:
    """Run every channel of ``job`` in one CrawlerProcess; return the exit status."""
    from crawlers.spiders import SPIDERS

    settings = {**settings, "ORGWATCH_EVENT_FD": events_fd}
    process = CrawlerProcess(settings)
    crawlers: list[tuple[ChannelJob, Crawler]] = []
    failed: list[str] = []
    for channel in job.channels:
        spider_cls = SPIDERS.get(channel.kind)
        if spider_cls is None:
            unknown_channel(channel, events_fd)
            continue
        crawler = process.create_crawler(spider_cls)
        # Each channel is its own crawler, so certificate checking can differ per channel.
        crawler.settings.set("DOWNLOAD_VERIFY_CERTIFICATES", channel.verify_tls, priority="cmdline")
        crawlers.append((channel, crawler))
        deferred = process.crawl(crawler, channel=channel, spool_dir=job.spool_dir)
        deferred.addErrback(_record_failure, channel.key, failed)
    if crawlers:
        process.start()
    return _exit_status(crawlers, failed)


def _record_failure(failure: Any, key: str, failed: list[str]) -> None:
    logger.error("Channel %s crashed: %s", key, failure.getTraceback())
    failed.append(key)


def _exit_status(crawlers: list[tuple[ChannelJob, Crawler]], failed: list[str]) -> int:
    status = 1 if failed else 0
    for channel, crawler in crawlers:
        spider = crawler.spider
        if spider is None or not getattr(spider, "channel_done_sent", False):
            logger.error("Channel %s ended without a ChannelDone", channel.key)
            status = 1
        exceptions = crawler.stats.get_value("spider_exceptions/count", 0) if crawler.stats else 0
        if exceptions:
            logger.error("Channel %s: %d exceptions in spider code (see the tracebacks above)", channel.key, exceptions)
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m crawlers.run JOB.json", file=sys.stderr)
        return 2
    events_fd = take_stdout()
    try:
        job = read_job(Path(argv[0]))
        settings = scrapy_settings(job.crawl)  # validates the crawl limits
    except (OSError, ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        print(f"cannot read crawl job {argv[0]}: {exc}", file=sys.stderr)
        return 2
    return crawl(job, settings, events_fd)


if __name__ == "__main__":
    sys.exit(main())
