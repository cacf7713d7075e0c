"""A real HTTP server on 127.0.0.1 (port 0) serving the fixture sites in ``fixtures/site/``.

The files are kept as UTF-8 text so they can be read and edited; :data:`ROUTES` says how a
path is served: which encoding its bytes are transcoded to, which Content-Type header it
gets, its status, and whether ``{base}`` is replaced by the server's address. Generated
answers (crawl traps, a redirect loop, a slow page, a gzip bomb, attachments, a Weibo
timeline) come from :mod:`tests.crawlers.fixture_dynamic`.
"""
from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.crawlers.fixture_dynamic import Reply, reply

SITE_DIR = Path(__file__).parent / "fixtures" / "site"
#: A fixed Last-Modified for the incremental-fetching pages.
LAST_MODIFIED = email.utils.formatdate(1_790_000_000, usegmt=True)


@dataclass(frozen=True)
class Route:
    encoding: str = "utf-8"  # the bytes on the wire
    content_type: str | None = None  # None: by extension, with charset=utf-8 for text
    status: int = 200
    template: bool = False  # replace {base} with http://127.0.0.1:PORT
    etag: bool = False  # send ETag/Last-Modified and answer conditional requests with 304
    location: str | None = None  # redirect target (status 301/302)
    file: str | None = None  # another file to serve


ROUTES: dict[str, Route] = {
    # GBK-family bytes declared only in <meta> (as gb2312), with a character only GB18030 has.
    "/enc/gbk-meta.html": Route(encoding="gb18030", content_type="text/html"),
    # GBK bytes declared only in the HTTP header.
    "/enc/gbk-header.html": Route(encoding="gbk", content_type="text/html; charset=GBK"),
    # GB18030 bytes declared nowhere: the encoding must be detected.
    "/enc/nocharset.html": Route(encoding="gb18030", content_type="text/html"),
    # GB18030 bytes (four-byte characters GBK lacks) declared only in the header.
    "/enc/gb18030-header.html": Route(encoding="gb18030", content_type="text/html; charset=GB18030"),
    # Big5 bytes declared in <meta>, and declared only in the header.
    "/enc/big5-meta.html": Route(encoding="big5", content_type="text/html"),
    "/enc/big5-header.html": Route(encoding="big5", content_type="text/html; charset=Big5"),
    "/robots.txt": Route(content_type="text/plain", template=True),
    "/sitemap.xml": Route(template=True),
    "/sm/sitemap-index.xml": Route(template=True),
    "/sm/sitemap-pages.xml": Route(template=True),
    "/err500/index.html": Route(status=500),
    "/feed/rss.xml": Route(content_type="application/rss+xml; charset=utf-8", template=True),
    "/feed/atom.xml": Route(content_type="application/atom+xml", template=True),
    "/etag/index.html": Route(etag=True),
    "/moved/": Route(status=301, location="/utf8/about.html"),
}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}


@dataclass
class FixtureServer:
    """The running server: its base URL and the paths requested so far."""

    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def requested(self, path: str) -> list[dict[str, str]]:
        """The headers of every request made for ``path``."""
        return [headers for p, headers in self.requests if p == path]


def body_for(path: str, route: Route, base: str) -> bytes | None:
    """The bytes served at ``path`` (None when there is no such file)."""
    name = route.file or path.lstrip("/")
    file = (SITE_DIR / name).resolve()
    if SITE_DIR.resolve() not in file.parents or not file.is_file():
        return None
    if file.suffix in (".pdf",):
        return file.read_bytes()
    text = file.read_text(encoding="utf-8")
    if route.template:
        text = text.replace("{base}", base)
    return text.encode(route.encoding)


def make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path, _, query = self.path.partition("?")
            server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            generated = reply(path, query)
            if generated is not None:
                self.generated(generated)
                return
            route = ROUTES.get(path, Route())
            if route.location:
                self.respond(route.status, b"", {"Location": server.base + route.location})
                return
            body = body_for(path, route, server.base)
            if body is None:
                self.respond(404, "<html><body><h1>404 页面不存在</h1></body></html>".encode(), {"Content-Type": "text/html; charset=utf-8"})
                return
            headers = {"Content-Type": route.content_type or CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream")}
            if route.etag and self.not_modified(body, headers):
                return
            self.respond(route.status, body, headers)

        def generated(self, answer: Reply) -> None:
            if answer.delay:
                time.sleep(answer.delay)
            if answer.etag and self.not_modified(answer.body, answer.headers):
                return
            try:
                self.respond(answer.status, answer.body, answer.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up (a timeout, or a body over its size limit)

        def not_modified(self, body: bytes, headers: dict[str, str]) -> bool:
            """Add ETag/Last-Modified; answer 304 (and return True) when the client has this body."""
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
            if self.headers.get("If-None-Match") == etag:
                self.respond(304, b"", headers, content_length=False)
                return True
            return False

        def respond(self, status: int, body: bytes, headers: dict[str, str], content_length: bool = True) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if content_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: the tests read server.requests instead

    return Handler


class QuietServer(ThreadingHTTPServer):
    """No tracebacks on stderr when the crawler drops a connection on purpose (size limits)."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def start_server() -> tuple[ThreadingHTTPServer, FixtureServer, threading.Thread]:
    """Start the server on 127.0.0.1 with a free port chosen by the OS."""
    state = FixtureServer(base="")
    httpd = QuietServer(("127.0.0.1", 0), make_handler(state))
    _, thread = serve_in_thread(httpd, state, "fixture-site")
    return httpd, state, thread


def serve_in_thread(httpd: ThreadingHTTPServer, state: Any, name: str) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve ``httpd`` from a daemon thread; ``state.base`` becomes its address."""
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    return httpd, thread


@contextmanager
def serving(state: Any, make_handler: Callable[[Any], type[BaseHTTPRequestHandler]], name: str) -> Iterator[Any]:
    """A threaded server on 127.0.0.1 whose handler records into ``state``, for a ``with`` block
    (``state.base`` is its address); stopped at the end."""
    httpd, thread = serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state)), state, name)
    try:
        yield state
    finally:
        stop_server(httpd, thread)


def stop_server(httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)
