"""The website spider: an organisation's site, from its home page outwards through in-site links."""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import tldextract
from scrapy.http import Response

from crawlers.items import PageItem
from crawlers.spiders.base import OrgwatchSpider

logger = logging.getLogger(__name__)

#: Linked files recorded as links but not downloaded (documents, archives, media, assets).
NOT_PAGES = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps odt ods odp rtf txt csv zip rar 7z gz tgz bz2 xz "
    "tar jpg jpeg png gif bmp webp svg ico tif tiff psd mp3 wav wma aac flac ogg mp4 m4v avi mov wmv "
    "flv mkv webm swf exe msi apk ipa dmg iso bin css js json xml rss atom woff woff2 ttf eot".split()
)
DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1)
def _tld_extractor() -> tldextract.TLDExtract:
    # Offline: the public-suffix list bundled with tldextract, never a download or a cache write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(host: str) -> str:
    """``www.example.org.cn`` -> ``example.org.cn``; the host itself when it has no public suffix."""
    return _tld_extractor()(host).top_domain_under_public_suffix or host


def is_page_link(url: str) -> bool:
    """False for links to attachments and assets (by file extension)."""
    path = urlsplit(url).path
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return extension not in NOT_PAGES


class SiteScope:
    """Which URLs belong to a site: same host and port for IP-address sites, the same
    registrable domain (any subdomain, either scheme) otherwise, plus ``extra_hosts``
    (a name also covers its subdomains; an IP may carry a port)."""

    def __init__(self, home_url: str, extra_hosts: list[str] | tuple[str, ...] = ()) -> None:
        self.netlocs: set[str] = set()
        self.domains: set[str] = set()
        self.extra_names: set[str] = set()
        self.add(home_url)
        for extra in extra_hosts:
            extra = extra.strip().lower().rstrip(".")
            if _ip_netloc(f"http://{extra}"):
                self.netlocs.add(_ip_netloc(f"http://{extra}") or extra)
            elif extra:
                self.extra_names.add(extra)

    def add(self, url: str) -> None:
        """Count ``url``'s site as in scope (e.g. where the home page redirected to)."""
        netloc = _ip_netloc(url)
        if netloc:
            self.netlocs.add(netloc)
        elif host := urlsplit(url).hostname:
            self.domains.add(registrable_domain(host))

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        netloc = _ip_netloc(url)
        if netloc:
            return netloc in self.netlocs
        host = urlsplit(url).hostname
        if not host:
            return False
        if any(host == name or host.endswith("." + name) for name in self.extra_names):
            return True
        return registrable_domain(host) in self.domains


def _ip_netloc(url: str) -> str | None:
    """``host:port`` (default port filled in) when the URL's host is an IP address."""
    parts = urlsplit(url)
    try:
        ipaddress.ip_address(parts.hostname or "")
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:
        return None
    return f"{parts.hostname}:{port}"


class WebsiteSpider(OrgwatchSpider):
    """Reads an organisation's website.

    Starts at the channel URL and follows links that stay on the site: the same registrable
    domain (``www.x.org.cn`` and ``news.x.org.cn`` are one site), the same host and port for
    sites addressed by IP, and the channel's ``extra_hosts``. If the home page redirects to
    another domain, that domain joins the site. Each HTML page becomes a PageItem (kind
    ``page``) with its visible text, main text, links and publication date; HTTP errors and
    failures become FetchErrors (``is_home`` for the channel URL).

    Arguments: ``channel`` (ChannelJob), ``spool_dir``.

    Limits: ``max_depth`` link hops from the home page; ``max_pages`` requests and
    ``max_bytes`` downloaded per channel (the crawl is breadth-first, so a cut-short crawl has
    read the pages nearest the home page; ChannelDone says ``truncated``); ``max_page_bytes``
    per response. Attachments (PDF, Office, archives, images, media) are recorded in
    ``links`` but not downloaded. robots.txt is obeyed unless the channel opts out.
    Incremental: a page known from the previous scan whose body is the same gives a PageItem
    with ``unchanged=True``. Pages at the depth limit are asked for conditionally
    (If-None-Match / If-Modified-Since; a 304 gives an ``unchanged`` PageItem without text);
    pages whose links are needed are too, but only when the previous body is still in the
    spool folder to take the links from.
    """

    name = "website"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = SiteScope(self.home_url, self.channel.extra_hosts)

    async def start(self) -> AsyncIterator[Any]:
        for item in self.start_home(self.parse_page):
            yield item

    def follows_links(self, depth: int) -> bool:
        return depth < self.max_depth

    def parse_page(self, response: Response) -> Iterator[Any]:
        self.account(response)
        event = self.response_event(response, kind="page")
        if event is not None:
            yield event
        if isinstance(event, PageItem):
            if event.url == self.home_url and response.url not in self.scope:
                logger.info("Home page of %s moved to %s; following links there", self.channel_key, response.url)
                self.scope.add(response.url)
            yield from self.follow_links(event, response)
        self.check_bytes()

    def follow_links(self, page: PageItem, response: Response) -> Iterator[Any]:
        depth = response.meta.get("depth", 0)
        if depth >= self.max_depth:
            return
        for link in page.links:
            if link in self.scope and is_page_link(link):
                request = self.make_request(link, callback=self.parse_page, depth=depth + 1, referer=response.url)
                if request is not None:
                    yield request
