"""What a small organisation's server sees of a crawl: never more requests at once than
``concurrency_per_domain``, and nothing read past a channel's budgets, against a real
threaded server on 127.0.0.1 whose every page takes a moment to answer."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.crawlers.conftest import channel, crawl
from tests.crawlers.fixture_site import serving

pytestmark = pytest.mark.timeout(180)

SECTIONS, ARTICLES = 9, 10  # home + 9 sections + 90 articles = 100 pages
PAGE_BYTES = 2000  # every page is padded to this size
HOLD = 0.05  # seconds each answer is held, so that requests overlap


def page_paths() -> list[str]:
    sections = [f"/s{s}.html" for s in range(SECTIONS)]
    return ["/", *sections, *(f"/s{s}/a{a}.html" for s in range(SECTIONS) for a in range(ARTICLES))]


def page_body(path: str) -> bytes:
    if path == "/":
        links = [f"/s{s}.html" for s in range(SECTIONS)]
    elif path.count("/") == 1:
        section = path[2:].split(".")[0]
        links = [f"/s{section}/a{a}.html" for a in range(ARTICLES)]
    else:
        links = []
    anchors = "".join(f'<a href="{link}">栏目 {link}</a>' for link in links)
    html = f'<html><head><meta charset="utf-8"><title>页面 {path}</title></head><body><p>正文</p>{anchors}<!--'
    body = html.encode("utf-8")
    return body + b"x" * (PAGE_BYTES - len(body) - 3) + b"-->"


@dataclass
class PacedSite:
    """The server's record: requests being answered now, the most at once, every path asked for."""

    base: str = ""
    in_flight: int = 0
    peak: int = 0
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.in_flight, self.peak, self.paths = 0, 0, []

    def pages_served(self) -> int:
        with self.lock:
            return sum(path not in ("/robots.txt", "/sitemap.xml") for path in self.paths)


def make_handler(site: PacedSite) -> type[BaseHTTPRequestHandler]:
    bodies = {path: page_body(path) for path in page_paths()}
    bodies["/robots.txt"] = b"User-agent: *\nAllow: /\n"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with site.lock:
                site.paths.append(self.path)
                site.in_flight += 1
                site.peak = max(site.peak, site.in_flight)
            threading.Event().wait(HOLD)  # a slow server, not a wait for the crawler
            body = bodies.get(self.path)
            with site.lock:
                # Before the answer goes out: the crawler may send its next request as soon as
                # it has this one, and that must not look like one more at once.
                site.in_flight -= 1
            content_type = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture(scope="module")
def paced_server() -> Iterator[PacedSite]:
    with serving(PacedSite(), make_handler, "paced-site") as site:
        yield site


@pytest.fixture()
def paced(paced_server: PacedSite) -> PacedSite:
    paced_server.reset()
    return paced_server


@pytest.mark.parametrize("per_domain", [1, 3])
def test_a_site_never_gets_more_requests_at_once(paced: PacedSite, tmp_path: Path, per_domain: int) -> None:
    result = crawl(tmp_path, [channel("polite:0", "website", paced.base + "/")],
                   concurrency_per_domain=per_domain, max_pages=1000)
    assert {p.url for p in result.pages("polite:0")} == {paced.base + path for path in page_paths()}
    assert not result.done("polite:0").truncated
    assert paced.peak <= per_domain


def test_nothing_is_read_after_max_bytes(paced: PacedSite, tmp_path: Path) -> None:
    """Pages still being fetched when the byte budget runs out are counted, not reported."""
    max_bytes = 4 * PAGE_BYTES + PAGE_BYTES // 2
    result = crawl(tmp_path, [channel("budget:0", "website", paced.base + "/")],
                   concurrency_per_domain=3, max_bytes=max_bytes)
    pages, done = result.pages("budget:0"), result.done("budget:0")
    assert done.truncated_by == ["max_bytes"]
    assert pages[0].url == paced.base + "/"
    # Every page but the one that spent the budget was read while there was budget left.
    assert sum(p.size for p in pages[:-1]) < max_bytes <= done.bytes
    served = paced.pages_served()
    assert done.bytes >= served * PAGE_BYTES  # the answers that came too late are counted
    assert done.late_responses >= served - len(pages)
    assert done.pages == len(pages)


def test_max_pages_is_never_exceeded_with_requests_in_flight(paced: PacedSite, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("few:0", "website", paced.base + "/")], concurrency_per_domain=3, max_pages=12)
    done = result.done("few:0")
    assert done.truncated_by == ["max_pages"]
    assert paced.pages_served() <= 12
    assert len(result.pages("few:0")) + len(result.errors("few:0")) <= 12
