"""What every orgwatch spider shares: budgets, incremental requests, and turning responses
and failures into :class:`~crawlers.items.PageItem` / :class:`~crawlers.items.FetchError` events."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.decoding import decode_body
from crawlers.extract import extract_page, extract_wechat, looks_like_wechat, out_links, parse_html
from crawlers.failures import classify_failure, http_error
from crawlers.items import ChannelDone, ChannelJob, FetchError, PageItem
from crawlers.responses import header, is_html, is_partial, now_iso, spool_body
from crawlers.tls import TLS_ERROR_META
from crawlers.urls import canonical

logger = logging.getLogger(__name__)

# Re-exported for the spiders and older imports.
__all__ = ["ChannelTally", "OrgwatchSpider", "canonical", "header", "is_html", "now_iso", "spool_body"]

#: request.meta keys the spiders use; ATTACHMENT marks a document (its links are never needed).
URL, REFERER, DEPTH, ATTACHMENT = "orgwatch_url", "orgwatch_referer", "orgwatch_depth", "orgwatch_attachment"


@dataclass
class ChannelTally:
    """A channel's counters: ``requests`` and ``bytes`` are its budgets (max_pages, max_bytes);
    ``pages`` and ``errors`` count the events handed off (kept by the CountEvents pipeline);
    ``late`` counts the answers that arrived after max_bytes was spent (in ``bytes``, not read);
    ``truncated`` lists why the crawl stopped short (Chinese, for ChannelDone) and
    ``limits_hit`` the same as codes, in order."""

    requests: int = 0
    bytes: int = 0
    pages: int = 0
    errors: int = 0
    late: int = 0
    truncated: list[str] = field(default_factory=list)
    limits_hit: list[str] = field(default_factory=list)


class OrgwatchSpider(scrapy.Spider):
    """Base of the channel spiders. Arguments: ``channel`` (a ChannelJob or its dict) and
    ``spool_dir`` (where raw bodies are written). Limits come from the crawler settings
    ``ORGWATCH_MAX_PAGES`` (requests per channel), ``ORGWATCH_MAX_DEPTH`` and
    ``ORGWATCH_MAX_BYTES`` (bytes downloaded per channel), set by ``crawlers.settings``."""

    def __init__(self, *args: Any, channel: ChannelJob | dict, spool_dir: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel if isinstance(channel, ChannelJob) else ChannelJob(**channel)
        self.channel_key = self.channel.key
        self.spool_dir = Path(spool_dir)
        self.home_url = canonical(self.channel.url)
        self.known = {canonical(url): values for url, values in self.channel.known.items()}
        self.tally = ChannelTally()
        self.channel_done_sent = False
        self.max_pages, self.max_depth, self.max_bytes = 500, 6, 200_000_000
        self.timeout: float | None = None
        self.max_page_bytes: int | None = None
        self._requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> OrgwatchSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = settings.getint("ORGWATCH_MAX_PAGES", spider.max_pages)
        spider.max_depth = settings.getint("ORGWATCH_MAX_DEPTH", spider.max_depth)
        spider.max_bytes = settings.getint("ORGWATCH_MAX_BYTES", spider.max_bytes)
        spider.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        spider.max_page_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        return spider

    # -- requests ---------------------------------------------------------------------------

    def start_home(self, callback: Callable[..., Any]) -> Iterator[scrapy.Request | FetchError]:
        """The channel's first request, or a FetchError when its URL is unusable."""
        parts = urlsplit(self.home_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            yield self.error_event(self.home_url, "other", f"渠道网址无效：{self.channel.url!r}，应以 http:// 或 https:// 开头。")
            return
        request = self.make_request(self.home_url, callback=callback, depth=0)
        if request is not None:
            yield request

    def make_request(
        self, url: str, *, callback: Callable[..., Any], depth: int, referer: str | None = None,
        meta: dict[str, Any] | None = None, errback: Callable[..., Any] | None = None,
    ) -> scrapy.Request | None:
        """A request for ``url`` within the channel's budget, conditional when the previous
        scan knew the page; None if already requested or over budget (then ``truncated``)."""
        if not self.within_budget(url):
            return None
        request_meta = {DEPTH: depth, URL: url, REFERER: referer, **(meta or {})}
        if not self.channel.obey_robots:
            request_meta["dont_obey_robotstxt"] = True
        try:
            # dont_filter: the spider de-duplicates itself; Scrapy's filter would silently drop
            # a redirect back to a URL already seen, hiding redirect loops.
            request = scrapy.Request(
                url, callback=callback, errback=errback or self.on_error,
                headers=self.conditional_headers(url, depth, leaf=bool(request_meta.get(ATTACHMENT))),
                meta=request_meta, dont_filter=True,
            )
        except ValueError:
            logger.debug("Skipping unusable URL %r", url)
            return None
        self.charge(url)
        return request

    def within_budget(self, url: str) -> bool:
        """Whether ``url`` may still be asked for: not yet requested, and neither max_bytes nor
        max_pages spent (then the channel is marked ``truncated``)."""
        if url in self._requested or "max_bytes" in self.tally.limits_hit:
            return False
        if self.tally.requests >= self.max_pages:
            self.mark_truncated("max_pages")
            return False
        return True

    def charge(self, url: str) -> None:
        """Count a request for ``url`` against max_pages."""
        self._requested.add(url)
        self.tally.requests += 1

    def was_requested(self, url: str) -> bool:
        return url in self._requested

    def conditional_headers(self, url: str, depth: int, *, leaf: bool = False) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from what the previous scan saw at ``url``.

        A 304 has no body, so for a page whose links the crawl needs they are sent only when
        the previous scan's links are known (``known[url]["links"]``) or its body is still in
        the spool folder; otherwise the page is fetched in full and reported ``unchanged``
        when its hash is the same. A ``leaf`` (a document, or a URL whose previous answer was
        one: ``known[url]["kind"] == "attachment"``) is always asked conditionally.
        """
        known = self.known.get(url) or {}
        leaf = leaf or known.get("kind") == "attachment"
        if not leaf and self.follows_links(depth) and "links" not in known and not self.spooled(known.get("hash")):
            return {}
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def follows_links(self, depth: int) -> bool:
        """Whether the spider follows the links of a page at ``depth`` (the website spider does)."""
        return False

    def spooled(self, sha256: str | None) -> Path | None:
        """The spool file of a body with this hash, if it is there."""
        path = self.spool_dir / f"{sha256}.bin" if sha256 else None
        return path if path is not None and path.is_file() else None

    # -- budgets ----------------------------------------------------------------------------

    def account(self, response: Response) -> bool:
        """Count a response's body against max_bytes; False for a response that arrived after
        the budget was spent (see :meth:`is_late`): it must be neither emitted nor followed.
        The response that spends the budget is read, but its links are not followed."""
        late = self.is_late(response.meta)
        self.tally.bytes += len(response.body)
        if late:
            self.tally.late += 1
            logger.debug("Channel %s: %s arrived after max_bytes, not read", self.channel_key, response.url)
            return False
        if self.tally.bytes >= self.max_bytes:
            self.mark_truncated("max_bytes")
        return True

    def is_late(self, meta: dict[str, Any]) -> bool:
        """Whether an answer to a request with this ``meta`` comes after max_bytes was spent.

        Requests already under way when the budget runs out still complete (Scrapy lets them
        finish while the spider closes); counting them but reading none of them keeps a
        channel's pages what its budget allows, however many requests were in flight. The
        channel's own URL, its first request, is always read.
        """
        return "max_bytes" in self.tally.limits_hit and meta.get(URL) != self.home_url

    def check_bytes(self) -> None:
        """Stop the channel (dropping queued requests) once max_bytes has been downloaded."""
        if "max_bytes" in self.tally.limits_hit:
            raise CloseSpider("max_bytes")

    def mark_truncated(self, limit: str) -> None:
        """Record that the crawl stopped short because of ``limit`` (once per limit)."""
        if limit in self.tally.limits_hit:
            return
        logger.info("Channel %s stops early: %s reached", self.channel_key, limit)
        self.tally.limits_hit.append(limit)
        if limit == "max_pages":
            message = f"已达到页面数上限（max_pages = {self.max_pages}），离首页较远的页面未抓取"
        elif limit == "max_bytes":
            message = f"已达到下载量上限（max_bytes = {self.max_bytes} 字节），其余页面未抓取"
        else:
            message = f"抓取提前结束（{limit}）"
        self.tally.truncated.append(message)

    def truncation_notes(self) -> dict[str, str]:
        """Further reasons the crawl is incomplete, code -> Chinese (the website spider adds
        ``crawl_trap``)."""
        return {}

    def done_event(self, reason: str = "finished") -> ChannelDone:
        """The channel's ChannelDone; a close for any reason but finishing counts as truncated."""
        if reason not in ("finished", "max_bytes"):
            self.mark_truncated(reason)
        t = self.tally
        notes = self.truncation_notes()
        reasons = t.truncated + list(notes.values())
        return ChannelDone(
            channel=self.channel_key, pages=t.pages, errors=t.errors, bytes=t.bytes, late_responses=t.late,
            truncated=bool(reasons), truncated_reason="；".join(reasons), truncated_by=t.limits_hit + list(notes),
        )

    # -- events -----------------------------------------------------------------------------

    def response_event(self, response: Response, *, kind: str) -> PageItem | FetchError | None:
        """The event for a response: FetchError for >= 400, an unchanged PageItem for 304,
        a PageItem for HTML, None for anything else (images, PDFs ...)."""
        if response.status >= 400:
            return self.status_error(response)
        if response.status == 304:
            return self.unchanged_page(response, kind=kind)
        content_type = header(response, "Content-Type") or ""
        if not is_html(content_type, response.body):
            url = response.meta.get(URL, response.url)
            logger.debug("Not a page: %s (%s)", response.url, content_type)
            if url == self.home_url:
                return self.error_event(url, "other", f"该地址不是网页（{content_type or '未知类型'}），无法分析。")
            return None
        return self.build_page(response, kind=kind)

    def build_page(self, response: Response, *, kind: str) -> PageItem:
        """A PageItem from an HTML response; feed items that are WeChat articles become
        ``wechat_article`` pages read by their structure. A body identical to the previous
        scan's gives an ``unchanged`` page with its links but without text (not re-read)."""
        body = response.body
        sha = hashlib.sha256(body).hexdigest()
        content_type = header(response, "Content-Type") or ""
        html, encoding = decode_body(body, content_type)
        if self.known_hash(response) == sha:
            tree = parse_html(html)
            return self.page_item(response, kind=kind, sha=sha, unchanged=True, content_type=content_type,
                                  encoding=encoding, links=out_links(tree, response.url) if tree is not None else [])
        if kind == "wechat_article" or (kind == "feed_item" and looks_like_wechat(html, response.url)):
            kind, extracted = "wechat_article", extract_wechat(html, response.url)
        else:
            extracted = extract_page(html, response.url)
        return self.page_item(
            response, kind=kind, sha=sha, content_type=content_type, encoding=encoding,
            title=extracted.title, text=extracted.text, main_text=extracted.main_text, html=html,
            published_at=extracted.published_at, published_source=extracted.published_source,
            links=extracted.links,
        )

    def page_item(self, response: Response, *, kind: str, sha: str, **fields: Any) -> PageItem:
        """A PageItem for ``response`` (spooled under ``sha``) with ``fields`` filled in."""
        body = response.body
        truncated = bool(fields.pop("truncated", False)) or is_partial(response)
        return PageItem(
            channel=self.channel_key, url=response.meta.get(URL, response.url), final_url=response.url,
            status=response.status, fetched_at=now_iso(), kind=kind, size=len(body), content_hash=sha,
            depth=response.meta.get(DEPTH, 0), referer=response.meta.get(REFERER),
            raw_path=spool_body(self.spool_dir, body, sha), truncated=truncated,
            etag=header(response, "ETag"), last_modified=header(response, "Last-Modified"),
            tls_error=response.meta.get(TLS_ERROR_META, ""), **fields,
        )

    def known_hash(self, response: Response) -> str | None:
        return (self.known.get(response.meta.get(URL, response.url)) or {}).get("hash")

    def unchanged_page(self, response: Response, *, kind: str) -> PageItem:
        """The unchanged page of a 304 answer (see :meth:`unchanged_item`)."""
        return self.unchanged_item(
            response.meta.get(URL, response.url), final_url=response.url, kind=kind,
            depth=response.meta.get(DEPTH, 0), referer=response.meta.get(REFERER),
            etag=header(response, "ETag"), last_modified=header(response, "Last-Modified"),
            tls_error=response.meta.get(TLS_ERROR_META, ""),
        )

    def unchanged_item(self, url: str, *, final_url: str, kind: str, depth: int, referer: str | None,
                       etag: str | None, last_modified: str | None, tls_error: str = "") -> PageItem:
        """A page the site answered 304 for: no body, so no text. Its links are the previous
        scan's (``known[url]["links"]``, which :meth:`links_to_follow` gives and the item leaves
        out: the scan service has them stored), or else read from the previous body when it is
        still in the spool folder, so the crawl can go on past an unchanged page."""
        known = self.known.get(url) or {}
        kind = known.get("kind") or kind  # e.g. a download.jsp link that answered with a document
        sha = known.get("hash", "")
        links: list[str] = []
        raw_path, size = None, 0
        spooled = self.spooled(sha)
        if spooled is not None:
            raw_path, size = str(spooled), spooled.stat().st_size
            if "links" not in known:
                tree = parse_html(decode_body(spooled.read_bytes(), None)[0])
                links = out_links(tree, final_url) if tree is not None else []
        return PageItem(
            channel=self.channel_key, url=url, final_url=final_url, status=304, fetched_at=now_iso(),
            kind=kind, size=size, content_hash=sha, depth=depth, referer=referer, raw_path=raw_path,
            unchanged=True, etag=etag or known.get("etag"), last_modified=last_modified or known.get("last_modified"),
            links=links, tls_error=tls_error,
        )

    def links_to_follow(self, item: PageItem) -> list[str]:
        """The links of a page item: those it carries, or for an unchanged page that carries
        none, the previous scan's."""
        if item.unchanged and not item.links:
            return list((self.known.get(item.url) or {}).get("links") or [])
        return item.links

    def status_error(self, response: Response) -> FetchError:
        reason, message = http_error(response.status)
        url = response.meta.get(URL, response.url)
        return self.error_event(url, reason, message, status=response.status, referer=response.meta.get(REFERER))

    def error_event(self, url: str, reason: str, message: str, *, status: int | None = None,
                    referer: str | None = None) -> FetchError:
        """A FetchError for this channel; ``is_home`` when ``url`` is the channel's own URL."""
        logger.info("Channel %s: %s failed (%s)", self.channel_key, url, reason)
        return FetchError(channel=self.channel_key, url=url, reason=reason, message=message,
                          status=status, referer=referer, is_home=url == self.home_url)

    def on_error(self, failure: Failure) -> Iterator[FetchError]:
        """Errback: a FetchError saying why the request failed."""
        request = failure.request  # type: ignore[attr-defined]
        if self.is_late(request.meta):
            self.tally.late += 1
            return
        url = request.meta.get(URL, request.url)
        reason, message = classify_failure(
            failure, url, timeout=self.timeout,
            max_page_bytes=request.meta.get("download_maxsize", self.max_page_bytes),
            redirects=[*request.meta.get("redirect_urls", []), request.url],
            what="附件" if request.meta.get(ATTACHMENT) else "页面",
        )
        yield self.error_event(url, reason, message, referer=request.meta.get(REFERER))
