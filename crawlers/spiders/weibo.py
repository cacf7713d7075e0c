"""The Weibo spider: a public account's timeline as JSON (``cards[].mblog``), one post per page."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from crawlers.dates import weibo_date
from crawlers.extract import out_links, parse_html, visible_text
from crawlers.items import PageItem
from crawlers.responses import now_iso, spool_body
from crawlers.spiders.base import OrgwatchSpider
from crawlers.tls import TLS_ERROR_META

logger = logging.getLogger(__name__)

#: Characters of a post's text used as its title.
TITLE_CHARS = 30


def timeline_posts(data: Any) -> list[dict[str, Any]]:
    """The ``mblog`` objects of a timeline: ``{"data": {"cards": [...]}}`` or ``{"cards": [...]}``,
    cards holding an ``mblog`` directly or in a ``card_group``; in timeline order, without repeats."""
    if not isinstance(data, dict):
        return []
    cards = data.get("cards")
    if cards is None and isinstance(data.get("data"), dict):
        cards = data["data"].get("cards")
    posts: dict[str, dict[str, Any]] = {}
    stack = list(reversed(cards)) if isinstance(cards, list) else []
    while stack:
        card = stack.pop()
        if not isinstance(card, dict):
            continue
        mblog = card.get("mblog")
        if isinstance(mblog, dict) and mblog.get("id") is not None:
            posts.setdefault(str(mblog["id"]), mblog)
        if isinstance(card.get("card_group"), list):
            stack.extend(reversed(card["card_group"]))
    return list(posts.values())


def post_html(mblog: dict[str, Any]) -> str:
    """The post's HTML; a repost carries the reposted text after it (the account publishes it too)."""
    html = str(mblog.get("text") or "")
    retweeted = mblog.get("retweeted_status")
    if isinstance(retweeted, dict) and retweeted.get("text"):
        user = (retweeted.get("user") or {}).get("screen_name") or ""
        html += f"<blockquote><p>转发{('@' + user) if user else ''}：</p>{retweeted['text']}</blockquote>"
    return f"<html><body><div class=\"weibo-text\">{html}</div></body></html>"


class WeiboSpider(OrgwatchSpider):
    """Reads a Weibo-style public account timeline given as JSON.

    Fetches the channel URL once and expects ``{"data": {"cards": [...]}}`` (or a top-level
    ``cards``), each card holding an ``mblog`` (or a ``card_group`` of such cards) with ``id``,
    ``text`` (HTML) and ``created_at`` ("Sat Nov 28 10:00:00 +0800 2026"). Emits one PageItem
    per post: kind ``weibo_post``, url ``<channel url>#mblog-<id>``, text the visible text of
    the post (a repost's original text included), title its first 30 characters,
    ``published_at`` from ``created_at`` (source ``weibo``). A post whose text is the same as
    last time is ``unchanged``.

    Arguments: ``channel`` (ChannelJob), ``spool_dir``. Only the posts in the JSON are read:
    no paging, no "全文" of long posts, no links followed. A body that is not such JSON is a
    FetchError (reason ``other``, ``is_home=True``).
    """

    name = "weibo"

    async def start(self) -> AsyncIterator[Any]:
        for item in self.start_home(self.parse_timeline):
            yield item

    def parse_timeline(self, response: Response) -> Iterator[Any]:
        self.account(response)
        if response.status >= 400:
            yield self.status_error(response)
            return
        try:
            data = json.loads(response.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            yield self.error_event(self.home_url, "other", "该地址返回的不是 JSON，无法按微博时间线读取。")
            return
        posts = timeline_posts(data)
        if not posts:
            if not isinstance(data, dict) or ("cards" not in data and "cards" not in (data.get("data") or {})):
                message = data.get("msg") if isinstance(data, dict) else None
                yield self.error_event(self.home_url, "other", f"不是有效的微博时间线（没有 cards）{('：' + str(message)) if message else ''}。")
            else:
                logger.info("Weibo timeline %s has no posts", response.url)
            return
        for mblog in posts:
            yield self.post_item(mblog, response)
        self.check_bytes()

    def post_item(self, mblog: dict[str, Any], response: Response) -> PageItem:
        html = post_html(mblog)
        body = html.encode("utf-8")
        sha = hashlib.sha256(body).hexdigest()
        url = f"{self.home_url}#mblog-{quote(str(mblog['id']), safe='')}"
        tree = parse_html(html)
        text = visible_text(tree) if tree is not None else ""
        published = weibo_date(str(mblog.get("created_at") or ""))
        known_hash = (self.known.get(url) or {}).get("hash")
        return PageItem(
            channel=self.channel_key, url=url, final_url=response.url, status=response.status,
            fetched_at=now_iso(), kind="weibo_post", content_type="text/html; charset=utf-8", encoding="utf-8",
            title=text.replace("\n", " ")[:TITLE_CHARS], text=text, main_text=text, html=html, size=len(body),
            content_hash=sha, published_at=published, published_source="weibo" if published else None,
            depth=1, referer=self.home_url, raw_path=spool_body(self.spool_dir, body, sha),
            unchanged=bool(known_hash) and known_hash == sha,
            links=out_links(tree, response.url) if tree is not None else [],
            tls_error=response.meta.get(TLS_ERROR_META, ""),
        )
