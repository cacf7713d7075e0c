"""Re-scanning a site end to end (crawl process, scan service, SQLite): unchanged pages are asked
for conditionally and not analysed again, yet a changed, an added and a removed page among them
are noticed; the findings of unchanged pages stay open and are marked as seen; connections to
the site are reused rather than opened anew for every request."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from classifier.codes import uscc_check_char
from config.settings import load_settings
from models.entities import Finding, Page
from orgwatch import scan_events
from orgwatch.runtime import Runtime
from orgwatch.scan import run_scan
from tests.crawlers.conftest import PROXY_VARIABLES
from tests.integration.sitegen import IDS

ARTICLES = 12
USCC = "52500199MJQ333444" + uscc_check_char("52500199MJQ333444")


def article(number: int, extra: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>活动简报第{number}期</title></head>"
            f"<body><h1>活动简报第{number}期</h1><p>本期志愿者走访了{number}户困难家庭，送去冬衣和米面。</p>{extra}"
            "<p><a href='/'>返回首页</a></p></body></html>")


def id_table(number: str) -> str:
    return f"<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张桂兰</td><td>{number}</td></tr></table>"


@dataclass
class LiveSite:
    """A small site whose pages the test edits between scans; every page has an ETag and
    answers If-None-Match with 304. Records each request's path, headers and client port."""

    pages: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    base: str = ""

    def link_all(self) -> None:
        links = "".join(f"<li><a href='{p}'>{p}</a></li>" for p in sorted(self.pages) if p != "/")
        self.pages["/"] = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>青禾公益服务中心</title></head>"
                           f"<body><h1>青禾公益服务中心</h1><ul>{links}</ul></body></html>")

    def url(self, path: str) -> str:
        return self.base + path

    def since(self, start: int) -> list[tuple[str, dict[str, str], int]]:
        return self.requests[start:]


def _handler(site: LiveSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, self.client_address[1]))
            html = site.pages.get(self.path)
            if html is None:
                self.answer(404, b"<html><body>404</body></html>", {"Content-Type": "text/html; charset=utf-8"})
                return
            body = html.encode("utf-8")
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.answer(304, b"", {"ETag": etag})
                return
            self.answer(200, body, {"Content-Type": "text/html; charset=utf-8", "ETag": etag})

        def answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            sized = headers if status == 304 else {**headers, "Content-Length": str(len(body))}
            self.send_response(status)
            for name, value in sized.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture()
def live_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveSite]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    site = LiveSite()
    site.pages = {f"/news/{n}.html": article(n) for n in range(1, ARTICLES + 1)}
    site.pages["/news/3.html"] = article(3, id_table(IDS[0]))
    site.link_all()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    httpd.daemon_threads = True
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield site
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def runtime(folder: Path, base: str, database_url: str | None = None) -> Runtime:
    registry = {"organizations": [{
        "id": "qinghe", "name": "青禾公益服务中心", "type": "social_service", "uscc": USCC,
        "registration_authority": "云川市青溪区民政局", "channels": [{"kind": "website", "url": base + "/"}],
    }]}
    (folder / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml",
                "crawl": {"allow_private_networks": True, "download_delay": 0, "autothrottle": False}}
    if database_url:
        settings["database_url"] = database_url
    (folder / "orgwatch.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    return Runtime(settings=load_settings(folder / "orgwatch.yaml"))


def findings_by_url(rt: Runtime) -> dict[str, list[Finding]]:
    with rt.db.session() as s:
        rows = list(s.scalars(select(Finding).order_by(Finding.id)))
    found: dict[str, list[Finding]] = {}
    for f in rows:
        found.setdefault(f.url, []).append(f)
    return found


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_rescan_notices_changed_added_and_removed_pages_among_unchanged_ones(
        database: str, live_site: LiveSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    # Marks of unchanged pages are written in batches; small batches make this site cross several.
    monkeypatch.setattr(scan_events, "TOUCH_BATCH", 3)
    database_url = request.getfixturevalue("pg_database") if database == "postgresql" else None
    rt = runtime(tmp_path, live_site.base, database_url)
    url = live_site.url
    first = run_scan(rt, deliver=False)
    assert (first.status, first.pages, first.pages_analysed) == ("completed", ARTICLES + 1, ARTICLES + 1)
    (leak,) = [f for f in findings_by_url(rt)[url("/news/3.html")] if f.category == "pii_id"]
    assert leak.status == "open"

    live_site.pages["/news/5.html"] = article(5, id_table(IDS[1]))  # changed: now leaks an ID number
    del live_site.pages["/news/7.html"]  # removed, still linked from the home page
    live_site.pages["/news/13.html"] = article(13)  # added, linked from the (changed) home page
    home_links = [p for p in sorted(live_site.pages) if p != "/"] + ["/news/7.html"]
    live_site.link_all()
    live_site.pages["/"] = live_site.pages["/"].replace("</ul>", "<li><a href='/news/7.html'>7</a></li></ul>")
    before = len(live_site.requests)
    second = run_scan(rt, deliver=False)

    assert second.status == "completed"
    assert second.pages_analysed == 3, "the home page, the changed and the added article, nothing else"
    assert second.pages == ARTICLES + 1  # 11 unchanged and changed articles, the new one, the home page
    asked = {path: headers for path, headers, _ in live_site.since(before)}
    assert set(asked) >= {"/", *home_links}
    unchanged = [f"/news/{n}.html" for n in range(1, ARTICLES + 1) if n not in (5, 7)]
    assert all("if-none-match" in asked[p] for p in unchanged), "every known page is asked for conditionally"

    found = findings_by_url(rt)
    (still,) = [f for f in found[url("/news/3.html")] if f.category == "pii_id"]
    assert (still.id, still.status, still.last_scan_id) == (leak.id, "open", second.scan_id)
    assert [f.category for f in found[url("/news/5.html")]] == ["pii_id"]
    broken = [f for f in found[url("/")] if f.category == "broken_link"]
    assert [f.detail["target"] for f in broken] == [url("/news/7.html")]
    with rt.db.session() as s:
        seen = dict(s.execute(select(Page.url, Page.last_scan_id)).all())
    assert all(seen[url(p)] == second.scan_id for p in unchanged + ["/news/5.html", "/news/13.html", "/"])
    assert seen[url("/news/7.html")] == first.scan_id


def test_unchanged_rescan_reuses_connections(live_site: LiveSite, tmp_path: Path) -> None:
    live_site.pages.update({f"/more/{n}.html": article(n) for n in range(100, 160)})
    live_site.link_all()
    rt = runtime(tmp_path, live_site.base)
    run_scan(rt, deliver=False)
    before = len(live_site.requests)
    again = run_scan(rt, deliver=False)
    assert (again.pages, again.pages_analysed) == (len(live_site.pages), 0)
    requests = live_site.since(before)
    connections = {port for _, _, port in requests}
    # Scrapy has at most CONCURRENT_REQUESTS (16) requests in flight; each connection is kept
    # for the next request instead of being closed when it returns to the pool.
    assert len(requests) > len(connections) and len(connections) <= 16
