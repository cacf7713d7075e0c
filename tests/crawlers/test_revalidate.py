"""Revalidating known pages outside Scrapy's engine (crawlers.revalidate): what a real server on
127.0.0.1 is asked and how it is treated, and what a re-scan through the crawl process then
reports. Only a 304 settles a page; everything else is left to the crawl."""
from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawlers import revalidate as rv
from crawlers.items import PageItem
from tests.crawlers.conftest import CrawlResult, channel, crawl
from tests.crawlers.fixture_site import serving

pytestmark = pytest.mark.timeout(120)

AGENT = "orgwatch-test/1.0"


def article(path: str, links: list[str] = ()) -> bytes:  # type: ignore[assignment]
    anchors = "".join(f'<a href="{link}">{link}</a>' for link in links)
    return (f'<html><head><meta charset="utf-8"><title>{path}</title></head>'
            f"<body><h1>通知 {path}</h1><p>本会定期发布活动简报。</p>{anchors}</body></html>").encode()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@dataclass
class Site:
    """A site whose pages answer If-None-Match with 304, with switches for bad behaviour.
    Records every request: (path, lower-cased headers, client port, arrival time)."""

    pages: dict[str, bytes] = field(default_factory=dict)
    robots: str = "User-agent: *\nAllow: /\n"
    base: str = ""
    hold: float = 0.0  # seconds each answer is held, so that requests overlap
    ignore_validators: bool = False  # always 200
    say_close: bool = False  # "Connection: close" on every answer
    drop_silently: bool = False  # close after every answer without saying so (an idle time-out)
    garbage: set[str] = field(default_factory=set)  # paths answered with something that is not HTTP
    requests: list[tuple[str, dict[str, str], int, float]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        return [path for path, *_ in self.requests]

    def page_paths(self) -> list[str]:
        return [p for p in self.paths() if p not in ("/robots.txt", "/sitemap.xml")]


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with site.lock:
                site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                      self.client_address[1], time.monotonic()))
                site.in_flight += 1
                site.peak = max(site.peak, site.in_flight)
            try:
                if site.hold:
                    threading.Event().wait(site.hold)  # a slow server, not a wait for the client
                self.answer()
            finally:
                with site.lock:
                    site.in_flight -= 1

        def answer(self) -> None:
            if self.path in site.garbage:
                self.wfile.write(b"HELLO THERE\r\n\r\n")
                self.close_connection = True
                return
            if self.path == "/robots.txt":
                self.send(200, site.robots.encode(), {"Content-Type": "text/plain"})
                return
            body = site.pages.get(self.path)
            if body is None:
                self.send(404, b"not found", {"Content-Type": "text/plain"})
                return
            tag = etag_of(body)
            if not site.ignore_validators and self.headers.get("If-None-Match") == tag:
                self.send(304, b"", {"ETag": tag})
                return
            self.send(200, body, {"Content-Type": "text/html; charset=utf-8", "ETag": tag})

        def send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            if site.say_close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
            if site.drop_silently:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture()
def site() -> Iterator[Site]:
    with serving(Site(), make_handler, "revalidate-site") as state:
        yield state


def manners(**overrides: object) -> rv.Manners:
    values: dict = {"user_agent": AGENT, "headers": (("Accept-Encoding", "gzip, deflate"),), "concurrency": 2,
                    "timeout": 10.0, "allow_private_networks": True}
    values.update(overrides)
    return rv.Manners(**values)


def asks_for(site: Site, paths: list[str], etags: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    etags = etags or {}
    return {site.base + p: {"If-None-Match": etags.get(p) or etag_of(site.pages.get(p, b""))} for p in paths}


def run(asks: dict[str, dict[str, str]], how: rv.Manners) -> rv.Revalidation:
    return asyncio.run(rv.revalidate(asks, how))


def fill(site: Site, count: int) -> list[str]:
    paths = [f"/news/{n}.html" for n in range(count)]
    site.pages.update({p: article(p) for p in paths})
    return paths


# -- the revalidation itself -------------------------------------------------------------------

def test_only_pages_answered_304_are_settled(site: Site) -> None:
    paths = fill(site, 4)
    asks = asks_for(site, paths)
    site.pages["/news/2.html"] = article("/news/2.html", ["/changed"])  # changed since: 200
    del site.pages["/news/3.html"]  # gone: 404
    asks[site.base + "/news/3.html"] = {"If-None-Match": '"old"'}
    result = run(asks, manners())
    assert result.unchanged == {site.base + p: (etag_of(site.pages[p]), None) for p in paths[:2]}
    assert (result.asked, result.stopped) == (4, {})
    for _, headers, _, _ in site.requests:
        assert headers["user-agent"] == AGENT and headers["accept-encoding"] == "gzip, deflate"
        assert headers["if-none-match"].startswith('"')


def test_a_site_gets_no_more_connections_than_the_crawl_would_open(site: Site) -> None:
    paths = fill(site, 30)
    site.hold = 0.02
    result = run(asks_for(site, paths), manners(concurrency=3))
    assert len(result.unchanged) == 30
    assert site.peak <= 3
    assert len({port for _, _, port, _ in site.requests}) <= 3, "connections are kept alive and reused"


def test_requests_are_spaced_by_the_download_delay(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """When each request is let go, over three connections: the k-th not before k + 1 delays
    from the start (the crawl has just read the home page). Arrival times at the server, or
    gaps between releases, would also carry the machine's scheduling noise."""
    released: list[float] = []
    pace = rv._Site.pace

    async def recorded(self: rv._Site) -> None:
        await pace(self)
        released.append(time.monotonic())

    monkeypatch.setattr(rv._Site, "pace", recorded)
    paths = fill(site, 6)
    started = time.monotonic()
    result = run(asks_for(site, paths), manners(concurrency=3, delay=0.05, randomize_delay=False))
    assert len(result.unchanged) == 6 and len(released) == 6
    for k, moment in enumerate(sorted(released)):
        assert moment - started >= (k + 1) * 0.05, (k, [r - started for r in sorted(released)])


def test_a_site_that_ignores_validators_is_left_to_the_crawl_after_a_few_answers(site: Site) -> None:
    paths = fill(site, 60)
    site.ignore_validators = True
    result = run(asks_for(site, paths), manners())
    assert result.unchanged == {}
    assert result.asked == len(site.requests) < 60
    assert result.asked <= rv.JUDGE_AFTER + 1  # the other connection may have one request under way
    assert "0 of 20" in result.stopped[f"http://127.0.0.1:{site.base.rsplit(':', 1)[1]}"]


def test_private_addresses_are_refused_before_any_request(site: Site) -> None:
    paths = fill(site, 3)
    result = run(asks_for(site, paths), manners(allow_private_networks=False))
    assert result.unchanged == {} and result.asked == 0
    assert site.requests == []
    assert "non-public" in next(iter(result.stopped.values()))


def test_https_without_certificate_checks_is_left_to_the_crawl(site: Site) -> None:
    paths = fill(site, 2)
    asks = {url.replace("http://", "https://"): h for url, h in asks_for(site, paths).items()}
    result = run(asks, manners(verify_tls=False))
    assert result.unchanged == {} and result.asked == 0 and site.requests == []
    assert "certificate" in next(iter(result.stopped.values()))


@pytest.mark.parametrize("how", ["say_close", "drop_silently"])
def test_closed_connections_are_opened_again(site: Site, how: str) -> None:
    paths = fill(site, 8)
    setattr(site, how, True)
    result = run(asks_for(site, paths), manners(concurrency=1))
    assert set(result.unchanged) == {site.base + p for p in paths}
    assert result.stopped == {}
    assert len({port for _, _, port, _ in site.requests}) == len(site.requests) >= 8


def test_a_broken_answer_stops_the_site_and_settles_nothing_it_did_not_confirm(site: Site) -> None:
    paths = fill(site, 6)
    site.garbage.add("/news/3.html")
    result = run(asks_for(site, paths), manners(concurrency=1))
    assert set(result.unchanged) == {site.base + p for p in paths[:3]}
    assert "/news/4.html" not in site.paths(), "nothing more is asked of a site after a failure"
    assert len(result.stopped) == 1


def test_autothrottle_rule_is_scrapys() -> None:
    how = manners(delay=0.25, throttle=rv.Throttle(start_delay=1.0, max_delay=30.0, target_concurrency=1.0))
    one = rv._Site(("http", "127.0.0.1", 80), how, rv.Revalidation())
    assert one.delay == 1.0  # starts at AUTOTHROTTLE_START_DELAY
    one.observe(0.1, 304)
    assert one.delay == 1.0, "a quick non-200 answer does not speed the crawl up"
    one.observe(0.1, 200)
    assert one.delay == pytest.approx(0.55)
    one.observe(5.0, 304)
    assert one.delay == 5.0, "a slow answer slows it down, whatever its status"
    one.observe(100.0, 200)
    assert one.delay == 30.0


# -- a re-scan through the crawl process ----------------------------------------------------------

def tree_site(site: Site, sections: int = 4, articles: int = 6) -> list[str]:
    """Home -> sections -> articles, each article also linking a document-free page back home."""
    section_paths = [f"/s{s}/index.html" for s in range(sections)]
    site.pages["/"] = article("/", section_paths)
    paths = ["/", *section_paths]
    for s, section in enumerate(section_paths):
        children = [f"/s{s}/a{a}.html" for a in range(articles)]
        site.pages[section] = article(section, children)
        site.pages.update({c: article(c, ["/"]) for c in children})
        paths += children
    return paths


def known_from(result: CrawlResult, key: str) -> dict[str, dict]:
    """What the scan service would pass to the next crawl (crawlers.items.ChannelJob.known)."""
    return {p.url: {"etag": p.etag, "last_modified": p.last_modified, "hash": p.content_hash,
                    "links": p.links, "kind": p.kind} for p in result.pages(key)}


def pages_by_url(result: CrawlResult, key: str) -> dict[str, PageItem]:
    return {p.url: p for p in result.pages(key)}


def test_an_unchanged_site_is_asked_once_per_page_and_reported_as_before(site: Site, tmp_path: Path) -> None:
    paths = tree_site(site)
    first = crawl(tmp_path / "1", [channel("re:0", "website", site.base + "/")])
    assert len(first.pages("re:0")) == len(paths)
    start = len(site.requests)
    second = crawl(tmp_path / "2", [channel("re:0", "website", site.base + "/", known=known_from(first, "re:0"))])

    asked = [p for p in site.paths()[start:] if p not in ("/robots.txt", "/sitemap.xml")]
    assert sorted(asked) == sorted(paths), "each page once: none again after its 304"
    before, after = pages_by_url(first, "re:0"), pages_by_url(second, "re:0")
    assert set(after) == set(before)
    for url, page in after.items():
        assert page.unchanged and page.status == 304 and page.text == ""
        assert (page.depth, page.referer, page.content_hash, page.etag) == (
            before[url].depth, before[url].referer, before[url].content_hash, before[url].etag)
    assert f"{len(paths) - 1} of {len(paths) - 1} known pages unchanged" in second.log
    assert not second.done("re:0").truncated


def test_changed_and_removed_pages_are_fetched_through_the_crawl(site: Site, tmp_path: Path) -> None:
    tree_site(site)
    first = crawl(tmp_path / "1", [channel("re:0", "website", site.base + "/")])
    site.pages["/s1/a2.html"] = article("/s1/a2.html", ["/"]).replace("定期".encode(), "不定期".encode())
    del site.pages["/s2/a3.html"]
    second = crawl(tmp_path / "2", [channel("re:0", "website", site.base + "/", known=known_from(first, "re:0"))])
    changed = second.page("re:0", site.base + "/s1/a2.html")
    assert not changed.unchanged and "不定期" in changed.text
    (gone,) = second.errors("re:0")
    assert (gone.url, gone.status, gone.referer) == (site.base + "/s2/a3.html", 404, site.base + "/s2/index.html")
    others = [p for p in second.pages("re:0") if p.url != changed.url]
    assert others and all(p.unchanged for p in others)


def test_pages_robots_txt_now_forbids_are_not_asked(site: Site, tmp_path: Path) -> None:
    tree_site(site)
    first = crawl(tmp_path / "1", [channel("re:0", "website", site.base + "/")])
    site.robots = "User-agent: *\nDisallow: /s3/\n"
    start = len(site.requests)
    second = crawl(tmp_path / "2", [channel("re:0", "website", site.base + "/", known=known_from(first, "re:0"))])
    assert not any(p.startswith("/s3/") for p in site.paths()[start:])
    blocked = {e.url for e in second.errors("re:0") if e.reason == "blocked_robots"}
    assert blocked == {site.base + "/s3/index.html"}


def test_unchanged_pages_count_against_max_pages(site: Site, tmp_path: Path) -> None:
    paths = tree_site(site)
    first = crawl(tmp_path / "1", [channel("re:0", "website", site.base + "/")])
    second = crawl(tmp_path / "2", [channel("re:0", "website", site.base + "/", known=known_from(first, "re:0"))],
                   max_pages=10)
    assert len(second.pages("re:0")) == 10 < len(paths)
    assert second.done("re:0").truncated_by == ["max_pages"]
    depths = [p.depth for p in second.pages("re:0")]
    assert depths == sorted(depths), "breadth-first, as the crawl goes: the pages nearest home first"
