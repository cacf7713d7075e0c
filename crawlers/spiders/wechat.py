"""The WeChat article spider: one public-account article (mp.weixin.qq.com/s/...) per channel."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers.spiders.base import OrgwatchSpider


class WechatArticleSpider(OrgwatchSpider):
    """Reads a single WeChat public-account article.

    Fetches the channel URL once and reads it by the article page's structure: the title
    from ``#activity-name`` / ``.rich_media_title``, the body from ``#js_content`` (as
    ``main_text``) and the publication date from the page's ``var ct = "<unix time>"``
    (``published_source="wechat_ct"``, as a date in China Standard Time). Emits one PageItem
    of kind ``wechat_article``, or a FetchError with ``is_home=True``.

    Arguments: ``channel`` (ChannelJob), ``spool_dir``. No links are followed. WeChat may
    answer automated requests with a verification page; that page is what gets reported.
    """

    name = "wechat_article"

    async def start(self) -> AsyncIterator[Any]:
        for item in self.start_home(self.parse_article):
            yield item

    def parse_article(self, response: Response) -> Iterator[Any]:
        self.account(response)
        event = self.response_event(response, kind="wechat_article")
        if event is not None:
            yield event
        self.check_bytes()
