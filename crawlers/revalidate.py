"""Asking a site whether the pages it served last time are unchanged, at a fraction of Scrapy's cost.

A re-scan asks for every page the previous scan read with ``If-None-Match`` /
``If-Modified-Since``; on a site that changed little, nearly every answer is a bodiless 304.
Through Scrapy's engine each of those requests costs about a millisecond of CPU (scheduler,
middlewares, Deferreds, Twisted's HTTP client, the spider's callback chain), so re-checking an
unchanged 2,000-page site took most of a re-scan. :func:`revalidate` asks the same questions
on a few keep-alive connections (h11 over asyncio streams, in the crawl process's own event
loop) at about a fifth of that cost. The website spider runs it once, after the home page, for
the pages it knows; a page answered 304 is then reported unchanged without another request,
and everything else goes through Scrapy exactly as before.

Nothing here decides anything about a page but "the site says it has not changed": any other
answer (a changed page, a redirect, an error status), and any failure (refused connection,
time-out, broken HTTP, a certificate that does not verify), leaves the page to Scrapy, which
fetches it and reports it as usual. After the first failure on a site, or once it is clear the
site does not answer conditional requests with 304, that site is left to Scrapy altogether.

It keeps the crawl's manners (:class:`Manners`, from the crawler's settings):

- at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` connections per site;
- ``DOWNLOAD_DELAY`` between two requests to a site, randomised 0.5x-1.5x as Scrapy does, and
  with AutoThrottle on, Scrapy's AutoThrottle rule (start at its start delay, follow latency,
  never speed up on a non-200 answer);
- the crawl's User-Agent, Accept headers and Accept-Encoding (a server may keep one ETag per
  encoding), and its per-request time-out;
- only http and https; a host is resolved once and must resolve to public addresses only
  (unless ``allow_private_networks``), and the connection goes to the address that was
  checked; HTTPS only with the certificate verified against the system's CA store, since a
  site read despite a bad certificate has that noted on each page, which only Scrapy's path
  (:mod:`crawlers.tls`) does;
- robots.txt is the caller's business: it passes only URLs robots.txt allows.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import h11

from crawlers.middlewares import is_public_address, resolve_host

logger = logging.getLogger(__name__)

#: Answers seen before judging whether a site answers conditional requests at all.
JUDGE_AFTER = 20
#: Below this share of 304s among the answers so far, a site is left to Scrapy.
MIN_UNCHANGED_SHARE = 0.5
#: Bytes read from the socket at a time; a 304's head is a few hundred bytes.
READ_SIZE = 65536


@dataclass(frozen=True)
class Throttle:
    """Scrapy's AutoThrottle settings (``AUTOTHROTTLE_*``)."""

    start_delay: float
    max_delay: float
    target_concurrency: float


@dataclass(frozen=True)
class Manners:
    """How the crawl treats a site, as the revalidation must too (see the module docstring)."""

    user_agent: str
    headers: tuple[tuple[str, str], ...] = ()
    concurrency: int = 1
    delay: float = 0.0
    randomize_delay: bool = True
    throttle: Throttle | None = None
    timeout: float = 20.0
    allow_private_networks: bool = False
    verify_tls: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> Manners:
        """The manners of a crawler with these Scrapy ``settings``."""
        from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS

        headers = {str(k): str(v) for k, v in (settings.getdict("DEFAULT_REQUEST_HEADERS") or {}).items()}
        headers.setdefault("Accept-Encoding", b", ".join(ACCEPTED_ENCODINGS).decode())
        throttle = None
        if settings.getbool("AUTOTHROTTLE_ENABLED"):
            throttle = Throttle(settings.getfloat("AUTOTHROTTLE_START_DELAY"), settings.getfloat("AUTOTHROTTLE_MAX_DELAY"),
                                settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY"))
        return cls(
            user_agent=settings.get("USER_AGENT") or "", headers=tuple(headers.items()),
            concurrency=max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")),
            delay=settings.getfloat("DOWNLOAD_DELAY"), randomize_delay=settings.getbool("RANDOMIZE_DOWNLOAD_DELAY"),
            throttle=throttle, timeout=settings.getfloat("DOWNLOAD_TIMEOUT"),
            allow_private_networks=settings.getbool("ORGWATCH_ALLOW_PRIVATE_NETWORKS"),
            verify_tls=settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"),
        )


@dataclass
class Revalidation:
    """What :func:`revalidate` found: ``unchanged`` maps each URL answered 304 to that answer's
    ETag / Last-Modified (``None`` where the answer had none); ``asked`` counts the requests
    made; ``stopped`` says, per site (``scheme://host:port``), why it was left to Scrapy."""

    unchanged: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    asked: int = 0
    stopped: dict[str, str] = field(default_factory=dict)


async def revalidate(asks: Mapping[str, Mapping[str, str]], manners: Manners) -> Revalidation:
    """Ask each URL of ``asks`` with its conditional headers (``If-None-Match`` /
    ``If-Modified-Since``); sites are asked side by side, each at its own pace."""
    result = Revalidation()
    sites: dict[tuple[str, str, int], list[tuple[str, Mapping[str, str]]]] = {}
    for url, headers in asks.items():
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.hostname and headers:
            sites.setdefault((parts.scheme, parts.hostname, port), []).append((url, headers))
    await asyncio.gather(*(_Site(origin, manners, result).run(pending) for origin, pending in sites.items()))
    return result


class _Stop(Exception):
    """This site is left to Scrapy from here on; the message says why."""


class _Site:
    """One ``scheme://host:port``: its pace, its connections and its verdict."""

    def __init__(self, origin: tuple[str, str, int], manners: Manners, result: Revalidation) -> None:
        self.scheme, self.host, self.port = origin
        self.name = f"{self.scheme}://{self.host}:{self.port}"
        self.manners = manners
        self.result = result
        self.address = self.host
        self.tls: ssl.SSLContext | None = None
        self.answers = self.unchanged = 0
        self.stop_reason = ""
        throttle = manners.throttle
        self.delay = max(manners.delay, throttle.start_delay) if throttle else manners.delay
        # The crawl has just read the home page, so the first request waits one interval too.
        self.next_at = time.monotonic() + self.interval()

    async def run(self, pending: list[tuple[str, Mapping[str, str]]]) -> None:
        try:
            await self.prepare()
        except _Stop as stop:
            self.stop(str(stop))
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a host name the resolver rejects: the crawl reads it
            self.stop(f"{type(exc).__name__}: {exc}")
            return
        queue = list(reversed(pending))
        workers = min(self.manners.concurrency, len(queue))
        await asyncio.gather(*(self.work(queue) for _ in range(workers)))
        # Leave the crawl one interval before its next request to this site, as Scrapy would.
        wait = self.next_at - time.monotonic()
        if wait > 0 and not self.stop_reason:
            await asyncio.sleep(wait)

    def stop(self, reason: str) -> None:
        if not self.stop_reason:
            logger.info("Revalidation of %s left to the crawl: %s", self.name, reason)
            self.stop_reason = reason
            self.result.stopped[self.name] = reason

    async def prepare(self) -> None:
        """Check where the host leads, as PrivateNetworkGuard does, and fix the address."""
        if self.scheme == "https":
            if not self.manners.verify_tls:
                raise _Stop("certificate checking is off for this channel")
            self.tls = ssl.create_default_context()
        if self.manners.allow_private_networks:
            return
        loop = asyncio.get_running_loop()
        try:
            addresses = await loop.run_in_executor(None, resolve_host, self.host, self.port)
        except (OSError, UnicodeError, ValueError) as exc:
            raise _Stop(f"cannot resolve host: {exc}") from exc
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise _Stop("host resolves to a non-public address")
        self.address = str(addresses[0])

    def interval(self) -> float:
        if self.delay and self.manners.randomize_delay:
            return random.uniform(0.5 * self.delay, 1.5 * self.delay)
        return self.delay

    async def pace(self) -> None:
        """Wait for this site's next request slot, as Scrapy's download slot spaces requests."""
        now = time.monotonic()
        start = max(now, self.next_at)
        self.next_at = start + self.interval()
        if start > now:
            await asyncio.sleep(start - now)

    def observe(self, latency: float, status: int) -> None:
        """AutoThrottle's rule (scrapy.extensions.throttle.AutoThrottle._adjust_delay)."""
        throttle = self.manners.throttle
        if throttle is None:
            return
        target = latency / throttle.target_concurrency
        new = min(max(self.manners.delay, max(target, (self.delay + target) / 2)), throttle.max_delay)
        if status != 200 and new <= self.delay:
            return
        self.delay = new

    async def work(self, queue: list[tuple[str, Mapping[str, str]]]) -> None:
        connection: _Connection | None = None
        try:
            while queue and not self.stop_reason:
                url, conditions = queue.pop()
                request = self.request(url, conditions)
                if request is None:
                    continue  # not a URL this client can send: the crawl asks for it
                await self.pace()
                if self.stop_reason:
                    break
                if connection is None:
                    connection = await self.connect()
                answer = await self.ask(connection, request)
                if answer is None:  # a kept-alive connection the server had closed: once more, afresh
                    connection.close()
                    connection = await self.connect()
                    answer = await self.ask(connection, request)
                    if answer is None:
                        raise _Stop("the server closed the connection without answering")
                if not connection.reusable:
                    connection.close()
                    connection = None
                self.judge(url, *answer)
        except _Stop as stop:
            self.stop(str(stop))
        except (OSError, TimeoutError, h11.ProtocolError, asyncio.IncompleteReadError) as exc:
            self.stop(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - whatever goes wrong here, the crawl still reads the site
            logger.warning("Revalidation of %s failed unexpectedly", self.name, exc_info=True)
            self.stop(f"{type(exc).__name__}: {exc}")
        finally:
            if connection is not None:
                connection.close()

    def judge(self, url: str, status: int, etag: str | None, last_modified: str | None) -> None:
        self.answers += 1
        if status == 304:
            self.unchanged += 1
            self.result.unchanged[url] = (etag, last_modified)
        if self.answers >= JUDGE_AFTER and self.unchanged < MIN_UNCHANGED_SHARE * self.answers:
            raise _Stop(f"only {self.unchanged} of {self.answers} answers were 304")

    async def connect(self) -> _Connection:
        async with asyncio.timeout(self.manners.timeout):
            reader, writer = await asyncio.open_connection(
                self.address, self.port, ssl=self.tls, server_hostname=self.host if self.tls else None)
        return _Connection(reader, writer)

    def request(self, url: str, conditions: Mapping[str, str]) -> h11.Request | None:
        """The conditional GET for ``url``; None if it cannot be sent as it is (non-ASCII)."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]
        headers = [("Host", host), ("User-Agent", self.manners.user_agent), *self.manners.headers, *conditions.items()]
        try:
            return h11.Request(method="GET", target=target.encode("ascii"),
                               headers=[(k, v.encode("latin-1")) for k, v in headers])
        except (UnicodeError, h11.LocalProtocolError):
            return None

    async def ask(self, connection: _Connection, request: h11.Request) -> tuple[int, str | None, str | None] | None:
        """Send ``request``: (status, ETag, Last-Modified), or None when a reused connection
        turns out closed before any answer. A non-304 answer's body is not read (the connection
        is then not reused)."""
        self.result.asked += 1
        sent = time.monotonic()
        async with asyncio.timeout(self.manners.timeout):
            response = await connection.exchange(request)
        if response is None:
            return None
        self.observe(time.monotonic() - sent, response.status_code)
        values = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in response.headers}
        return response.status_code, values.get("etag"), values.get("last-modified")


class _Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.http = h11.Connection(our_role=h11.CLIENT)
        self.used = False
        self.reusable = True

    async def exchange(self, request: h11.Request) -> h11.Response | None:
        """Send ``request``; return the response head (a 304's end read too), or None if this
        connection, already used, was closed before anything came back."""
        reused, self.used = self.used, True
        self.writer.write(self.http.send(request) + self.http.send(h11.EndOfMessage()))
        response: h11.Response | None = None
        while True:
            event = self.http.next_event()
            if event is h11.NEED_DATA:
                data = await self.reader.read(READ_SIZE)
                if not data and response is None and reused:
                    self.reusable = False
                    return None
                self.http.receive_data(data)
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                response = event
                if event.status_code != 304:
                    self.reusable = False  # its body is not wanted
                    return event
                continue
            if isinstance(event, h11.EndOfMessage) and response is not None:
                if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
                    self.http.start_next_cycle()
                else:
                    self.reusable = False
                return response
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__} from the server")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()
