"""Fixtures for the crawler tests: the fixture-site server and a helper that runs real crawls."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import CrawlSettings
from crawlers.items import ChannelDone, ChannelJob, CrawlJob, FetchError, PageItem
from crawlers.runner import run_crawl
from tests.crawlers.fixture_site import FixtureServer, start_server, stop_server

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureServer]:
    """The fixture sites, served on 127.0.0.1 at a port chosen by the OS."""
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    httpd, state, thread = start_server()
    try:
        yield state
    finally:
        stop_server(httpd, thread)
        os.environ.update(saved)


@dataclass
class CrawlResult:
    """The events of one crawl, with the look-ups the tests need."""

    events: list[PageItem | FetchError | ChannelDone]
    log: str

    def pages(self, channel: str) -> list[PageItem]:
        return [e for e in self.events if isinstance(e, PageItem) and e.channel == channel]

    def errors(self, channel: str) -> list[FetchError]:
        return [e for e in self.events if isinstance(e, FetchError) and e.channel == channel]

    def done(self, channel: str) -> ChannelDone:
        (done,) = [e for e in self.events if isinstance(e, ChannelDone) and e.channel == channel]
        return done

    def page(self, channel: str, url: str) -> PageItem:
        (page,) = [p for p in self.pages(channel) if p.url == url]
        return page


def crawl(tmp_path: Path, channels: list[ChannelJob], **limits: object) -> CrawlResult:
    """Run a real crawl (child process) of ``channels`` with fast, local-friendly limits."""
    settings = {"download_delay": 0, "autothrottle": False, "allow_private_networks": True, "timeout": 15.0}
    settings.update(limits)
    job = CrawlJob(channels=channels, crawl=CrawlSettings(**settings).model_dump(), spool_dir=str(tmp_path / "spool"))
    log_path = tmp_path / "crawl.log"
    events = list(run_crawl(job, log_path=log_path))
    log = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    return CrawlResult(events=events, log=log)


def channel(key: str, kind: str, url: str, **extra: object) -> ChannelJob:
    return ChannelJob(key=key, org_id=key.split(":")[0], kind=kind, url=url, **extra)


@pytest.fixture()
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
