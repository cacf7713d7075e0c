"""Scrapy settings for orgwatch: polite defaults, plus the limits of ``config.settings.CrawlSettings``.

The upper-case names below are fixed choices; :func:`scrapy_settings` adds the ones that come
from a job's crawl settings. Every setting that changes Scrapy's behaviour is explained.
"""
from __future__ import annotations

import copy
from typing import Any

from scrapy.settings import default_settings as _scrapy_defaults

from config.crawl import CrawlSettings

BOT_NAME = "orgwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Organisations' sites are read as an anonymous visitor: no session, no tracking cookies.
COOKIES_ENABLED = False
# No telnet console and no remote-control web server: a crawl process opens no listening port.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Ask for Chinese pages first; some sites serve a different language by Accept-Language.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# Every status reaches the spider, which reports >= 400 as FetchError(reason="http") and
# needs 304 for incremental fetching (Scrapy would otherwise drop them silently).
HTTPERROR_ALLOW_ALL = True

# Retry what is usually transient (gateways, overload, rate limiting, dropped connections)
# twice; a 500 is usually a broken application and retrying it only adds load.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [502, 503, 504, 522, 524, 408, 429]

# Breadth-first: when max_pages or max_bytes cuts a crawl short, the pages nearest the home
# page (the ones visitors see first) have been read.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# A response cut short (wrong Content-Length, dropped connection) is kept and marked
# ``truncated`` on its PageItem rather than thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False

# Refuse private/loopback/reserved addresses before robots.txt or anything else goes out
# (90, first); name what is wrong with a site's HTTPS certificate (600: its process_exception
# runs before RetryMiddleware's at 550, so a bad certificate is not retried).
DOWNLOADER_MIDDLEWARES = {"crawlers.middlewares.PrivateNetworkGuard": 90, "crawlers.tls.TlsCheck": 600}

_UNUSED_EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.feedexport.FeedExporter", "scrapy.extensions.spiderstate.SpiderState",
    "scrapy.extensions.memdebug.MemoryDebugger", "scrapy.extensions.closespider.CloseSpider",
}
# Extensions a crawl process never uses, left out of the base list itself: Scrapy 2.19 imports
# every listed component, even one set to None, and every crawl starts a new process (the
# remote-control server alone pulled in aiohttp, ~0.15 s of each crawl). No telnet console or
# remote control (see above), no feed exports (events go to the scan service), no saved spider
# state or memory debugging, and the spiders enforce their own limits instead of CloseSpider.
EXTENSIONS_BASE = {name: order for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if name not in _UNUSED_EXTENSIONS}

# Scrapy's downloader, fixed so that a site really gets at most CONCURRENT_REQUESTS_PER_DOMAIN
# requests at once (Scrapy 2.19 starts every queued request under the asyncio reactor,
# scrapy/scrapy#6982; see crawlers.downloader).
DOWNLOADER = "crawlers.downloader.PoliteDownloader"

# Events are handed off one at a time by synchronous pipelines, so a response's output is
# processed in order: Scrapy's default of 100 parallel tasks cost about 7% of the crawl's CPU,
# and even 8 cost about 3% more than 1 on a re-scan of an unchanged site.
CONCURRENT_ITEMS = 1

# Check, count, then hand each event to the scan service (one JSON line on stdout).
ITEM_PIPELINES = {
    "crawlers.pipelines.CheckEvent": 100,
    "crawlers.pipelines.CountEvents": 800,
    "crawlers.pipelines.HandOff": 900,
}

# Logs go to stderr (Scrapy's default handler when LOG_FILE is unset); stdout carries events only.
LOG_LEVEL = "INFO"
LOG_STDOUT = False
LOG_FILE = None

#: Names of the fixed settings above, in the order they appear.
_FIXED = [name for name in list(globals()) if name.isupper()]


def fixed_settings() -> dict[str, Any]:
    """The settings that do not depend on a job (copies, safe to modify)."""
    return {name: copy.deepcopy(globals()[name]) for name in _FIXED}


def scrapy_settings(crawl: dict[str, Any]) -> dict[str, Any]:
    """Scrapy settings for a job whose crawl limits are ``crawl``
    (a ``CrawlSettings().model_dump()``; missing keys take CrawlSettings' defaults)."""
    c = CrawlSettings(**crawl)
    settings = fixed_settings()
    settings.update(
        {
            # One identifiable User-Agent, so a site owner can see who reads and why.
            "USER_AGENT": c.user_agent,
            # Each site is read by at most this many requests at once.
            "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_domain,
            # A channel is mostly one site; the global cap only has to leave room for it.
            "CONCURRENT_REQUESTS": max(16, c.concurrency_per_domain),
            # Minimum gap between two requests to one site (randomised 0.5x-1.5x by Scrapy).
            "DOWNLOAD_DELAY": c.download_delay,
            # AutoThrottle slows down when a site answers slowly; it never goes below
            # DOWNLOAD_DELAY, starts at least one second apart, and backs off up to 30 s.
            "AUTOTHROTTLE_ENABLED": c.autothrottle,
            "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 1.0),
            "AUTOTHROTTLE_MAX_DELAY": max(30.0, c.download_delay),
            "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
            # Per request: connect + response must finish within this many seconds; DNS too.
            "DOWNLOAD_TIMEOUT": c.timeout,
            "DNS_TIMEOUT": c.timeout,
            # A response over max_page_bytes is aborted (FetchError reason "too_large");
            # a warning is logged when one passes half of it.
            "DOWNLOAD_MAXSIZE": c.max_page_bytes,
            "DOWNLOAD_WARNSIZE": max(1, c.max_page_bytes // 2),
            "REDIRECT_MAX_TIMES": c.max_redirects,
            # robots.txt is honoured unless the job turns it off (a channel can also opt out).
            "ROBOTSTXT_OBEY": c.obey_robots,
            # Backstop only: the spiders stop at max_depth themselves. Scrapy counts every hop,
            # so the limit leaves room for robots.txt -> sitemap index -> sitemap -> page (two
            # hops that are not links) and for the documents of the deepest pages (one more);
            # Scrapy reads 0 as "no limit", which max_depth + 3 never is.
            "DEPTH_LIMIT": c.max_depth + 3,
            # Check HTTPS certificates against the system CA store and the host name (a bad one
            # is a FetchError "tls"). Off: many small organisations' certificates are expired or
            # self-signed while the site is still what the public reads, so it is read as a
            # visitor clicking through the warning would, and the problem is noted on each page.
            # crawlers.run sets it per channel from ChannelJob.verify_tls.
            "DOWNLOAD_VERIFY_CERTIFICATES": c.verify_tls,
            # Read by PrivateNetworkGuard.
            "ORGWATCH_ALLOW_PRIVATE_NETWORKS": c.allow_private_networks,
            # Read by the spiders: the per-channel budgets.
            "ORGWATCH_MAX_PAGES": c.max_pages,
            "ORGWATCH_MAX_DEPTH": c.max_depth,
            "ORGWATCH_MAX_BYTES": c.max_bytes,
            # Read by the website spider: download linked documents, each up to this size.
            "ORGWATCH_FETCH_ATTACHMENTS": c.fetch_attachments,
            "ORGWATCH_MAX_ATTACHMENT_BYTES": c.max_attachment_bytes,
        }
    )
    return settings
