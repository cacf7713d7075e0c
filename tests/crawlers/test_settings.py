"""crawlers.settings: CrawlSettings become polite Scrapy settings, and every live setting is explained."""
from __future__ import annotations

import re
from pathlib import Path

from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

import crawlers.settings
from config.settings import CrawlSettings
from crawlers.settings import fixed_settings, scrapy_settings


def test_crawl_settings_map_to_scrapy() -> None:
    crawl = CrawlSettings(
        max_page_bytes=4096, timeout=7.5, concurrency_per_domain=2, download_delay=1.5,
        autothrottle=False, max_redirects=3, obey_robots=False, max_depth=2, user_agent="test-agent",
    ).model_dump()
    s = scrapy_settings(crawl)
    assert s["DOWNLOAD_MAXSIZE"] == 4096 and s["DOWNLOAD_WARNSIZE"] == 2048
    assert s["DOWNLOAD_TIMEOUT"] == 7.5
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert s["DOWNLOAD_DELAY"] == 1.5
    assert s["AUTOTHROTTLE_ENABLED"] is False
    assert s["REDIRECT_MAX_TIMES"] == 3
    assert s["ROBOTSTXT_OBEY"] is False
    assert s["USER_AGENT"] == "test-agent"
    assert s["DEPTH_LIMIT"] == 5  # max_depth + 3: robots.txt -> sitemaps -> page, and documents
    assert s["DOWNLOAD_VERIFY_CERTIFICATES"] is True
    assert s["COOKIES_ENABLED"] is False and s["TELNETCONSOLE_ENABLED"] is False
    assert s["ORGWATCH_ALLOW_PRIVATE_NETWORKS"] is False


def test_attachment_and_tls_settings_map_to_scrapy() -> None:
    s = scrapy_settings(CrawlSettings(fetch_attachments=False, max_attachment_bytes=5000, verify_tls=False).model_dump())
    assert s["ORGWATCH_FETCH_ATTACHMENTS"] is False and s["ORGWATCH_MAX_ATTACHMENT_BYTES"] == 5000
    assert s["DOWNLOAD_VERIFY_CERTIFICATES"] is False


def test_defaults_are_polite() -> None:
    s = scrapy_settings({})
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    assert s["DOWNLOAD_DELAY"] > 0 and s["AUTOTHROTTLE_ENABLED"] and s["ROBOTSTXT_OBEY"]
    assert s["RETRY_TIMES"] <= 2 and 500 not in s["RETRY_HTTP_CODES"]
    assert s["REMOTE_CONTROL_ENABLED"] is False


def test_a_crawler_loads_our_components() -> None:
    crawler = get_crawler(Spider, scrapy_settings({}))
    assert crawler.settings["DOWNLOADER"] == "crawlers.downloader.PoliteDownloader"
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES") == {
        "crawlers.middlewares.PrivateNetworkGuard": 90, "crawlers.tls.TlsCheck": 600,
    }
    pipelines = crawler.settings.getdict("ITEM_PIPELINES")
    assert sorted(pipelines, key=pipelines.get)[-1] == "crawlers.pipelines.HandOff"


def test_fixed_settings_are_copies() -> None:
    fixed_settings()["DEFAULT_REQUEST_HEADERS"]["Accept-Language"] = "en"
    assert "zh-CN" in fixed_settings()["DEFAULT_REQUEST_HEADERS"]["Accept-Language"]


def test_every_setting_has_a_comment() -> None:
    """Each upper-case assignment and each key of scrapy_settings() follows a comment line."""
    lines = Path(crawlers.settings.__file__).read_text(encoding="utf-8").splitlines()
    uncommented = []
    for number, line in enumerate(lines):
        match = re.match(r'\s*(?:([A-Z][A-Z_]+) = |"([A-Z][A-Z_]+)": )', line)
        if not match or match.group(1) in ("BOT_NAME", "SPIDER_MODULES", "NEWSPIDER_MODULE"):
            continue
        previous = number - 1
        while previous >= 0 and re.match(r'\s*(?:[A-Z][A-Z_]+ = |"[A-Z][A-Z_]+": |")', lines[previous]) and not lines[previous].strip().startswith("#"):
            previous -= 1  # a group of settings shares the comment above it
        if previous < 0 or not lines[previous].strip().startswith("#"):
            uncommented.append(line.strip())
    assert uncommented == []


def test_a_crawl_loads_none_of_the_unused_extensions() -> None:
    crawler = get_crawler(Spider, scrapy_settings({}))
    names = set(crawler.settings.getdict("EXTENSIONS_BASE")) | set(crawler.settings.getdict("EXTENSIONS"))
    assert "scrapy.extensions.remote_control.RemoteControl" not in names
    assert "scrapy.extensions.telnet.TelnetConsole" not in names
    assert {"scrapy.extensions.throttle.AutoThrottle", "scrapy.extensions.corestats.CoreStats"} <= names
