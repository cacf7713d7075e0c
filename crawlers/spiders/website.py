"""The website spider: an organisation's site, from its home page and sitemaps outwards through
in-site links, with the documents it links to."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawlers import dates
from crawlers.documents import ExtractedDocument, attachment_name, extract_document, is_document_response
from crawlers.items import FetchError, PageItem
from crawlers.responses import header
from crawlers.revalidate import Manners, revalidate
from crawlers.sitemaps import MAX_SITEMAP_FILES, read_sitemap, sitemaps_in_robots
from crawlers.spiders.base import ATTACHMENT, DEPTH, REFERER, URL, OrgwatchSpider
from crawlers.traps import TrapDetector
from crawlers.urls import (
    NOT_PAGES,
    SiteScope,
    canonical,
    home_folder,
    is_document_link,
    is_page_link,
    registrable_domain,
    site_root,
)

logger = logging.getLogger(__name__)

# Re-exported: these lived here before crawlers.urls existed.
__all__ = ["NOT_PAGES", "SiteScope", "WebsiteSpider", "is_page_link", "registrable_domain"]

#: request.meta key: the sitemap was named in robots.txt or a sitemap index (so its failure is reported).
LISTED = "orgwatch_listed"


class WebsiteSpider(OrgwatchSpider):
    """Reads an organisation's website.

    Starts at the channel URL and at the site's sitemaps (``/sitemap.xml`` and the sitemaps
    named in ``robots.txt``, sitemap indexes and gzipped sitemaps included; only URLs in the
    home page's folder are taken from them), and follows links that stay on the site: the
    same registrable domain (``www.x.org.cn`` and ``news.x.org.cn`` are one site), the same
    host and port for sites addressed by IP, and the channel's ``extra_hosts``. If the home
    page redirects to another domain, that domain joins the site. Each HTML page becomes a
    PageItem (kind ``page``) with its visible text, main text, links and publication date;
    each linked document (.pdf, .docx, .xlsx, .txt; .doc, .xls, .wps and .et are reported as
    not readable) becomes a PageItem of kind ``attachment`` with the document's text and the
    linking page as ``referer``. HTTP errors and failures become FetchErrors (``referer`` is
    the linking page, ``is_home`` for the channel URL); a URL robots.txt forbids is a
    FetchError ``blocked_robots``.

    Arguments: ``channel`` (ChannelJob), ``spool_dir``.

    Limits: ``max_depth`` link hops from the home page (sitemap URLs count as one hop;
    documents linked from the deepest pages are still read); ``max_pages`` requests
    (attachments included, robots.txt and sitemap files not) and ``max_bytes`` downloaded per
    channel (the crawl is breadth-first, so a cut-short crawl has read the pages nearest the
    home page; answers to requests still under way when max_bytes runs out are counted in
    ChannelDone's ``bytes`` and ``late_responses`` but not read, and the page that spends it
    is read but its links are not followed); ``max_page_bytes`` per page and
    ``max_attachment_bytes`` per document (larger ones are FetchError ``too_large``); at most
    20 sitemap files. Links into crawl traps (endless calendars, repeating path segments,
    ever-growing query strings, see :mod:`crawlers.traps`) are not followed. Whenever a
    limit or a trap cut the crawl short, ChannelDone says ``truncated`` and why. Archives,
    images and media are recorded in ``links`` but not downloaded. robots.txt is obeyed
    unless the channel opts out.

    Incremental: pages and documents known from the previous scan are asked for conditionally
    (If-None-Match / If-Modified-Since); a 304, or a body with the same hash as last time,
    gives a PageItem with ``unchanged=True`` and no text, whose links (from the previous scan
    for a 304) are followed as usual. Once the home page is read, the known pages robots.txt
    allows are first asked directly (:mod:`crawlers.revalidate`, same manners, a fraction of
    Scrapy's cost per request); those answered 304 are reported unchanged when the crawl
    reaches them, without another request, and the rest are fetched through Scrapy. The
    robots.txt and sitemap requests then wait for that, so a sitemap cannot race it.
    """

    name = "website"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = SiteScope(self.home_url, self.channel.extra_hosts)
        self.folder = urlsplit(home_folder(self.home_url)).path
        self.traps = TrapDetector(dt.date.today())
        self.fetch_attachments = True
        self.max_attachment_bytes = 20_000_000
        self._aux_requested: set[str] = set()
        self.manners: Manners | None = None
        #: robots.txt rules Scrapy read, by netloc (the ``robots_parsed`` signal).
        self.robots: dict[str, Any] = {}
        self.robots_agent = ""
        self.obey_robots = self.channel.obey_robots
        #: Known URLs the site answered 304 in the revalidation: URL -> (ETag, Last-Modified).
        self.settled: dict[str, tuple[str | None, str | None]] = {}
        self._aux_waiting = self._aux_sent = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WebsiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.fetch_attachments = settings.getbool("ORGWATCH_FETCH_ATTACHMENTS", True)
        spider.max_attachment_bytes = settings.getint("ORGWATCH_MAX_ATTACHMENT_BYTES", spider.max_attachment_bytes)
        spider.manners = Manners.from_settings(settings)
        spider.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or ""
        spider.obey_robots = spider.channel.obey_robots and settings.getbool("ROBOTSTXT_OBEY")
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider  # type: ignore[return-value]

    async def start(self) -> AsyncIterator[Any]:
        for item in self.start_home(self.parse_page):
            yield item
            if isinstance(item, FetchError):
                return
        # With pages to revalidate, robots.txt and the sitemaps wait for the home page (below).
        self._aux_waiting = any(url != self.home_url for url in self.known)
        if not self._aux_waiting:
            for request in self.aux_requests():
                yield request

    def aux_requests(self) -> Iterator[scrapy.Request]:
        """robots.txt (for the sitemaps it names) and /sitemap.xml, once."""
        if self._aux_sent:
            return
        self._aux_sent = True
        root = site_root(self.home_url)
        for request in (self.aux_request(root + "robots.txt", self.parse_robots, robots=True),
                        self.aux_request(root + "sitemap.xml", self.parse_sitemap)):
            if request is not None:
                yield request

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        self.robots[urlsplit(request.url).netloc] = robotparser

    def robots_allow(self, url: str) -> bool:
        """Whether robots.txt, as Scrapy read it, lets ``url`` be fetched (False when Scrapy has
        not read the site's robots.txt: the crawl then decides)."""
        if not self.obey_robots:
            return True
        rules = self.robots.get(urlsplit(url).netloc)
        return rules is not None and bool(rules.allowed(url, self.robots_agent))

    async def revalidate_known(self) -> None:
        """Ask the site directly about the known pages a re-scan would ask conditionally (see
        :mod:`crawlers.revalidate`); remember those answered 304 in :attr:`settled`."""
        asks: dict[str, dict[str, str]] = {}
        for url in self.known:
            kind = self.link_kind(url)
            if kind is None or url == self.home_url or url not in self.scope or not self.robots_allow(url):
                continue
            headers = self.conditional_headers(url, 1, leaf=kind == "attachment")
            if headers:
                asks[url] = headers
            if len(asks) >= self.max_pages:
                break
        if not asks or self.manners is None:
            return
        result = await revalidate(asks, self.manners)
        self.settled = result.unchanged
        logger.info("Channel %s: %d of %d known pages unchanged by direct revalidation (%d requests)%s",
                    self.channel_key, len(result.unchanged), len(asks), result.asked,
                    "".join(f"; {site} left to the crawl: {why}" for site, why in result.stopped.items()))

    def follows_links(self, depth: int) -> bool:
        # Pages at max_depth are still read for the documents they link to.
        return depth < self.max_depth or self.fetch_attachments

    def truncation_notes(self) -> dict[str, str]:
        note = self.traps.report.describe()
        return {"crawl_trap": note} if note else {}

    # -- pages ------------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any] | AsyncIterator[Any]:
        """Callback of page requests: the page's events and requests for its links, or, for a
        link that turns out to be a document (e.g. ``download.jsp?id=3`` answering with a
        spreadsheet), the attachment's. A plain generator for pages: an async one costs Scrapy
        several tasks per item."""
        if self.is_document(response):
            return self.parse_attachment(response)
        if self._aux_waiting and response.meta.get(URL) == self.home_url:
            return self.parse_home(response)
        return self.page_events(response)

    async def parse_home(self, response: Response) -> AsyncIterator[Any]:
        """The home page of a re-scan: revalidate the known pages, then go on as for any page,
        and send the robots.txt and sitemap requests that waited."""
        if response.status < 400:
            await self.revalidate_known()
        for event in self.page_events(response):
            yield event
        for request in self.aux_requests():
            yield request

    def on_error(self, failure: Failure) -> Iterator[Any]:
        yield from super().on_error(failure)
        if self._aux_waiting and failure.request.meta.get(URL) == self.home_url:  # type: ignore[attr-defined]
            yield from self.aux_requests()

    def page_events(self, response: Response) -> Iterator[Any]:
        if not self.account(response):
            return
        event = self.response_event(response, kind="page")
        if event is not None:
            yield event
        if isinstance(event, PageItem):
            if event.url == self.home_url and response.url not in self.scope:
                logger.info("Home page of %s moved to %s; following links there", self.channel_key, response.url)
                self.scope.add(response.url)
            yield from self.follow_links(self.links_to_follow(event), depth=response.meta.get(DEPTH, 0),
                                         referer=event.url)
        self.check_bytes()

    def is_document(self, response: Response) -> bool:
        """A successful non-HTML answer that is a document the spider reads."""
        if not self.fetch_attachments or response.status != 200 or response.meta.get(URL) == self.home_url:
            return False
        name = attachment_name(response.url, header(response, "Content-Disposition"))
        return is_document_response(header(response, "Content-Type") or "", name)

    def link_kind(self, link: str) -> str | None:
        """How the spider treats a link: ``page``, ``attachment`` (a document it downloads) or
        None (not followed)."""
        if is_page_link(link):
            return "page"
        if self.fetch_attachments and is_document_link(link):
            return "attachment"
        return None

    def follow_links(self, links: list[str], *, depth: int, referer: str) -> Iterator[scrapy.Request | PageItem]:
        """Requests for the in-site pages (up to max_depth) and documents among ``links``; for
        those the revalidation found unchanged, their unchanged PageItems, and in turn what
        their links lead to (breadth-first, as the crawl goes)."""
        pending = deque([(links, depth, referer)])
        while pending:
            links, depth, referer = pending.popleft()
            for link in links:
                if self.was_requested(link) or link not in self.scope:
                    continue
                kind = self.link_kind(link)
                if kind is None or kind == "page" and depth >= self.max_depth:
                    continue
                if kind == "page":
                    callback, meta = self.parse_page, None
                else:
                    callback, meta = self.parse_attachment, {ATTACHMENT: True, "download_maxsize": self.max_attachment_bytes}
                if self.traps.check(link, referer, requests=self.tally.requests):
                    continue
                if link in self.settled:
                    item = self.settle(link, depth=depth + 1, referer=referer, kind=kind)
                    if item is not None:
                        yield item
                        if item.kind != "attachment":
                            pending.append((self.links_to_follow(item), depth + 1, link))
                    continue
                request = self.make_request(link, callback=callback, depth=depth + 1, referer=referer, meta=meta)
                if request is not None:
                    yield request

    def settle(self, url: str, *, depth: int, referer: str, kind: str) -> PageItem | None:
        """The unchanged PageItem of a URL the revalidation found unchanged, counted as a
        request (it was one); None over budget."""
        if not self.within_budget(url):
            return None
        self.charge(url)
        etag, last_modified = self.settled[url]
        return self.unchanged_item(url, final_url=url, kind=kind, depth=depth, referer=referer,
                                   etag=etag, last_modified=last_modified)

    # -- documents --------------------------------------------------------------------------

    async def parse_attachment(self, response: Response) -> AsyncIterator[Any]:
        if not self.account(response):
            return
        if response.status >= 400:
            yield self.status_error(response)
        elif response.status == 304:
            yield self.unchanged_page(response, kind="attachment")
        else:
            body = response.body
            sha = hashlib.sha256(body).hexdigest()
            content_type = header(response, "Content-Type") or ""
            if self.known_hash(response) == sha:
                yield self.page_item(response, kind="attachment", sha=sha, unchanged=True, content_type=content_type)
            else:
                name = attachment_name(response.url, header(response, "Content-Disposition"))
                # In a thread: a long PDF must not hold up the downloads in flight.
                doc = await maybe_deferred_to_future(deferToThread(extract_document, body, name, content_type))
                yield self.attachment_item(response, doc, sha=sha, content_type=content_type)
        self.check_bytes()

    def attachment_item(self, response: Response, doc: ExtractedDocument, *, sha: str, content_type: str) -> PageItem:
        url = response.meta.get(URL, response.url)
        published_at, source = dates.published_date(None, doc.first_page_text or doc.text[:3000], url)
        return self.page_item(
            response, kind="attachment", sha=sha, content_type=content_type, encoding=doc.encoding,
            title=doc.title, text=doc.text, html=None, published_at=published_at, published_source=source,
            truncated=doc.truncated, readable=doc.readable, unreadable_reason=doc.unreadable_reason,
            first_page_text=doc.first_page_text,
        )

    # -- robots.txt and sitemaps ------------------------------------------------------------

    def aux_request(self, url: str, callback: Any, *, robots: bool = False, referer: str | None = None) -> scrapy.Request | None:
        """A request for robots.txt or a sitemap file: not a page, not counted in max_pages."""
        url = canonical(url)
        if "max_bytes" in self.tally.limits_hit:
            return None
        if url in self._aux_requested or url not in self.scope or len(self._aux_requested) >= MAX_SITEMAP_FILES + 1:
            return None
        self._aux_requested.add(url)
        # A named sitemap that fails is reported when it is the channel's own (in its folder).
        listed = referer is not None and urlsplit(url).path.startswith(self.folder)
        meta: dict[str, Any] = {URL: url, REFERER: referer, LISTED: listed, DEPTH: 0}
        if robots or not self.channel.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(url, callback=callback, errback=self.on_aux_error, meta=meta, priority=-1, dont_filter=True)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if self.account(response) and response.status == 200:
            for sitemap in sitemaps_in_robots(response.body, response.url):
                request = self.aux_request(sitemap, self.parse_sitemap, referer=response.meta[URL])
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if not self.account(response):
            return
        url = response.meta[URL]
        if response.status >= 400:
            if response.meta.get(LISTED):
                yield self.status_error(response)
            return
        content = read_sitemap(response.body, response.url, max_size=self.max_page_bytes or 0)
        if content is None:
            logger.info("Channel %s: %s is not a sitemap", self.channel_key, response.url)
            return
        if content.is_index:
            for child in content.urls:
                request = self.aux_request(child, self.parse_sitemap, referer=url)
                if request is not None:
                    yield request
            return
        links = [link for link in map(canonical, content.urls) if urlsplit(link).path.startswith(self.folder)]
        logger.info("Channel %s: %d URLs from sitemap %s", self.channel_key, len(links), url)
        yield from self.follow_links(links, depth=0, referer=url)
        self.check_bytes()

    def on_aux_error(self, failure: Failure) -> Iterator[Any]:
        """robots.txt or a sitemap failed: reported only for a sitemap in the channel's folder
        that robots.txt or a sitemap index names (a missing /sitemap.xml is normal)."""
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get(LISTED):
            yield from self.on_error(failure)
        else:
            logger.info("Channel %s: %s not read: %s", self.channel_key, request.url, failure.getErrorMessage())
