"""The feed spider: an RSS 2.0 or Atom feed (a site's news feed, or a public account's feed)."""
from __future__ import annotations

import hashlib
import html as html_lib
import io
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.dates import struct_time_date
from crawlers.extract import absolute_link, out_links, parse_html, visible_text
from crawlers.items import PageItem
from crawlers.responses import header, now_iso, spool_body
from crawlers.spiders.base import OrgwatchSpider

logger = logging.getLogger(__name__)


def entry_info(entry: Any, index: int, feed_url: str, feed_status: int) -> dict[str, Any]:
    """What the spider keeps of a feed entry (plain data, carried in request meta)."""
    content = ""
    for part in entry.get("content") or ():
        if part.get("value"):
            content = part["value"] if "html" in part.get("type", "html") else f"<p>{html_lib.escape(part['value'])}</p>"
            break
    if not content:
        content = entry.get("summary", "") or entry.get("description", "")
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return {
        "index": index,
        "id": entry.get("id") or entry.get("link") or str(index),
        "title": " ".join((entry.get("title") or "").split()),
        "link": absolute_link(entry.get("link"), feed_url),
        "published_at": struct_time_date(published),
        "content": content,
        "feed_url": feed_url,
        "feed_status": feed_status,
    }


class FeedSpider(OrgwatchSpider):
    """Reads an RSS 2.0 or Atom feed and the articles it lists.

    Fetches the channel URL as a feed, then each entry's link as an article (kind
    ``feed_item``; a WeChat article page is read by its structure and has kind
    ``wechat_article``). The entry's date (pubDate / published / updated, as a China
    Standard Time date) is the article's ``published_at`` with source ``feed``, and the
    entry's title is preferred over the page's. When an entry has no link, its link fails
    (a FetchError is reported too) or the request or byte budget is spent (an article still
    under way when max_bytes runs out included), the entry is analysed from the feed's own
    content instead: a PageItem whose ``final_url`` is the feed.

    Arguments: ``channel`` (ChannelJob), ``spool_dir``.

    Limits: ``max_pages`` requests (the feed included) and ``max_bytes`` per channel; links
    inside articles are recorded, not followed. A feed that cannot be parsed is a FetchError
    (reason ``other``, ``is_home=True``).
    """

    name = "feed"

    async def start(self) -> AsyncIterator[Any]:
        for item in self.start_home(self.parse_feed):
            yield item

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.account(response)
        if response.status >= 400:
            yield self.status_error(response)
            return
        import feedparser  # noqa: PLC0415 - imported on first use: most scans read no feed

        parsed = feedparser.parse(
            io.BytesIO(response.body),  # a stream: feedparser never fetches or opens a path
            response_headers={"content-type": header(response, "Content-Type") or "application/xml",
                              "content-location": response.url},
        )
        if not parsed.entries:
            if parsed.get("bozo") or not parsed.get("version"):
                problem = parsed.get("bozo_exception") or "没有可识别的条目"
                yield self.error_event(self.home_url, "other", f"订阅源无法解析（不是有效的 RSS/Atom）：{problem}")
            else:
                logger.info("Feed %s has no entries", response.url)
            return
        for index, entry in enumerate(parsed.entries):
            yield from self.follow_entry(entry_info(entry, index, response.url, response.status), response)
        self.check_bytes()

    def follow_entry(self, entry: dict[str, Any], response: Response) -> Iterator[Any]:
        link = entry["link"]
        if link and self.was_requested(link):
            return  # listed twice in the feed
        if link:
            request = self.make_request(
                link, callback=self.parse_item, errback=self.on_item_error, depth=1,
                referer=response.url, meta={"orgwatch_entry": entry},
            )
            if request is not None:
                yield request
                return
        yield self.page_from_entry(entry)

    def parse_item(self, response: Response) -> Iterator[Any]:
        entry = response.meta["orgwatch_entry"]
        if not self.account(response):  # under way when max_bytes ran out: as if never requested
            yield self.page_from_entry(entry)
            return
        event = self.response_event(response, kind="feed_item")
        if event is not None:
            yield event
        if isinstance(event, PageItem):
            event.title = entry["title"] or event.title
            if entry["published_at"]:
                event.published_at, event.published_source = entry["published_at"], "feed"
        else:  # an HTTP error or not a page: read the entry from the feed
            yield self.page_from_entry(entry)
        self.check_bytes()

    def on_item_error(self, failure: Failure) -> Iterator[Any]:
        yield from self.on_error(failure)
        yield self.page_from_entry(failure.request.meta["orgwatch_entry"])  # type: ignore[attr-defined]

    def page_from_entry(self, entry: dict[str, Any]) -> PageItem:
        """A PageItem made from the entry's content in the feed itself."""
        content: str = entry["content"]
        body = content.encode("utf-8")
        sha = hashlib.sha256(body).hexdigest()
        url = entry["link"] or f"{entry['feed_url']}#entry-{quote(str(entry['id']), safe='')}"
        tree = parse_html(content)
        text = visible_text(tree) if tree is not None else ""
        known_hash = (self.known.get(url) or {}).get("hash")
        return PageItem(
            channel=self.channel_key, url=url, final_url=entry["feed_url"], status=entry["feed_status"],
            fetched_at=now_iso(), kind="feed_item", content_type="text/html; charset=utf-8",
            encoding="utf-8", title=entry["title"], text=text, main_text=text, html=content,
            size=len(body), content_hash=sha, published_at=entry["published_at"],
            published_source="feed" if entry["published_at"] else None, depth=1,
            referer=entry["feed_url"], raw_path=spool_body(self.spool_dir, body, sha),
            unchanged=bool(known_hash) and known_hash == sha,
            links=out_links(tree, entry["link"] or entry["feed_url"]) if tree is not None else [],
        )
